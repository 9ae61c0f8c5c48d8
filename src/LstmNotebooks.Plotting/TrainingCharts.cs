using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

public sealed record TrainingCurveOptions
{
    private readonly string _lossLabel = "loss";

    /// <summary>What the loss is, with its unit, for the y axis title (e.g. "MSE (ppm²)", "cross-entropy (nats)").</summary>
    public string LossLabel { get => _lossLabel; init => _lossLabel = Check.Text(value, nameof(LossLabel)); }

    /// <summary>Log scale for the loss axis; losses often fall over orders of magnitude.</summary>
    public bool LogLoss { get; init; } = true;

    /// <summary>Draw the learning rate as a step line on a second y axis.</summary>
    public bool ShowLearningRate { get; init; } = true;
    public string? Title { get; init; }

    public TrainingCurveOptions WithLossLabel(string label) => this with { LossLabel = label };
    public TrainingCurveOptions WithLogLoss(bool log = true) => this with { LogLoss = log };
    public TrainingCurveOptions WithLearningRate(bool show = true) => this with { ShowLearningRate = show };
    public TrainingCurveOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>One training run for a comparison chart: its loss at each step (epoch, or sequences seen).</summary>
public sealed record TrainingRun(string Name, IReadOnlyList<double> Steps, IReadOnlyList<double> Loss)
{
    private readonly double? _needed;

    /// <summary>How much training the run needed (e.g. sequences until the criterion held, in the unit of
    /// <see cref="TrainingComparisonOptions.NeededLabel"/>); null = not reached, or computed from the target loss.</summary>
    public double? Needed
    {
        get => _needed;
        init => _needed = value is double v && !(double.IsFinite(v) && v >= 0)
            ? throw new ArgumentOutOfRangeException(nameof(Needed), v, $"Needed must be a finite amount ≥ 0, but was {v}.") : value;
    }

    /// <summary>A color (#RRGGBB); null takes the next series color.</summary>
    public string? Color { get; init; }

    /// <summary>The training (or validation) loss per epoch of a <see cref="TrainingHistory"/>.</summary>
    public static TrainingRun FromHistory(string name, TrainingHistory history, bool validation = false)
    {
        ArgumentNullException.ThrowIfNull(history);
        var epochs = validation ? history.Epochs.Where(e => e.ValidationLoss is not null).ToArray() : history.Epochs.ToArray();
        if (validation && epochs.Length == 0)
            throw new ArgumentException($"Run '{name}' has no validation loss. Hint: train with a validation split, or compare training losses.", nameof(history));
        return new TrainingRun(name, epochs.Select(e => (double)e.Epoch).ToArray(),
            epochs.Select(e => validation ? e.ValidationLoss!.Value : e.TrainLoss).ToArray());
    }

    public TrainingRun WithNeeded(double? needed) => this with { Needed = needed };
    public TrainingRun WithColor(string? color) => this with { Color = color };

    internal void Validate(string paramName, bool log)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, paramName);
        ArgumentNullException.ThrowIfNull(Steps, paramName);
        ArgumentNullException.ThrowIfNull(Loss, paramName);
        if (Steps.Count != Loss.Count)
            throw new ArgumentException($"Run '{Name}' has {Steps.Count} steps but {Loss.Count} losses; give one loss per step.", paramName);
        if (Loss.Count == 0) throw new ArgumentException($"Run '{Name}' has no losses.", paramName);
        for (int k = 0; k < Loss.Count; k++)
            if (!double.IsFinite(Loss[k]) || !double.IsFinite(Steps[k]) || (log && Loss[k] <= 0))
                throw new ArgumentException($"Run '{Name}' has loss {Loss[k]} at step {Steps[k]}; expected a finite{(log ? ", positive" : "")} number" +
                    (log ? " (the loss axis is logarithmic; set LogLoss = false for losses ≤ 0)." : "."), paramName);
    }
}

public sealed record TrainingComparisonOptions
{
    private readonly double? _targetLoss;

    /// <summary>What one step of the curves is (e.g. "epoch", "training sequences").</summary>
    public string StepLabel { get; init; } = "epoch";
    public string LossLabel { get; init; } = "loss";
    public bool LogLoss { get; init; } = true;

