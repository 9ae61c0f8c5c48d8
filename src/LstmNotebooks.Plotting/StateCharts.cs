using System.Numerics;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>What a state-line chart shows and where the remembered information arrives and is recalled.</summary>
public sealed record StateLineOptions
{
    private readonly int _layer;
    private readonly Direction _direction;
    private readonly int? _arrival, _recall;
    private readonly string _arrivalLabel = "information arrives", _recallLabel = "recalled";

    public int Layer { get => _layer; init => _layer = Check.AtLeast(value, 0, nameof(Layer)); }

    /// <summary>The pass of a bidirectional layer to show (steps stay in time order either way).</summary>
    public Direction Direction { get => _direction; init => _direction = Check.Defined(value, nameof(Direction)); }

    /// <summary>The step where the information to remember enters (e.g. 0 for "remember the first symbol").</summary>
    public int? ArrivalStep { get => _arrival; init => _arrival = Check.Step(value, nameof(ArrivalStep)); }

    /// <summary>The step where the model has to recall it (e.g. the last step); not before <see cref="ArrivalStep"/>.</summary>
    public int? RecallStep { get => _recall; init => _recall = Check.Step(value, nameof(RecallStep)); }

    /// <summary>Draw the cell state c (LSTM only). The hidden state h is drawn when <see cref="ShowHidden"/> is set.</summary>
    public bool ShowCell { get; init; } = true;
    public bool ShowHidden { get; init; } = true;

    public string ArrivalLabel { get => _arrivalLabel; init => _arrivalLabel = Check.Text(value, nameof(ArrivalLabel)); }
    public string RecallLabel { get => _recallLabel; init => _recallLabel = Check.Text(value, nameof(RecallLabel)); }
    public string? Title { get; init; }

    public StateLineOptions WithLayer(int layer) => this with { Layer = layer };
    public StateLineOptions WithDirection(Direction direction) => this with { Direction = direction };
    public StateLineOptions WithArrival(int? step, string? label = null) => this with { ArrivalStep = step, ArrivalLabel = label ?? ArrivalLabel };
    public StateLineOptions WithRecall(int? step, string? label = null) => this with { RecallStep = step, RecallLabel = label ?? RecallLabel };
    public StateLineOptions WithCell(bool show = true) => this with { ShowCell = show };
    public StateLineOptions WithHidden(bool show = true) => this with { ShowHidden = show };
    public StateLineOptions WithTitle(string? title) => this with { Title = title };

    /// <summary>The checks that need the trace (or both steps): each step exists, and recall does not precede arrival.</summary>
    internal void Validate(int steps)
    {
        CheckStep(ArrivalStep, steps, nameof(ArrivalStep));
        CheckStep(RecallStep, steps, nameof(RecallStep));
        if (ArrivalStep is int a && RecallStep is int r && r < a)
            throw new ArgumentException($"The recall step ({r}) comes before the arrival step ({a}); information is recalled after it arrives.", nameof(RecallStep));
    }

    internal static void CheckStep(int? step, int steps, string name)
    {
        if (step is int s && (uint)s >= (uint)steps)
            throw new ArgumentOutOfRangeException(name, s, $"{name} is {s}, but the trace has steps 0..{steps - 1}.");
    }
}

/// <summary>How a cell-state walk draws the two terms of c_t = f·c_{t−1} + i·g.</summary>
public enum WalkStyle
{
    /// <summary>The two terms as bars stacked from zero (negative terms below it), c_t as a line with markers.</summary>
    StackedBars,
    /// <summary>The two terms as bars side by side, c_t as a line with markers.</summary>
    PairedBars,
    /// <summary>The two terms and c_t as lines.</summary>
    Lines,
}

public sealed record CellStateWalkOptions
{
    private readonly int _layer;
    private readonly Direction _direction;

    public int Layer { get => _layer; init => _layer = Check.AtLeast(value, 0, nameof(Layer)); }

    /// <summary>The pass of a bidirectional layer to walk. The reverse pass runs from the last step back, so its
    /// c_{t−1} is the value at step t+1 (zero after the last step).</summary>
    public Direction Direction { get => _direction; init => _direction = Check.Defined(value, nameof(Direction)); }
    public WalkStyle Style { get; init; } = WalkStyle.StackedBars;

