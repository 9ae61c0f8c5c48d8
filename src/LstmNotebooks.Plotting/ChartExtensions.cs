using System.Numerics;
using Plotly.NET;

namespace LstmNotebooks.Plotting;

/// <summary>The chart builders as extension methods on the core types: <c>trace.GateHeatmaps()</c>,
/// <c>result.History.TrainingCurves()</c>, <c>flow.FlowVsLag(rnnFlow)</c>, <c>ChartHtml.Save(chart, path)</c>.</summary>
public static class ChartExtensions
{
    public static GenericChart GateHeatmaps<T>(this Trace<T> trace, GateHeatmapOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GateCharts.GateHeatmaps(trace, options);

    public static GenericChart StateLines<T>(this Trace<T> trace, IReadOnlyList<int> units, StateLineOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => StateCharts.StateLines(trace, units, options);

    public static GenericChart TrainingCurves(this TrainingHistory history, TrainingCurveOptions? options = null)
        => TrainingCharts.TrainingCurves(history, options);

    public static GenericChart FlowVsLag(this GradientFlow lstm, GradientFlow rnn, GradientFlowOptions? options = null)
        => GradientCharts.FlowVsLag(lstm, rnn, options);

    public static GenericChart ScoreVsGap(this IEnumerable<GapScores> models, GapChartOptions? options = null)
        => GapCharts.ScoreVsGap(models, options);

    /// <summary>Writes a self-contained HTML file (plotly.js inlined) and returns its full path.</summary>
    public static string SaveOfflineHtml(this GenericChart chart, string path, string? title = null) => ChartHtml.Save(chart, path, title);
}
