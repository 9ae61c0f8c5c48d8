namespace LstmNotebooks;

/// <summary>The nonlinearity a gate block goes through.</summary>
public enum GateActivation { Sigmoid, Tanh }

/// <summary>
/// One block of H rows in PyTorch's packing of <c>weight_ih</c>, <c>weight_hh</c> and the biases, and everything the
/// kit says about it: the gate it is (none for the vanilla RNN's single block), its nonlinearity, the trace channels of
/// its value and its pre-activation, and the words charts use.
/// </summary>
public sealed record GateDefinition(
    Gate? Gate, int Block, GateActivation Activation, TraceChannel? Channel, TraceChannel PreActivationChannel);

/// <summary>What a trace channel is called and how it is drawn: the symbol from the equations, the plain name, the
/// metaphor's nickname, the channel whose color it shares (<see cref="PaletteKey"/>: a pre-activation uses its gate's)
/// and the range the math confines it to (null when unbounded).</summary>
public sealed record ChannelDefinition(
    TraceChannel Channel, string Symbol, string Name, string? Nickname, TraceChannel PaletteKey, (double Min, double Max)? Range,
    bool IsPreActivation);

/// <summary>
/// The table of one cell kind: its gate blocks in PyTorch's order, and the channels a trace records. This is the one
/// place the [i|f|g|o] / [r|z|n] layout is written down outside the kernels' arithmetic; interventions, traces, the
/// vocabulary and the charts' palette all read it.
/// </summary>
public sealed class CellDefinition
{
    private CellDefinition(CellKind kind, string name, bool hasCellState, GateDefinition[] blocks, TraceChannel[] defaultChannels)
    {
        Kind = kind;
        Name = name;
        HasCellState = hasCellState;
        Blocks = blocks;
        Gates = blocks.Where(b => b.Gate is not null).ToArray();
        DefaultChannels = defaultChannels;
    }

    public CellKind Kind { get; }

    /// <summary>"LSTM", "GRU", "RNN".</summary>
    public string Name { get; }

    /// <summary>True when the cell carries a cell state c besides h (LSTM).</summary>
    public bool HasCellState { get; }

    /// <summary>Every block of rows, in packing order (G = <c>Blocks.Count</c>).</summary>
    public IReadOnlyList<GateDefinition> Blocks { get; }

    /// <summary>The blocks that are gates (all but the vanilla RNN's).</summary>
    public IReadOnlyList<GateDefinition> Gates { get; }

    /// <summary>The channels charts show by default, in order: gates, then the states.</summary>
    public IReadOnlyList<TraceChannel> DefaultChannels { get; }

    /// <summary>The gate's block, or null when this cell has no such gate.</summary>
    public GateDefinition? Find(Gate gate)
    {
        foreach (var b in Blocks)
            if (b.Gate == gate) return b;
        return null;
    }

    /// <summary>The channels a trace of this cell records, in order: gate values, pre-activations, cell state, cell
    /// output (projected LSTMs only), hidden state.</summary>
    public IReadOnlyList<TraceChannel> RecordedChannels(bool projection)
    {
        var list = new List<TraceChannel>();
        foreach (var b in Blocks) if (b.Channel is { } c) list.Add(c);
        foreach (var b in Blocks) list.Add(b.PreActivationChannel);
        if (HasCellState) list.Add(TraceChannel.CellState);
        if (projection) list.Add(TraceChannel.CellOutput);
        list.Add(TraceChannel.HiddenState);
        return list;
    }

    public static CellDefinition Lstm { get; } = new(CellKind.Lstm, "LSTM", hasCellState: true,
    [
        new(Gate.Input, 0, GateActivation.Sigmoid, TraceChannel.InputGate, TraceChannel.InputGatePreActivation),
        new(Gate.Forget, 1, GateActivation.Sigmoid, TraceChannel.ForgetGate, TraceChannel.ForgetGatePreActivation),
        new(Gate.InputModulation, 2, GateActivation.Tanh, TraceChannel.InputModulationGate, TraceChannel.InputModulationGatePreActivation),
        new(Gate.Output, 3, GateActivation.Sigmoid, TraceChannel.OutputGate, TraceChannel.OutputGatePreActivation),
    ],
    [
        TraceChannel.InputGate, TraceChannel.ForgetGate, TraceChannel.InputModulationGate, TraceChannel.OutputGate,
        TraceChannel.CellState, TraceChannel.HiddenState,
    ]);

