using System.Diagnostics;
using System.Text;

namespace LstmNotebooks.Runner;

/// <summary>Executes Polyglot notebooks (.ipynb, .dib) headlessly and writes their executed copies and HTML pages.</summary>
public static class NotebookRunner
{
    /// <summary>
    /// Environment variables, the current directory, the console and the formatter registry are process-wide, and a
    /// notebook changes all four while it runs; so notebooks run one at a time in a process, even from parallel tests.
    /// </summary>
    private static readonly SemaphoreSlim ProcessWideState = new(1, 1);

    /// <summary>The notebooks a folder holds: its .ipynb and .dib files (not subfolders), in name order.</summary>
    public static IReadOnlyList<string> FindNotebooks(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".dib", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Runs one notebook file, or every notebook in a folder, in order.</summary>
    /// <exception cref="FileNotFoundException">The path is neither a file nor a folder.</exception>
    public static async Task<RunReport> RunAsync(string path, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RunOptions();
        IReadOnlyList<string> notebooks;
        if (Directory.Exists(path))
        {
            notebooks = FindNotebooks(path);
        }
        else if (File.Exists(path))
        {
            notebooks = [path];
        }
        else
        {
            throw new FileNotFoundException(
                $"'{path}' is neither a notebook file nor a folder (looked from '{Environment.CurrentDirectory}').", path);
        }

        return await RunManyAsync(notebooks, options, cancellationToken);
    }

    public static async Task<RunReport> RunManyAsync(IReadOnlyList<string> notebooks, RunOptions options, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        string? outDir = null;
        if (options.OutputDirectory is not null)
        {
            outDir = Path.GetFullPath(options.OutputDirectory);
            Directory.CreateDirectory(outDir);
        }

        var results = new List<NotebookResult>();
        var usedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < notebooks.Count; i++)
        {
            var baseName = OutputBaseName(notebooks[i], usedNames);
            results.Add(await RunOneAsync(notebooks[i], i + 1, notebooks.Count, baseName, outDir, options, cancellationToken));
        }

        string? indexPath = null;
        if (outDir is not null)
        {
            indexPath = Path.Combine(outDir, "index.html");
            File.WriteAllText(indexPath, IndexPageWriter.Render(results, options.Quick, watch.Elapsed), new UTF8Encoding(false));
        }

        return new RunReport(results, watch.Elapsed, indexPath);
    }

    private static string OutputBaseName(string notebook, ISet<string> used)
    {
        var stem = Path.GetFileNameWithoutExtension(notebook);
        var name = used.Add(stem) ? stem : $"{stem}-{Path.GetExtension(notebook).TrimStart('.')}";
        used.Add(name);
        return name;
    }

    private static async Task<NotebookResult> RunOneAsync(
        string path, int number, int count, string baseName, string? outDir, RunOptions options, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var watch = Stopwatch.StartNew();
        void Report(ProgressPhase phase, int cell, int cells, CellStatus? cellStatus = null, NotebookStatus? status = null) =>
            options.Progress?.Invoke(new RunProgress(phase, name, number, count, cell, cells, watch.Elapsed, cellStatus, status));

        NotebookDocument document;
        try
        {
            // Absolute from here on: the current directory changes to the notebook's folder while it runs.
            document = NotebookParser.Load(path) with { Path = Path.GetFullPath(path) };
        }
        catch (NotebookFormatException e)
        {
            var malformed = new NotebookResult(path, name, NotebookStatus.Malformed, [], new NotebookFailure(name, null, null, e.Message),
                watch.Elapsed, null, null);
            Report(ProgressPhase.NotebookStarted, 0, 0);
            malformed = WriteOutputs(null, malformed, baseName, outDir, options.Quick);
            Report(ProgressPhase.NotebookFinished, 0, 0, status: NotebookStatus.Malformed);
            return malformed;
        }

        Report(ProgressPhase.NotebookStarted, 0, document.Cells.Count);
        IReadOnlyList<CellResult> cells;
        NotebookFailure? failure;
        await ProcessWideState.WaitAsync(cancellationToken);
        var savedDirectory = Environment.CurrentDirectory;
        var savedQuick = Environment.GetEnvironmentVariable(RunOptions.QuickEnvironmentVariable);
        try
        {
            // The kernel's working directory was the notebook's folder; relative file paths in notebooks rely on it.
            Environment.CurrentDirectory = Path.GetDirectoryName(document.Path)!;
            Environment.SetEnvironmentVariable(RunOptions.QuickEnvironmentVariable, options.Quick ? "1" : null);
            ValueFormatter.ResetAndRegisterBuiltIns();
            using var executor = new NotebookExecutor(document, (cell, status, _) =>
                Report(status is null ? ProgressPhase.CellStarted : ProgressPhase.CellFinished, cell, document.Cells.Count, status));
            (cells, failure) = await executor.ExecuteAsync(cancellationToken);
        }
        finally
        {
            Environment.CurrentDirectory = savedDirectory;
            Environment.SetEnvironmentVariable(RunOptions.QuickEnvironmentVariable, savedQuick);
            ProcessWideState.Release();
        }

        var result = new NotebookResult(path, name, failure is null ? NotebookStatus.Passed : NotebookStatus.Failed, cells, failure,
            watch.Elapsed, null, null);
        result = WriteOutputs(document, result, baseName, outDir, options.Quick);
        Report(ProgressPhase.NotebookFinished, document.Cells.Count, document.Cells.Count, status: result.Status);
        return result;
    }

    private static NotebookResult WriteOutputs(NotebookDocument? document, NotebookResult result, string baseName, string? outDir, bool quick)
    {
        if (outDir is null)
        {
            return result;
        }

        string? ipynb = null;
        if (document is not null)
        {
            ipynb = Path.Combine(outDir, baseName + ".ipynb");
            IpynbWriter.Write(ipynb, document, result.Cells);
        }

        var html = Path.Combine(outDir, baseName + ".html");
        result = result with { ExecutedNotebookPath = ipynb, HtmlPath = html };
        File.WriteAllText(html, HtmlPageWriter.Render(result, quick), new UTF8Encoding(false));
        return result;
    }
}
