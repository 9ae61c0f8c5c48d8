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
}

/// <summary>One layer's record: for each channel, a steps × units matrix.</summary>
public sealed class LayerTrace<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Dictionary<TraceChannel, T[]> _channels;

    internal LayerTrace(int layer, int steps, int units, Dictionary<TraceChannel, T[]> channels)
    {
        Layer = layer;
        Steps = steps;
        Units = units;
        _channels = channels;
    }

    public int Layer { get; }
    public int Steps { get; }
    public int Units { get; }
    public IReadOnlyCollection<TraceChannel> Channels => _channels.Keys;
    public bool Has(TraceChannel channel) => _channels.ContainsKey(channel);

    /// <summary>Step-major values (step 0's units, step 1's, …).</summary>
    public ReadOnlySpan<T> Values(TraceChannel channel) => Get(channel);

    public T this[TraceChannel channel, int step, int unit]
    {
        get
        {
            var v = Get(channel);
            ThrowHelper.RequireIndex(step, Steps, nameof(step), "Step");
            ThrowHelper.RequireIndex(unit, Units, nameof(unit), "Unit");
            return v[step * Units + unit];
        }
    }

    /// <summary>One unit over time.</summary>
    public T[] Series(TraceChannel channel, int unit)
    {
        var v = Get(channel);
        ThrowHelper.RequireIndex(unit, Units, nameof(unit), "Unit");
        var s = new T[Steps];
        for (int t = 0; t < Steps; t++) s[t] = v[t * Units + unit];
        return s;
    }

    /// <summary>units × steps, as a heatmap wants it (row = unit).</summary>
    public T[][] UnitByStep(TraceChannel channel)
    {
        var m = new T[Units][];
        for (int u = 0; u < Units; u++) m[u] = Series(channel, u);
        return m;
    }

    private T[] Get(TraceChannel channel)
    {
        if (!_channels.TryGetValue(channel, out var v))
            ThrowHelper.Argument(nameof(channel), $"This trace has no {channel}; it has {string.Join(", ", _channels.Keys)}.");
        return v;
    }
}

/// <summary>Per layer, per step, per unit: the gates, their pre-activations, cell and hidden states; plus the head's
/// outputs at every step (probabilities for classification/binary heads).</summary>
public sealed class Trace<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private Trace(CellKind cell, int steps, IReadOnlyList<LayerTrace<T>> layers, T[][] outputs, IReadOnlyList<Intervention> interventions)
    {
        Cell = cell;
        Steps = steps;
        Layers = layers;
        Outputs = outputs;
        Interventions = interventions;
    }

    public CellKind Cell { get; }
    public int Steps { get; }
    public IReadOnlyList<LayerTrace<T>> Layers { get; }
    /// <summary>Head outputs per step (steps × outputs); the top hidden state per step when the model has no head.</summary>
    public T[][] Outputs { get; }
    public IReadOnlyList<Intervention> Interventions { get; }

    public LayerTrace<T> this[int layer] => Layers[ThrowHelper.RequireIndex(layer, Layers.Count, nameof(layer), "Layer")];

    internal static Trace<T> From(Model<T> model, LayerCache<T>[] caches, Intervention[] interventions)
    {
        var spec = model.Spec;
        int hs = spec.HiddenSize, steps = caches[0].Steps;
        var layers = new List<LayerTrace<T>>();
        foreach (var k in caches)
        {
            var ch = new Dictionary<TraceChannel, T[]>();
            void Blocks(T[] src, params TraceChannel[] names)
            {
                for (int g = 0; g < names.Length; g++)
                {
                    var dst = new T[steps * hs];
                    for (int t = 0; t < steps; t++) src.AsSpan(t * k.GH + g * hs, hs).CopyTo(dst.AsSpan(t * hs));
                    ch[names[g]] = dst;
                }
            }
            switch (spec.Cell)
            {
                case CellKind.Lstm:
                    Blocks(k.Gates, TraceChannel.InputGate, TraceChannel.ForgetGate, TraceChannel.InputModulationGate, TraceChannel.OutputGate);
                    Blocks(k.Pre, TraceChannel.InputGatePreActivation, TraceChannel.ForgetGatePreActivation,
                        TraceChannel.InputModulationGatePreActivation, TraceChannel.OutputGatePreActivation);
                    ch[TraceChannel.CellState] = (T[])k.C.Clone();
                    break;
                case CellKind.Gru:
                    Blocks(k.Gates, TraceChannel.ResetGate, TraceChannel.UpdateGate, TraceChannel.NewGate);
                    Blocks(k.Pre, TraceChannel.ResetGatePreActivation, TraceChannel.UpdateGatePreActivation, TraceChannel.NewGatePreActivation);
                    break;
                default:
                    ch[TraceChannel.HiddenPreActivation] = (T[])k.Pre.Clone();
                    break;
            }
            ch[TraceChannel.HiddenState] = (T[])k.Hs.Clone();
            layers.Add(new LayerTrace<T>(layers.Count, steps, hs, ch));
        }
        var top = caches[^1].Hs;
        T[][] outputs;
        if (model.HeadLayer is { } head)
        {
            int o = spec.Head.Outputs;
            var y = head.Forward(model.Parameters, top, steps);
            Losses.Activate<T>(spec.Head.Kind, y, steps, o);
            outputs = Enumerable.Range(0, steps).Select(t => y.AsSpan(t * o, o).ToArray()).ToArray();
        }
        else outputs = Enumerable.Range(0, steps).Select(t => top.AsSpan(t * hs, hs).ToArray()).ToArray();
        return new Trace<T>(spec.Cell, steps, layers, outputs, interventions);
    }
}

/// <summary>‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ per layer and step for one sample's loss.</summary>
public sealed class GradientFlow
{
    private readonly double[,] _hidden;
    private readonly double[,]? _cell;

    internal GradientFlow(CellKind cell, double loss, double[,] hidden, double[,]? cellNorms)
    {
        Cell = cell;
        Loss = loss;
        _hidden = hidden;
        _cell = cellNorms;
    }

    public CellKind Cell { get; }
    public double Loss { get; }
    public int Layers => _hidden.GetLength(0);
    public int Steps => _hidden.GetLength(1);
    public bool HasCellState => _cell is not null;

    /// <summary>‖∂L/∂h_t‖ for t = 0..T-1.</summary>
    public double[] HiddenNorms(int layer = 0) => Row(_hidden, layer);

    /// <summary>‖∂L/∂c_t‖ for t = 0..T-1 (LSTM only).</summary>
    public double[] CellNorms(int layer = 0)
    {
        if (_cell is null) ThrowHelper.InvalidOperation($"A {Cell} has no cell state; use HiddenNorms.");
        return Row(_cell, layer);
    }

    private static double[] Row(double[,] m, int layer)
    {
        ThrowHelper.RequireIndex(layer, m.GetLength(0), nameof(layer), "Layer");
        var r = new double[m.GetLength(1)];
        for (int t = 0; t < r.Length; t++) r[t] = m[layer, t];
        return r;
    }
}
