using System.Text.Json.Nodes;
using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class CSharpCellTests
{
    [Fact]
    public async Task State_is_shared_across_cells_and_every_output_kind_is_captured()
    {
        using var temp = new TempNotebooks();
        var path = temp.Write("kinds.ipynb",
            Markdown("# Kinds\nSome *text*."),
            Code("var x = 41;\nConsole.WriteLine(\"to stdout\");\nConsole.Error.WriteLine(\"to stderr\");"),
            Code("x + 1"),
            Code("\"a string\""),
            Code("display(3.5);\nnew { Name = \"Ada\", Age = 36 }.Display();\ndisplay(HTML(\"<b>bold</b>\"));"),
            Code("#!time\nEnvironment.GetEnvironmentVariable(\"LSTMNB_QUICK\")"),
            Code("var handle = display(\"first\");\nhandle.Update(\"second\");"),
            Code("x * 2", "csharp", legacyMetadataOnly: true),
            Code("x - 1", kernel: null),
            Code("#!markdown\n**bold** markdown from a code cell"),
            Code("#!who\ndisplay(x, \"text/plain\");"));

        var report = await NotebookRunner.RunAsync(path, new RunOptions { Quick = true, OutputDirectory = temp.OutDirectory });

        var result = Assert.Single(report.Notebooks);
        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Equal(CellStatus.Rendered, result.Cells[0].Status);

        var console = result.OfCell(2);
        Assert.Equal("to stdout\n", Assert.IsType<StreamOutput>(console[0]).Text);
        Assert.Equal(StreamName.Stderr, Assert.IsType<StreamOutput>(console[1]).Stream);

        var number = Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(3)));
        Assert.Equal(DisplayKind.Html, number.Kind);
        Assert.Contains("<pre>42</pre>", number.Data["text/html"]);

        var text = Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(4)));
        Assert.Equal(DisplayKind.PlainText, text.Kind);
        Assert.Equal("a string", text.Data["text/plain"]);

        var displayed = result.OfCell(5).Cast<DisplayOutput>().ToArray();
        Assert.Equal(3, displayed.Length);
        Assert.Contains("3.5", displayed[0].Data["text/html"]);
        Assert.Contains("Ada", displayed[1].Data["text/html"]);
        Assert.Contains("Age", displayed[1].Data["text/html"]);
        Assert.Equal("<b>bold</b>", displayed[2].Data["text/html"]);

        var timed = result.OfCell(6).Cast<DisplayOutput>().ToArray();
        Assert.Equal("1", timed[0].Data["text/plain"]);
        Assert.Matches(@"^Wall time: \d+(\.\d+)?ms$", timed[1].Data["text/plain"]);

        Assert.Equal("second", Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(7))).Data["text/plain"]);
        Assert.Contains("<pre>82</pre>", Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(8))).Data["text/html"]);
        Assert.Contains("<pre>40</pre>", Assert.IsType<DisplayOutput>(Assert.Single(result.OfCell(9))).Data["text/html"]);

        Assert.Contains("<strong>bold</strong>", ((DisplayOutput)result.OfCell(10).Single()).Data["text/html"]);
        var who = result.OfCell(11).Cast<DisplayOutput>().ToArray();
        Assert.Contains("handle", who[0].Data["text/plain"]);
        Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "41" }, who[1].Data);

        // The executed notebook: nbformat 4 outputs with execution counts.
        var executed = JsonNode.Parse(File.ReadAllText(result.ExecutedNotebookPath!))!.AsObject();
        Assert.Equal(4, executed["nbformat"]!.GetValue<int>());
        var cells = executed["cells"]!.AsArray();
        Assert.Equal(1, cells[1]!["execution_count"]!.GetValue<int>());
        Assert.Equal("stream", cells[1]!["outputs"]![0]!["output_type"]!.GetValue<string>());
        Assert.Equal("stdout", cells[1]!["outputs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("display_data", cells[2]!["outputs"]![0]!["output_type"]!.GetValue<string>());
        Assert.Equal(8, cells[8]!["execution_count"]!.GetValue<int>());

        var page = File.ReadAllText(result.HtmlPath!);
        Assert.Contains("<h1 id=\"kinds\">Kinds</h1>", page);
        Assert.Contains("to stdout", page);
        Assert.Contains("data-error-recorder", page);
        Assert.DoesNotContain("Plotly.newPlot", page); // no chart, so no plotly.js either
        Assert.Contains("kinds.html", File.ReadAllText(report.IndexPath!));
    }

    [Fact]
    public async Task Full_size_is_the_default_and_code_runs_in_the_notebook_folder()
    {
        using var temp = new TempNotebooks();
        var path = temp.Write("defaults.ipynb",
            Code("Environment.GetEnvironmentVariable(\"LSTMNB_QUICK\") ?? \"unset\""),
            Code("System.IO.Directory.GetCurrentDirectory()"));

        var result = Assert.Single((await NotebookRunner.RunAsync(path)).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Equal("unset", ((DisplayOutput)result.OfCell(1)[0]).Data["text/plain"]);
        Assert.Equal(temp.Directory, ((DisplayOutput)result.OfCell(2)[0]).Data["text/plain"]);
        Assert.Null(result.HtmlPath);
    }

    [Fact]
    public async Task A_dib_file_runs_and_is_written_as_ipynb()
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

            #!csharp

            greeting + "!"

            """);

        var result = Assert.Single((await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = temp.OutDirectory })).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Equal(4, result.Cells.Count);
        Assert.Equal(CellKind.Markdown, result.Cells[0].Kind);
        Assert.Contains("from-html", ((DisplayOutput)result.OfCell(3)[0]).Data["text/html"]);
        Assert.Equal("hi!", ((DisplayOutput)result.OfCell(4)[0]).Data["text/plain"]);
        var executed = JsonNode.Parse(File.ReadAllText(result.ExecutedNotebookPath!))!;
        Assert.Equal("markdown", executed["cells"]![0]!["cell_type"]!.GetValue<string>());
        Assert.Equal("csharp", executed["cells"]![1]!["metadata"]!["polyglot_notebook"]!["kernelName"]!.GetValue<string>());
    }
}
