using System.Numerics;

namespace LstmNotebooks;

/// <summary>What a trace records, in the concept's vocabulary.</summary>
public enum TraceChannel
{
    InputGate, ForgetGate, InputModulationGate, OutputGate,
    InputGatePreActivation, ForgetGatePreActivation, InputModulationGatePreActivation, OutputGatePreActivation,
    ResetGate, UpdateGate, NewGate,
    ResetGatePreActivation, UpdateGatePreActivation, NewGatePreActivation,
    /// <summary>Pre-activation of a vanilla RNN's tanh.</summary>
    HiddenPreActivation,
    CellState, HiddenState,
    /// <summary>A projected LSTM's o ⊙ tanh(c), H wide, before <c>weight_hr</c> maps it to the hidden state.</summary>
    CellOutput,
}

/// <summary>One layer's record (one direction of it, in a bidirectional model): for each channel, a steps × units
/// matrix in time order. Units are the cell's H; a projected LSTM's hidden state has its own width (see
/// <see cref="UnitsOf"/>).</summary>
public sealed class LayerTrace<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Dictionary<TraceChannel, T[]> _channels;
    private readonly bool _projected;

    internal LayerTrace(int layer, Direction direction, int steps, int units, Dictionary<TraceChannel, T[]> channels, bool projected)
    {
        Layer = layer;
        Direction = direction;
        Steps = steps;
        Units = units;
        _channels = channels;
        _projected = projected;
    }

    public int Layer { get; }
    public Direction Direction { get; }
    public int Steps { get; }
    public int Units { get; }
    public IReadOnlyCollection<TraceChannel> Channels => _channels.Keys;
    public bool Has(TraceChannel channel) => _channels.ContainsKey(channel);

    /// <summary>Units of one channel: <see cref="Units"/>, except a projected LSTM's hidden state (its projection size).</summary>
    public int UnitsOf(TraceChannel channel) => Get(channel).Length / Steps;

    /// <summary>The range the channel's values are confined to in this trace, or null when unbounded (a projected
    /// LSTM's h = W_hr·m is not squashed).</summary>
    public (double Min, double Max)? Range(TraceChannel channel)
        => _projected && channel == TraceChannel.HiddenState ? null : GateVocabulary.Range(channel);

    /// <summary>Step-major values (step 0's units, step 1's, …).</summary>
    public ReadOnlySpan<T> Values(TraceChannel channel) => Get(channel);

    public T this[TraceChannel channel, int step, int unit]
    {
        get
        {
            var v = Get(channel);
            int width = v.Length / Steps;
            ThrowHelper.RequireIndex(step, Steps, nameof(step), "Step");
            ThrowHelper.RequireIndex(unit, width, nameof(unit), "Unit");
            return v[step * width + unit];
        }
    }

    /// <summary>One unit over time.</summary>
    public T[] Series(TraceChannel channel, int unit)
    {
        var v = Get(channel);
        int width = v.Length / Steps;
        ThrowHelper.RequireIndex(unit, width, nameof(unit), "Unit");
        var s = new T[Steps];
        for (int t = 0; t < Steps; t++) s[t] = v[t * width + unit];
        return s;
    }

    /// <summary>units × steps, as a heatmap wants it (row = unit).</summary>
    public T[][] UnitByStep(TraceChannel channel)
    {
        var m = new T[UnitsOf(channel)][];
        for (int u = 0; u < m.Length; u++) m[u] = Series(channel, u);
        return m;
    }

    private T[] Get(TraceChannel channel)
    {
        if (!_channels.TryGetValue(channel, out var v))
            ThrowHelper.Argument(nameof(channel), $"This trace has no {channel}; it has {string.Join(", ", _channels.Keys)}.");
        return v;
    }
}

