using System.Numerics;
using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>Which part of a trace a gate heatmap shows.</summary>
public sealed record GateHeatmapOptions
{
    /// <summary>The layer to show; null shows every layer (one block of rows per layer).</summary>
    public int? Layer { get; init; }

    /// <summary>Channels in display order; null means the cell's gates then c and h (i, f, g, o, c, h for an LSTM).</summary>
    public IReadOnlyList<TraceChannel>? Channels { get; init; }

    /// <summary>Labels for the time steps (e.g. the input symbols), shown as x tick labels and in hover text.</summary>
    public IReadOnlyList<string>? StepLabels { get; init; }

    public string? Title { get; init; }

    /// <summary>Pixel height of each heatmap row.</summary>
    public int RowHeight { get; init; } = 150;
}

/// <summary>Unit × time heatmaps of the gates and states in a <see cref="Trace{T}"/>.</summary>
public static class GateCharts
{
    /// <summary>
    /// One heatmap per channel (and per layer), stacked, x axes linked so zooming one zooms all. Sigmoid gates use a
    /// fixed [0, 1] scale from white to the gate's color; tanh-valued channels a [−1, 1] diverging scale; the cell state
    /// a symmetric scale around 0 wide enough for its largest value.
    /// </summary>
    public static GenericChart GateHeatmaps<T>(Trace<T> trace, GateHeatmapOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        options ??= new GateHeatmapOptions();
        Require(options.RowHeight >= 40, nameof(options), $"RowHeight must be at least 40 pixels, but was {options.RowHeight}.");
        var layers = SelectLayers(trace, options.Layer);
        var channels = options.Channels ?? GateVocabulary.DefaultChannels(trace.Cell);
        Require(channels.Count > 0, nameof(options), "Channels is empty; name at least one channel to draw.");
        foreach (var ch in channels)
            if (!layers[0].Has(ch))
                throw new ArgumentException(
                    $"This {GateVocabulary.CellName(trace.Cell)} trace has no {ch}; it records {string.Join(", ", layers[0].Channels)}.", nameof(options));
        if (options.StepLabels is { } labels && labels.Count != trace.Steps)
            throw new ArgumentException($"StepLabels has {labels.Count} labels, but the trace has {trace.Steps} steps; give one per step.", nameof(options));

        var panels = layers.SelectMany(l => channels.Select(ch => (Layer: l, Channel: ch))).ToArray();
        var domains = Rows(panels.Length, gap: panels.Length > 8 ? 0.015 : 0.03);
        var steps = Enumerable.Range(0, trace.Steps).ToArray();
        var traces = new List<Trace>();
        var layoutProps = new List<(string, object?)>();
        var annotations = new List<object>();
        bool multiLayer = layers.Count > 1;

        for (int p = 0; p < panels.Length; p++)
        {
            var (layer, channel) = panels[p];
            int axis = p + 1;
            var z = layer.UnitByStep(channel).Select(row => ToDouble<T>(row)).ToArray();
            var (zmin, zmax, scale) = ColorRange(channel, z);
            var (bottom, top) = domains[p];
            string symbol = GateVocabulary.Symbol(channel);
            string stepText = options.StepLabels is null ? "step %{x}" : "step %{x} (%{customdata})";
            traces.Add(Trace("heatmap",
                ("name", $"{(multiLayer ? $"layer {layer.Layer} " : "")}{symbol}"),
                ("x", steps),
                ("y", Enumerable.Range(0, layer.Units).ToArray()),
                ("z", z),
                ("zmin", zmin), ("zmax", zmax), ("zauto", false),
                ("colorscale", scale),
                ("customdata", options.StepLabels is null ? null : Enumerable.Repeat(options.StepLabels.ToArray(), layer.Units).ToArray()),
                ("hovertemplate",
                    $"<b>{GateVocabulary.Describe(channel)}</b><br>layer {layer.Layer}, unit %{{y}}<br>{stepText}<br>{symbol} = %{{z:.4f}}<extra></extra>"),
                ("colorbar", Obj(("title", Title(symbol)), ("y", (bottom + top) / 2), ("yanchor", "middle"),
                    ("len", Math.Max(0.05, top - bottom)), ("thickness", 12), ("x", 1.01))),
                ("xaxis", AxisRef('x', axis)), ("yaxis", AxisRef('y', axis))));

            bool last = p == panels.Length - 1;
            layoutProps.Add((AxisKey('x', axis), Axis(last ? "time step" : "",
                ("anchor", AxisRef('y', axis)), ("matches", axis == 1 ? null : "x"), ("showticklabels", last),
                ("tickmode", options.StepLabels is null ? null : "array"),
                ("tickvals", options.StepLabels is null ? null : steps), ("ticktext", options.StepLabels?.ToArray()))));
            layoutProps.Add((AxisKey('y', axis), Axis($"{symbol} · unit",
                ("domain", new[] { bottom, top }), ("anchor", AxisRef('x', axis)), ("dtick", layer.Units > 16 ? null : 1))));
            annotations.Add(Note($"{(multiLayer ? $"layer {layer.Layer}: " : "")}{GateVocabulary.Describe(channel)}",
                0, top, xref: "paper", yref: "paper", yanchor: "bottom", color: GatePalette.Color(channel)));
        }

        string title = options.Title ?? $"{GateVocabulary.CellName(trace.Cell)} gates and states over time" +
            (multiLayer ? $" ({layers.Count} layers)" : $" (layer {layers[0].Layer})");
        layoutProps.Add(("annotations", annotations.ToArray()));
        layoutProps.Add(("margin", Obj(("l", 70), ("r", 80), ("t", 80), ("b", 60))));
        return Chart(traces, Layout(title, 110 + options.RowHeight * panels.Length, layoutProps.ToArray()));
    }

    internal static IReadOnlyList<LayerTrace<T>> SelectLayers<T>(Trace<T> trace, int? layer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (layer is null) return trace.Layers;
        if ((uint)layer.Value >= (uint)trace.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer,
                $"Layer {layer} does not exist; the trace has layers 0..{trace.Layers.Count - 1}.");
        return [trace.Layers[layer.Value]];
    }

    private static (double Min, double Max, object[][] Scale) ColorRange(TraceChannel channel, double[][] z)
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
