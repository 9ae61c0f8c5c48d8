using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

public sealed record ActivationChartOptions
{
    private readonly double _from = -6, _to = 6;
    private readonly int _points = 241;

    public double From { get => _from; init => _from = Check.Finite(value, nameof(From)); }
    public double To { get => _to; init => _to = Check.Finite(value, nameof(To)); }
    public int Points { get => _points; init => _points = Check.AtLeast(value, 2, nameof(Points), " points"); }

    /// <summary>Also draw σ′ and tanh′ (dotted): the largest slope of σ is 1/4, of tanh 1, which is why gradients
    /// through a chain of sigmoids shrink faster.</summary>
    public bool ShowDerivatives { get; init; } = true;
    public string? Title { get; init; }

    public ActivationChartOptions WithRange(double from, double to) => this with { From = from, To = to };
    public ActivationChartOptions WithPoints(int points) => this with { Points = points };
    public ActivationChartOptions WithDerivatives(bool show = true) => this with { ShowDerivatives = show };
    public ActivationChartOptions WithTitle(string? title) => this with { Title = title };

    internal double[] Grid()
    {
        if (!(From < To)) throw new ArgumentException($"The x range must have From < To, but was [{From}, {To}].", nameof(From));
        return Enumerable.Range(0, Points).Select(k => From + (To - From) * k / (Points - 1)).ToArray();
    }
}

/// <summary>What an update-range chart compares: i·g with the candidate g = tanh (as in the LSTM) and g = σ.</summary>
public sealed record UpdateRangeOptions
{
    private readonly IReadOnlyList<double> _inputGateValues = [0.25, 0.5, 1.0];
    private readonly ActivationChartOptions _grid = new();

    /// <summary>Values of the input gate i (save vector) to draw i·g for, each in [0, 1].</summary>
    public IReadOnlyList<double> InputGateValues
    {
        get => _inputGateValues;
        init => _inputGateValues = (Check.List(value, nameof(InputGateValues)) ?? throw new ArgumentNullException(nameof(InputGateValues)))
            .Select(v => Check.Fraction(v, nameof(InputGateValues))).ToArray();
    }

    /// <summary>The candidate's pre-activation range and resolution.</summary>
    public ActivationChartOptions Grid { get => _grid; init => _grid = value ?? throw new ArgumentNullException(nameof(Grid)); }
    public string? Title { get; init; }

    public UpdateRangeOptions WithInputGateValues(params double[] values) => this with { InputGateValues = values };
    public UpdateRangeOptions WithRange(double from, double to) => this with { Grid = Grid.WithRange(from, to) };
    public UpdateRangeOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>The two squashing functions of the cell and the ranges they map into.</summary>
public static class ActivationCharts
{
    private const string Guide = "#9AA3AD";

    /// <summary>
    /// σ(x) = 1/(1+e^−x) with range (0, 1): a gate, "how much passes". tanh(x) with range (−1, 1): the input modulation
    /// gate's candidate g, which must be able to push the cell state down as well as up; a sigmoid could only add.
    /// </summary>
    public static GenericChart SigmoidAndTanh(ActivationChartOptions? options = null)
    {
        options ??= new ActivationChartOptions();
        var x = options.Grid();
        var sigmoid = x.Select(Sigmoid).ToArray();
        var tanh = x.Select(Math.Tanh).ToArray();

        var traces = new List<GenericChart>
        {
            Curve("σ(x) — gates i, f, o", x, sigmoid, GatePalette.Sigmoid, solid: true, "σ"),
            Curve("tanh(x) — candidate g, output squashing", x, tanh, GatePalette.Tanh, solid: true, "tanh"),
        };
        if (options.ShowDerivatives)
        {
            traces.Add(Curve("σ′(x) (max 0.25)", x, sigmoid.Select(s => s * (1 - s)).ToArray(), GatePalette.Sigmoid, solid: false, "σ′"));
            traces.Add(Curve("tanh′(x) (max 1)", x, tanh.Select(t => 1 - t * t).ToArray(), GatePalette.Tanh, solid: false, "tanh′"));
        }

        Shape[] shapes =
        [
            HorizontalBand(-1, 1, GatePalette.Tanh, 0.07),
            HorizontalBand(0, 1, GatePalette.Sigmoid, 0.09),
            HorizontalLine(1.0, Guide, width: 1),
            HorizontalLine(-1.0, Guide, width: 1),
        ];
        Annotation[] notes =
        [
            Note("σ ∈ (0, 1): a gate scales how much passes (0 = block, 1 = pass)", options.From, 1.0, yRef: "y", color: GatePalette.Sigmoid),
            Note("tanh ∈ (−1, 1): the candidate g can raise or lower the cell state", options.From, -1.0, yRef: "y",
                yAnchor: StyleParam.YAnchorPosition.Top, color: GatePalette.Tanh),
        ];
        return Compose(traces, Layout(options.Title ?? "Sigmoid and tanh: why the modulation gate is tanh", 480, shapes, notes),
            (X(1), Axis("pre-activation x (dimensionless)", zeroLine: true)),
            (Y(1), Axis("activation (dimensionless)", range: Range(-1.25, 1.25), zeroLine: true)));
    }