    /// <summary>Labels for the time steps (e.g. the input symbols), shown as x tick labels.</summary>
    public IReadOnlyList<string>? StepLabels { get; init; }
    public string? Title { get; init; }

    public CellStateWalkOptions WithLayer(int layer) => this with { Layer = layer };
    public CellStateWalkOptions WithDirection(Direction direction) => this with { Direction = direction };
    public CellStateWalkOptions WithStyle(WalkStyle style) => this with { Style = style };
    public CellStateWalkOptions WithStepLabels(IReadOnlyList<string>? labels) => this with { StepLabels = labels };
    public CellStateWalkOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>A named series of values over steps ("1997 LSTM, no forget gate", "seasonal-naive", …).</summary>
public sealed record NamedSeries(string Name, IReadOnlyList<double> Values)
{
    /// <summary>A color (#RRGGBB) for the series; null takes the next series color.</summary>
    public string? Color { get; init; }

    /// <summary>|c_t| per step of an LSTM trace (largest over the layer's units unless told otherwise).</summary>
    public static NamedSeries FromCellState<T>(string name, Trace<T> trace, int layer = 0, CellMagnitude reduce = CellMagnitude.MaxOverUnits,
        Direction direction = Direction.Forward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new(name, TraceMeasures.CellMagnitudes(trace, layer, reduce, direction));

    internal void Validate(string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, paramName);
        ArgumentNullException.ThrowIfNull(Values, paramName);
        if (Values.Count == 0) throw new ArgumentException($"Series '{Name}' has no values.", paramName);
        for (int k = 0; k < Values.Count; k++)
            if (!double.IsFinite(Values[k]))
                throw new ArgumentException($"Series '{Name}' has a non-finite value {Values[k]} at step {k}; every value must be finite.", paramName);
    }
}

public sealed record CellMagnitudeOptions
{
    private readonly double? _bound;

    /// <summary>A bound drawn as a dashed line (e.g. the one the forget-gate cell must stay under).</summary>
    public double? Bound { get => _bound; init => _bound = Check.Finite(value, nameof(Bound)); }
    public string BoundLabel { get; init; } = "bound";

    /// <summary>Log scale for |c_t|: a cell state growing without bound is a rising straight line or faster.</summary>
    public bool LogScale { get; init; }

    /// <summary>What the summarised value is, for the y axis title.</summary>
    public string ValueLabel { get; init; } = "|c_t| (largest over units)";
    public string StepLabel { get; init; } = "time step in the stream (never reset)";

    /// <summary>Steps to mark with faint vertical lines (e.g. where one sub-sequence of the stream ends).</summary>
    public IReadOnlyList<int>? MarkedSteps { get; init; }
    public string? Title { get; init; }

    public CellMagnitudeOptions WithBound(double? bound, string? label = null) => this with { Bound = bound, BoundLabel = label ?? BoundLabel };
    public CellMagnitudeOptions WithLogScale(bool log = true) => this with { LogScale = log };
    public CellMagnitudeOptions WithMarkedSteps(params int[] steps) => this with { MarkedSteps = steps };
    public CellMagnitudeOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>Which unit's state a by-class chart follows, how many sequences of each class it draws and what the
/// classes are called.</summary>
public sealed record UnitByClassOptions
{
    private readonly int _layer, _perClass = 3;
    private readonly int? _arrival;
    private readonly Direction _direction = Direction.Forward;
    private readonly string _arrivalLabel = "information arrives";

    public int Layer { get => _layer; init => _layer = Check.AtLeast(value, 0, nameof(Layer)); }
    public TraceChannel Channel { get; init; } = TraceChannel.CellState;

    /// <summary>Which pass of a bidirectional layer (forward for a one-directional trace).</summary>
    public Direction Direction { get => _direction; init => _direction = Check.Defined(value, nameof(Direction)); }

    /// <summary>Sequences drawn per class (the first ones of each class, in the order given).</summary>
    public int PerClass { get => _perClass; init => _perClass = Check.AtLeast(value, 1, nameof(PerClass)); }