    public static CellDefinition Gru { get; } = new(CellKind.Gru, "GRU", hasCellState: false,
    [
        new(Gate.Reset, 0, GateActivation.Sigmoid, TraceChannel.ResetGate, TraceChannel.ResetGatePreActivation),
        new(Gate.Update, 1, GateActivation.Sigmoid, TraceChannel.UpdateGate, TraceChannel.UpdateGatePreActivation),
        new(Gate.New, 2, GateActivation.Tanh, TraceChannel.NewGate, TraceChannel.NewGatePreActivation),
    ],
    [TraceChannel.ResetGate, TraceChannel.UpdateGate, TraceChannel.NewGate, TraceChannel.HiddenState]);

    /// <summary>The vanilla RNN: one block, no gate; h = tanh of the block's pre-activation.</summary>
    public static CellDefinition Rnn { get; } = new(CellKind.Rnn, "RNN", hasCellState: false,
        [new(null, 0, GateActivation.Tanh, null, TraceChannel.HiddenPreActivation)],
        [TraceChannel.HiddenPreActivation, TraceChannel.HiddenState]);

    public static CellDefinition Of(CellKind kind) => kind switch
    {
        CellKind.Lstm => Lstm,
        CellKind.Gru => Gru,
        CellKind.Rnn => Rnn,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"{kind} is not a CellKind. Expected one of: {string.Join(", ", Enum.GetNames<CellKind>())}."),
    };

    public static IReadOnlyList<CellDefinition> All { get; } = [Lstm, Gru, Rnn];

    public override string ToString() => $"{Name}: [{string.Join("|", Blocks.Select(b => ChannelDefinitions.Of(b.Channel ?? b.PreActivationChannel).Symbol))}]";
}

/// <summary>The words and colors of every trace channel. A gate's row gives its value channel; its pre-activation
/// channel is derived from it ("a_f", "forget gate pre-activation", the gate's color, unbounded).</summary>
public static class ChannelDefinitions
{
    private static readonly Dictionary<TraceChannel, ChannelDefinition> Table = Build();

    private static Dictionary<TraceChannel, ChannelDefinition> Build()
    {
        var sigmoid = (0.0, 1.0);
        var tanh = (-1.0, 1.0);
        var values = new ChannelDefinition[]
        {
            new(TraceChannel.InputGate, "i", "input gate", "save vector", TraceChannel.InputGate, sigmoid, false),
            new(TraceChannel.ForgetGate, "f", "forget gate", "remember vector", TraceChannel.ForgetGate, sigmoid, false),
            new(TraceChannel.InputModulationGate, "g", "input modulation gate", "tanh candidate", TraceChannel.InputModulationGate, tanh, false),
            new(TraceChannel.OutputGate, "o", "output gate", "focus vector", TraceChannel.OutputGate, sigmoid, false),
            new(TraceChannel.ResetGate, "r", "reset gate", null, TraceChannel.ResetGate, sigmoid, false),
            new(TraceChannel.UpdateGate, "z", "update gate", null, TraceChannel.UpdateGate, sigmoid, false),
            new(TraceChannel.NewGate, "n", "new gate", "tanh candidate", TraceChannel.NewGate, tanh, false),
            new(TraceChannel.CellState, "c", "cell state", "long-term memory", TraceChannel.CellState, null, false),
            new(TraceChannel.CellOutput, "m", "cell output", "o ⊙ tanh(c), before the projection", TraceChannel.HiddenState, tanh, false),
            new(TraceChannel.HiddenState, "h", "hidden state", "working memory", TraceChannel.HiddenState, tanh, false),
            new(TraceChannel.HiddenPreActivation, "a_h", "hidden pre-activation", null, TraceChannel.HiddenState, null, true),
        };
        var table = values.ToDictionary(v => v.Channel);
        foreach (var cell in CellDefinition.All)
            foreach (var block in cell.Blocks)
            {
                if (block.Channel is not { } gate) continue;
                var g = table[gate];
                table[block.PreActivationChannel] = new(block.PreActivationChannel, "a_" + g.Symbol, g.Name + " pre-activation", null, g.PaletteKey, null, true);
            }
        foreach (var channel in Enum.GetValues<TraceChannel>())
            if (!table.ContainsKey(channel)) throw new InvalidOperationException($"Trace channel {channel} has no definition.");
        return table;
    }

    public static ChannelDefinition Of(TraceChannel channel)
        => Table.TryGetValue(channel, out var d) ? d
            : throw new ArgumentOutOfRangeException(nameof(channel), channel, $"Unknown trace channel {channel}.");
}
