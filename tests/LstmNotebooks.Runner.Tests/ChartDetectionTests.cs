using System.Text.Json.Nodes;
using LstmNotebooks.Runner;

namespace LstmNotebooks.Runner.Tests;

/// <summary>
/// Decision 4 (revised): the kit's charts are text/html only, the figure travelling as a
/// <c>&lt;script type="application/vnd.plotly.v1+json"&gt;</c> data block inside the html (LstmNotebooks.Plotting
/// ChartHtml.NotebookFragment). The runner, its pages and the check verb read the chart's traces from that block.
/// </summary>
public sealed class ChartDetectionTests
{
    // Shaped as ChartHtml.NotebookFragment writes it (PlotlyScript.FromPageOrCdn: no inlined plotly.js); the title's
    // "</b>" is escaped as "<\/b>" because an inline script ends at the first "</script".
    private const string KitFragment = """
        <div id="lstmnb-0f3c" class="lstmnb-chart"></div>
        <script type="application/vnd.plotly.v1+json" id="lstmnb-0f3c-figure">{"data":[{"type":"scatter","mode":"lines","x":[0,1,2],"y":[0.1,0.5,0.9],"name":"cell state"},{"type":"heatmap","z":[[1,2],[3,4]]}],"layout":{"title":{"text":"<b>memory<\/b>"}},"config":{"responsive":true}}</script>
        <script type="text/javascript">
        (function () {
          var id = "lstmnb-0f3c";
          function draw() { var f = JSON.parse(document.getElementById(id + '-figure').textContent); window.Plotly.newPlot(id, f.data, f.layout || {}, f.config || {}); }
          if (window.Plotly) { draw(); return; }
        })();
        </script>
        """;

    [Fact]
    public void AKitHtmlFragmentIsAChartWhoseTracesAreReadFromItsFigureDataBlock()
    {
        var output = new DisplayOutput(new Dictionary<string, string> { ["text/html"] = KitFragment });

        Assert.Equal(DisplayKind.Chart, output.Kind);
        var chart = Assert.IsType<ChartSummary>(output.Chart);
        Assert.True(chart.TracesKnown);
        // Points: the longest data array of each trace (3 scatter points, 2 heatmap rows).
        Assert.Equal((2, 2, 5), (chart.TraceCount, chart.NonEmptyTraceCount, chart.PointCount));
        Assert.Equal(["scatter", "heatmap"], chart.TraceTypes);
        Assert.Equal("<b>memory</b>", JsonNode.Parse(ChartSummary.FigureDataBlock(KitFragment)!)!["layout"]!["title"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void HtmlCallingNewPlotWithoutAFigureIsAChartOfUnknownTracesAndOtherHtmlIsNot()
    {
        var drawn = new DisplayOutput(new Dictionary<string, string> { ["text/html"] = "<div id=\"a\"></div><script>Plotly.newPlot('a', data)</script>" });
        Assert.Equal(DisplayKind.Chart, drawn.Kind);
        Assert.False(drawn.Chart!.TracesKnown);

        var table = new DisplayOutput(new Dictionary<string, string> { ["text/html"] = "<table><tr><td>1</td></tr></table>" });
        Assert.Equal(DisplayKind.Html, table.Kind);
        Assert.Null(table.Chart);

        var mime = new DisplayOutput(new Dictionary<string, string> { [DisplayOutput.PlotlyMime] = "{\"data\":[{\"x\":[1]}]}", ["text/html"] = "<div></div>" });
        Assert.Equal((1, 1), (mime.Chart!.TraceCount, mime.Chart.NonEmptyTraceCount));
    }

    [Fact]
    public void TheCheckVerbAcceptsAKitChartAndRefusesOneWhoseFigureHasNoData()
    {
        using var temp = new TempNotebooks();
        var empty = KitFragment.Replace("\"x\":[0,1,2],\"y\":[0.1,0.5,0.9]", "\"x\":[],\"y\":[]").Replace("\"z\":[[1,2],[3,4]]", "\"z\":[]");
        JsonObject Cell(string html) => new()
        {
            ["cell_type"] = "code",
            ["execution_count"] = 1,
            ["metadata"] = new JsonObject { ["tags"] = new JsonArray("chart") },
            // nbconvert stores html as a list of lines.
            ["outputs"] = new JsonArray(new JsonObject
            {
                ["output_type"] = "display_data", ["metadata"] = new JsonObject(),
                ["data"] = new JsonObject { ["text/html"] = new JsonArray(html.Split('\n').Select(l => (JsonNode?)(l + "\n")).ToArray()) },
            }),
            ["source"] = new JsonArray("chart"),
        };
        var path = temp.WriteText("executed.ipynb", new JsonObject
        {
            ["cells"] = new JsonArray(Cell(KitFragment), Cell(empty)),
            ["metadata"] = new JsonObject(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        }.ToJsonString());

        Assert.Equal(["executed.ipynb: cell 2: tagged \"chart\" but its figure has 2 traces and none with data"],
            NotebookChecker.Check(path, requireTaggedCharts: true).Select(p => p.ToString()));
    }
}