    /// <summary>The step where the class enters, marked with a dashed line; null for none.</summary>
    public int? ArrivalStep { get => _arrival; init => _arrival = Check.Step(value, nameof(ArrivalStep)); }
    public string ArrivalLabel { get => _arrivalLabel; init => _arrivalLabel = Check.Text(value, nameof(ArrivalLabel)); }

    /// <summary>Class names by label (e.g. ["X", "Y"]); null names them "class 0", "class 1", ….</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    public string? Title { get; init; }

    public UnitByClassOptions WithLayer(int layer) => this with { Layer = layer };
    public UnitByClassOptions WithChannel(TraceChannel channel) => this with { Channel = channel };
    public UnitByClassOptions WithDirection(Direction direction) => this with { Direction = direction };
    public UnitByClassOptions WithPerClass(int count) => this with { PerClass = count };
    public UnitByClassOptions WithArrival(int? step, string? label = null) => this with { ArrivalStep = step, ArrivalLabel = label ?? ArrivalLabel };
    public UnitByClassOptions WithClassNames(params string[] names) => this with { ClassNames = names };
    public UnitByClassOptions WithTitle(string? title) => this with { Title = title };
}

public sealed record UnitQuantityOptions
{
    private readonly int _layer;
    private readonly Direction _direction;

    public int Layer { get => _layer; init => _layer = Check.AtLeast(value, 0, nameof(Layer)); }

    /// <summary>The pass of a bidirectional layer to compare.</summary>
    public Direction Direction { get => _direction; init => _direction = Check.Defined(value, nameof(Direction)); }

    /// <summary>The task quantity with its unit (e.g. "bracket depth", "count so far").</summary>
    public string QuantityLabel { get; init; } = "task quantity";

    /// <summary>The unit's channel to compare (the cell state by default; the hidden state works for every cell kind).</summary>
    public TraceChannel Channel { get; init; } = TraceChannel.CellState;
    public string? Title { get; init; }

