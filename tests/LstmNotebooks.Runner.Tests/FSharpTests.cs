using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class FSharpTests
{
    [Fact]
    public async Task ValuesMoveBetweenCSharpAndFSharpWithShareAndSet()
    {
        using var temp = new TempNotebooks();
        // The notebook default is F# (kernelspec .net-fsharp): the last cell has no selector and runs in F#.
        var path = temp.Write("sharing.ipynb", "fsharp",
            Code("#!csharp\nvar n = 21;\nvar words = new List<string> { \"a\", \"b\" };"),
            Code("#!share --from csharp n\n#!share --from csharp words --as ws\nprintfn \"n=%d\" n\nws.Add \"c\"\nn * 2", "fsharp"),
            Code("#!csharp\nwords.Count"),
            Code("#!set --name d --value @csharp:n\nd + 0.5", "fsharp"),
            Code("#!set --name lit --value \"hello world\"\nlet fromFs = lit.ToUpper()\nlet fsList = [1; 2; 3]\ndisplay fromFs |> ignore\n(7).Display() |> ignore", "fsharp"),
            Code("#!csharp\n#!share --from fsharp fromFs\n#!set --name arr --value @fsharp:fsList\n$\"{fromFs}! {arr.GetArrayLength()}\""),
            Code("#!fsharp\nsprintf \"%s via selector\" fromFs"),
            Code("#!csharp\nvar fromSplit = 1;\n#!fsharp\nlet fromSplitF = 2\nfromSplitF + 40"),
            Code("fsList", kernel: null));

        var result = Assert.Single((await temp.RunAsync(path)).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        var cell2 = result.OfCell(2);
        Assert.Equal("n=21\n", Assert.IsType<StreamOutput>(cell2[0]).Text);
        Assert.Contains("<pre>42</pre>", cell2.Html());
        Assert.Contains("<pre>3</pre>", result.OfCell(3).Html()); // shared by reference
        Assert.Contains("<pre>21.5</pre>", result.OfCell(4).Html()); // JSON copy: a double
        var fsDisplays = result.OfCell(5).Cast<DisplayOutput>().ToArray();
        Assert.Equal("HELLO WORLD", fsDisplays[0].Data["text/plain"]);
        Assert.Contains("<pre>7</pre>", fsDisplays[1].Data["text/html"]);
        Assert.Equal("HELLO WORLD! 3", result.OfCell(6).Display().Data["text/plain"]);
        Assert.Equal("HELLO WORLD via selector", result.OfCell(7).Display().Data["text/plain"]);
        Assert.Contains("<pre>42</pre>", result.OfCell(8).Html());
        Assert.Equal(KernelName.FSharp, result.Cells[8].Kernel);
        Assert.Contains("[ 1, 2, 3 ]", result.OfCell(9).Html());
    }

    [Fact]
    public async Task FSharpCompileErrorsAndExceptionsNameCellAndLine()
    {
        using var temp = new TempNotebooks();
        temp.Write("a-fs-compile.ipynb", "fsharp", Code("let a = 1\nlet b = a + \"x\"", kernel: null));
        temp.Write("b-fs-runtime.ipynb", "fsharp", Markdown("text"), Code("let a = 1\nprintfn \"start\"\n(failwith \"fs boom\" : unit)", kernel: null));

        var report = await temp.RunAsync();

        var compile = report.Notebooks[0].Failure!;
        Assert.Equal((1, 2), (compile.CellNumber!.Value, compile.Line!.Value));
        Assert.Contains("FS0001", compile.Message);
        var runtime = report.Notebooks[1].Failure!;
        Assert.Equal((2, 3), (runtime.CellNumber!.Value, runtime.Line!.Value));
        Assert.Contains("fs boom", runtime.Message);
        Assert.Equal("start\n", Assert.IsType<StreamOutput>(report.Notebooks[1].OfCell(2)[0]).Text);
    }
}
