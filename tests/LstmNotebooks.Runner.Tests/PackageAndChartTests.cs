using System.Text.Json.Nodes;
using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class PackageAndChartTests
{
    [Fact]
    public async Task NuGet_and_relative_dll_references_load_and_charts_and_tables_are_displayed()
    {
        using var temp = new TempNotebooks();
        Directory.CreateDirectory(Path.Combine(temp.Directory, "lib"));
        File.Copy(typeof(Assert).Assembly.Location, Path.Combine(temp.Directory, "lib", "xunit.assert.dll"));
        // A local package folder given relative to the notebook: the runner makes it absolute, as NuGet needs.
        Directory.CreateDirectory(Path.Combine(temp.Directory, "feed"));
        var path = temp.Write("packages.ipynb",
            Code("#i \"nuget: feed\"\n#r \"nuget: Newtonsoft.Json, 13.0.3\"\n#r \"nuget: Microsoft.DotNet.Interactive.Formatting, *-*\"\nNewtonsoft.Json.JsonConvert.SerializeObject(new { a = 1 })"),
            Code("#r \"lib/xunit.assert.dll\"\nXunit.Assert.Equal(1, 1);\n\"assert loaded\""),
            Code("#r \"nuget: Plotly.NET.CSharp, 0.14.0\"\n#r \"nuget: Plotly.NET.Interactive, 5.0.0\"\nusing Plotly.NET.CSharp;\nChart.Line<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 1, 4, 9 })"),
            Code("display(Chart.Combine(new[] { Chart.Point<int, int, string>(x: new[] { 1 }, y: new[] { 2 }), Chart.Point<int, int, string>(x: new[] { 3, 4 }, y: new[] { 4, 5 }) }));"),
            Code("#r \"nuget: Microsoft.Data.Analysis, 0.23.1\"\nusing Microsoft.Data.Analysis;\nnew DataFrame(new PrimitiveDataFrameColumn<int>(\"a\", new[] { 1, 2, 3 }), new StringDataFrameColumn(\"b\", new[] { \"x\", \"y\", \"z\" }))"),
            Code("Chart.Line<int, int, string>(x: new int[0], y: new int[0])"));

        var result = Assert.Single((await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = temp.OutDirectory })).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Equal("{\"a\":1}", ((DisplayOutput)result.OfCell(1).Single()).Data["text/plain"]);
        Assert.Equal("assert loaded", ((DisplayOutput)result.OfCell(2).Single()).Data["text/plain"]);

        var line = Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(3)));
        Assert.Equal(DisplayKind.Chart, line.Kind);
        Assert.Equal((1, 1, 3), (line.Chart!.TraceCount, line.Chart.NonEmptyTraceCount, line.Chart.PointCount));
        Assert.Equal(["scatter"], line.Chart.TraceTypes);
        Assert.Contains("Plotly.newPlot", line.PageHtml);
        Assert.Contains("requirejs", line.Data["text/html"]); // the .ipynb keeps the kernel extension's loader

        var combined = Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(4)));
        Assert.Equal((2, 2, 3), (combined.Chart!.TraceCount, combined.Chart.NonEmptyTraceCount, combined.Chart.PointCount));

        var table = Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(5)));
        Assert.Equal(DisplayKind.Table, table.Kind);
        Assert.Equal(new TableSummary(3, 2), table.Table);
        Assert.Contains("<td>z</td>", table.Data["text/html"]);

        var empty = Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(6)));
        Assert.Equal((1, 0), (empty.Chart!.TraceCount, empty.Chart.NonEmptyTraceCount));

        // plotly.js is inlined once however many charts the page has; every chart is a marked div the browser check finds.
        var page = File.ReadAllText(result.HtmlPath!);
        Assert.Equal(1, Count(page, "/* plotly.js "));
        Assert.Equal(3, Count(page, "class=\"nb-chart\""));
        Assert.Contains("data-expected-traces=\"2\"", page);
        Assert.DoesNotContain("<script src=", page);

        var executed = JsonNode.Parse(File.ReadAllText(result.ExecutedNotebookPath!))!;
        var figure = executed["cells"]![2]!["outputs"]![0]!["data"]!["application/vnd.plotly.v1+json"]!;
        Assert.Equal(3, figure["data"]![0]!["x"]!.AsArray().Count);
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