    /// <summary>A target loss drawn as a line; a run's <see cref="TrainingRun.Needed"/> defaults to the first step at
    /// which its loss is at or below it.</summary>
    public double? TargetLoss
    {
        get => _targetLoss;
        init => _targetLoss = Check.Finite(value, nameof(TargetLoss)) is double t && t < 0
            ? throw new ArgumentOutOfRangeException(nameof(TargetLoss), t, "A target loss cannot be negative.") : value;
    }

    /// <summary>The unit of <see cref="TrainingRun.Needed"/> for the bar panel (null: "{StepLabel}s to reach the target").</summary>
    public string? NeededLabel { get; init; }
    public string? Title { get; init; }

    public TrainingComparisonOptions WithStepLabel(string label) => this with { StepLabel = label };
    public TrainingComparisonOptions WithLossLabel(string label) => this with { LossLabel = label };
    public TrainingComparisonOptions WithLogLoss(bool log = true) => this with { LogLoss = log };
    public TrainingComparisonOptions WithTargetLoss(double? target) => this with { TargetLoss = target };
    public TrainingComparisonOptions WithNeededLabel(string? label) => this with { NeededLabel = label };
    public TrainingComparisonOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>Loss per epoch and the learning-rate schedule, from a <see cref="TrainingHistory"/>; several runs compared.</summary>
public static class TrainingCharts
{
    public static GenericChart TrainingCurves(TrainingHistory history, TrainingCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= new TrainingCurveOptions();
        Require(history.Epochs.Count > 0, nameof(history), "The training history has no epochs; train for at least one epoch first.");
        var epochs = history.Epochs.Select(e => e.Epoch).ToArray();
        string label = Escape(options.LossLabel);
        var traces = new List<GenericChart>
        {
            Traces.Line(epochs, history.TrainLoss, "training loss", GatePalette.TrainLoss, markers: true)
                .Styled(TraceStyle.Scatter(hoverTemplate: $"training loss<br>epoch %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")),
        };
        var withValidation = history.Epochs.Where(e => e.ValidationLoss is not null).ToArray();
        if (withValidation.Length > 0)
            traces.Add(Traces.Line(withValidation.Select(e => e.Epoch), withValidation.Select(e => e.ValidationLoss!.Value), "validation loss",
                    GatePalette.ValidationLoss, markers: true)
                .Styled(TraceStyle.Scatter(hoverTemplate: $"validation loss<br>epoch %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")));
        if (options.ShowLearningRate)
            traces.Add(Traces.Line(epochs, history.Epochs.Select(e => e.LearningRate), "learning rate", GatePalette.LearningRate, width: 1.5,
                    dash: StyleParam.DrawingStyle.Dash, shape: StyleParam.Shape.Hv)
                .Styled(TraceStyle.Scatter(yAxis: Y(2), hoverTemplate: "learning rate<br>epoch %{x}<br>η = %{y:.3g}<extra></extra>")));

        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        if (withValidation.Length > 0)
        {
            shapes.Add(VerticalLine(history.BestEpoch, GatePalette.ValidationLoss));
            notes.Add(Note($"best epoch {history.BestEpoch}", history.BestEpoch, 1.0, color: GatePalette.ValidationLoss));
        }
        if (history.StopReason == StopReason.EarlyStopped)
            notes.Add(Note($"early stop after epoch {epochs[^1]}", epochs[^1], 0.92, xAnchor: StyleParam.XAnchorPosition.Right, color: Muted));

        string title = options.Title ?? $"Training curves ({history.Epochs.Count} epochs, {(history.StopReason == StopReason.EarlyStopped ? "stopped early" : "completed")})";
        var axes = new List<(StyleParam.LinearAxisId, LinearAxis)>
        {
            (X(1), Axis("epoch", dTick: epochs.Length <= 20 ? 1 : null)),
            (Y(1), Axis(options.LossLabel, axisType: options.LogLoss ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)),
        };
        if (options.ShowLearningRate)
            axes.Add((Y(2), Axis("learning rate η", axisType: StyleParam.AxisType.Log, overlaying: Y(1), side: StyleParam.Side.Right, showGrid: false)));
        return Compose(traces, Layout(title, 460, shapes, notes, Margin(70, 80, 70, 80)), axes.ToArray());
    }

