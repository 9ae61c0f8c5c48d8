using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

public sealed record ActivationChartOptions
{
    public double From { get; init; } = -6;
    public double To { get; init; } = 6;
    public int Points { get; init; } = 241;

    /// <summary>Also draw σ′ and tanh′ (dotted): the largest slope of σ is 1/4, of tanh 1, which is why gradients
    /// through a chain of sigmoids shrink faster.</summary>
    public bool ShowDerivatives { get; init; } = true;
    public string? Title { get; init; }
}

/// <summary>The two squashing functions of the cell and the ranges they map into.</summary>
public static class ActivationCharts
{
    /// <summary>
    /// σ(x) = 1/(1+e^−x) with range (0, 1): a gate, "how much passes". tanh(x) with range (−1, 1): the input modulation
    /// gate's candidate g, which must be able to push the cell state down as well as up; a sigmoid could only add.
    /// </summary>
    public static GenericChart SigmoidAndTanh(ActivationChartOptions? options = null)
    {
        options ??= new ActivationChartOptions();
        Require(double.IsFinite(options.From) && double.IsFinite(options.To) && options.From < options.To, nameof(options),
            $"The x range must be finite with From < To, but was [{options.From}, {options.To}].");
        Require(options.Points >= 2, nameof(options), $"Points must be at least 2, but was {options.Points}.");
        var x = Enumerable.Range(0, options.Points).Select(k => options.From + (options.To - options.From) * k / (options.Points - 1)).ToArray();
        var sigmoid = x.Select(v => 1.0 / (1.0 + Math.Exp(-v))).ToArray();
        var tanh = x.Select(Math.Tanh).ToArray();

        var traces = new List<Trace>
        {
            Line("σ(x) — gates i, f, o", x, sigmoid, GatePalette.Sigmoid, "solid", "σ"),
            Line("tanh(x) — candidate g, output squashing", x, tanh, GatePalette.Tanh, "solid", "tanh"),
        };
        if (options.ShowDerivatives)
        {
            traces.Add(Line("σ′(x) (max 0.25)", x, sigmoid.Select(s => s * (1 - s)).ToArray(), GatePalette.Sigmoid, "dot", "σ′"));
            traces.Add(Line("tanh′(x) (max 1)", x, tanh.Select(t => 1 - t * t).ToArray(), GatePalette.Tanh, "dot", "tanh′"));
        }

        var shapes = new object[]
        {
            HorizontalBand(-1, 1, GatePalette.Tanh, 0.07),
            HorizontalBand(0, 1, GatePalette.Sigmoid, 0.09),
            Obj(("type", "line"), ("xref", "paper"), ("yref", "y"), ("x0", 0.0), ("x1", 1.0), ("y0", 1.0), ("y1", 1.0), ("line", Obj(("color", "#9AA3AD"), ("dash", "dash"), ("width", 1)))),
            Obj(("type", "line"), ("xref", "paper"), ("yref", "y"), ("x0", 0.0), ("x1", 1.0), ("y0", -1.0), ("y1", -1.0), ("line", Obj(("color", "#9AA3AD"), ("dash", "dash"), ("width", 1)))),
        };
        var annotations = new object[]
        {
            Note("σ ∈ (0, 1): a gate scales how much passes (0 = block, 1 = pass)", options.From, 1.0, yref: "y", yanchor: "bottom", color: GatePalette.Sigmoid),
            Note("tanh ∈ (−1, 1): the candidate g can raise or lower the cell state", options.From, -1.0, yref: "y", yanchor: "top", color: GatePalette.Tanh),
        };
        return Chart(traces, Layout(options.Title ?? "Sigmoid and tanh: why the modulation gate is tanh", 480,
            ("xaxis", Axis("pre-activation x (dimensionless)", ("zeroline", true), ("zerolinecolor", "#B0B7BF"))),
            ("yaxis", Axis("activation (dimensionless)", ("range", new[] { -1.25, 1.25 }), ("zeroline", true), ("zerolinecolor", "#B0B7BF"))),
            ("shapes", shapes), ("annotations", annotations)));
    }

    private static Trace Line(string name, double[] x, double[] y, string color, string dash, string symbol)
        => Trace("scatter", ("name", name), ("mode", "lines"), ("x", x), ("y", y),
            ("line", Obj(("color", color), ("width", dash == "solid" ? 3 : 1.5), ("dash", dash))),
            ("hovertemplate", $"{symbol}(%{{x:.2f}}) = %{{y:.4f}}<extra></extra>"));
}
