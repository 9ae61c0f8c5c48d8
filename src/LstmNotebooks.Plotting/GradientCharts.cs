using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>Which gradient norm a gradient-flow chart draws.</summary>
public enum GradientQuantity
{
    /// <summary>‖∂L/∂c_t‖ where the cell has a cell state (LSTM), ‖∂L/∂h_t‖ otherwise.</summary>
    Auto,
    /// <summary>‖∂L/∂c_t‖; only cells with a cell state have it.</summary>
    CellState,
    /// <summary>‖∂L/∂h_t‖ for every cell kind.</summary>
    HiddenState,
    /// <summary>Both norms where the cell has both (the hidden-state one dashed).</summary>
    Both,
}

/// <summary>A named gradient flow for a chart legend ("LSTM", "RNN", "LSTM, forget bias 1", …).</summary>
public sealed record NamedGradientFlow(string Name, GradientFlow Flow);

public sealed record GradientFlowOptions
{
    private readonly int _layer;
    private readonly Direction _direction;

    public GradientQuantity Quantity { get; init; } = GradientQuantity.Auto;
    public int Layer { get => _layer; init => _layer = Check.AtLeast(value, 0, nameof(Layer)); }

    /// <summary>The pass of a bidirectional layer. Its lag counts from where that pass ends: the last step going
    /// forward, step 0 going back (where a last-step head reads the reverse pass's h_n).</summary>
    public Direction Direction { get => _direction; init => _direction = Check.Defined(value, nameof(Direction)); }

    /// <summary>Log scale for the norm; the vanilla RNN's signal decays geometrically, a straight line on this scale.</summary>
    public bool LogScale { get; init; } = true;
    public string? Title { get; init; }

    public GradientFlowOptions WithQuantity(GradientQuantity quantity) => this with { Quantity = quantity };
    public GradientFlowOptions WithLayer(int layer) => this with { Layer = layer };
    public GradientFlowOptions WithDirection(Direction direction) => this with { Direction = direction };
    public GradientFlowOptions WithLogScale(bool log = true) => this with { LogScale = log };
    public GradientFlowOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>How far back the error signal reaches: gradient norms against the lag from the loss.</summary>
public static class GradientCharts
{
    public static GenericChart FlowVsLag(GradientFlow lstm, GradientFlow rnn, GradientFlowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lstm);
        ArgumentNullException.ThrowIfNull(rnn);
        return FlowVsLag([new NamedGradientFlow(GateVocabulary.CellName(lstm.Cell), lstm), new NamedGradientFlow(GateVocabulary.CellName(rnn.Cell), rnn)], options);
    }

    /// <summary>
    /// One line per flow (and per quantity): x is the lag T−1−t (0 = the step where the loss is read), y the norm.
    /// Zero norms cannot sit on a log axis and are left as gaps.
    /// </summary>
    public static GenericChart FlowVsLag(IEnumerable<NamedGradientFlow> flows, GradientFlowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(flows);
        options ??= new GradientFlowOptions();
        var list = flows.ToList();
        Require(list.Count > 0, nameof(flows), "No gradient flows were given.");
        var traces = new List<GenericChart>();
        var usedKinds = new HashSet<CellKind>();
        int extra = 0;
        var quantitiesShown = new HashSet<string>();
        foreach (var named in list)
        {
            if (named?.Flow is null) throw new ArgumentNullException(nameof(flows), "A gradient flow is null.");
            var flow = named.Flow;
            if ((uint)options.Layer >= (uint)flow.Layers)
                throw new ArgumentOutOfRangeException(nameof(options), options.Layer, $"Layer {options.Layer} does not exist in '{named.Name}'; it has layers 0..{flow.Layers - 1}.");
            if (options.Direction == Direction.Reverse && flow.Directions == 1)
                throw new ArgumentException($"'{named.Name}' is unidirectional, so it has no reverse pass. Hint: Direction.Forward, or a model built WithBidirectional().", nameof(options));
            if (options.Quantity == GradientQuantity.CellState && !flow.HasCellState)
                throw new ArgumentException($"'{named.Name}' is a {GateVocabulary.CellName(flow.Cell)} and has no cell state, so it has no ‖∂L/∂c_t‖. Hint: use GradientQuantity.Auto or HiddenState.", nameof(options));
            string color = usedKinds.Add(flow.Cell) ? GatePalette.Color(flow.Cell) : GatePalette.Series[(3 + extra++) % GatePalette.Series.Count];
            var parts = new List<(string Symbol, double[] Norms, StyleParam.DrawingStyle Dash)>();
            bool cell = flow.HasCellState && options.Quantity is GradientQuantity.Auto or GradientQuantity.CellState or GradientQuantity.Both;
            bool hidden = options.Quantity is GradientQuantity.HiddenState or GradientQuantity.Both || !flow.HasCellState;
            if (cell) parts.Add(("c", flow.CellNorms(options.Layer, options.Direction), StyleParam.DrawingStyle.Solid));
            if (hidden) parts.Add(("h", flow.HiddenNorms(options.Layer, options.Direction), cell ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid));
            bool back = options.Direction == Direction.Reverse;
            foreach (var (symbol, norms, dash) in parts)
            {
                quantitiesShown.Add($"‖∂L/∂{symbol}_t‖");
                int steps = norms.Length;
                var lags = Enumerable.Range(0, steps).ToArray();
                // null leaves a gap: a zero or non-finite norm has no place on a log axis.
                int StepOf(int lag) => back ? lag : steps - 1 - lag;
                IConvertible[] y = lags.Select(lag => norms[StepOf(lag)] is var v && v > 0 && double.IsFinite(v) ? (IConvertible)v : null!).ToArray();
                string name = $"{named.Name}: ‖∂L/∂{symbol}_t‖";
                traces.Add(Traces.Line(lags, y, name, color, dash: dash, markers: true, markerSize: 4)
                    .Styled(TraceStyle.Scatter(customData: lags.Select(lag => (IConvertible)StepOf(lag)),
                        hoverTemplate: $"<b>{Escape(name)}</b><br>lag %{{x}} steps (step %{{customdata}})<br>norm = %{{y:.3e}}<extra></extra>")));
            }
        }
        string quantity = string.Join(" / ", quantitiesShown.OrderBy(q => q, StringComparer.Ordinal));
        bool reverse = options.Direction == Direction.Reverse;
        return Compose(traces, Layout(options.Title ?? $"Gradient flow: {quantity} against lag (layer {options.Layer}{(reverse ? " reverse" : "")})", 460),
            (X(1), Axis(reverse ? "lag (time steps from step 0, where the reverse pass ends)" : "lag (time steps back from the loss)")),
            (Y(1), Axis($"gradient norm {quantity}{(options.LogScale ? " (log scale)" : "")}",
                axisType: options.LogScale ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear, exponentFormat: StyleParam.ExponentFormat.Power)));
    }
}