    /// <summary>
    /// What the input gate can write into the cell state in one step: the update i·g, for a few save-vector values i,
    /// against the candidate's pre-activation. With g = tanh (the LSTM) the update spans (−1, 1), so memory moves up
    /// and down; with g = σ it spans (0, 1): σ·σ can only add, and a cell state built that way can only grow. The
    /// reachable ranges are shaded.
    /// </summary>
    public static GenericChart UpdateRange(UpdateRangeOptions? options = null)
    {
        options ??= new UpdateRangeOptions();
        var x = options.Grid.Grid();
        var gates = options.InputGateValues.OrderBy(v => v).ToArray();
        var tanhShades = GatePalette.Shades(GatePalette.Tanh, gates.Length);
        var sigmoidShades = GatePalette.Shades(GatePalette.Sigmoid, gates.Length);
        var traces = new List<GenericChart>();
        for (int k = 0; k < gates.Length; k++)
        {
            double i = gates[k];
            string iText = Num(i);
            traces.Add(Traces.Line(x, x.Select(v => i * Math.Tanh(v)).ToArray(), $"i·tanh(a), i = {iText}", tanhShades[k], width: 2.5)
                .Styled(TraceStyle.Scatter(legendGroup: "tanh",
                    hoverTemplate: $"<b>σ·tanh: candidate g = tanh (LSTM)</b><br>input gate i (save vector) = {iText}<br>a_g = %{{x:.2f}}<br>update i·g = %{{y:.4f}}<extra></extra>")));
        }
        for (int k = 0; k < gates.Length; k++)
        {
            double i = gates[k];
            string iText = Num(i);
            traces.Add(Traces.Line(x, x.Select(v => i * Sigmoid(v)).ToArray(), $"i·σ(a), i = {iText}", sigmoidShades[k], width: 2,
                    dash: StyleParam.DrawingStyle.Dash)
                .Styled(TraceStyle.Scatter(legendGroup: "sigmoid",
                    hoverTemplate: $"<b>σ·σ: candidate g = σ (hypothetical)</b><br>input gate i (save vector) = {iText}<br>a_g = %{{x:.2f}}<br>update i·g = %{{y:.4f}}<extra></extra>")));
        }
        double iMax = gates[^1];
        Shape[] shapes =
        [
            HorizontalBand(-iMax, iMax, GatePalette.Tanh, 0.07),
            HorizontalBand(0, iMax, GatePalette.Sigmoid, 0.09),
            HorizontalLine(0, Muted, width: 1),
        ];
        Annotation[] notes =
        [
            Note($"σ·tanh ∈ (−{Num(iMax)}, {Num(iMax)}): the save vector writes up or down — memory can move both ways",
                options.Grid.From, -iMax, yRef: "y", yAnchor: StyleParam.YAnchorPosition.Top, color: GatePalette.Tanh),
            Note($"σ·σ ∈ (0, {Num(iMax)}): every write adds — the cell state can only grow", options.Grid.From, iMax, yRef: "y",
                color: GatePalette.Sigmoid),
        ];
        return Compose(traces, Layout(options.Title ?? "What the input gate can write: update i·g with a tanh vs a σ candidate", 500, shapes, notes),
            (X(1), Axis("candidate pre-activation a_g (dimensionless)", zeroLine: true)),
            (Y(1), Axis("update i·g to the cell state", range: Range(-1.2 * iMax, 1.2 * iMax))));
    }

    private static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    private static GenericChart Curve(string name, double[] x, double[] y, string color, bool solid, string symbol)
        => Traces.Line(x, y, name, color, width: solid ? 3 : 1.5, dash: solid ? StyleParam.DrawingStyle.Solid : StyleParam.DrawingStyle.Dot)
            .Styled(TraceStyle.Scatter(hoverTemplate: $"{symbol}(%{{x:.2f}}) = %{{y:.4f}}<extra></extra>"));
}
