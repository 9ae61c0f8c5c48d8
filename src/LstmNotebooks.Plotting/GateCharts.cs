using System.Numerics;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>Which part of a trace a gate heatmap shows.</summary>
public sealed record GateHeatmapOptions
{
    private readonly int? _layer;
    private readonly Direction? _direction;
    private readonly IReadOnlyList<TraceChannel>? _channels;
    private readonly IReadOnlyList<int>? _units;
    private readonly int _rowHeight = 150;

    /// <summary>The layer to show; null shows every layer (one block of rows per layer).</summary>
    public int? Layer { get => _layer; init => _layer = value is < 0 ? throw new ArgumentOutOfRangeException(nameof(Layer), value, "Layer cannot be negative.") : value; }

    /// <summary>The direction to show in a bidirectional trace; null shows each the trace has (per layer, the forward
    /// pass then the reverse one).</summary>
    public Direction? Direction { get => _direction; init => _direction = Check.Defined(value, nameof(Direction)); }

    /// <summary>Channels in display order; null means the cell's gates then c and h (i, f, g, o, c, h for an LSTM).</summary>
    public IReadOnlyList<TraceChannel>? Channels { get => _channels; init => _channels = Check.List(value, nameof(Channels)); }

    /// <summary>The units (rows) to show, in this order; null shows every unit.</summary>
    public IReadOnlyList<int>? Units
    {
        get => _units;
        init => _units = Check.List(value, nameof(Units)) is { } u && u.Any(k => k < 0)
            ? throw new ArgumentOutOfRangeException(nameof(Units), "Unit indices cannot be negative.") : value;
    }

    /// <summary>Labels for the time steps (e.g. the input symbols), shown as x tick labels and in hover text.</summary>
    public IReadOnlyList<string>? StepLabels { get; init; }

    public string? Title { get; init; }

    /// <summary>Pixel height of each heatmap row.</summary>
    public int RowHeight { get => _rowHeight; init => _rowHeight = Check.AtLeast(value, 40, nameof(RowHeight), " pixels"); }

    public GateHeatmapOptions WithLayer(int? layer) => this with { Layer = layer };
    public GateHeatmapOptions WithDirection(Direction? direction) => this with { Direction = direction };
    public GateHeatmapOptions WithChannels(params TraceChannel[] channels) => this with { Channels = channels };
    public GateHeatmapOptions WithUnits(params int[] units) => this with { Units = units };
    public GateHeatmapOptions WithStepLabels(IReadOnlyList<string>? labels) => this with { StepLabels = labels };
    public GateHeatmapOptions WithTitle(string? title) => this with { Title = title };
    public GateHeatmapOptions WithRowHeight(int pixels) => this with { RowHeight = pixels };
}

/// <summary>What a write-event chart compares: i·g at the step(s) carrying the information against the distractors.</summary>
public sealed record WriteEventOptions
{
    private readonly int _layer;
    private readonly Direction _direction;
    private readonly IReadOnlyList<int>? _units;

    public int Layer { get => _layer; init => _layer = Check.AtLeast(value, 0, nameof(Layer)); }

    /// <summary>The pass of a bidirectional layer to show (steps stay in time order either way).</summary>
    public Direction Direction { get => _direction; init => _direction = Check.Defined(value, nameof(Direction)); }

    /// <summary>The units to show; null shows every unit.</summary>
    public IReadOnlyList<int>? Units { get => _units; init => _units = Check.List(value, nameof(Units)); }

    /// <summary>The distractor steps; null takes every step that is not informative.</summary>
    public IReadOnlyList<int>? DistractorSteps { get; init; }

    /// <summary>Labels for the time steps (e.g. the input symbols).</summary>
    public IReadOnlyList<string>? StepLabels { get; init; }
    public string? Title { get; init; }

