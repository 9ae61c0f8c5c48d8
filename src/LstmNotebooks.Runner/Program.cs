using System.CommandLine;
using System.Globalization;
using LstmNotebooks.Runner;
using Spectre.Console;

if (args is [Protocol.ChildVerb, ..]) return await NotebookHost.RunAsync();

var pathsArgument = new Argument<string[]>("paths")
{
    Description = "Notebooks (.ipynb, .dib) or folders of notebooks (their .ipynb and .dib files, in name order).",
    DefaultValueFactory = _ => ["."],
    Arity = ArgumentArity.OneOrMore,
};
var outOption = new Option<string>("--out", "-o")
{
    Description = "Folder for the executed .ipynb files, the HTML pages and index.html. Must not be a folder of the notebooks.",
    DefaultValueFactory = _ => Path.Combine("artifacts", "notebooks"),
};
var envOption = new Option<string[]>("--env", "-e")
{
    Description = "NAME=VALUE set in every notebook's environment (repeatable), e.g. --env LSTMNB_QUICK=1.",
    AllowMultipleArgumentsPerToken = false,
};
var sourceOption = new Option<string[]>("--source")
{
    Description = "A package source (folder or URL) added to every restore, as #i \"nuget: …\" would (repeatable). Relative folders are taken from the current directory.",
};
var cellTimeoutOption = new Option<double>("--cell-timeout")
{
    Description = "Seconds one cell may run before its notebook is stopped.",
    DefaultValueFactory = _ => new RunOptions().CellTimeout.TotalSeconds,
};
var notebookTimeoutOption = new Option<double>("--notebook-timeout")
{
    Description = "Seconds one notebook may run, all cells together.",
    DefaultValueFactory = _ => new RunOptions().NotebookTimeout.TotalSeconds,
};
var maxLinesOption = new Option<int>("--max-output-lines")
{
    Description = "Console lines kept per cell; the rest shows as \"… N more lines\".",
    DefaultValueFactory = _ => new RunOptions().MaxOutputLines,
};
var allowErrorsOption = new Option<bool>("--allow-errors")
{
    Description = "Run the cells after a failed one too (as nbconvert --allow-errors); the notebook still fails.",
};

var run = new Command("run", "Execute notebooks top to bottom, each in its own process, and write executed .ipynb files and offline HTML pages.")
{
    pathsArgument, outOption, envOption, sourceOption, cellTimeoutOption, notebookTimeoutOption, maxLinesOption, allowErrorsOption,
};
run.SetAction(async (parse, cancellationToken) =>
{
    RunOptions options;
    IReadOnlyList<string> notebooks;
    try
    {
        options = new RunOptions
        {
            OutputDirectory = parse.GetValue(outOption),
            Environment = ParseEnvironment(parse.GetValue(envOption) ?? []),
            Sources = (parse.GetValue(sourceOption) ?? []).Select(AbsoluteSource).ToArray(),
            CellTimeout = Seconds(parse.GetValue(cellTimeoutOption), "--cell-timeout"),
            NotebookTimeout = Seconds(parse.GetValue(notebookTimeoutOption), "--notebook-timeout"),
            MaxOutputLines = parse.GetValue(maxLinesOption),
            AllowErrors = parse.GetValue(allowErrorsOption),
            Progress = ShowProgress,
        };
        options.Validate();
        notebooks = NotebookRunner.Resolve(parse.GetValue(pathsArgument)!);
    }
    catch (Exception e) when (e is UsageException or ArgumentException)
    {
        return Fail(e.Message);
    }

    RunReport report;
    try
    {
        report = await NotebookRunner.RunManyAsync(notebooks, options, cancellationToken);
    }
    catch (UsageException e)
    {
        return Fail(e.Message);
    }

    foreach (var note in report.Notes) Console.Error.WriteLine(note);
    var table = new Table().AddColumns("Notebook", "Status", "Cells run", "Time", "Failure");
    foreach (var notebook in report.Notebooks)
    {
        var color = notebook.Status == NotebookStatus.Passed ? "green" : "red";
        table.AddRow(
            Markup.Escape(notebook.Name),
            $"[{color}]{notebook.Status}[/]",
            $"{notebook.Cells.Count(c => c.Status is CellStatus.Succeeded or CellStatus.Failed)} / {notebook.Cells.Count(c => c.Type == CellType.Code)}",
            string.Create(CultureInfo.InvariantCulture, $"{notebook.Elapsed.TotalSeconds:0.0} s"),
            Markup.Escape(notebook.Failure?.Message.Split('\n')[0] ?? ""));
    }

    AnsiConsole.Write(table);
    if (report.IndexPath is not null) AnsiConsole.MarkupLineInterpolated($"Pages: [link]{report.IndexPath}[/]");
    foreach (var failure in report.Failures) Console.Error.WriteLine($"FAILED {failure}");

    var passed = report.Notebooks.Count(n => n.Status == NotebookStatus.Passed);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{passed} of {report.Notebooks.Count} notebooks passed in {report.Elapsed.TotalSeconds:0.0} s."));
    if (cancellationToken.IsCancellationRequested)
    {
        Console.Error.WriteLine("cancelled: the run was stopped; the pages and index.html show what ran.");
        return 130;
    }

    return report.Succeeded ? 0 : 1;
});