    public UnitQuantityOptions WithLayer(int layer) => this with { Layer = layer };
    public UnitQuantityOptions WithDirection(Direction direction) => this with { Direction = direction };
    public UnitQuantityOptions WithQuantityLabel(string label) => this with { QuantityLabel = label };
    public UnitQuantityOptions WithChannel(TraceChannel channel) => this with { Channel = channel };
    public UnitQuantityOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>Cell state (long-term memory) and hidden state (working memory) of chosen units over time.</summary>
public static class StateCharts
{
    /// <summary>
    /// Lines of c (top) and h (bottom) for each chosen unit over time, with the gap between the arrival and the recall
    /// of the information shaded and both ends marked. Units of one channel share its color, in different shades.
    /// </summary>
    public static GenericChart StateLines<T>(Trace<T> trace, IReadOnlyList<int> units, StateLineOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(units);
        options ??= new StateLineOptions();
        var layer = TraceMeasures.LayersAndDirections(trace, options.Layer, options.Direction)[0];
        Require(units.Count > 0, nameof(units), "No units were chosen; pass at least one unit index.");
        TraceMeasures.Select(trace, options.Layer, units, options.Direction);
        string pass = TraceMeasures.PassName(trace, layer);
        options.Validate(trace.Steps);

        var channels = new List<TraceChannel>();
        if (options.ShowCell && layer.Has(TraceChannel.CellState)) channels.Add(TraceChannel.CellState);
        if (options.ShowHidden) channels.Add(TraceChannel.HiddenState);
        if (channels.Count == 0)
            throw new ArgumentException(options.ShowCell && !options.ShowHidden
                ? $"A {GateVocabulary.CellName(trace.Cell)} has no cell state and ShowHidden is off, so there is nothing to draw."
                : "ShowCell and ShowHidden are both off, so there is nothing to draw.", nameof(options));

        var domains = Rows(channels.Count, gap: 0.08);
        var steps = Enumerable.Range(0, trace.Steps).ToArray();
        var traces = new List<GenericChart>();
        var axes = new List<(StyleParam.LinearAxisId, LinearAxis)>();
        for (int p = 0; p < channels.Count; p++)
        {
            var channel = channels[p];
            int axis = p + 1;
            string symbol = GateVocabulary.Symbol(channel);
            var shades = GatePalette.Shades(GatePalette.Color(channel), units.Count);
            var markerX = new List<int>();
            var markerY = new List<double>();
            var markerText = new List<string>();
            var markerSymbol = new List<StyleParam.MarkerSymbol>();
            for (int k = 0; k < units.Count; k++)
            {
                var y = ToDouble<T>(layer.Series(channel, units[k]));
                traces.Add(Traces.Line(steps, y, $"{symbol} unit {units[k]}", shades[k])
                    .Styled(TraceStyle.Scatter(legendGroup: symbol, xAxis: X(axis), yAxis: Y(axis),
                        hoverTemplate: $"<b>{GateVocabulary.Describe(channel)}</b><br>{pass}, unit {units[k]}<br>step %{{x}}<br>{symbol} = %{{y:.4f}}<extra></extra>")));
                foreach (var (step, label, shape) in new[] { (options.ArrivalStep, options.ArrivalLabel, StyleParam.MarkerSymbol.TriangleUp), (options.RecallStep, options.RecallLabel, StyleParam.MarkerSymbol.Star) })
                    if (step is int s)
                    {
                        markerX.Add(s);
                        markerY.Add(y[s]);
                        markerText.Add($"{label}: unit {units[k]}");
                        markerSymbol.Add(shape);
                    }
            }
            if (markerX.Count > 0)
                traces.Add(Traces.Points(markerX, markerY, $"{symbol} at arrival / recall",
                        TraceStyle.Marker(GatePalette.Color(channel), size: 10, symbols: markerSymbol, outline: Line(Ink, 1)), markerText)
                    .Styled(TraceStyle.Scatter(legendGroup: symbol, xAxis: X(axis), yAxis: Y(axis),
                        hoverTemplate: $"<b>%{{text}}</b><br>{GateVocabulary.Describe(channel)}<br>step %{{x}}<br>{symbol} = %{{y:.4f}}<extra></extra>")));

            var (bottom, top) = domains[p];
            bool last = p == channels.Count - 1;
            axes.Add((X(axis), Axis(last ? "time step" : "", anchor: Y(axis), matches: axis == 1 ? null : X(1))));
            axes.Add((Y(axis), Axis($"{symbol} ({GateVocabulary.Nickname(channel)})", domain: Range(bottom, top), anchor: X(axis), zeroLine: true)));
        }

        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        if (options.ArrivalStep is int arrival)
        {
            shapes.Add(VerticalLine(arrival, Ink, StyleParam.DrawingStyle.Dash));
            notes.Add(Note($"{options.ArrivalLabel} (step {arrival})", arrival, 1.0));
        }
        if (options.RecallStep is int recall)
        {
            shapes.Add(VerticalLine(recall, Ink, StyleParam.DrawingStyle.Dash));
            notes.Add(Note($"{options.RecallLabel} (step {recall})", recall, 1.0, xAnchor: StyleParam.XAnchorPosition.Right));
        }
        if (options.ArrivalStep is int from && options.RecallStep is int to && to > from)
        {
            shapes.Add(VerticalBand(from, to, GatePalette.Gap, 0.15));
            notes.Add(Note($"gap: {to - from} steps", (from + to) / 2.0, 1.06, xAnchor: StyleParam.XAnchorPosition.Center));
        }

        string title = options.Title ?? (channels.Contains(TraceChannel.CellState)
            ? $"Cell state (long-term memory) and hidden state (working memory), {pass}"
            : $"Hidden state (working memory) of the {GateVocabulary.CellName(trace.Cell)}, {pass}");
        return Compose(traces, Layout(title, 220 + 260 * channels.Count, shapes, notes, Margin(70, 30, 100, 80)), axes.ToArray());
    }

