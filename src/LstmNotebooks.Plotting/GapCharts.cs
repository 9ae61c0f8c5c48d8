using System.Globalization;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>What a score-vs-gap chart measures.</summary>
public enum GapMetric
{
    /// <summary>Fraction of test sequences answered correctly, in [0, 1], shown as a percentage.</summary>
    Accuracy,
    /// <summary>Fraction of test sequences answered wrongly, in [0, 1], shown as a percentage.</summary>
    ErrorRate,
    /// <summary>A loss, error or amount in the task's own unit (set <see cref="GapChartOptions.ValueLabel"/>).</summary>
    Loss,
    /// <summary>Fraction of training runs that met the success criterion, in [0, 1], shown as a percentage.</summary>
    SuccessRate,
}

/// <summary>One model's score at each gap length it was tested on.</summary>
public sealed record GapScores(string Model, IReadOnlyList<int> Gaps, IReadOnlyList<double> Values)
{
    /// <summary>The model's cell kind, which picks its color (LSTM, GRU, RNN); null takes the next series color.</summary>
    public CellKind? Cell { get; init; }

    /// <summary>The single runs (e.g. one per seed) behind each value, in the order of <see cref="Gaps"/>: drawn as small
    /// points beside the line, so a median of three seeds shows whether they agree. Null for none.</summary>
    public IReadOnlyList<IReadOnlyList<double>>? Runs { get; init; }

    public GapScores WithCell(CellKind? cell) => this with { Cell = cell };
    public GapScores WithRuns(IReadOnlyList<IReadOnlyList<double>>? runs) => this with { Runs = runs };

