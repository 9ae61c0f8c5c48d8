using System.Numerics;
using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>What a state-line chart shows and where the remembered information arrives and is recalled.</summary>
public sealed record StateLineOptions
{
    public int Layer { get; init; }

    /// <summary>The step where the information to remember enters (e.g. 0 for "remember the first symbol").</summary>
    public int? ArrivalStep { get; init; }

    /// <summary>The step where the model has to recall it (e.g. the last step).</summary>
    public int? RecallStep { get; init; }

    /// <summary>Draw the cell state c (LSTM only). The hidden state h is drawn when <see cref="ShowHidden"/> is set.</summary>
    public bool ShowCell { get; init; } = true;
    public bool ShowHidden { get; init; } = true;

    public string ArrivalLabel { get; init; } = "information arrives";
    public string RecallLabel { get; init; } = "recalled";
    public string? Title { get; init; }
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
        var layer = GateCharts.SelectLayers(trace, options.Layer)[0];
        Require(units.Count > 0, nameof(units), "No units were chosen; pass at least one unit index.");
        foreach (var u in units)
            if ((uint)u >= (uint)layer.Units)
                throw new ArgumentOutOfRangeException(nameof(units), u, $"Unit {u} does not exist; layer {layer.Layer} has units 0..{layer.Units - 1}.");
        CheckStep(options.ArrivalStep, trace.Steps, nameof(StateLineOptions.ArrivalStep));
        CheckStep(options.RecallStep, trace.Steps, nameof(StateLineOptions.RecallStep));
        if (options.ArrivalStep is int a && options.RecallStep is int r && r < a)
            throw new ArgumentException($"The recall step ({r}) comes before the arrival step ({a}); information is recalled after it arrives.", nameof(options));

        var channels = new List<TraceChannel>();
        if (options.ShowCell && layer.Has(TraceChannel.CellState)) channels.Add(TraceChannel.CellState);
        if (options.ShowHidden) channels.Add(TraceChannel.HiddenState);
        if (channels.Count == 0)
            throw new ArgumentException(options.ShowCell && !options.ShowHidden
                ? $"A {GateVocabulary.CellName(trace.Cell)} has no cell state and ShowHidden is off, so there is nothing to draw."
                : "ShowCell and ShowHidden are both off, so there is nothing to draw.", nameof(options));

        var domains = Rows(channels.Count, gap: 0.08);
        var steps = Enumerable.Range(0, trace.Steps).ToArray();
        var traces = new List<Trace>();
        var layoutProps = new List<(string, object?)>();
        var shapes = new List<object>();
        var annotations = new List<object>();
        for (int p = 0; p < channels.Count; p++)
        {
            var channel = channels[p];
            int axis = p + 1;
            string symbol = GateVocabulary.Symbol(channel);
            var shades = GatePalette.Shades(GatePalette.Color(channel), units.Count);
            var markerX = new List<int>();
            var markerY = new List<double>();
            var markerText = new List<string>();
            var markerSymbol = new List<string>();
            for (int k = 0; k < units.Count; k++)
            {
                var y = ToDouble<T>(layer.Series(channel, units[k]));
                traces.Add(Trace("scatter",
                    ("name", $"{symbol} unit {units[k]}"), ("legendgroup", symbol), ("mode", "lines"),
                    ("x", steps), ("y", y),
                    ("line", Obj(("color", shades[k]), ("width", 2))),
                    ("hovertemplate", $"<b>{GateVocabulary.Describe(channel)}</b><br>layer {layer.Layer}, unit {units[k]}<br>step %{{x}}<br>{symbol} = %{{y:.4f}}<extra></extra>"),
                    ("xaxis", AxisRef('x', axis)), ("yaxis", AxisRef('y', axis))));
                foreach (var (step, label, shape) in new[] { (options.ArrivalStep, options.ArrivalLabel, "triangle-up"), (options.RecallStep, options.RecallLabel, "star") })
                    if (step is int s)
                    {
                        markerX.Add(s);
                        markerY.Add(y[s]);
                        markerText.Add($"{label}: unit {units[k]}");
                        markerSymbol.Add(shape);
                    }
            }
            if (markerX.Count > 0)
                traces.Add(Trace("scatter",
                    ("name", $"{symbol} at arrival / recall"), ("legendgroup", symbol), ("mode", "markers"),
                    ("x", markerX.ToArray()), ("y", markerY.ToArray()), ("text", markerText.ToArray()),
                    ("marker", Obj(("symbol", markerSymbol.ToArray()),
                        ("size", 10), ("color", GatePalette.Color(channel)), ("line", Obj(("color", "#1F2328"), ("width", 1))))),
                    ("hovertemplate", $"<b>%{{text}}</b><br>{GateVocabulary.Describe(channel)}<br>step %{{x}}<br>{symbol} = %{{y:.4f}}<extra></extra>"),
                    ("xaxis", AxisRef('x', axis)), ("yaxis", AxisRef('y', axis))));

            var (bottom, top) = domains[p];
            bool last = p == channels.Count - 1;
            layoutProps.Add((AxisKey('x', axis), Axis(last ? "time step" : "", ("anchor", AxisRef('y', axis)), ("matches", axis == 1 ? null : "x"))));
            layoutProps.Add((AxisKey('y', axis), Axis($"{symbol} ({GateVocabulary.Nickname(channel)})",
                ("domain", new[] { bottom, top }), ("anchor", AxisRef('x', axis)), ("zeroline", true), ("zerolinecolor", "#B0B7BF"))));
        }

        if (options.ArrivalStep is int arrival)
        {
            shapes.Add(VerticalLine(arrival, "#1F2328", dash: "dash"));
            annotations.Add(Note($"{options.ArrivalLabel} (step {arrival})", arrival, 1.0, xanchor: "left", yanchor: "bottom"));
        }
        if (options.RecallStep is int recall)
        {
            shapes.Add(VerticalLine(recall, "#1F2328", dash: "dash"));
            annotations.Add(Note($"{options.RecallLabel} (step {recall})", recall, 1.0, xanchor: "right", yanchor: "bottom"));
        }
        if (options.ArrivalStep is int from && options.RecallStep is int to && to > from)
        {
            shapes.Add(Obj(("type", "rect"), ("xref", "x"), ("yref", "paper"), ("x0", from), ("x1", to), ("y0", 0.0), ("y1", 1.0),
                ("fillcolor", GatePalette.Gap), ("opacity", 0.15), ("line", Obj(("width", 0))), ("layer", "below")));
            annotations.Add(Note($"gap: {to - from} steps", (from + to) / 2.0, 1.06, xanchor: "center", yanchor: "bottom"));
        }

        string title = options.Title ?? (channels.Contains(TraceChannel.CellState)
            ? $"Cell state (long-term memory) and hidden state (working memory), layer {layer.Layer}"
            : $"Hidden state (working memory) of the {GateVocabulary.CellName(trace.Cell)}, layer {layer.Layer}");
        layoutProps.Add(("shapes", shapes.ToArray()));
        layoutProps.Add(("annotations", annotations.ToArray()));
        layoutProps.Add(("margin", Obj(("l", 70), ("r", 30), ("t", 100), ("b", 80))));
        return Chart(traces, Layout(title, 220 + 260 * channels.Count, layoutProps.ToArray()));
    }

    private static void CheckStep(int? step, int steps, string name)
    {
        if (step is int s && (uint)s >= (uint)steps)
            throw new ArgumentOutOfRangeException(name, s, $"{name} is {s}, but the trace has steps 0..{steps - 1}.");
    }
}