    /// <summary>
    /// One unit's state over time on several sequences, colored by the class each must remember: if the unit is the
    /// memory, the classes part where the class arrives and stay apart to the end of every sequence. Each sequence's
    /// last step (where the answer is read) is marked. Traces may differ in length.
    /// </summary>
    public static GenericChart UnitByClass<T>(IReadOnlyList<Trace<T>> traces, IReadOnlyList<int> labels, int unit, UnitByClassOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new UnitByClassOptions();
        if (traces.Count != labels.Count)
            throw new ArgumentException($"There are {traces.Count} traces but {labels.Count} labels; give one class label per trace.", nameof(labels));
        Require(traces.Count > 0, nameof(traces), "No traces were given; pass at least one trace per class.");
        var names = options.ClassNames;
        var classes = labels.Distinct().Order().ToArray();
        foreach (int c in classes)
            if (c < 0 || (names is not null && c >= names.Count))
                throw new ArgumentException(names is null
                    ? $"Class labels must be ≥ 0, but one is {c}."
                    : $"Label {c} has no name: ClassNames has {names.Count} ({string.Join(", ", names)}).", nameof(labels));
        var traceList = new List<GenericChart>();
        var endX = new List<int>();
        var endY = new List<double>();
        var endColors = new List<string>();
        string symbol = GateVocabulary.Symbol(options.Channel);
        foreach (int c in classes)
        {
            string name = names?[c] ?? $"class {c}";
            string color = GatePalette.Series[c % GatePalette.Series.Count];
            int drawn = 0;
            for (int k = 0; k < traces.Count && drawn < options.PerClass; k++)
            {
                if (labels[k] != c) continue;
                var trace = traces[k] ?? throw new ArgumentNullException(nameof(traces), $"Trace {k} is null.");
                var (layer, _) = TraceMeasures.Select(trace, options.Layer, [unit], options.Direction);
                if (!layer.Has(options.Channel))
                    throw new ArgumentException($"The traces have no {GateVocabulary.Name(options.Channel)}; a {GateVocabulary.CellName(trace.Cell)} records {string.Join(", ", layer.Channels)}.", nameof(options));
                var y = ToDouble<T>(layer.Series(options.Channel, unit));
                traceList.Add(Traces.Line(Enumerable.Range(0, y.Length), y, Escape(name), color, width: 1.5, showLegend: drawn == 0)
                    .Styled(TraceStyle.Scatter(legendGroup: Escape(name),
                        hoverTemplate: $"<b>{Escape(name)}</b>, sequence {k}<br>step %{{x}}<br>{symbol} = %{{y:.4f}}<extra></extra>")));
                endX.Add(y.Length - 1);
                endY.Add(y[^1]);
                endColors.Add(color);
                drawn++;
            }
        }
        traceList.Add(Traces.Points(endX, endY, "answer read (last step)", TraceStyle.Marker(colors: endColors, size: 10,
                symbol: StyleParam.MarkerSymbol.Star, outline: Line(Ink, 1)))
            .Styled(TraceStyle.Scatter(hoverTemplate: $"<b>answer read here</b><br>step %{{x}}<br>{symbol} = %{{y:.4f}}<extra></extra>")));
        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        if (options.ArrivalStep is int arrival)
        {
            shapes.Add(VerticalLine(arrival, Ink, StyleParam.DrawingStyle.Dash));
            notes.Add(Note($"{options.ArrivalLabel} (step {arrival})", arrival, 1.0));
        }
        string title = options.Title ?? $"{GateVocabulary.Describe(options.Channel)} of unit {unit} on sequences of each class";
        string nick = GateVocabulary.Nickname(options.Channel) is string n ? $" ({n})" : "";
        return Compose(traceList, Layout(title, 460, shapes, notes, Margin(70, 30, 90, 80)),
            (X(1), Axis("time step")),
            (Y(1), Axis($"{symbol} of unit {unit}{nick}", zeroLine: true)));
    }