    /// <summary>One model's runs as (gap, value) pairs, e.g. one per seed and gap: <see cref="Values"/> is the median
    /// at each gap (gaps in ascending order) and <see cref="Runs"/> keeps every run.</summary>
    public static GapScores FromRuns(string model, IEnumerable<(int Gap, double Value)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var byGap = runs.GroupBy(r => r.Gap).OrderBy(g => g.Key).ToArray();
        if (byGap.Length == 0) throw new ArgumentException($"Model '{model}' has no runs; give at least one (gap, value) pair.", nameof(runs));
        return new GapScores(model, byGap.Select(g => g.Key).ToArray(), byGap.Select(g => Median(g.Select(r => r.Value))).ToArray())
        {
            Runs = byGap.Select(g => (IReadOnlyList<double>)g.Select(r => r.Value).ToArray()).ToArray(),
        };
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

public sealed record GapChartOptions
{
    private readonly double? _chance;
    private readonly string _valueLabel = "loss";

    public GapMetric Metric { get; init; } = GapMetric.Accuracy;

    /// <summary>Chance level (e.g. 1/classes) drawn as a dashed line; null for none.</summary>
    public double? ChanceLevel { get => _chance; init => _chance = Check.Finite(value, nameof(ChanceLevel)); }

    /// <summary>Y axis title for <see cref="GapMetric.Loss"/> (e.g. "cross-entropy (nats)", "sequences to criterion").</summary>
    public string ValueLabel { get => _valueLabel; init => _valueLabel = Check.Text(value, nameof(ValueLabel)); }

    /// <summary>Grouped bars (side by side) or lines with markers.</summary>
    public bool Bars { get; init; } = true;

    /// <summary>Print each bar's value on it, so a bar of height 0 still shows (as "0%") where its model stands.</summary>
    public bool ShowValues { get; init; } = true;

    /// <summary>Log scale for <see cref="GapMetric.Loss"/> values (all must be positive).</summary>
    public bool LogScale { get; init; }

    /// <summary>Gap lengths on a log axis (lines only; every gap must be positive), so gaps of 10, 100 and 1,000 sit
    /// evenly spaced instead of 10 and 100 crowding the left edge.</summary>
    public bool LogGaps { get; init; }
    public string? Title { get; init; }

    public GapChartOptions WithMetric(GapMetric metric) => this with { Metric = metric };
    public GapChartOptions WithChance(double? chance) => this with { ChanceLevel = chance };
    public GapChartOptions WithValueLabel(string label) => this with { ValueLabel = label };
    public GapChartOptions WithBars(bool bars = true) => this with { Bars = bars };
    public GapChartOptions WithLines() => this with { Bars = false };
    public GapChartOptions WithValues(bool show = true) => this with { ShowValues = show };
    public GapChartOptions WithLogScale(bool log = true) => this with { LogScale = log };
    public GapChartOptions WithLogGaps(bool log = true) => this with { LogGaps = log };
    public GapChartOptions WithTitle(string? title) => this with { Title = title };

    internal bool Fraction => Metric != GapMetric.Loss;
}

/// <summary>How well several models bridge longer and longer gaps.</summary>
public static class GapCharts
{
    /// <summary>
    /// One series per model against gap length, every model visible: fractions on a fixed 0–100 % axis with each bar's
    /// value printed (a model at 0 % still shows its label), amounts on an axis from zero (a nearly constant series
    /// does not fill the plot with noise), and the chance level as a dashed line. With lines, a model's
    /// <see cref="GapScores.Runs"/> are drawn as small translucent points, each model's a little to the side of the others', so
    /// models that sit on the same value (e.g. two at chance) stay apart.
    /// </summary>
    public static GenericChart ScoreVsGap(IEnumerable<GapScores> models, GapChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= new GapChartOptions();
        var list = models.ToList();
        Require(list.Count > 0, nameof(models), "No models were given; pass at least one GapScores.");
        bool fraction = options.Fraction;
        if (options.LogScale && fraction)
            throw new ArgumentException($"LogScale is for GapMetric.Loss values; {options.Metric} is a fraction on a 0–100 % axis.", nameof(options));
        if (options.LogGaps && options.Bars)
            throw new ArgumentException("LogGaps needs lines: bars sit on a category axis, one slot per gap; use WithLines().", nameof(options));
        if (list.Any(m => m?.Runs is not null) && options.Bars)
            throw new ArgumentException("Single runs (GapScores.Runs) are drawn as points beside a line; use WithLines().", nameof(options));
        var traces = new List<GenericChart>();
        int extra = 0;
        var used = new HashSet<CellKind>();
        var all = new List<double>();
        foreach (var m in list)
        {
            if (m is null) throw new ArgumentNullException(nameof(models), "One of the models is null.");
            ArgumentException.ThrowIfNullOrWhiteSpace(m.Model, nameof(models));
            if (m.Gaps.Count != m.Values.Count)
                throw new ArgumentException($"Model '{m.Model}' has {m.Gaps.Count} gaps but {m.Values.Count} values; give one value per gap.", nameof(models));
            if (m.Gaps.Count == 0) throw new ArgumentException($"Model '{m.Model}' has no scores.", nameof(models));
            for (int k = 0; k < m.Values.Count; k++)
            {
                if (m.Gaps[k] < 0) throw new ArgumentException($"Model '{m.Model}' has a negative gap length {m.Gaps[k]}.", nameof(models));
                if (options.LogGaps && m.Gaps[k] == 0)
                    throw new ArgumentException($"Model '{m.Model}' has gap length 0, which a log gap axis cannot show; drop it or set LogGaps = false.", nameof(models));
                CheckValue(m, m.Values[k], m.Gaps[k], options, fraction);
            }
            if (m.Runs is not null)
            {
                if (m.Runs.Count != m.Gaps.Count)
                    throw new ArgumentException($"Model '{m.Model}' has {m.Gaps.Count} gaps but runs for {m.Runs.Count}; give one list of runs per gap.", nameof(models));
                for (int k = 0; k < m.Runs.Count; k++)
                    foreach (var v in m.Runs[k] ?? throw new ArgumentException($"Model '{m.Model}' has a null list of runs at gap {m.Gaps[k]}.", nameof(models)))
                        CheckValue(m, v, m.Gaps[k], options, fraction);
            }
            // One color per cell kind; a second model of the same kind takes the next series color.
            string color = m.Cell is CellKind c && used.Add(c) ? GatePalette.Color(c) : GatePalette.Series[(3 + extra++) % GatePalette.Series.Count];
            string name = Escape(m.Model);
            string valueFormat = fraction ? "%{y:.1%}" : "%{y:.4g}";
            string hover = $"<b>{name}</b><br>gap %{{x}} steps<br>{MetricName(options.Metric, options.ValueLabel)} = {valueFormat}<extra></extra>";
            var order = Enumerable.Range(0, m.Gaps.Count).OrderBy(k => m.Gaps[k]).ToArray();
            var gaps = order.Select(k => m.Gaps[k]).ToArray();
            var values = order.Select(k => m.Values[k]).ToArray();
            all.AddRange(values);
            if (options.Bars)
                traces.Add(Traces.Columns(gaps, values, m.Model, TraceStyle.Marker(color))
                    .Styled(TraceStyle.Bar(hoverTemplate: hover, clipOnAxis: false,
                        text: options.ShowValues ? values.Select(v => ValueText(v, fraction)) : null,
                        textPosition: options.ShowValues ? StyleParam.TextPosition.Outside : null,
                        textFont: options.ShowValues ? Font(10, color) : null)));
            else
            {
                traces.Add(Traces.Line(gaps, values, m.Model, color, markers: true, markerSize: 7)
                    .Styled(TraceStyle.Scatter(hoverTemplate: hover, legendGroup: name)));
                if (m.Runs is not null)
                {
                    double shift = RunShift(list.IndexOf(m), list.Count);
                    var points = order.SelectMany(k => m.Runs[k].Select(v => (Gap: m.Gaps[k], Value: v))).ToArray();
                    var x = points.Select(p => options.LogGaps ? p.Gap * Math.Pow(10, shift) : p.Gap + shift * SpanOf(list)).ToArray();
                    all.AddRange(points.Select(p => p.Value));
                    string runHover = $"<b>{name}</b>, one run<br>gap %{{customdata}} steps<br>{MetricName(options.Metric, options.ValueLabel)} = {valueFormat}<extra></extra>";
                    traces.Add(Traces.Points(x, points.Select(p => p.Value), $"{m.Model} (single runs)",
                            TraceStyle.Marker(color, size: 9, outline: Line("#ffffff", 1), opacity: 0.55), showLegend: false)
                        .Styled(TraceStyle.Scatter(hoverTemplate: runHover, customData: points.Select(p => (IConvertible)p.Gap), legendGroup: name)));
                }
            }
        }
        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        if (options.ChanceLevel is double chance)
        {
            if (fraction) Check.Fraction(chance, nameof(GapChartOptions.ChanceLevel));
            shapes.Add(HorizontalLine(chance, Muted));
            notes.Add(LineLabel($"chance ({(fraction ? ValueText(chance, true) : Num(chance))})", chance, Muted));
        }
        string yTitle = options.Metric switch
        {
            GapMetric.Accuracy => "accuracy (% of sequences recalled)",
            GapMetric.ErrorRate => "error rate (% of sequences wrong)",
            GapMetric.SuccessRate => "runs that met the criterion (%)",
            _ => options.ValueLabel + (options.LogScale ? " (log scale)" : ""),
        };
        string title = options.Title ?? options.Metric switch
        {
            GapMetric.Accuracy => "Accuracy against gap length",
            GapMetric.ErrorRate => "Error rate against gap length",
            GapMetric.SuccessRate => "Runs that met the criterion against gap length",
            _ => $"{char.ToUpperInvariant(options.ValueLabel[0])}{options.ValueLabel[1..]} against gap length",
        };
        return Compose(traces, Layout(title, 460, shapes, notes, Margin(right: notes.Count > 0 ? LabelMargin : 30),
                barMode: options.Bars ? StyleParam.BarMode.Group : null),
            (X(1), Axis("gap length (time steps between arrival and recall)" + (options.LogGaps ? " (log scale)" : ""),
                axisType: options.Bars ? StyleParam.AxisType.Category : options.LogGaps ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)),
            (Y(1), ValueAxis(yTitle, options, all, options.ChanceLevel)));
    }

    /// <summary>
    /// Fractions: a fixed 0–105 % range (room for the value labels). Amounts: log if asked; otherwise from zero when
    /// every value is ≥ 0, so a series that barely moves (e.g. 2,291–2,293 sequences) is drawn as what it is, nearly
    /// flat, instead of filling the plot; a constant series of any sign gets a range around it.
    /// </summary>
    private static LinearAxis ValueAxis(string title, GapChartOptions options, List<double> values, double? chance)
    {
        if (options.Fraction) return Axis(title, tickFormat: ".0%", range: Range(0.0, 1.08));
        if (options.LogScale) return Axis(title, axisType: StyleParam.AxisType.Log, exponentFormat: StyleParam.ExponentFormat.Power);
        var withChance = chance is double c ? values.Append(c).ToList() : values;
        double lo = withChance.Min(), hi = withChance.Max();
        if (lo >= 0) return Axis(title, range: Range(0.0, hi > 0 ? hi * 1.12 : 1.0));
        if (hi - lo <= 1e-9 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = Math.Max(Math.Abs(hi) * 0.1, 1);
            return Axis(title, range: Range(lo - pad, hi + pad), zeroLine: true);
        }
        return Axis(title, zeroLine: true);
    }

    private static void CheckValue(GapScores m, double value, int gap, GapChartOptions options, bool fraction)
    {
        if (!double.IsFinite(value) || (fraction && (value < 0 || value > 1)) || (options.LogScale && value <= 0))
            throw new ArgumentException(
                $"Model '{m.Model}' has {options.Metric} {value} at gap {gap}; expected " +
                (fraction ? "a fraction in [0, 1] (e.g. 0.97 for 97 %)." : options.LogScale ? "a positive number for the log axis." : "a finite number."),
                "models");
    }

    /// <summary>Where model <paramref name="index"/> of <paramref name="count"/> puts its single runs beside the gap: in
    /// decades on a log gap axis (±0.04 for three models), as a fraction of the gap span on a linear one.</summary>
    private static double RunShift(int index, int count) => count < 2 ? 0 : 0.04 * (index - (count - 1) / 2.0);

    private static double SpanOf(List<GapScores> models)
    {
        var gaps = models.SelectMany(m => m.Gaps).ToArray();
        return Math.Max(1, gaps.Max() - gaps.Min());
    }

    private static string ValueText(double v, bool fraction)
        => fraction ? v.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal) : v.ToString("G4", CultureInfo.InvariantCulture);

    private static string MetricName(GapMetric metric, string label) => metric switch
    {
        GapMetric.Accuracy => "accuracy",
        GapMetric.ErrorRate => "error rate",
        GapMetric.SuccessRate => "runs that met the criterion",
        _ => Escape(label),
    };
}
