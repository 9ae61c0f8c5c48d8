using System.Diagnostics;
using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class FailureTests
{
    [Fact]
    public async Task AFailingCellStopsItsNotebookNamesCellAndLineAndTheNextNotebookStillRuns()
    {
        using var temp = new TempNotebooks();
        temp.Write("a-compile.ipynb",
            Markdown("# compile error in cell 3"),
            Code("var a = 1;"),
            Code("var b = 2;\nvar c = a +\n    undefinedName;"),
            Code("a"));
        temp.Write("b-runtime.ipynb",
            Code("var list = new List<int>();\nConsole.WriteLine(\"before\");\nvar first = list[0];"),
            Code("1"));
        temp.Write("c-ok.ipynb", Code("1 + 1"));

        var report = await temp.RunAsync();

        Assert.Equal(["a-compile.ipynb", "b-runtime.ipynb", "c-ok.ipynb"], report.Notebooks.Select(n => n.Name));
        Assert.False(report.Succeeded);

        var compile = report.Notebooks[0];
        Assert.Equal(NotebookStatus.Failed, compile.Status);
        Assert.Equal(new NotebookFailure("a-compile.ipynb", 3, 3, compile.Failure!.Message), compile.Failure);
        Assert.Contains("CS0103", compile.Failure.Message);
        Assert.Contains("undefinedName", compile.Failure.Message);
        Assert.Equal(CellStatus.Failed, compile.Cells[2].Status);
        Assert.Equal(CellStatus.NotRun, compile.Cells[3].Status);
        var error = Assert.IsType<ErrorOutput>(compile.OfCell(3).Last());
        Assert.Contains("CS0103", Assert.IsType<StreamOutput>(compile.OfCell(3)[0]).Text); // the kernel's stderr diagnostics
        Assert.Equal(3, error.Line);
        Assert.StartsWith("a-compile.ipynb: cell 3, line 3: ", compile.Failure.ToString());

        var runtime = report.Notebooks[1];
        Assert.Equal(3, runtime.Failure!.Line);
        Assert.Equal(1, runtime.Failure.CellNumber);
        Assert.Contains("ArgumentOutOfRangeException", runtime.Failure.Message);
        var outputs = runtime.OfCell(1);
        Assert.Equal("before\n", Assert.IsType<StreamOutput>(outputs[0]).Text);
        Assert.IsType<ErrorOutput>(outputs[1]);

        Assert.Equal(NotebookStatus.Passed, report.Notebooks[2].Status);

        // The page shows everything up to and including the error.
        var page = File.ReadAllText(compile.HtmlPath!);
        Assert.Contains("undefinedName", page);
        Assert.Contains("class=\"error\"", page);
        Assert.Contains("not run", page);
        var index = File.ReadAllText(report.IndexPath!);
        Assert.Contains("a-compile.ipynb: cell 3, line 3", index);
    }

    [Fact]
    public async Task MagicCommandMistakesFailWithTheLineAndAClearMessage()
    {
        using var temp = new TempNotebooks();
        temp.Write("a-unknown.ipynb", Code("var x = 1;\n#!frobnicate --now\nx"));
        temp.Write("b-missing-var.ipynb", Code("var here = 1;"), Code("\n#!set --name y --value @csharp:nothere"));
        temp.Write("c-pwsh.ipynb", Code("#!pwsh\nGet-Item ."));
        temp.Write("d-restore.ipynb", Code("#r \"nuget: Definitely.Not.A.Real.Package.Lstmnb, 1.0.0\"\n1"));

        var report = await NotebookRunner.RunAsync(temp.Directory);

        var failures = report.Notebooks.Select(n => n.Failure!).ToArray();
        Assert.Equal((1, 2), (failures[0].CellNumber!.Value, failures[0].Line!.Value));
        Assert.Contains("Unknown magic command '#!frobnicate'", failures[0].Message);
        Assert.Equal((2, 2), (failures[1].CellNumber!.Value, failures[1].Line!.Value));
        Assert.Contains("Value 'nothere' not found in kernel csharp", failures[1].Message);
        Assert.Contains("kernel 'pwsh' is not available", failures[2].Message);
        Assert.Equal(1, failures[3].Line);
        Assert.Contains("NuGet restore failed for Definitely.Not.A.Real.Package.Lstmnb 1.0.0", failures[3].Message);
    }

    [Theory]
    [InlineData("{ \"cells\": [", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[]", "the top level is an array")]
    [InlineData("{\"cells\": []}", "missing field 'nbformat'")]
    [InlineData("{\"nbformat\": 3, \"cells\": []}", "unsupported nbformat 3; expected 4")]
    [InlineData("{\"nbformat\": \"4\", \"cells\": []}", "unsupported nbformat \"4\"")]
    [InlineData("{\"nbformat\": 4}", "missing field 'cells'")]
    [InlineData("{\"nbformat\": 4, \"cells\": {}}", "field 'cells' is an object")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"source\": \"x\"}]}", "cell 1 has no 'cell_type'")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"python\", \"source\": \"x\"}]}", "cell 1 has cell_type \"python\"")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"markdown\", \"source\": \"ok\"}, {\"cell_type\": \"code\"}]}", "cell 2 has no 'source'")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": 5}]}", "cell 1 has 'source' the value 5")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": [\"a\", 7]}]}", "cell 1, source line 2 is the value 7")]
    [InlineData("{\"nbformat\": 4, \"cells\": [42]}", "cell 1 is the value 42")]
    public async Task AMalformedNotebookIsReportedClearlyAndNeverCrashesTheRun(string content, string expected)
    {
        using var temp = new TempNotebooks();
        temp.WriteText("bad.ipynb", content);
        temp.Write("good.ipynb", Code("1"));

        var report = await temp.RunAsync();

        var bad = report.Notebooks[0];
        Assert.Equal(NotebookStatus.Malformed, bad.Status);
        Assert.Contains(expected, bad.Failure!.Message);
        Assert.Contains("bad.ipynb", bad.Failure.ToString());
        Assert.True(File.Exists(bad.HtmlPath));
        Assert.Equal(NotebookStatus.Passed, report.Notebooks[1].Status);
    }

    [Fact]
    public async Task AnUnsupportedFileTypeIsAClearError()
    {
        using var temp = new TempNotebooks();
        var path = temp.WriteText("notes.txt", "hello");
        var result = Assert.Single((await NotebookRunner.RunAsync(path)).Notebooks);
        Assert.Equal(NotebookStatus.Malformed, result.Status);
        Assert.Contains("unsupported file type '.txt'; expected '.ipynb' or '.dib'", result.Failure!.Message);
    }

    [Fact]
    public async Task TheCommandLineExitsNonZeroAndNamesNotebookCellAndLineOfEachFailure()
    {
        // Relative paths on purpose: the notebook folder and its #r path are resolved before the runner changes directory.
        using var temp = new TempNotebooks();
        Directory.CreateDirectory(Path.Combine(temp.Directory, "nbs"));
        Directory.CreateDirectory(Path.Combine(temp.Directory, "lib"));
        File.Copy(typeof(Assert).Assembly.Location, Path.Combine(temp.Directory, "lib", "xunit.assert.dll"));
        temp.WriteText(Path.Combine("nbs", "a-bad.ipynb"), "{ not json");
        temp.Write(Path.Combine("nbs", "b-fail.ipynb"), Code("var ok = 1;"), Code("throw new Exception(\"cli boom\");"));
        temp.Write(Path.Combine("nbs", "c-ok.ipynb"), Code("#r \"../lib/xunit.assert.dll\"\nXunit.Assert.True(true);\n2"));
        var runner = typeof(NotebookRunner).Assembly.Location;

        var start = new ProcessStartInfo("dotnet", ["exec", runner, "run", "nbs", "--out", "out", "--env", "X=1"])
        {
            WorkingDirectory = temp.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the runner did not finish within 3 minutes");

        var errors = await stderr;
        var output = await stdout;
        Assert.True(process.ExitCode == 1, $"exit code {process.ExitCode}\n{output}\n{errors}");
        Assert.Contains("FAILED a-bad.ipynb: ", errors);
        Assert.Contains("not valid JSON", errors);
        Assert.Contains("FAILED b-fail.ipynb: cell 2, line 1: Exception: cli boom", errors);
        Assert.DoesNotContain("c-ok.ipynb", errors);
        Assert.Contains("cell 2 of 2", output);
        Assert.Contains("1 of 3 notebooks passed", output);
        Assert.True(File.Exists(Path.Combine(temp.OutDirectory, "index.html")));
        Assert.True(File.Exists(Path.Combine(temp.OutDirectory, "c-ok.html")));
    }

    [Fact]
    public async Task TheCommandLineRejectsAMissingPathWithExitCode2()
    {
        using var temp = new TempNotebooks();
        var (code, _, errors) = await Cli.RunAsync(temp.Directory, "run", Path.Combine(temp.Directory, "nowhere"));
        Assert.Equal(2, code);
        Assert.Contains("is neither a notebook file nor a folder", errors);
    }

    [Theory]
    [InlineData("run . --cell-timeout -1", "--cell-timeout -1: expected a positive number of seconds")]
    [InlineData("run . --cell-timeout soon", "soon")]
    [InlineData("run . --env NOEQUALS", "--env 'NOEQUALS': expected NAME=VALUE")]
    [InlineData("run . --max-output-lines 0", "--max-output-lines must be at least 1")]
    [InlineData("run . --out existing.txt", "is an existing file")]
    [InlineData("run . --out .", "would overwrite the source notebooks")]
    [InlineData("run . --frobnicate", "--frobnicate")]
    [InlineData("check missing.ipynb", "'missing.ipynb' is neither an executed notebook nor a folder")]
    [InlineData("check existing.txt", "not valid JSON")]
    public async Task EveryBadArgumentIsOneClearLineAndExitCode2(string arguments, string expected)
    {
        using var temp = new TempNotebooks();
        temp.Write("ok.ipynb", Code("1"));
        temp.WriteText("existing.txt", "not a folder");

        var (code, _, errors) = await Cli.RunAsync(temp.Directory, arguments.Split(' '));

        Assert.True(code == 2, $"exit {code}: {errors}");
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", errors);
    }
}

/// <summary>The runner's command line, as a user runs it.</summary>
public static class Cli
{
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", typeof(NotebookRunner).Assembly.Location, .. arguments])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}