    public WriteEventOptions WithLayer(int layer) => this with { Layer = layer };
    public WriteEventOptions WithDirection(Direction direction) => this with { Direction = direction };
    public WriteEventOptions WithUnits(params int[] units) => this with { Units = units };
    public WriteEventOptions WithDistractors(params int[] steps) => this with { DistractorSteps = steps };
    public WriteEventOptions WithStepLabels(IReadOnlyList<string>? labels) => this with { StepLabels = labels };
    public WriteEventOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>Thresholds of a gate-saturation chart.</summary>
public sealed record GateSaturationOptions
{
    private readonly double _low = 0.1, _high = 0.9;

    /// <summary>Below this a gate counts as closed (Karpathy et al. use 0.1).</summary>
    public double Low { get => _low; init => _low = Check.Fraction(value, nameof(Low)); }

    /// <summary>Above this a gate counts as open (Karpathy et al. use 0.9).</summary>
    public double High { get => _high; init => _high = Check.Fraction(value, nameof(High)); }
    public string? Title { get; init; }

    public GateSaturationOptions WithThresholds(double low, double high) => this with { Low = low, High = high };
    public GateSaturationOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>Unit × time heatmaps of the gates and states in a <see cref="Trace{T}"/>, what gets written when, and how
/// saturated the gates are.</summary>
public static class GateCharts
{
    /// <summary>
    /// One heatmap per channel (and per layer and direction), stacked, x axes linked so zooming one zooms all. Sigmoid gates use a
    /// fixed [0, 1] scale from white to the gate's color; tanh-valued channels a [−1, 1] diverging scale; the cell state
    /// a symmetric scale around 0 wide enough for its largest value.
    /// </summary>
    public static GenericChart GateHeatmaps<T>(Trace<T> trace, GateHeatmapOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        options ??= new GateHeatmapOptions();
        var layers = TraceMeasures.LayersAndDirections(trace, options.Layer, options.Direction);
        var channels = options.Channels ?? GateVocabulary.DefaultChannels(trace.Cell);
        foreach (var ch in channels)
            if (!layers[0].Has(ch))
                throw new ArgumentException(
                    $"This {GateVocabulary.CellName(trace.Cell)} trace has no {ch}; it records {string.Join(", ", layers[0].Channels)}.", nameof(options));
        CheckStepLabels(options.StepLabels, trace.Steps, nameof(options));
        var units = TraceMeasures.Select(trace, layers[0].Layer, options.Units, layers[0].Direction).Units;

        var panels = layers.SelectMany(l => channels.Select(ch => (Layer: l, Channel: ch))).ToArray();
        var domains = Rows(panels.Length, gap: panels.Length > 8 ? 0.015 : 0.03);
        var steps = Enumerable.Range(0, trace.Steps).ToArray();
        var traces = new List<GenericChart>();
        var axes = new List<(StyleParam.LinearAxisId, LinearAxis)>();
        var notes = new List<Annotation>();
        bool multiLayer = layers.Count > 1;
        bool subset = options.Units is not null;

        for (int p = 0; p < panels.Length; p++)
        {
            var (layer, channel) = panels[p];
            int axis = p + 1;
            var all = layer.UnitByStep(channel);
            var z = units.Select(u => ToDouble<T>(all[u])).ToArray();
            var (zmin, zmax, scale) = ColorRange(channel, z);
            var (bottom, top) = domains[p];
            string symbol = GateVocabulary.Symbol(channel);
            string stepText = options.StepLabels is null ? "step %{x}" : "step %{x} (%{customdata})";
            string pass = TraceMeasures.PassName(trace, layer);
            var heatmap = Traces.Heatmap(z, steps, units, $"{(multiLayer ? $"{pass} " : "")}{symbol}", scale)
                .Styled(TraceStyle.Heatmap(
                    hoverTemplate: $"<b>{GateVocabulary.Describe(channel)}</b><br>{pass}, unit %{{y}}<br>{stepText}<br>{symbol} = %{{z:.4f}}<extra></extra>",
                    xAxis: X(axis), yAxis: Y(axis), zMin: zmin, zMax: zmax, zAuto: false,
                    colorBar: TraceStyle.ColorBar(symbol, y: (bottom + top) / 2, yAnchor: StyleParam.VerticalAlign.Middle,
                        len: Math.Max(0.05, top - bottom), thickness: 12, x: 1.01)));
            if (options.StepLabels is { } labels) heatmap = heatmap.WithGridCustomData(units.Select(_ => labels.ToArray()).ToArray());
            traces.Add(heatmap);

            bool last = p == panels.Length - 1;
            axes.Add((X(axis), Axis(last ? "time step" : "", anchor: Y(axis), matches: axis == 1 ? null : X(1), showTickLabels: last,
                stepLabels: options.StepLabels)));
            axes.Add((Y(axis), Axis($"{symbol} · unit", domain: Range(bottom, top), anchor: X(axis),
                axisType: subset ? StyleParam.AxisType.Category : null, dTick: units.Length > 16 || subset ? null : 1)));
            notes.Add(Note($"{(multiLayer ? $"{pass}: " : "")}{GateVocabulary.Describe(channel)}",
                0, top, xRef: "paper", color: GatePalette.Color(channel)));
        }

        int layerCount = layers.Select(l => l.Layer).Distinct().Count();
        string title = options.Title ?? $"{GateVocabulary.CellName(trace.Cell)} gates and states over time" +
            (!multiLayer ? $" ({TraceMeasures.PassName(trace, layers[0])})"
                : layers.Count == layerCount ? $" ({layerCount} layers{(trace.IsBidirectional ? ", " + TraceMeasures.DirectionName(layers[0].Direction) : "")})"
                : layerCount == 1 ? $" (layer {layers[0].Layer}, forward and reverse)"
                : $" ({layerCount} layers, forward and reverse)");
        return Compose(traces, Layout(title, 110 + options.RowHeight * panels.Length, annotations: notes, margin: Margin(70, 80, 80, 60)),
            axes.ToArray());
    }

