using System.Text.Json.Nodes;
using LstmNotebooks.Runner;

namespace LstmNotebooks.Runner.Tests;

public sealed class CheckTests
{
    private static JsonObject Cell(JsonArray outputs, params string[] tags) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = 1,
        ["metadata"] = tags.Length == 0 ? new JsonObject() : new JsonObject { ["tags"] = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray()) },
        ["outputs"] = outputs,
        ["source"] = new JsonArray("x"),
    };

    private static string Write(TempNotebooks temp, params JsonObject[] cells) =>
        temp.WriteText("executed.ipynb", new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode?)c).ToArray()),
            ["metadata"] = new JsonObject(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        }.ToJsonString());

    [Fact]
    public void ErrorOutputsAndTaggedCellsWithoutChartsAreProblemsInAKernelExecutedNotebook()
    {
        using var temp = new TempNotebooks();
        // As nbconvert writes what the real kernel sends: a compile error is a stderr stream, then ename "Error", evalue "compilation error".
        var path = Write(temp,
            Cell([new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = new JsonArray("fine\n") }]),
            Cell([
                new JsonObject { ["output_type"] = "stream", ["name"] = "stderr", ["text"] = new JsonArray("\n", "(1,9): error CS0103: The name 'x' does not exist\n") },
                new JsonObject { ["output_type"] = "error", ["ename"] = "Error", ["evalue"] = "compilation error", ["traceback"] = new JsonArray() },
            ]),
            Cell([new JsonObject { ["output_type"] = "execute_result", ["execution_count"] = 3, ["metadata"] = new JsonObject(),
                ["data"] = new JsonObject { ["text/plain"] = "1" } }], "chart"),
            Cell([new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(),
                ["data"] = new JsonObject { ["application/vnd.plotly.v1+json"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["x"] = new JsonArray(1, 2) }) } } }], "chart"),
            Cell([new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(),
                ["data"] = new JsonObject { ["text/html"] = new JsonArray("<div></div><script>Plotly.newPlot('a', [])</script>") } }], "chart"),
            Cell([new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(),
                ["data"] = new JsonObject { ["application/vnd.plotly.v1+json"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["x"] = new JsonArray() }) } } }], "chart"));

        Assert.Equal(["executed.ipynb: cell 2: error output: Error: (1,9): error CS0103: The name 'x' does not exist"],
            NotebookChecker.Check(path, requireTaggedCharts: false).Select(p => p.ToString()));
        var strict = NotebookChecker.Check(path, requireTaggedCharts: true).Select(p => p.ToString()).ToArray();
        Assert.Equal(3, strict.Length);
        Assert.Contains("executed.ipynb: cell 3: tagged \"chart\" but has no Plotly output (application/vnd.plotly.v1+json or a Plotly.newPlot call)", strict);
        Assert.Contains("executed.ipynb: cell 6: tagged \"chart\" but its figure has 1 traces and none with data", strict);
    }

    [Fact]
    public async Task TheCheckVerbExitsOneWithALinePerProblemAndZeroWhenClean()
    {
        using var temp = new TempNotebooks();
        var path = Write(temp, Cell([new JsonObject { ["output_type"] = "error", ["ename"] = "Error", ["evalue"] = "System.Exception: boom", ["traceback"] = new JsonArray() }]));

        var (code, output, _) = await Cli.RunAsync(temp.Directory, "check", path);
        Assert.Equal(1, code);
        Assert.Contains("executed.ipynb: cell 1: error output: Error: System.Exception: boom", output);

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"error\"", "\"stream\"").Replace("\"ename\"", "\"name\""));
        Assert.Equal(0, (await Cli.RunAsync(temp.Directory, "check", temp.Directory)).ExitCode);
    }
}