    /// <summary>
    /// The cell state walked step by step: for each chosen unit, c_t (line) and the two terms it is the sum of,
    /// f_t·c_{t−1} (what the remember vector keeps of the long-term memory) and i_t·g_t (what the save vector writes
    /// from the candidate). The trace starts from a zero state, so c_{−1} = 0. With an intervention that overwrites c,
    /// the line shows the value the cell carried on (after the edit) and the bars the terms before it.
    /// </summary>
    public static GenericChart CellStateWalk<T>(Trace<T> trace, IReadOnlyList<int> units, CellStateWalkOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(units);
        options ??= new CellStateWalkOptions();
        TraceMeasures.RequireLstm(trace, "a cell state to walk");
        var (layer, unitList) = TraceMeasures.Select(trace, options.Layer, units, options.Direction);
        // The pass's previous step: t−1 going forward, t+1 going back (the reverse pass starts after the last step).
        int previousOffset = layer.Direction == Direction.Forward ? -1 : 1;
        GateCharts.CheckStepLabels(options.StepLabels, trace.Steps, nameof(options));
        var steps = Enumerable.Range(0, trace.Steps).ToArray();
        var domains = Rows(unitList.Length, gap: 0.07);
        var traces = new List<GenericChart>();
        var axes = new List<(StyleParam.LinearAxisId, LinearAxis)>();
        var notes = new List<Annotation>();
        bool bars = options.Style != WalkStyle.Lines;
        for (int p = 0; p < unitList.Length; p++)
        {
            int unit = unitList[p], axis = p + 1;
            var f = ToDouble<T>(layer.Series(TraceChannel.ForgetGate, unit));
            var i = ToDouble<T>(layer.Series(TraceChannel.InputGate, unit));
            var g = ToDouble<T>(layer.Series(TraceChannel.InputModulationGate, unit));
            var c = ToDouble<T>(layer.Series(TraceChannel.CellState, unit));
            var previous = steps.Select(t => t + previousOffset is var s && (uint)s < (uint)c.Length ? c[s] : 0.0).ToArray();
            var kept = steps.Select(t => f[t] * previous[t]).ToArray();
            var written = steps.Select(t => i[t] * g[t]).ToArray();
            var keptText = steps.Select(t => $"f = {f[t]:F3} × c_{{t−1}} = {previous[t]:F3}").ToArray();
            var writtenText = steps.Select(t => $"i = {i[t]:F3} × g = {g[t]:F3}").ToArray();
            bool legend = p == 0;
            const string keptName = "f·c_{t−1}: kept by the remember vector";
            const string writtenName = "i·g: written by the save vector";
            if (bars)
            {
                traces.Add(Traces.Columns(steps, kept, keptName, TraceStyle.Marker(GatePalette.ForgetGate, opacity: 0.8), legend)
                    .Styled(TraceStyle.Bar(xAxis: X(axis), yAxis: Y(axis), legendGroup: "kept", text: keptText, textPosition: StyleParam.TextPosition.None,
                        hoverTemplate: $"<b>kept f·c_{{t−1}}</b> (unit {unit})<br>step %{{x}}: %{{text}}<br>= %{{y:.4f}}<extra></extra>")));
                traces.Add(Traces.Columns(steps, written, writtenName, TraceStyle.Marker(GatePalette.InputGate, opacity: 0.8), legend)
                    .Styled(TraceStyle.Bar(xAxis: X(axis), yAxis: Y(axis), legendGroup: "written", text: writtenText, textPosition: StyleParam.TextPosition.None,
                        hoverTemplate: $"<b>written i·g</b> (unit {unit})<br>step %{{x}}: %{{text}}<br>= %{{y:.4f}}<extra></extra>")));
            }
            else
            {
                traces.Add(Traces.Line(steps, kept, keptName, GatePalette.ForgetGate, dash: StyleParam.DrawingStyle.Dash, showLegend: legend)
                    .Styled(TraceStyle.Scatter(xAxis: X(axis), yAxis: Y(axis), legendGroup: "kept", text: keptText,
                        hoverTemplate: $"<b>kept f·c_{{t−1}}</b> (unit {unit})<br>step %{{x}}: %{{text}}<br>= %{{y:.4f}}<extra></extra>")));
                traces.Add(Traces.Line(steps, written, writtenName, GatePalette.InputGate, dash: StyleParam.DrawingStyle.Dash, showLegend: legend)
                    .Styled(TraceStyle.Scatter(xAxis: X(axis), yAxis: Y(axis), legendGroup: "written", text: writtenText,
                        hoverTemplate: $"<b>written i·g</b> (unit {unit})<br>step %{{x}}: %{{text}}<br>= %{{y:.4f}}<extra></extra>")));
            }
            traces.Add(Traces.Line(steps, c, "c_t: cell state (long-term memory)", GatePalette.CellState, width: 2.5, markers: true, markerSize: 6, showLegend: legend)
                .Styled(TraceStyle.Scatter(xAxis: X(axis), yAxis: Y(axis), legendGroup: "c",
                    hoverTemplate: $"<b>cell state c_t</b> (unit {unit})<br>step %{{x}}<br>c = %{{y:.4f}}<extra></extra>")));

            var (bottom, top) = domains[p];
            bool last = p == unitList.Length - 1;
            axes.Add((X(axis), Axis(last ? "time step" : "", anchor: Y(axis), matches: axis == 1 ? null : X(1), showTickLabels: last,
                stepLabels: options.StepLabels)));
            axes.Add((Y(axis), Axis($"unit {unit}", domain: Range(bottom, top), anchor: X(axis), zeroLine: true)));
            notes.Add(Note($"unit {unit}: c_t = f·c_{{t−1}} + i·g", 0, top, xRef: "paper", color: GatePalette.CellState));
        }
        string title = options.Title ?? $"The cell state walked step by step: c_t = f·c_{{t−1}} + i·g ({TraceMeasures.PassName(trace, layer)}" +
            (layer.Direction == Direction.Reverse ? ", from the last step back: c_{t−1} is the value at step t+1)" : ")");
        return Compose(traces, Layout(title, 160 + 240 * unitList.Length, annotations: notes, margin: Margin(70, 30, 80, 90),
                barMode: options.Style switch { WalkStyle.StackedBars => StyleParam.BarMode.Relative, WalkStyle.PairedBars => StyleParam.BarMode.Group, _ => null },
                barGap: bars ? 0.15 : null),
            axes.ToArray());
    }

