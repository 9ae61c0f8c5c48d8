using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>What a score-vs-gap chart measures.</summary>
public enum GapMetric
{
    /// <summary>Fraction correct in [0, 1], shown as a percentage.</summary>
    Accuracy,
    /// <summary>Fraction wrong in [0, 1], shown as a percentage.</summary>
    ErrorRate,
    /// <summary>A loss or error in the task's own unit (set <see cref="GapChartOptions.ValueLabel"/>).</summary>
    Loss,
}

/// <summary>One model's score at each gap length it was tested on.</summary>
public sealed record GapScores(string Model, IReadOnlyList<int> Gaps, IReadOnlyList<double> Values)
{
    /// <summary>The model's cell kind, which picks its color (LSTM, GRU, RNN); null takes the next series color.</summary>
    public CellKind? Cell { get; init; }
}

public sealed record GapChartOptions
{
    public GapMetric Metric { get; init; } = GapMetric.Accuracy;

    /// <summary>Chance level (e.g. 1/classes) drawn as a dashed line; null for none.</summary>
    public double? ChanceLevel { get; init; }

    /// <summary>Y axis title for <see cref="GapMetric.Loss"/> (e.g. "cross-entropy (nats)").</summary>
    public string ValueLabel { get; init; } = "loss";

    /// <summary>Grouped bars (side by side) or lines with markers.</summary>
    public bool Bars { get; init; } = true;
    public string? Title { get; init; }
}

/// <summary>How well several models bridge longer and longer gaps.</summary>
public static class GapCharts
{
    public static GenericChart ScoreVsGap(IEnumerable<GapScores> models, GapChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= new GapChartOptions();
        var list = models.ToList();
        Require(list.Count > 0, nameof(models), "No models were given; pass at least one GapScores.");
        bool fraction = options.Metric != GapMetric.Loss;
        var traces = new List<Trace>();
        int extra = 0;
        var used = new HashSet<CellKind>();
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
                if (!double.IsFinite(m.Values[k]) || (fraction && (m.Values[k] < 0 || m.Values[k] > 1)))
                    throw new ArgumentException(
                        $"Model '{m.Model}' has {options.Metric} {m.Values[k]} at gap {m.Gaps[k]}; expected " +
                        (fraction ? "a fraction in [0, 1] (e.g. 0.97 for 97 %)." : "a finite number."), nameof(models));
            }
            // One color per cell kind; a second model of the same kind takes the next series color.
            string color = m.Cell is CellKind c && used.Add(c) ? GatePalette.Color(c) : GatePalette.Series[(3 + extra++) % GatePalette.Series.Count];
            string name = Escape(m.Model);
            string valueFormat = fraction ? "%{y:.1%}" : "%{y:.4g}";
            var order = Enumerable.Range(0, m.Gaps.Count).OrderBy(k => m.Gaps[k]).ToArray();
            traces.Add(Trace(options.Bars ? "bar" : "scatter",
                ("name", m.Model), ("x", order.Select(k => m.Gaps[k]).ToArray()), ("y", order.Select(k => m.Values[k]).ToArray()),
                ("mode", options.Bars ? null : "lines+markers"),
                ("marker", Obj(("color", color))), ("line", options.Bars ? null : Obj(("color", color), ("width", 2))),
                ("hovertemplate", $"<b>{name}</b><br>gap %{{x}} steps<br>{MetricName(options.Metric, options.ValueLabel)} = {valueFormat}<extra></extra>")));
        }
        var shapes = new List<object>();
        var annotations = new List<object>();
        if (options.ChanceLevel is double chance)
        {
            Require(double.IsFinite(chance), nameof(options), $"ChanceLevel must be finite, but was {chance}.");
            shapes.Add(Obj(("type", "line"), ("xref", "paper"), ("yref", "y"), ("x0", 0.0), ("x1", 1.0), ("y0", chance), ("y1", chance),
                ("line", Obj(("color", "#57606A"), ("dash", "dash"), ("width", 1.5)))));
            annotations.Add(Note($"chance ({(fraction ? $"{chance:P0}" : Num(chance))})", 1.0, chance, xref: "paper", yref: "y", xanchor: "right", yanchor: "bottom", color: "#57606A"));
        }
        string yTitle = options.Metric switch
        {
            GapMetric.Accuracy => "accuracy (% of sequences recalled)",
            GapMetric.ErrorRate => "error rate (% of sequences wrong)",
            _ => options.ValueLabel,
        };
        string title = options.Title ?? $"{(options.Metric == GapMetric.Loss ? "Error" : options.Metric == GapMetric.Accuracy ? "Accuracy" : "Error rate")} against gap length";
        return Chart(traces, Layout(title, 460,
            ("xaxis", Axis("gap length (time steps between arrival and recall)", ("type", options.Bars ? "category" : "linear"))),
            ("yaxis", Axis(yTitle, ("tickformat", fraction ? ".0%" : null), ("range", fraction ? new[] { 0.0, 1.05 } : null))),
            ("barmode", options.Bars ? "group" : null),
            ("shapes", shapes.ToArray()), ("annotations", annotations.ToArray())));
    }

    private static string MetricName(GapMetric metric, string label) => metric switch
    {
        GapMetric.Accuracy => "accuracy",
        GapMetric.ErrorRate => "error rate",
        _ => Escape(label),
    };
}
