using Plotly.NET;

namespace LstmNotebooks.Plotting;

/// <summary>
/// The one palette every chart draws from, so a gate has the same color in a heatmap, a line chart and a legend.
/// Colors follow Okabe–Ito where possible: they stay distinguishable for the common forms of color blindness.
/// </summary>
public static class GatePalette
{
    public const string InputGate = "#0072B2";
    public const string ForgetGate = "#D55E00";
    public const string InputModulationGate = "#009E73";
    public const string OutputGate = "#CC79A7";
    public const string CellState = "#E69F00";
    public const string HiddenState = "#56B4E9";
    public const string ResetGate = "#8C564B";
    public const string UpdateGate = "#7A7A00";
    public const string NewGate = "#17BECF";

    /// <summary>Negative values in diverging heatmaps: neutral, so the gate's own color always means "positive".</summary>
    public const string Negative = "#3D3D3D";
    public const string Zero = "#FFFFFF";

    public const string Sigmoid = "#34495E";
    public const string Tanh = InputModulationGate;

    public const string Lstm = "#1B7F5F";
    public const string Gru = "#7570B3";
    public const string Rnn = "#7F7F7F";

    public const string TrainLoss = "#1F3A93";
    public const string ValidationLoss = "#C0392B";
    public const string LearningRate = "#7F8C8D";
    public const string Actual = "#2C3E50";
    public const string Predicted = "#E67E22";
    public const string Residual = "#8E44AD";
    public const string Gap = "#F4D03F";

    /// <summary>A run with an intervention (a gate clamped, a state edited), against the unedited run in its cell's color.</summary>
    public const string Intervention = "#8E5EA2";

    /// <summary>Extra series colors (models beyond one per cell kind), in order.</summary>
    public static IReadOnlyList<string> Series { get; } =
        Array.AsReadOnly(["#1B7F5F", "#7570B3", "#7F7F7F", "#D95F02", "#E7298A", "#66A61E", "#A6761D", "#1F78B4"]);

    // The color of each palette key. Which channel shares which key, which gate is which channel, and in which cells
    // they occur is the core's gate table (CellDefinition, ChannelDefinitions); this is only the colors.
    private static readonly Dictionary<TraceChannel, string> KeyColors = new()
    {
        [TraceChannel.InputGate] = InputGate,
        [TraceChannel.ForgetGate] = ForgetGate,
        [TraceChannel.InputModulationGate] = InputModulationGate,
        [TraceChannel.OutputGate] = OutputGate,
        [TraceChannel.ResetGate] = ResetGate,
        [TraceChannel.UpdateGate] = UpdateGate,
        [TraceChannel.NewGate] = NewGate,
        [TraceChannel.CellState] = CellState,
        [TraceChannel.HiddenState] = HiddenState,
    };

    /// <summary>The channel's color: that of its palette key (<see cref="ChannelDefinition.PaletteKey"/>), so a
    /// pre-activation shares its gate's color and the projected LSTM's cell output the hidden state's.</summary>
    public static string Color(TraceChannel channel)
        => KeyColors.TryGetValue(GateVocabulary.GateOf(channel), out var color) ? color
            : throw new ArgumentOutOfRangeException(nameof(channel), channel,
                $"No color for trace channel {channel} (palette key {GateVocabulary.GateOf(channel)}). Expected a channel keyed to one of: {string.Join(", ", KeyColors.Keys)}.");

    /// <summary>The gate's color: that of its value channel in the gate table.</summary>
    public static string Color(Gate gate)
    {
        foreach (var cell in CellDefinition.All)
            if (cell.Find(gate) is { Channel: { } channel }) return Color(channel);
        throw new ArgumentOutOfRangeException(nameof(gate), gate, $"No cell has gate {gate}. Expected one of: {string.Join(", ", Enum.GetNames<Gate>())}.");
    }

    public static string Color(CellKind cell) => cell switch
    {
        CellKind.Lstm => Lstm,
        CellKind.Gru => Gru,
        _ => Rnn,
    };

    /// <summary>The color mixed toward white (amount &gt; 0) or black (amount &lt; 0), in [−1, 1]; used to tell
    /// several units of one channel apart without leaving the channel's hue.</summary>
    public static string Shade(string hex, double amount)
    {
        if (hex is null || hex.Length != 7 || hex[0] != '#')
            throw new ArgumentException($"Expected a color as #RRGGBB, but got '{hex}'.", nameof(hex));
        if (!(amount >= -1 && amount <= 1))
            throw new ArgumentOutOfRangeException(nameof(amount), amount, $"The shade amount must be in [-1, 1], but was {amount}.");
        int Mix(int c) => (int)Math.Round(amount >= 0 ? c + (255 - c) * amount : c * (1 + amount));
        int r = Convert.ToInt32(hex.Substring(1, 2), 16), g = Convert.ToInt32(hex.Substring(3, 2), 16), b = Convert.ToInt32(hex.Substring(5, 2), 16);
        return $"#{Mix(r):X2}{Mix(g):X2}{Mix(b):X2}";
    }

    /// <summary>Shades for <paramref name="count"/> series of one color, from darker to lighter, the base color in the middle.</summary>
    public static IReadOnlyList<string> Shades(string hex, int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"The number of shades must be positive, but was {count}.");
        if (count == 1) return [Shade(hex, 0)];
        return Enumerable.Range(0, count).Select(k => Shade(hex, -0.45 + 0.9 * k / (count - 1))).ToArray();
    }

    /// <summary>A two-color scale from white (0) to the channel color (1), for gates bounded in [0, 1].</summary>
    internal static StyleParam.Colorscale Sequential(string color) => Scale((0.0, Zero), (1.0, color));

    /// <summary>Negative → neutral dark, 0 → white, positive → the channel color.</summary>
    internal static StyleParam.Colorscale Diverging(string color) => Scale((0.0, Negative), (0.5, Zero), (1.0, color));

    private static StyleParam.Colorscale Scale(params (double At, string Color)[] stops)
        => StyleParam.Colorscale.NewCustom(stops.Select(s => Tuple.Create(s.At, Plotly.NET.Color.fromString(s.Color))));
}
