using System.Text.Json.Nodes;
using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class CSharpCellTests
{
    [Fact]
    public async Task StateIsSharedAcrossCellsAndEveryOutputKindIsCapturedAsTheKernelSendsIt()
    {
        using var temp = new TempNotebooks();
        var path = temp.Write("kinds.ipynb",
            Markdown("# Kinds\nSome *text*."),
            Code("var x = 41;\nConsole.WriteLine(\"to stdout\");\nConsole.Error.WriteLine(\"to stderr\");"),
            Code("x + 1"),
            Code("\"a string\""),
            Code("display(3.5);\nnew { Name = \"Ada\", Age = 36 }.Display();\ndisplay(HTML(\"<b>bold</b>\"));"),
            Code("#!time\nEnvironment.GetEnvironmentVariable(\"RUNNER_TEST_SETTING\")"),
            Code("var handle = display(\"first\");\nhandle.Update(\"second\");"),
            Code("x * 2", "csharp", legacyMetadataOnly: true),
            Code("x - 1", kernel: null),
            Code("#!markdown\n**bold** markdown from a code cell"),
            Code("#!who\ndisplay(x, \"text/plain\");"));

        var report = await temp.RunAsync(path, new RunOptions { OutputDirectory = temp.OutDirectory, Environment = new Dictionary<string, string> { ["RUNNER_TEST_SETTING"] = "42" } });

        var result = Assert.Single(report.Notebooks);
        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Equal(CellStatus.Rendered, result.Cells[0].Status);

        var console = result.OfCell(2);
        Assert.Equal("to stdout\n", Assert.IsType<StreamOutput>(console[0]).Text);
        Assert.Equal(StreamName.Stderr, Assert.IsType<StreamOutput>(console[1]).Stream);

        var number = Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(3)));
        Assert.True(number.IsResult);
        Assert.Equal(DisplayKind.Html, number.Kind);
        Assert.Contains("<pre>42</pre>", number.Data["text/html"]);
        Assert.Equal("a string", Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(4))).Data["text/plain"]);

        var displayed = result.OfCell(5).Cast<DisplayOutput>().ToArray();
        Assert.Equal(3, displayed.Length);
        Assert.All(displayed, d => Assert.False(d.IsResult));
        Assert.Contains("3.5", displayed[0].Data["text/html"]);
        Assert.Contains("Ada", displayed[1].Data["text/html"]);
        Assert.Equal("<b>bold</b>", displayed[2].Data["text/html"]);

        var timed = result.OfCell(6).Cast<DisplayOutput>().ToArray();
        Assert.Equal("42", timed[0].Data["text/plain"]);
        Assert.Matches(@"^Wall time: \d+(\.\d+)?ms$", timed[1].Data["text/plain"]);

        Assert.Equal("second", Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(7))).Data["text/plain"]);
        Assert.Contains("<pre>82</pre>", result.OfCell(8).Html());
        Assert.Contains("<pre>40</pre>", result.OfCell(9).Html());
        Assert.Contains("<strong>bold</strong>", result.OfCell(10).Html());
        var who = result.OfCell(11).Cast<DisplayOutput>().ToArray();
        Assert.Contains("handle", who[0].Data["text/html"]);
        Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "41" }, who[1].Data);

        // The executed notebook: nbformat 4, a value as execute_result with the execution count, a display as display_data.
        var executed = JsonNode.Parse(File.ReadAllText(result.ExecutedNotebookPath!))!.AsObject();
        var cells = executed["cells"]!.AsArray();
        Assert.Equal(1, cells[1]!["execution_count"]!.GetValue<int>());
        Assert.Equal("stream", cells[1]!["outputs"]![0]!["output_type"]!.GetValue<string>());
        Assert.Equal("execute_result", cells[2]!["outputs"]![0]!["output_type"]!.GetValue<string>());
        Assert.Equal(2, cells[2]!["outputs"]![0]!["execution_count"]!.GetValue<int>());
        Assert.Equal("display_data", cells[4]!["outputs"]![0]!["output_type"]!.GetValue<string>());

        var page = File.ReadAllText(result.HtmlPath!);
        Assert.Contains("<h1 id=\"kinds\">Kinds</h1>", page);
        Assert.Contains("to stdout", page);
        Assert.Contains("data-error-recorder", page);
        Assert.Contains("RUNNER_TEST_SETTING=42", page);
        Assert.Contains("kinds.html", File.ReadAllText(report.IndexPath!));
    }

    [Fact]
    public async Task CodeRunsInTheNotebookFolderWithTheRunnersEnvironmentAndWritesNothingWithoutOut()
    {
        using var temp = new TempNotebooks();
        var path = temp.Write("defaults.ipynb",
            Code("Environment.GetEnvironmentVariable(\"RUNNER_TEST_UNSET\") ?? \"unset\""),
            Code("System.IO.Directory.GetCurrentDirectory()"));

        var result = Assert.Single((await NotebookRunner.RunAsync(path)).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Equal("unset", result.OfCell(1).Display().Data["text/plain"]);
        Assert.Equal(temp.Directory, result.OfCell(2).Display().Data["text/plain"]);
        Assert.Null(result.HtmlPath);
    }

    [Fact]
    public async Task ADibFileRunsAndIsWrittenAsIpynb()
    {
        using var temp = new TempNotebooks();
        var path = temp.WriteText("plain.dib", """
            #!meta

            {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

            #!markdown

            # A dib notebook

            #!csharp

            var greeting = "hi";

            #!html

            <p id="from-html">html cell</p>

            #!fsharp

            "from F#"

            #!csharp

            greeting + "!"

            """);

        var result = Assert.Single((await temp.RunAsync(path)).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Equal(5, result.Cells.Count);
        Assert.Equal(CellType.Markdown, result.Cells[0].Type);
        Assert.Contains("from-html", result.OfCell(3).Html());
        Assert.Equal(KernelName.FSharp, result.Cells[3].Kernel);
        Assert.Equal("from F#", result.OfCell(4).Display().Data["text/plain"]);
        Assert.Equal("hi!", result.OfCell(5).Display().Data["text/plain"]);
        var executed = JsonNode.Parse(File.ReadAllText(result.ExecutedNotebookPath!))!;
        Assert.Equal("markdown", executed["cells"]![0]!["cell_type"]!.GetValue<string>());
        Assert.Equal("csharp", executed["cells"]![1]!["metadata"]!["polyglot_notebook"]!["kernelName"]!.GetValue<string>());
    }
}
