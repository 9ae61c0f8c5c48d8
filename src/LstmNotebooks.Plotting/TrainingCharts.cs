using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

public sealed record TrainingCurveOptions
{
    /// <summary>What the loss is, with its unit, for the y axis title (e.g. "MSE (ppm²)", "cross-entropy (nats)").</summary>
    public string LossLabel { get; init; } = "loss";

    /// <summary>Log scale for the loss axis; losses often fall over orders of magnitude.</summary>
    public bool LogLoss { get; init; } = true;

    /// <summary>Draw the learning rate as a step line on a second y axis.</summary>
    public bool ShowLearningRate { get; init; } = true;
    public string? Title { get; init; }
}

/// <summary>Loss per epoch and the learning-rate schedule, from a <see cref="TrainingHistory"/>.</summary>
public static class TrainingCharts
{
    public static GenericChart TrainingCurves(TrainingHistory history, TrainingCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= new TrainingCurveOptions();
        Require(history.Epochs.Count > 0, nameof(history), "The training history has no epochs; train for at least one epoch first.");
        var epochs = history.Epochs.Select(e => e.Epoch).ToArray();
        string label = Escape(options.LossLabel);
        var traces = new List<Trace>
        {
            Trace("scatter", ("name", "training loss"), ("mode", "lines+markers"), ("x", epochs), ("y", history.TrainLoss),
                ("line", Obj(("color", GatePalette.TrainLoss), ("width", 2))), ("marker", Obj(("size", 5))),
                ("hovertemplate", $"training loss<br>epoch %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")),
        };
        var withValidation = history.Epochs.Where(e => e.ValidationLoss is not null).ToArray();
        if (withValidation.Length > 0)
            traces.Add(Trace("scatter", ("name", "validation loss"), ("mode", "lines+markers"),
                ("x", withValidation.Select(e => e.Epoch).ToArray()), ("y", withValidation.Select(e => e.ValidationLoss!.Value).ToArray()),
                ("line", Obj(("color", GatePalette.ValidationLoss), ("width", 2))), ("marker", Obj(("size", 5))),
                ("hovertemplate", $"validation loss<br>epoch %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")));
        if (options.ShowLearningRate)
            traces.Add(Trace("scatter", ("name", "learning rate"), ("mode", "lines"), ("x", epochs),
                ("y", history.Epochs.Select(e => e.LearningRate).ToArray()),
                ("line", Obj(("color", GatePalette.LearningRate), ("width", 1.5), ("dash", "dash"), ("shape", "hv"))),
                ("hovertemplate", "learning rate<br>epoch %{x}<br>η = %{y:.3g}<extra></extra>"), ("yaxis", "y2")));

        var shapes = new List<object>();
        var annotations = new List<object>();
        if (withValidation.Length > 0)
        {
            shapes.Add(VerticalLine(history.BestEpoch, GatePalette.ValidationLoss));
            annotations.Add(Note($"best epoch {history.BestEpoch}", history.BestEpoch, 1.0, xanchor: "left", color: GatePalette.ValidationLoss));
        }
        if (history.StopReason == StopReason.EarlyStopped)
            annotations.Add(Note($"early stop after epoch {epochs[^1]}", epochs[^1], 0.92, xanchor: "right", color: "#57606A"));

        string title = options.Title ?? $"Training curves ({history.Epochs.Count} epochs, {(history.StopReason == StopReason.EarlyStopped ? "stopped early" : "completed")})";
        return Chart(traces, Layout(title, 460,
            ("xaxis", Axis("epoch", ("dtick", epochs.Length <= 20 ? 1 : null))),
            ("yaxis", Axis(options.LossLabel, ("type", options.LogLoss ? "log" : "linear"))),
            ("yaxis2", options.ShowLearningRate
                ? Axis("learning rate η", ("type", "log"), ("overlaying", "y"), ("side", "right"), ("showgrid", false))
                : null),
            ("shapes", shapes.ToArray()), ("annotations", annotations.ToArray()),
            ("margin", Obj(("l", 70), ("r", 80), ("t", 70), ("b", 80)))));
    }
}
