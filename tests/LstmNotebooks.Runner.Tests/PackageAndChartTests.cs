using System.Text.Json.Nodes;
using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class PackageAndChartTests(TestPackageFeed feed) : IClassFixture<TestPackageFeed>
{
    [Fact]
    public async Task PackagesRestoreAsAskedTheirExtensionDibRunsAndChartsAreTheirPlotlyOutputs()
    {
        using var temp = new TempNotebooks();
        Directory.CreateDirectory(Path.Combine(temp.Directory, "lib"));
        File.Copy(typeof(Assert).Assembly.Location, Path.Combine(temp.Directory, "lib", "xunit.assert.dll"));
        var path = temp.Write("packages.ipynb",
            Code($"#r \"nuget: {TestPackageFeed.Id}, {feed.Version}\"\nnew LstmNotebooks.Runner.TestChart.TestChart(new double[] {{ 1, 2, 3 }}, new double[] {{ 1, 4, 9 }})", tags: ["chart"]),
            Code("#r \"lib/xunit.assert.dll\"\nXunit.Assert.Equal(1, 1);\n\"assert loaded\""),
            Code("display(new LstmNotebooks.Runner.TestChart.TestChart(new double[0], new double[0]));"),
            Code("#!fsharp\n#r \"nuget: LstmNotebooks.Runner.TestChart, " + feed.Version + "\"\nLstmNotebooks.Runner.TestChart.TestChart([| 1.0 |], [| 2.0 |])", tags: ["chart"]),
            Code("#r \"nuget: Newtonsoft.Json, 13.0.3\"\nNewtonsoft.Json.JsonConvert.SerializeObject(new { a = 1 })"));

        var report = await temp.RunAsync(path, new RunOptions { OutputDirectory = temp.OutDirectory, Sources = [feed.Feed] });

        var result = Assert.Single(report.Notebooks);
        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        var first = result.OfCell(1);
        Assert.Contains("Installed Packages", first.Html(0));
        Assert.StartsWith("Loading extension script from `", first.Display(1).Data["text/plain"]);
        Assert.EndsWith("interactive-extensions/dotnet/extension.dib`", first.Display(1).Data["text/plain"]);
        Assert.Equal("test extension loaded\n", first.OfType<StreamOutput>().Single().Text);
        var chart = first.OfType<DisplayOutput>().Last();
        Assert.True(chart.IsResult);
        Assert.Equal(DisplayKind.Chart, chart.Kind);
        Assert.Equal((1, 1, 3), (chart.Chart!.TraceCount, chart.Chart.NonEmptyTraceCount, chart.Chart.PointCount));
        Assert.Equal(["scatter"], chart.Chart.TraceTypes);

        Assert.Equal("assert loaded", result.OfCell(2).Display().Data["text/plain"]);
        var empty = result.OfCell(3).Display();
        Assert.Equal((1, 0), (empty.Chart!.TraceCount, empty.Chart.NonEmptyTraceCount));
        Assert.Equal(DisplayKind.Chart, result.OfCell(4).OfType<DisplayOutput>().Last().Kind); // the C# extension's formatter, in F#
        Assert.Equal("{\"a\":1}", result.OfCell(5).OfType<DisplayOutput>().Last().Data["text/plain"]);

        // The page marks every chart for the browser check and shows the chart's own html.
        var page = File.ReadAllText(result.HtmlPath!);
        Assert.Equal(3, page.Split("class=\"nb-chart\"").Length - 1);
        Assert.Contains("data-expected-traces=\"1\"", page);
        var executed = JsonNode.Parse(File.ReadAllText(result.ExecutedNotebookPath!))!;
        var figure = executed["cells"]![0]!["outputs"]!.AsArray().Last()!["data"]!["application/vnd.plotly.v1+json"]!;
        Assert.Equal(3, figure["data"]![0]!["x"]!.AsArray().Count);
    }

    [Fact]
    public async Task ATaggedChartCellWithoutAChartFailsAndAKernelExtensionAssemblyFormatsADataFrame()
    {
        using var temp = new TempNotebooks();
        var path = temp.Write("tables.ipynb",
            Code("#r \"nuget: Microsoft.Data.Analysis, 0.23.1\"\nusing Microsoft.Data.Analysis;\n" +
                 "new DataFrame(new PrimitiveDataFrameColumn<int>(\"a\", new[] { 1, 2, 3 }), new StringDataFrameColumn(\"b\", new[] { \"x\", \"y\", \"z\" }))"),
            Code("1 + 1", tags: ["chart"]),
            Code("2"));

        var result = Assert.Single((await temp.RunAsync(path)).Notebooks);

        Assert.Equal(NotebookStatus.Failed, result.Status);
        var table = result.OfCell(1);
        Assert.Contains(table.OfType<DisplayOutput>(), d => d.Data.TryGetValue("text/plain", out var t)
            && t.StartsWith("Loading extensions from `", StringComparison.Ordinal) && t.Contains("Microsoft.Data.Analysis.Interactive.dll"));
        var html = table.OfType<DisplayOutput>().Last().Data["text/html"];
        Assert.StartsWith("<table id=\"table_", html); // the DataFrameKernelExtension's table, not a built-in one
        Assert.Contains("<th>b</th>", html);
        Assert.Equal(ErrorKind.MissingChart, Assert.IsType<ErrorOutput>(result.OfCell(2).Last()).Kind);
        Assert.Equal((2, CellStatus.NotRun), (result.Failure!.CellNumber!.Value, result.Cells[2].Status));
    }
}