    /// <summary>
    /// What the input gate writes into the cell state, and when: on top the write i·g (save vector × candidate) per unit
    /// and step, with the informative step(s) shaded; below, per unit, the mean |i·g| at the informative step(s) next
    /// to the mean at the distractors. A unit that stores the information writes at the informative step and keeps
    /// its input gate shut at the distractors.
    /// </summary>
    public static GenericChart WriteEvents<T>(Trace<T> trace, IReadOnlyList<int> informativeSteps, WriteEventOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        options ??= new WriteEventOptions();
        var summary = TraceMeasures.Writes(trace, informativeSteps, options.Layer, options.DistractorSteps, options.Units, options.Direction);
        CheckStepLabels(options.StepLabels, trace.Steps, nameof(options));
        var write = TraceMeasures.WriteMatrix(trace, options.Layer, options.Direction);
        string pass = TraceMeasures.PassName(trace, trace.Layer(options.Layer, options.Direction));
        var units = summary.Select(s => s.Unit).ToArray();
        var steps = Enumerable.Range(0, trace.Steps).ToArray();
        var z = units.Select(u => steps.Select(t => write[t][u]).ToArray()).ToArray();
        string stepText = options.StepLabels is null ? "step %{x}" : "step %{x} (%{customdata})";
        var heatmap = Traces.Heatmap(z, steps, units, "i·g", GatePalette.Diverging(GatePalette.InputGate))
            .Styled(TraceStyle.Heatmap(
                hoverTemplate: $"<b>write i·g (save vector × candidate)</b><br>unit %{{y}}<br>{stepText}<br>i·g = %{{z:.4f}}<extra></extra>",
                xAxis: X(1), yAxis: Y(1), zMin: -1, zMax: 1, zAuto: false,
                colorBar: TraceStyle.ColorBar("i·g", y: 0.79, yAnchor: StyleParam.VerticalAlign.Middle, len: 0.42, thickness: 12, x: 1.01)));
        if (options.StepLabels is { } labels) heatmap = heatmap.WithGridCustomData(units.Select(_ => labels.ToArray()).ToArray());

        var unitKeys = units.Select(u => $"unit {u}").ToArray();
        var informative = Traces.Columns(unitKeys, summary.Select(s => s.Informative), "informative step(s)", TraceStyle.Marker(GatePalette.InputGate))
            .Styled(TraceStyle.Bar(xAxis: X(2), yAxis: Y(2), text: summary.Select(s => Num(s.Informative)), textPosition: StyleParam.TextPosition.Outside,
                clipOnAxis: false, hoverTemplate: "<b>informative step(s)</b><br>%{x}<br>mean |i·g| = %{y:.4f}<extra></extra>"));
        var distractors = Traces.Columns(unitKeys, summary.Select(s => double.IsNaN(s.Distractors) ? 0 : s.Distractors), "distractors (mean)",
                TraceStyle.Marker(GatePalette.Shade(GatePalette.InputGate, 0.55)))
            .Styled(TraceStyle.Bar(xAxis: X(2), yAxis: Y(2), text: summary.Select(s => double.IsNaN(s.Distractors) ? "none" : Num(s.Distractors)),
                textPosition: StyleParam.TextPosition.Outside, clipOnAxis: false,
                hoverTemplate: "<b>distractor steps</b><br>%{x}<br>mean |i·g| = %{y:.4f}<extra></extra>"));

        var informativeSet = informativeSteps.Distinct().Order().ToArray();
        var shapes = informativeSet.Select(s => Shape(StyleParam.ShapeType.Rectangle, s - 0.5, s + 0.5, 0.58, 1.0, "x", "paper",
            Line(Ink, 2, StyleParam.DrawingStyle.Solid))).ToList();
        var notes = new List<Annotation>
        {
            Note($"informative step{(informativeSet.Length > 1 ? "s" : "")} {string.Join(", ", informativeSet)} outlined", 0, 1.0, xRef: "paper", color: Muted),
        };
        string title = options.Title ?? $"What gets written when: i·g at the informative step vs the distractors ({pass})";
        return Compose([heatmap, informative, distractors],
            Layout(title, 640, shapes, notes, Margin(70, 80, 80, 80), barMode: StyleParam.BarMode.Group),
            (X(1), Axis("time step", anchor: Y(1),
                stepLabels: options.StepLabels)),
            (Y(1), Axis("unit", domain: Range(0.58, 1.0), anchor: X(1), axisType: StyleParam.AxisType.Category)),
            (X(2), Axis("", anchor: Y(2), axisType: StyleParam.AxisType.Category)),
            (Y(2), Axis("mean |i·g| (how much is written)", domain: Range(0.0, 0.40), anchor: X(2), rangeMode: StyleParam.RangeMode.ToZero)));
    }

