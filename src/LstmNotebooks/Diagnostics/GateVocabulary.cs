namespace LstmNotebooks;

/// <summary>
/// The words the charts use for each trace channel, so every title, legend and hover label speaks the same language:
/// forget gate = "remember vector", input gate = "save vector", output gate = "focus vector", cell state = long-term
/// memory, hidden state = working memory. Read from <see cref="ChannelDefinitions"/> and <see cref="CellDefinition"/>.
/// </summary>
public static class GateVocabulary
{
    /// <summary>The short symbol from the LSTM equations: i, f, g, o, c, h (r, z, n for a GRU).</summary>
    public static string Symbol(TraceChannel channel) => ChannelDefinitions.Of(channel).Symbol;

    /// <summary>The plain name: "forget gate", "cell state", "forget gate pre-activation", …</summary>
    public static string Name(TraceChannel channel) => ChannelDefinitions.Of(channel).Name;

    /// <summary>The role in the metaphor ("remember vector", "long-term memory", …), or null where there is none.</summary>
    public static string? Nickname(TraceChannel channel) => ChannelDefinitions.Of(channel).Nickname;

    /// <summary>"forget gate f (remember vector)".</summary>
    public static string Describe(TraceChannel channel)
    {
        var nick = Nickname(channel);
        return nick is null ? $"{Name(channel)} {Symbol(channel)}" : $"{Name(channel)} {Symbol(channel)} ({nick})";
    }

    public static bool IsPreActivation(TraceChannel channel) => ChannelDefinitions.Of(channel).IsPreActivation;

    /// <summary>The channel whose color this one shares (its palette key): a pre-activation its gate's, the RNN's
    /// pre-activation and the cell output the hidden state's; every other channel itself.</summary>
    public static TraceChannel GateOf(TraceChannel channel) => ChannelDefinitions.Of(channel).PaletteKey;

    /// <summary>The range the channel's values live in: (0, 1) for sigmoid gates, (−1, 1) for tanh outputs, null when
    /// unbounded (the cell state and pre-activations), so a color scale can be fixed where the math fixes it. The
    /// hidden state of a projected LSTM is unbounded; <see cref="LayerTrace{T}.Range"/> says so per trace.</summary>
    public static (double Min, double Max)? Range(TraceChannel channel) => ChannelDefinitions.Of(channel).Range;

    /// <summary>The channels a cell kind records, in the order charts show them (gates, then c, then h).</summary>
    public static IReadOnlyList<TraceChannel> DefaultChannels(CellKind cell) => CellDefinition.Of(cell).DefaultChannels;

    public static string CellName(CellKind cell) => CellDefinition.Of(cell).Name;
}
