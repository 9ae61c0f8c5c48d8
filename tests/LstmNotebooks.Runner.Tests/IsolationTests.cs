using System.Diagnostics;
using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

/// <summary>A notebook runs in a process of its own: whatever it does, the next notebook runs, and what it printed is kept.</summary>
public sealed class IsolationTests
{
    [Theory]
    [InlineData("exit", "Console.WriteLine(\"before the end\");\nEnvironment.Exit(3);", ErrorKind.ProcessExited, "exit code 3")]
    [InlineData("stack-overflow", "Console.WriteLine(\"before the end\");\nint Deep(int n) => Deep(n + 1) + 1;\nDeep(0)", ErrorKind.ProcessExited, "a stack overflow")]
    [InlineData("background-throw", "Console.WriteLine(\"before the end\");\nnew System.Threading.Thread(() => throw new InvalidOperationException(\"bg boom\")).Start();\nSystem.Threading.Thread.Sleep(20000);", ErrorKind.ProcessExited, "an unhandled exception")]
    [InlineData("never-returns", "Console.WriteLine(\"before the end\");\nwhile (true) { }", ErrorKind.Timeout, "cell 2 did not finish within 20 s (--cell-timeout)")]
    public async Task ANotebookThatDiesOrHangsFailsWithWhatItPrintedAndTheNextNotebookStillRuns(string name, string code, ErrorKind kind, string expected)
    {
        using var temp = new TempNotebooks();
        temp.Write($"a-{name}.ipynb", Code("var before = 1;"), Code(code), Code("before"));
        temp.Write("b-next.ipynb", Code("\"still runs\""));

        var watch = Stopwatch.StartNew();
        var report = await temp.RunAsync(options: new RunOptions { OutputDirectory = temp.OutDirectory, CellTimeout = TimeSpan.FromSeconds(20) });

        var failed = report.Notebooks[0];
        Assert.True(failed.Status == NotebookStatus.Failed, failed.Describe());
        Assert.True(failed.Failure!.CellNumber == 2, failed.Describe());
        var outputs = failed.OfCell(2);
        Assert.Equal("before the end\n", Assert.IsType<StreamOutput>(outputs[0]).Text);
        var error = Assert.IsType<ErrorOutput>(outputs[^1]);
        Assert.Equal(kind, error.Kind);
        Assert.Contains(expected, error.Message);
        Assert.Equal(CellStatus.NotRun, failed.Cells[2].Status);
        Assert.True(File.Exists(failed.ExecutedNotebookPath) && File.Exists(failed.HtmlPath));
        Assert.Contains("before the end", File.ReadAllText(failed.ExecutedNotebookPath!));
        Assert.Equal("still runs", report.Notebooks[1].OfCell(1).Display().Data["text/plain"]);
        Assert.Contains("b-next.html", File.ReadAllText(report.IndexPath!));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task EnvironmentAndWorkingDirectoryChangesNeverReachTheNextNotebook()
    {
        using var temp = new TempNotebooks();
        temp.Write("a-changes.ipynb", Code("Environment.SetEnvironmentVariable(\"RUNNER_TEST_LEAK\", \"leaked\");\nSystem.IO.Directory.SetCurrentDirectory(\"/\");"));
        temp.Write("b-reads.ipynb", Code("(Environment.GetEnvironmentVariable(\"RUNNER_TEST_LEAK\") ?? \"clean\") + \" \" + System.IO.Directory.GetCurrentDirectory()"));

        var report = await temp.RunAsync();

        Assert.True(report.Succeeded, report.Notebooks[0].Describe());
        Assert.Equal($"clean {temp.Directory}", report.Notebooks[1].OfCell(1).Display().Data["text/plain"]);
    }

    [Fact]
    public async Task SetOutSilencesOnlyItsCellAndLateBackgroundOutputIsKeptInTheCellThatStartedIt()
    {
        using var temp = new TempNotebooks();
        var path = temp.Write("console.ipynb",
            Code("Console.SetOut(System.IO.TextWriter.Null);\nConsole.WriteLine(\"hidden\");"),
            Code("Console.WriteLine(\"visible\");"),
            Code("_ = Task.Run(async () => { await Task.Delay(300); Console.WriteLine(\"late\"); });"),
            Code("await Task.Delay(1500);\nConsole.WriteLine(\"second\");"));

        var result = Assert.Single((await temp.RunAsync(path)).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.Empty(result.OfCell(1));
        Assert.Equal("visible\n", Assert.IsType<StreamOutput>(Assert.Single(result.OfCell(2))).Text);
        Assert.Equal("late\n", Assert.IsType<StreamOutput>(Assert.Single(result.OfCell(3))).Text);
        Assert.Equal("second\n", Assert.IsType<StreamOutput>(Assert.Single(result.OfCell(4))).Text);
    }

    [Fact]
    public async Task OutputPerCellIsCappedWithAVisibleMarkerInTheNotebookAndThePage()
    {
        using var temp = new TempNotebooks();
        var path = temp.Write("loud.ipynb",
            Code("for (var i = 0; i < 200000; i++) Console.WriteLine(i);"),
            Code("Console.Write(new string('x', 50_000_000));"));

        var result = Assert.Single((await temp.RunAsync(path, new RunOptions { OutputDirectory = temp.OutDirectory, MaxOutputLines = 100, CellTimeout = TimeSpan.FromSeconds(90) })).Notebooks);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        var text = string.Concat(result.OfCell(1).OfType<StreamOutput>().Select(s => s.Text));
        Assert.Equal(101, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.EndsWith("… 199900 more lines (output capped at 100 lines per cell; --max-output-lines)\n", text);
        var line = string.Concat(result.OfCell(2).OfType<StreamOutput>().Select(s => s.Text));
        Assert.True(line.Length < 30_000, $"kept {line.Length} characters of one 50,000,000-character line");
        Assert.Contains("more lines", line);
        Assert.Contains("… 199900 more lines", File.ReadAllText(result.ExecutedNotebookPath!));
        Assert.Contains("… 199900 more lines", File.ReadAllText(result.HtmlPath!));
        Assert.True(new FileInfo(result.ExecutedNotebookPath!).Length < 200_000);
    }
}