/// <summary>Per layer (and direction), per step, per unit: the gates, their pre-activations, cell and hidden states;
/// plus the head's outputs at every step (probabilities for classification/binary heads).</summary>
public sealed class Trace<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private Trace(CellKind cell, int steps, IReadOnlyList<LayerTrace<T>> layers, IReadOnlyList<LayerTrace<T>> reverse, T[][] outputs,
        IReadOnlyList<Intervention> interventions)
    {
        Cell = cell;
        Steps = steps;
        Layers = layers;
        ReverseLayers = reverse;
        Outputs = outputs;
        Interventions = interventions;
    }

    public CellKind Cell { get; }
    public int Steps { get; }
    /// <summary>Each layer's forward direction (the only one of a unidirectional model).</summary>
    public IReadOnlyList<LayerTrace<T>> Layers { get; }
    /// <summary>Each layer's reverse direction in a bidirectional model (empty otherwise), steps in time order.</summary>
    public IReadOnlyList<LayerTrace<T>> ReverseLayers { get; }
    public bool IsBidirectional => ReverseLayers.Count > 0;
    /// <summary>Head outputs per step (steps × outputs), the head applied to the top output at each step; the top
    /// output per step when the model has no head.</summary>
    public T[][] Outputs { get; }
    public IReadOnlyList<Intervention> Interventions { get; }

    public LayerTrace<T> this[int layer] => Layers[ThrowHelper.RequireIndex(layer, Layers.Count, nameof(layer), "Layer")];

    public LayerTrace<T> Layer(int layer, Direction direction = Direction.Forward)
    {
        if (direction == Direction.Reverse && !IsBidirectional)
            ThrowHelper.Argument(nameof(direction), "This trace is of a unidirectional model; it has no reverse direction.");
        ThrowHelper.RequireDefined(direction, nameof(direction));
        ThrowHelper.RequireIndex(layer, Layers.Count, nameof(layer), "Layer");
        return direction == Direction.Forward ? Layers[layer] : ReverseLayers[layer];
    }

    internal static Trace<T> From(Network<T> net, Shard<T> shard, ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, Intervention[] interventions)
    {
        int steps = shard.Steps;
        var forward = new List<LayerTrace<T>>();
        var reverse = new List<LayerTrace<T>>();
        var cell = net.Cell;
        for (int l = 0; l < net.L; l++)
            for (int d = 0; d < net.D; d++)
            {
                int u = l * net.D + d;
                var ch = new Dictionary<TraceChannel, T[]>();
                // Channel order and block positions come from the cell's table: values, pre-activations, states.
                foreach (var b in cell.Blocks) if (b.Channel is { } value) ch[value] = shard.TraceBlock(u, preActivation: false, b.Block);
                foreach (var b in cell.Blocks) ch[b.PreActivationChannel] = shard.TraceBlock(u, preActivation: true, b.Block);
                if (cell.HasCellState) ch[TraceChannel.CellState] = shard.TraceState(u, TraceChannel.CellState);
                if (net.Projected) ch[TraceChannel.CellOutput] = shard.TraceState(u, TraceChannel.CellOutput);
                ch[TraceChannel.HiddenState] = shard.TraceState(u, TraceChannel.HiddenState);
                (d == 0 ? forward : reverse).Add(new LayerTrace<T>(l, (Direction)d, steps, net.H, ch, net.Projected));
            }
        var top = shard.TopOutput;
        int w = net.OutputWidth;
        T[][] outputs;
        if (net.HasHead)
        {
            int o = net.HeadOutputs;
            var y = new T[steps * o];
            Kernels.Gemm.SetRows(p.Slice(net.Layout.HeadBias, o), y, steps, o);
            Kernels.Gemm.MultiplyAdd(top, net.HeadWT(prepared), y, steps, w, o);
            Losses.Activate<T>(net.Spec.Head.Kind, y, steps, o);
            outputs = new T[steps][];
            for (int t = 0; t < steps; t++) outputs[t] = y.AsSpan(t * o, o).ToArray();
        }
        else
        {
            outputs = new T[steps][];
            for (int t = 0; t < steps; t++) outputs[t] = top.Slice(t * w, w).ToArray();
        }
        return new Trace<T>(net.Spec.Cell, steps, forward, reverse, outputs, interventions);
    }
}

/// <summary>‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ per layer (and direction) and step for one sample's loss.</summary>
public sealed class GradientFlow
{
    private readonly double[,] _hidden;
    private readonly double[,]? _cell;

    internal GradientFlow(CellKind cell, double loss, int directions, double[,] hidden, double[,]? cellNorms)
    {
        Cell = cell;
        Loss = loss;
        Directions = directions;
        _hidden = hidden;
        _cell = cellNorms;
    }

    public CellKind Cell { get; }
    public double Loss { get; }
    /// <summary>1, or 2 for a bidirectional model.</summary>
    public int Directions { get; }
    public int Layers => _hidden.GetLength(0) / Directions;
    public int Steps => _hidden.GetLength(1);
    public bool HasCellState => _cell is not null;

    /// <summary>‖∂L/∂h_t‖ for t = 0..T-1 (in time order for either direction).</summary>
    public double[] HiddenNorms(int layer = 0, Direction direction = Direction.Forward) => Row(_hidden, layer, direction);

    /// <summary>‖∂L/∂c_t‖ for t = 0..T-1 (LSTM only).</summary>
    public double[] CellNorms(int layer = 0, Direction direction = Direction.Forward)
    {
        if (_cell is null) ThrowHelper.InvalidOperation($"A {Cell} has no cell state; use HiddenNorms.");
        return Row(_cell, layer, direction);
    }

    private double[] Row(double[,] m, int layer, Direction direction)
    {
        ThrowHelper.RequireIndex(layer, Layers, nameof(layer), "Layer");
        if (direction == Direction.Reverse && Directions == 1)
            ThrowHelper.Argument(nameof(direction), "This model is unidirectional; it has no reverse direction.");
        int row = layer * Directions + (int)direction;
        var r = new double[m.GetLength(1)];
        for (int t = 0; t < r.Length; t++) r[t] = m[row, t];
        return r;
    }
}
