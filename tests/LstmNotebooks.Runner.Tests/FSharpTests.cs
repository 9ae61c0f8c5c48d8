using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class FSharpTests
{
    [Fact]
    public async Task A_value_of_a_referenced_library_type_is_shared_from_CSharp_to_FSharp_by_reference()
    {
        // The core library, as the notebooks load it: both kernels must see one Assembly, or the F# binding of a
        // shared LstmNotebooks.Sequence<float> would not be of F#'s LstmNotebooks.Sequence<float>.
        var repo = Directory.GetParent(RepositoryNotebookTests.NotebooksFolder)!.FullName;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var core = Path.Combine(repo, "src", "LstmNotebooks", "bin", configuration, "net10.0", "LstmNotebooks.dll");
        Assert.True(File.Exists(core), $"expected the core library at {core} (the runner project builds it)");
        using var temp = new TempNotebooks();
        var path = temp.Write("library-share.ipynb", "csharp",
            Code($"#r \"{core}\"\nvar seq = LstmNotebooks.Sequence.FromScalars<float>(new float[] {{ 1f, 2f, 3f }});\nseq.Steps"),
            Code($"#r \"{core}\"\nopen LstmNotebooks", "fsharp"),
            Code("#!share --from csharp seq\nlet s : Sequence<float32> = seq\ns.Steps * 10", "fsharp"));

        var result = Assert.Single((await NotebookRunner.RunAsync(path)).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Contains("<pre>30</pre>", ((DisplayOutput)result.OfCell(3).Single()).Data["text/html"]);
    }

    [Fact]
    public async Task Values_move_between_CSharp_and_FSharp_with_share_and_set()
    {
        using var temp = new TempNotebooks();
        // The notebook default is F#: the last cell has no kernel metadata and runs in F#.
        var path = temp.Write("sharing.ipynb", "fsharp",
            Code("var n = 21;\nvar words = new List<string> { \"a\", \"b\" };"),
            Code("#!share --from csharp n\n#!share --from csharp words --as ws\n#r \"nuget: Plotly.NET.Interactive, 5.0.0\"\nprintfn \"n=%d\" n\nws.Add \"c\"\nn * 2", "fsharp"),
            Code("words.Count"),
            Code("#!set --name d --value @csharp:n\nd + 0.5", "fsharp"),
            Code("#!set --name lit --value \"hello world\"\nlet fromFs = lit.ToUpper()\nlet fsList = [1; 2; 3]\ndisplay fromFs |> ignore\n(7).Display() |> ignore", "fsharp"),
            Code("#!share --from fsharp fromFs\n#!set --name arr --value @fsharp:fsList\n$\"{fromFs}! {arr.RootElement.GetArrayLength()}\""),
            Code("#!fsharp\nsprintf \"%s via selector\" fromFs"),
            Code("#!csharp\nvar fromSplit = 1;\n#!fsharp\nlet fromSplitF = 2\nfromSplitF + 40"),
            Code("fsList", kernel: null));

        var result = Assert.Single((await NotebookRunner.RunAsync(path)).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        var cell2 = result.OfCell(2);
        Assert.Equal("n=21\n", Assert.IsType<StreamOutput>(cell2[0]).Text);
        Assert.Contains("<pre>42</pre>", ((DisplayOutput)cell2[1]).Data["text/html"]);
        Assert.Contains("<pre>3</pre>", ((DisplayOutput)result.OfCell(3).Single()).Data["text/html"]); // shared by reference
        Assert.Contains("<pre>21.5</pre>", ((DisplayOutput)result.OfCell(4).Single()).Data["text/html"]); // JSON copy: a double
        var fsDisplays = result.OfCell(5).Cast<DisplayOutput>().ToArray();
        Assert.Equal("HELLO WORLD", fsDisplays[0].Data["text/plain"]);
        Assert.Contains("<pre>7</pre>", fsDisplays[1].Data["text/html"]);
        Assert.Equal("HELLO WORLD! 3", ((DisplayOutput)result.OfCell(6).Single()).Data["text/plain"]);
        Assert.Equal("HELLO WORLD via selector", ((DisplayOutput)result.OfCell(7).Single()).Data["text/plain"]);
        Assert.Contains("<pre>42</pre>", ((DisplayOutput)result.OfCell(8).Single()).Data["text/html"]);
        Assert.Equal("fsharp", result.Cells[8].Language);
        Assert.Contains("[ 1, 2, 3 ]", ((DisplayOutput)result.OfCell(9).Single()).Data["text/html"]);
    }

    [Fact]
    public async Task FSharp_compile_errors_and_exceptions_name_cell_and_line()
    {
        using var temp = new TempNotebooks();
        temp.Write("a-fs-compile.ipynb", "fsharp", Code("let a = 1\nlet b = a + \"x\"", kernel: null));
        temp.Write("b-fs-runtime.ipynb", "fsharp", Markdown("text"), Code("let a = 1\nprintfn \"start\"\n(failwith \"fs boom\" : unit)", kernel: null));

        var report = await NotebookRunner.RunAsync(temp.Directory);

        var compile = report.Notebooks[0].Failure!;
        Assert.Equal((1, 2), (compile.CellNumber!.Value, compile.Line!.Value));
        Assert.Contains("FS0001", compile.Message);
        var runtime = report.Notebooks[1].Failure!;
        Assert.Equal((2, 3), (runtime.CellNumber!.Value, runtime.Line!.Value));
        Assert.Contains("fs boom", runtime.Message);
        Assert.Equal("start\n", Assert.IsType<StreamOutput>(report.Notebooks[1].OfCell(2)[0]).Text);
    }
}
