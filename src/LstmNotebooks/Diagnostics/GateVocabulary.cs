namespace LstmNotebooks;

/// <summary>
/// The words the charts use for each trace channel, so every title, legend and hover label speaks the same language:
/// forget gate = "remember vector", input gate = "save vector", output gate = "focus vector", cell state = long-term
/// memory, hidden state = working memory.
/// </summary>
public static class GateVocabulary
{
    /// <summary>The short symbol from the LSTM equations: i, f, g, o, c, h (r, z, n for a GRU).</summary>
    public static string Symbol(TraceChannel channel) => channel switch
    {
        TraceChannel.InputGate => "i",
        TraceChannel.ForgetGate => "f",
        TraceChannel.InputModulationGate => "g",
        TraceChannel.OutputGate => "o",
        TraceChannel.InputGatePreActivation => "a_i",
        TraceChannel.ForgetGatePreActivation => "a_f",
        TraceChannel.InputModulationGatePreActivation => "a_g",
        TraceChannel.OutputGatePreActivation => "a_o",
        TraceChannel.ResetGate => "r",
        TraceChannel.UpdateGate => "z",
        TraceChannel.NewGate => "n",
        TraceChannel.ResetGatePreActivation => "a_r",
        TraceChannel.UpdateGatePreActivation => "a_z",
        TraceChannel.NewGatePreActivation => "a_n",
        TraceChannel.HiddenPreActivation => "a_h",
        TraceChannel.CellState => "c",
        TraceChannel.HiddenState => "h",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, $"Unknown trace channel {channel}."),
    };

    /// <summary>The plain name: "forget gate", "cell state", "forget gate pre-activation", …</summary>
    public static string Name(TraceChannel channel) => channel switch
    {
        TraceChannel.InputGate => "input gate",
        TraceChannel.ForgetGate => "forget gate",
        TraceChannel.InputModulationGate => "input modulation gate",
        TraceChannel.OutputGate => "output gate",
        TraceChannel.ResetGate => "reset gate",
        TraceChannel.UpdateGate => "update gate",
        TraceChannel.NewGate => "new gate",
        TraceChannel.HiddenPreActivation => "hidden pre-activation",
        TraceChannel.CellState => "cell state",
        TraceChannel.HiddenState => "hidden state",
        _ when IsPreActivation(channel) => Name(GateOf(channel)) + " pre-activation",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, $"Unknown trace channel {channel}."),
    };

    /// <summary>The role in the metaphor ("remember vector", "long-term memory", …), or null where there is none.</summary>
    public static string? Nickname(TraceChannel channel) => channel switch
    {
        TraceChannel.InputGate => "save vector",
        TraceChannel.ForgetGate => "remember vector",
        TraceChannel.InputModulationGate => "tanh candidate",
        TraceChannel.OutputGate => "focus vector",
        TraceChannel.CellState => "long-term memory",
        TraceChannel.HiddenState => "working memory",
        TraceChannel.NewGate => "tanh candidate",
        _ => null,
    };

    /// <summary>"forget gate f (remember vector)".</summary>
    public static string Describe(TraceChannel channel)
    {
        var nick = Nickname(channel);
        return nick is null ? $"{Name(channel)} {Symbol(channel)}" : $"{Name(channel)} {Symbol(channel)} ({nick})";
    }

    public static bool IsPreActivation(TraceChannel channel) => channel is
        TraceChannel.InputGatePreActivation or TraceChannel.ForgetGatePreActivation or
        TraceChannel.InputModulationGatePreActivation or TraceChannel.OutputGatePreActivation or
        TraceChannel.ResetGatePreActivation or TraceChannel.UpdateGatePreActivation or TraceChannel.NewGatePreActivation or
        TraceChannel.HiddenPreActivation;

    /// <summary>The gate a pre-activation belongs to (the channel itself for everything else), so both share a color.</summary>
    public static TraceChannel GateOf(TraceChannel channel) => channel switch
    {
        TraceChannel.InputGatePreActivation => TraceChannel.InputGate,
        TraceChannel.ForgetGatePreActivation => TraceChannel.ForgetGate,
        TraceChannel.InputModulationGatePreActivation => TraceChannel.InputModulationGate,
        TraceChannel.OutputGatePreActivation => TraceChannel.OutputGate,
        TraceChannel.ResetGatePreActivation => TraceChannel.ResetGate,
        TraceChannel.UpdateGatePreActivation => TraceChannel.UpdateGate,
        TraceChannel.NewGatePreActivation => TraceChannel.NewGate,
        TraceChannel.HiddenPreActivation => TraceChannel.HiddenState,
        _ => channel,
    };

    /// <summary>The range the channel's values live in: (0, 1) for sigmoid gates, (−1, 1) for tanh outputs, null when
    /// unbounded (the cell state and pre-activations), so a color scale can be fixed where the math fixes it.</summary>
    public static (double Min, double Max)? Range(TraceChannel channel) => channel switch
    {
        TraceChannel.InputGate or TraceChannel.ForgetGate or TraceChannel.OutputGate or
            TraceChannel.ResetGate or TraceChannel.UpdateGate => (0.0, 1.0),
        TraceChannel.InputModulationGate or TraceChannel.NewGate or TraceChannel.HiddenState => (-1.0, 1.0),
        _ => null,
    };

    /// <summary>The channels a cell kind records, in the order charts show them (gates, then c, then h).</summary>
    public static IReadOnlyList<TraceChannel> DefaultChannels(CellKind cell) => cell switch
    {
        CellKind.Lstm =>
        [
            TraceChannel.InputGate, TraceChannel.ForgetGate, TraceChannel.InputModulationGate, TraceChannel.OutputGate,
            TraceChannel.CellState, TraceChannel.HiddenState,
        ],
        CellKind.Gru => [TraceChannel.ResetGate, TraceChannel.UpdateGate, TraceChannel.NewGate, TraceChannel.HiddenState],
        CellKind.Rnn => [TraceChannel.HiddenPreActivation, TraceChannel.HiddenState],
        _ => throw UnknownCell(cell),
    };

    public static string CellName(CellKind cell) => cell switch
    {
        CellKind.Lstm => "LSTM",
        CellKind.Gru => "GRU",
        CellKind.Rnn => "RNN",
        _ => throw UnknownCell(cell),
    };

    private static ArgumentOutOfRangeException UnknownCell(CellKind cell)
        => new(nameof(cell), cell, $"{cell} is not a CellKind. Expected one of: {string.Join(", ", Enum.GetNames<CellKind>())}.");
}