    /// <summary>
    /// Gate saturation per layer (and direction): for each σ gate, the fraction of values below <see cref="GateSaturationOptions.Low"/>
    /// (closed) and above <see cref="GateSaturationOptions.High"/> (open) as stacked bars, grouped by layer
    /// (Karpathy, Johnson &amp; Fei-Fei 2015). Pass many traces to pool over a data set.
    /// </summary>
    public static GenericChart Saturation<T>(IEnumerable<Trace<T>> traces, GateSaturationOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        options ??= new GateSaturationOptions();
        if (!(options.Low < options.High)) throw new ArgumentException($"Low ({options.Low}) must be below High ({options.High}).", nameof(options));
        return Saturation(TraceMeasures.Saturation(traces, options.Low, options.High), options);
    }

    /// <summary>As <see cref="Saturation{T}(IEnumerable{Trace{T}}, GateSaturationOptions?)"/>, from measured fractions.</summary>
    public static GenericChart Saturation(IReadOnlyList<GateSaturation> measured, GateSaturationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(measured);
        options ??= new GateSaturationOptions();
        Require(measured.Count > 0, nameof(measured), "No saturation values were given.");
        foreach (var m in measured)
            if (!(m.Closed is >= 0 and <= 1 && m.Open is >= 0 and <= 1 && m.Closed + m.Open <= 1 + 1e-9))
                throw new ArgumentException($"Layer {m.Layer}{(m.Direction == Direction.Reverse ? " reverse" : "")} {m.Gate}: closed {m.Closed} and open {m.Open} must be fractions adding up to at most 1.", nameof(measured));
        bool bidirectional = measured.Any(m => m.Direction == Direction.Reverse);
        var keys = new[] { measured.Select(m => TraceMeasures.PassName(m.Layer, m.Direction, bidirectional)).ToArray(), measured.Select(m => GateVocabulary.Symbol(m.Gate)).ToArray() };
        var colors = measured.Select(m => GatePalette.Color(m.Gate)).ToArray();
        string low = Num(options.Low), high = Num(options.High);
        var names = measured.Select(m => GateVocabulary.Describe(m.Gate)).ToArray();
        // Three stacked segments adding up to 100 %: a gate that never saturates still shows its (grey) bar.
        GenericChart Segment(Func<GateSaturation, double> value, string name, Func<string, string> color, string what)
            => Traces.Columns(keys, measured.Select(value), name, TraceStyle.Marker(colors: colors.Select(color), outline: Line("#FFFFFF", 1)))
                .Styled(TraceStyle.Bar(text: measured.Select(m => Percent(value(m))), textPosition: StyleParam.TextPosition.Inside,
                    customData: names, hoverTemplate: $"<b>%{{customdata}}</b><br>%{{x}}<br>{what}: %{{y:.1%}} of values<extra></extra>"));
        GenericChart[] traces =
        [
            Segment(m => m.Closed, $"closed (< {low})", c => GatePalette.Shade(c, -0.35), $"closed (< {low})"),
            Segment(m => m.Unsaturated, "in between", _ => GridColor, $"between {low} and {high}"),
            Segment(m => m.Open, $"open (> {high})", c => GatePalette.Shade(c, 0.45), $"open (> {high})"),
        ];
        string title = options.Title ?? $"Gate saturation per layer: share of steps each gate is below {low} or above {high}";
        return Compose(traces, Layout(title, 460, barMode: StyleParam.BarMode.Stack),
            (X(1), Axis("layer · gate (" + string.Join(", ", measured.Select(m => m.Gate).Distinct()
                .Select(g => $"{GateVocabulary.Symbol(g)}: {GateVocabulary.Nickname(g) ?? GateVocabulary.Name(g)}")) + ")")),
            (Y(1), Axis("share of (step, unit) values", range: Range(0, 1), tickFormat: ".0%")));
    }

    internal static void CheckStepLabels(IReadOnlyList<string>? labels, int steps, string paramName)
    {
        if (labels is not null && labels.Count != steps)
            throw new ArgumentException($"StepLabels has {labels.Count} labels, but the trace has {steps} steps; give one per step.", paramName);
    }

    private static string Percent(double fraction)
        => fraction.ToString("P0", System.Globalization.CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal);

    private static (double Min, double Max, StyleParam.Colorscale Scale) ColorRange(TraceChannel channel, double[][] z)
    {
        string color = GatePalette.Color(channel);
        if (GateVocabulary.Range(channel) is { } range)
            return range.Min >= 0 ? (range.Min, range.Max, GatePalette.Sequential(color)) : (range.Min, range.Max, GatePalette.Diverging(color));
        // Unbounded channels: symmetric so white stays at 0, at least ±1 so small values do not look saturated.
        double max = 1.0;
        foreach (var row in z)
            foreach (var v in row)
                max = Math.Max(max, Math.Abs(v));
        return (-max, max, GatePalette.Diverging(color));
    }
}
