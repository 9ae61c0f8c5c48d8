using System.CommandLine;
using LstmNotebooks.Runner;
using Spectre.Console;

var pathArgument = new Argument<string>("path")
{
    Description = "A notebook (.ipynb or .dib) or a folder of notebooks.",
    DefaultValueFactory = _ => "notebooks",
};
var outOption = new Option<string>("--out", "-o")
{
    Description = "Folder for the executed .ipynb files, the HTML pages and index.html.",
    DefaultValueFactory = _ => Path.Combine("artifacts", "notebooks"),
};
var quickOption = new Option<bool>("--quick")
{
    Description = $"Reduced sizes for CI: notebook code sees {RunOptions.QuickEnvironmentVariable}=1. Full size without it.",
};

var run = new Command("run", "Execute notebooks top to bottom and write executed .ipynb files and offline HTML pages.")
{
    pathArgument, outOption, quickOption,
};
run.SetAction(async (parse, cancellationToken) =>
{
    var path = parse.GetValue(pathArgument)!;
    var options = new RunOptions
    {
        OutputDirectory = parse.GetValue(outOption),
        Quick = parse.GetValue(quickOption),
        Progress = ShowProgress,
    };

    if (Directory.Exists(path) && NotebookRunner.FindNotebooks(path).Count == 0)
    {
        Console.Error.WriteLine($"error: no .ipynb or .dib files in '{path}'. Hint: pass a notebook file or the folder that holds the notebooks.");
        return 2;
    }

    RunReport report;
    try
    {
        report = await NotebookRunner.RunAsync(path, options, cancellationToken);
    }
    catch (FileNotFoundException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("cancelled: the run was stopped before all notebooks finished; no index was written.");
        return 130;
    }

    var table = new Table().AddColumns("Notebook", "Status", "Cells run", "Time", "Failure");
    foreach (var notebook in report.Notebooks)
    {
        var color = notebook.Status == NotebookStatus.Passed ? "green" : "red";
        table.AddRow(
            Markup.Escape(notebook.Name),
            $"[{color}]{notebook.Status}[/]",
            $"{notebook.Cells.Count(c => c.Status is CellStatus.Succeeded or CellStatus.Failed)} / {notebook.Cells.Count(c => c.Kind == CellKind.Code)}",
            $"{notebook.Elapsed.TotalSeconds:0.0} s",
            Markup.Escape(notebook.Failure?.Message.Split('\n')[0] ?? ""));
    }

    AnsiConsole.Write(table);
    if (report.IndexPath is not null)
    {
        AnsiConsole.MarkupLineInterpolated($"Pages: [link]{report.IndexPath}[/]");
    }

    foreach (var failure in report.Failures)
    {
        Console.Error.WriteLine($"FAILED {failure}");
    }

    var passed = report.Notebooks.Count(n => n.Status == NotebookStatus.Passed);
    Console.WriteLine($"{passed} of {report.Notebooks.Count} notebooks passed in {report.Elapsed.TotalSeconds:0.0} s.");
    return report.Succeeded ? 0 : 1;
});

var root = new RootCommand("Runs the LstmNotebooks Polyglot notebooks without VS Code (C# via Roslyn scripting, F# via FSharp.Compiler.Service).")
{
    run,
};
return await root.Parse(args).InvokeAsync();

static void ShowProgress(RunProgress p)
{
    var head = $"[{p.NotebookNumber}/{p.NotebookCount}] {p.Notebook}";
    var time = $"{p.Elapsed.TotalSeconds,6:0.0} s";
    switch (p.Phase)
    {
        case ProgressPhase.NotebookStarted:
            AnsiConsole.MarkupLineInterpolated($"[bold]{head}[/] ({p.CellCount} cells)");
            break;
        case ProgressPhase.CellStarted:
            AnsiConsole.MarkupLineInterpolated($"  {head}  cell {p.CellNumber} of {p.CellCount}  {time}  running");
            break;
        case ProgressPhase.CellFinished:
            var color = p.CellStatus == CellStatus.Succeeded ? "green" : "red";
            AnsiConsole.MarkupLineInterpolated($"  {head}  cell {p.CellNumber} of {p.CellCount}  {time}  [{color}]{p.CellStatus}[/]");
            break;
        case ProgressPhase.NotebookFinished:
            var c = p.NotebookStatus == NotebookStatus.Passed ? "green" : "red";
            AnsiConsole.MarkupLineInterpolated($"[bold]{head}[/]  [{c}]{p.NotebookStatus}[/]  {time}");
            break;
    }
}
