using System.Numerics;
using Plotly.NET;

namespace LstmNotebooks.Plotting;

/// <summary>The chart builders as extension methods on the core types: <c>trace.GateHeatmaps()</c>,
/// <c>result.History.TrainingCurves()</c>, <c>flow.FlowVsLag(rnnFlow)</c>, <c>chart.SaveOfflineHtml(path)</c>.</summary>
public static class ChartExtensions
{
    public static GenericChart GateHeatmaps<T>(this Trace<T> trace, GateHeatmapOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GateCharts.GateHeatmaps(trace, options);

    public static GenericChart StateLines<T>(this Trace<T> trace, IReadOnlyList<int> units, StateLineOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => StateCharts.StateLines(trace, units, options);

    public static GenericChart CellStateWalk<T>(this Trace<T> trace, IReadOnlyList<int> units, CellStateWalkOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => StateCharts.CellStateWalk(trace, units, options);

    public static GenericChart WriteEvents<T>(this Trace<T> trace, IReadOnlyList<int> informativeSteps, WriteEventOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GateCharts.WriteEvents(trace, informativeSteps, options);

    public static GenericChart UnitByClass<T>(this IReadOnlyList<Trace<T>> traces, IReadOnlyList<int> labels, int unit, UnitByClassOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => StateCharts.UnitByClass(traces, labels, unit, options);

    public static GenericChart UnitVsQuantity<T>(this Trace<T> trace, int unit, IReadOnlyList<double> quantity, UnitQuantityOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => StateCharts.UnitVsQuantity(trace, unit, quantity, options);

    /// <summary>Gate saturation of one trace; pass many traces to <see cref="GateCharts.Saturation{T}"/> to pool a data set.</summary>
    public static GenericChart GateSaturation<T>(this Trace<T> trace, GateSaturationOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GateCharts.Saturation([trace], options);

    public static GenericChart TrainingCurves(this TrainingHistory history, TrainingCurveOptions? options = null)
        => TrainingCharts.TrainingCurves(history, options);

    public static GenericChart FlowVsLag(this GradientFlow lstm, GradientFlow rnn, GradientFlowOptions? options = null)
        => GradientCharts.FlowVsLag(lstm, rnn, options);

    public static GenericChart ScoreVsGap(this IEnumerable<GapScores> models, GapChartOptions? options = null)
        => GapCharts.ScoreVsGap(models, options);

    /// <summary>Writes a self-contained HTML file (plotly.js inlined) and returns its full path.</summary>
    public static string SaveOfflineHtml(this GenericChart chart, string path, string? title = null) => ChartHtml.Save(chart, path, title);

    /// <summary>The notebook output of <see cref="ChartHtml.NotebookFragment"/>.</summary>
    public static string NotebookFragment(this GenericChart chart, PlotlyScript script = PlotlyScript.FromPageOrCdn)
        => ChartHtml.NotebookFragment(chart, script);

    /// <summary>The figure JSON for <see cref="ChartHtml.FigureMimeType"/>: {"data", "layout", "config"}.</summary>
    public static string FigureJson(this GenericChart chart) => ChartHtml.FigureJson(chart);
}