    /// <summary>
    /// |c_t| over a long stream for several models (e.g. the 1997 cell without a forget gate and the forget-gate cell,
    /// on a stream that is never reset): one line each, optionally on a log axis, with a bound as a dashed line.
    /// </summary>
    public static GenericChart CellMagnitude(IEnumerable<NamedSeries> models, CellMagnitudeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= new CellMagnitudeOptions();
        var list = models.ToList();
        Require(list.Count > 0, nameof(models), "No series were given; pass at least one NamedSeries.");
        var traces = new List<GenericChart>();
        for (int k = 0; k < list.Count; k++)
        {
            var m = list[k] ?? throw new ArgumentNullException(nameof(models), "One of the series is null.");
            m.Validate(nameof(models));
            if (m.Values.Any(v => v < 0))
                throw new ArgumentException($"Series '{m.Name}' has a negative value; a magnitude |c_t| is never negative.", nameof(models));
            string color = m.Color ?? GatePalette.Series[k % GatePalette.Series.Count];
            var steps = Enumerable.Range(0, m.Values.Count).ToArray();
            // A zero cannot sit on a log axis; leave it as a gap there.
            IConvertible[] y = m.Values.Select(v => options.LogScale && v <= 0 ? null! : (IConvertible)v).ToArray();
            traces.Add(Traces.Line(steps, y, m.Name, color, webGL: steps.Length > 20_000)
                .Styled(TraceStyle.Scatter(connectGaps: false,
                    hoverTemplate: $"<b>{Escape(m.Name)}</b><br>step %{{x}}<br>|c| = %{{y:.4g}}<extra></extra>")));
        }
        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        if (options.Bound is double bound)
        {
            if (options.LogScale && !(bound > 0))
                throw new ArgumentException($"A bound of {bound} cannot sit on a log axis; give a positive bound or set LogScale = false.", nameof(options));
            shapes.Add(HorizontalLine(bound, Muted));
            notes.Add(LineLabel($"{options.BoundLabel} ({Num(bound)})", AnnotationOnAxis(bound, options.LogScale), Muted));
        }
        foreach (var s in options.MarkedSteps ?? [])
            shapes.Add(VerticalLine(s, GridColor, StyleParam.DrawingStyle.Solid));
        string title = options.Title ?? "Cell state magnitude |c_t| over a never-reset stream";
        return Compose(traces, Layout(title, 460, shapes, notes, Margin(right: notes.Count > 0 ? LabelMargin : 30)),
            (X(1), Axis(options.StepLabel)),
            (Y(1), Axis(options.ValueLabel + (options.LogScale ? " (log scale)" : ""),
                axisType: options.LogScale ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear,
                rangeMode: options.LogScale ? null : StyleParam.RangeMode.ToZero, exponentFormat: StyleParam.ExponentFormat.Power)));
    }