    /// <summary>
    /// Several training runs on one chart (e.g. forget bias 0 / 1 / 5 on one task): loss against steps, one line per
    /// run, and — when any run has a <see cref="TrainingRun.Needed"/> or the options a target loss — bars of how much
    /// training each run needed; a run that never got there has a bar labelled "not reached".
    /// </summary>
    public static GenericChart Compare(IEnumerable<TrainingRun> runs, TrainingComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        options ??= new TrainingComparisonOptions();
        var list = runs.ToList();
        Require(list.Count > 0, nameof(runs), "No runs were given; pass at least one TrainingRun.");
        foreach (var run in list) (run ?? throw new ArgumentNullException(nameof(runs), "One of the runs is null.")).Validate(nameof(runs), options.LogLoss);
        if (options.LogLoss && options.TargetLoss is 0)
            throw new ArgumentException("A target loss of 0 cannot sit on a log axis; set LogLoss = false or a positive target.", nameof(options));

        var needed = list.Select(r => r.Needed ?? (options.TargetLoss is double target ? FirstAtOrBelow(r, target) : null)).ToArray();
        bool panel = options.TargetLoss is not null || list.Any(r => r.Needed is not null);
        string lossLabel = Escape(options.LossLabel), stepLabel = Escape(options.StepLabel);
        var traces = new List<GenericChart>();
        var colors = list.Select((r, k) => r.Color ?? GatePalette.Series[k % GatePalette.Series.Count]).ToArray();
        for (int k = 0; k < list.Count; k++)
            traces.Add(Traces.Line(list[k].Steps, list[k].Loss, list[k].Name, colors[k], markers: list[k].Loss.Count <= 60)
                .Styled(TraceStyle.Scatter(legendGroup: list[k].Name, xAxis: X(1), yAxis: Y(1),
                    hoverTemplate: $"<b>{Escape(list[k].Name)}</b><br>{stepLabel} %{{x}}<br>{lossLabel} = %{{y:.5g}}<extra></extra>")));

        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        if (options.TargetLoss is double t)
        {
            shapes.Add(Shape(StyleParam.ShapeType.Line, 0.0, panel ? 0.58 : 1.0, t, t, "paper", "y", Line(Muted, 1.5, StyleParam.DrawingStyle.Dash)));
            notes.Add(Note($"target {Num(t)}", panel ? 0.58 : 1.0, AnnotationOnAxis(t, options.LogLoss), xRef: "paper", yRef: "y", xAnchor: StyleParam.XAnchorPosition.Right, color: Muted));
        }
        var axes = new List<(StyleParam.LinearAxisId, LinearAxis)>
        {
            (X(1), Axis(options.StepLabel, domain: Range(0, panel ? 0.58 : 1.0), anchor: Y(1))),
            (Y(1), Axis(options.LossLabel, anchor: X(1), axisType: options.LogLoss ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)),
        };
        if (panel)
        {
            string neededLabel = options.NeededLabel ?? $"{options.StepLabel}s to reach the target";
            var values = needed.Select(n => n ?? 0).ToArray();
            var text = needed.Select(n => n is double v ? v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "not reached").ToArray();
            traces.Add(Traces.Columns(list.Select(r => r.Name), values, neededLabel, TraceStyle.Marker(colors: colors), showLegend: false)
                .Styled(TraceStyle.Bar(xAxis: X(2), yAxis: Y(2), text: text, textPosition: StyleParam.TextPosition.Outside, clipOnAxis: false,
                    hoverTemplate: $"<b>%{{x}}</b><br>{Escape(neededLabel)}: %{{text}}<extra></extra>")));
            axes.Add((X(2), Axis("", domain: Range(0.68, 1.0), anchor: Y(2), axisType: StyleParam.AxisType.Category)));
            axes.Add((Y(2), Axis(neededLabel, anchor: X(2), range: Range(0, NiceMax(values)))));
        }
        string title = options.Title ?? $"Training runs compared: {options.LossLabel} per {options.StepLabel}";
        return Compose(traces, Layout(title, 460, shapes, notes), axes.ToArray());
    }

    private static double? FirstAtOrBelow(TrainingRun run, double target)
    {
        for (int k = 0; k < run.Loss.Count; k++)
            if (run.Loss[k] <= target) return run.Steps[k];
        return null;
    }

    /// <summary>An axis top with room for the bar labels above the highest bar (and a visible range when all are 0).</summary>
    internal static double NiceMax(IEnumerable<double> values)
    {
        double max = values.DefaultIfEmpty(0).Max();
        return max > 0 ? max * 1.18 : 1;
    }
}