var checkPaths = new Argument<string[]>("paths")
{
    Description = "Executed .ipynb files, or folders of them (from this runner or from the real kernel through nbconvert).",
    Arity = ArgumentArity.OneOrMore,
};
var requireChartsOption = new Option<bool>("--require-tagged-charts")
{
    Description = "Also fail a cell tagged \"chart\" (metadata.tags) that has no Plotly output with data.",
};
var check = new Command("check", "Fail (exit 1, one line per problem) if an executed notebook has an error output, or a tagged chart cell no chart.")
{
    checkPaths, requireChartsOption,
};
check.SetAction(parse =>
{
    var problems = new List<CheckProblem>();
    var files = 0;
    try
    {
        foreach (var path in parse.GetValue(checkPaths)!)
        {
            var notebooks = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*.ipynb").Order(StringComparer.Ordinal).ToArray()
                : File.Exists(path) ? [path] : throw new UsageException($"'{path}' is neither an executed notebook nor a folder.");
            if (notebooks.Length == 0) throw new UsageException($"no .ipynb files in '{path}'.");
            foreach (var notebook in notebooks)
            {
                files++;
                problems.AddRange(NotebookChecker.Check(notebook, parse.GetValue(requireChartsOption)));
            }
        }
    }
    catch (UsageException e)
    {
        return Fail(e.Message);
    }

    foreach (var problem in problems) Console.WriteLine(problem);
    Console.WriteLine(problems.Count == 0 ? $"check: {files} notebooks, no problems." : $"check: {problems.Count} problems in {files} notebooks.");
    return problems.Count == 0 ? 0 : 1;
});

var root = new RootCommand("Runs .NET notebooks (.ipynb, .dib) headlessly: C# via Roslyn scripting, F# via FSharp.Compiler.Service, as the .NET Interactive kernel does.")
{
    run, check,
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0) return Fail($"{parsed.Errors[0].Message} (see lstmnb {parsed.CommandResult.Command.Name} --help)");
return await parsed.InvokeAsync();

static int Fail(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}

static Dictionary<string, string> ParseEnvironment(IEnumerable<string> pairs)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var pair in pairs)
    {
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw new UsageException($"--env '{pair}': expected NAME=VALUE, e.g. --env LSTMNB_QUICK=1.");
        result[pair[..eq]] = pair[(eq + 1)..];
    }

    return result;
}

static string AbsoluteSource(string source) =>
    Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile ? source : Path.GetFullPath(source);

static TimeSpan Seconds(double seconds, string option) =>
    double.IsFinite(seconds) && seconds > 0 && seconds < 1e7
        ? TimeSpan.FromSeconds(seconds)
        : throw new UsageException($"{option} {seconds.ToString(CultureInfo.InvariantCulture)}: expected a positive number of seconds.");

static void ShowProgress(RunProgress p)
{
    var head = $"[{p.NotebookNumber}/{p.NotebookCount}] {p.Notebook}";
    var time = string.Create(CultureInfo.InvariantCulture, $"{p.Elapsed.TotalSeconds,6:0.0} s");
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
