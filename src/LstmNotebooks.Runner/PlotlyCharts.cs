using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.FSharp.Core;
using Plotly.NET;

namespace LstmNotebooks.Runner;

/// <summary>
/// Replaces Plotly.NET.Interactive. In the HTML page a chart is Plotly.NET's own fragment (a div plus a Plotly.newPlot
/// call) with plotly.js inlined once per page; in the executed .ipynb it is the RequireJS fragment the kernel extension
/// wrote, plus the figure as application/vnd.plotly.v1+json, so editors can draw it too.
/// </summary>
internal static class PlotlyCharts
{
    private const string PlotlyMime = "application/vnd.plotly.v1+json";

    private static readonly Lazy<(string Version, string Script)> PlotlyJs = new(LoadPlotlyJs);

    public static string PlotlyJsVersion => PlotlyJs.Value.Version;

    /// <summary>plotly.min.js as Plotly.NET embeds it for its offline HTML (PlotlyJSReference.Full).</summary>
    public static string PlotlyJsSource => PlotlyJs.Value.Script;

    public static void Register() =>
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(PageFragment(chart, Summarize(chart))), "text/html");

    public static bool TryFormat(object value, out DisplayOutput output)
    {
        if (value is not GenericChart chart)
        {
            output = null!;
            return false;
        }

        var summary = Summarize(chart);
        var data = new Dictionary<string, string>
        {
            ["text/html"] = NotebookFragment(chart),
            [PlotlyMime] = GenericChart.toFigureJson(chart),
        };
        output = new DisplayOutput(DisplayKind.Chart, data, Chart: summary, PageHtml: PageFragment(chart, summary));
        return true;
    }

    /// <summary>The chart's traces from the figure JSON: type and the length of its longest data array.</summary>
    public static ChartSummary Summarize(GenericChart chart)
    {
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart)) as JsonObject;
        var traces = figure?["data"] as JsonArray ?? [];
        var types = new List<string>();
        var nonEmpty = 0;
        var points = 0;
        foreach (var trace in traces.OfType<JsonObject>())
        {
            types.Add((trace["type"] as JsonValue)?.GetValue<string>() ?? "scatter");
            var longest = trace.Select(p => p.Value is JsonArray a ? a.Count : 0).DefaultIfEmpty(0).Max();
            if (longest > 0) nonEmpty++;
            points += longest;
        }

        return new ChartSummary(types.Count, nonEmpty, types, points);
    }

    private static string PageFragment(GenericChart chart, ChartSummary summary)
    {
        // Any reference but Require gives the plain div + newPlot fragment; the page supplies plotly.js itself.
        var options = DisplayOptions.init(null, null, null, null, null, null, FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NoReference));
        var html = GenericChart.toChartHTML(GenericChart.setDisplayOptions(options, chart));
        return $"<div class=\"nb-chart\" data-expected-traces=\"{summary.TraceCount}\">{html}</div>";
    }

    private static string NotebookFragment(GenericChart chart)
    {
        var cdn = $"https://cdn.plot.ly/plotly-{PlotlyJsVersion}.min";
        var options = DisplayOptions.init(null, null, null, null, null, null, FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NewRequire(cdn)));
        return GenericChart.toChartHTML(GenericChart.setDisplayOptions(options, chart));
    }

    private static (string, string) LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{assembly.GetName().Name} {assembly.GetName().Version} has no embedded plotly-*.min.js resource; expected one as in Plotly.NET 6.0.0.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        var version = name["Plotly.NET.plotly-".Length..^".min.js".Length];
        return (version, reader.ReadToEnd());
    }
}