    /// <summary>
    /// An interpretable unit: one unit's cell state (or hidden state) over time against a quantity of the task (e.g.
    /// bracket depth or a running count) on the left, and the two against each other on the right, with their Pearson
    /// correlation r.
    /// </summary>
    public static GenericChart UnitVsQuantity<T>(Trace<T> trace, int unit, IReadOnlyList<double> quantity, UnitQuantityOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(quantity);
        options ??= new UnitQuantityOptions();
        var layer = TraceMeasures.Select(trace, options.Layer, [unit], options.Direction).Layer;
        if (!layer.Has(options.Channel))
            throw new ArgumentException($"This {GateVocabulary.CellName(trace.Cell)} trace has no {options.Channel}. Hint: use TraceChannel.HiddenState.", nameof(options));
        if (quantity.Count != trace.Steps)
            throw new ArgumentException($"The quantity has {quantity.Count} values, but the trace has {trace.Steps} steps; give one per step.", nameof(quantity));
        if (quantity.Any(q => !double.IsFinite(q))) throw new ArgumentException("Every quantity value must be finite.", nameof(quantity));
        var state = ToDouble<T>(layer.Series(options.Channel, unit));
        double r = TraceMeasures.Correlation(state, quantity);
        string symbol = GateVocabulary.Symbol(options.Channel), label = Escape(options.QuantityLabel);
        string color = GatePalette.Color(options.Channel);
        var steps = Enumerable.Range(0, trace.Steps).ToArray();
        GenericChart[] traces =
        [
            Traces.Line(steps, state, $"{symbol} of unit {unit}", color, width: 2.5)
                .Styled(TraceStyle.Scatter(xAxis: X(1), yAxis: Y(1),
                    hoverTemplate: $"<b>{GateVocabulary.Describe(options.Channel)}</b>, unit {unit}<br>step %{{x}}<br>{symbol} = %{{y:.4f}}<extra></extra>")),
            Traces.Line(steps, quantity, options.QuantityLabel, Muted, width: 1.5, dash: StyleParam.DrawingStyle.Dash, shape: StyleParam.Shape.Hv)
                .Styled(TraceStyle.Scatter(xAxis: X(1), yAxis: Y(2),
                    hoverTemplate: $"<b>{label}</b><br>step %{{x}}<br>%{{y:.4g}}<extra></extra>")),
            Traces.Points(quantity, state, $"{symbol} against {options.QuantityLabel}", TraceStyle.Marker(color, size: 6, opacity: 0.6), showLegend: false)
                .Styled(TraceStyle.Scatter(xAxis: X(2), yAxis: Y(3), customData: steps.Cast<IConvertible>(),
                    hoverTemplate: $"step %{{customdata}}<br>{label} = %{{x:.4g}}<br>{symbol} = %{{y:.4f}}<extra></extra>")),
        ];
        Annotation[] notes =
        [
            Note($"r = {(double.IsNaN(r) ? "undefined (constant series)" : r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))}",
                0.76, 1.0, xRef: "paper", color: Ink),
        ];
        string title = options.Title ?? $"Unit {unit} ({TraceMeasures.PassName(trace, layer)}): {GateVocabulary.Name(options.Channel)} against {options.QuantityLabel}";
        return Compose(traces, Layout(title, 460, annotations: notes, margin: Margin(70, 40, 80, 80)),
            (X(1), Axis("time step", domain: Range(0, 0.6), anchor: Y(1))),
            (Y(1), Axis($"{symbol} ({GateVocabulary.Nickname(options.Channel) ?? GateVocabulary.Name(options.Channel)})", anchor: X(1), zeroLine: true)),
            (Y(2), Axis(options.QuantityLabel, overlaying: Y(1), side: StyleParam.Side.Right, anchor: X(1), showGrid: false)),
            (X(2), Axis(options.QuantityLabel, domain: Range(0.76, 1.0), anchor: Y(3))),
            (Y(3), Axis(symbol, anchor: X(2), zeroLine: true)));
    }
}
