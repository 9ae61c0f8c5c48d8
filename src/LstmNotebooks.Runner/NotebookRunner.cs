using System.Diagnostics;
using System.Text;

namespace LstmNotebooks.Runner;

/// <summary>Executes .NET notebooks (.ipynb, .dib) headlessly, each in a process of its own, and writes their executed copies and HTML pages.</summary>
public static class NotebookRunner
{
    /// <summary>The notebooks a folder holds: its .ipynb and .dib files (not subfolders), in name order.</summary>
    public static IReadOnlyList<string> FindNotebooks(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".dib", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The notebook files named by paths (files, or folders whose notebooks run in name order).</summary>
    /// <exception cref="UsageException">A path is neither a file nor a folder, or a folder holds no notebook.</exception>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> paths)
    {
        var notebooks = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = FindNotebooks(path);
                if (found.Count == 0)
                    throw new UsageException($"no .ipynb or .dib files in '{path}'. Hint: pass a notebook file or the folder that holds the notebooks.");
                notebooks.AddRange(found);
            }
            else if (File.Exists(path))
                notebooks.Add(path);
            else
                throw new UsageException($"'{path}' is neither a notebook file nor a folder (looked from '{Environment.CurrentDirectory}').");
        }

        return notebooks.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Runs one notebook file, or every notebook in a folder, in order.</summary>
    public static Task<RunReport> RunAsync(string path, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        RunManyAsync(Resolve([path]), options ?? new RunOptions(), cancellationToken);

    /// <summary>
    /// Runs the notebooks one after the other, each in its own process. The pages and index.html are written however a
    /// notebook ends, cancellation included (then the remaining notebooks are reported as not run).
    /// </summary>
    public static async Task<RunReport> RunManyAsync(IReadOnlyList<string> notebooks, RunOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var watch = Stopwatch.StartNew();
        var outDir = options.OutputDirectory is null ? null : Path.GetFullPath(options.OutputDirectory);
        var (names, notes) = OutputPlan.Plan(notebooks, outDir);
        if (outDir is not null)
        {
            try
            {
                Directory.CreateDirectory(outDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--out '{options.OutputDirectory}' cannot be created: {e.Message}");
            }
        }

        var results = new List<NotebookResult>();
        for (var i = 0; i < notebooks.Count; i++)
            results.Add(await RunOneAsync(notebooks[i], i + 1, notebooks.Count, names[i], outDir, options, cancellationToken));

        string? indexPath = null;
        if (outDir is not null)
        {
            indexPath = Path.Combine(outDir, "index.html");
            File.WriteAllText(indexPath, IndexPageWriter.Render(results, options, watch.Elapsed), new UTF8Encoding(false));
        }

        return new RunReport(results, watch.Elapsed, indexPath, notes);
    }

    private static async Task<NotebookResult> RunOneAsync(
        string path, int number, int count, string baseName, string? outDir, RunOptions options, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var watch = Stopwatch.StartNew();
        NotebookDocument? document = null;
        void Report(ProgressPhase phase, int cell, CellStatus? cellStatus = null, NotebookStatus? status = null) =>
            options.Progress?.Invoke(new RunProgress(phase, name, number, count, cell, document?.Cells.Count ?? 0, watch.Elapsed, cellStatus, status));

        try
        {
            document = NotebookParser.Load(path) with { Path = Path.GetFullPath(path) };
        }
        catch (NotebookFormatException e)
        {
            Report(ProgressPhase.NotebookStarted, 0);
            var malformed = new NotebookResult(path, name, NotebookStatus.Malformed, [], new NotebookFailure(name, null, null, e.Message), watch.Elapsed, null, null);
            malformed = WriteOutputs(null, malformed, baseName, outDir, options);
            Report(ProgressPhase.NotebookFinished, 0, status: NotebookStatus.Malformed);
            return malformed;
        }

        Report(ProgressPhase.NotebookStarted, 0);
        IReadOnlyList<CellResult> cells;
        if (cancellationToken.IsCancellationRequested)
            cells = document.Cells.Select(c => new CellResult(c.Number, c.Type, KernelName.CSharp, c.Source,
                c.Type == CellType.Code ? CellStatus.NotRun : CellStatus.Rendered, null, [], TimeSpan.Zero)).ToArray();
        else
            cells = await new NotebookProcess(document, options, (phase, cell, status) => Report(phase, cell, status)).RunAsync(cancellationToken);

        var failed = cells.FirstOrDefault(c => c.Status == CellStatus.Failed);
        var failure = failed is null
            ? cancellationToken.IsCancellationRequested ? new NotebookFailure(name, null, null, "not run: the run was cancelled") : null
            : new NotebookFailure(name, failed.Number, failed.Outputs.OfType<ErrorOutput>().FirstOrDefault()?.Line,
                FirstLine(failed.Outputs.OfType<ErrorOutput>().FirstOrDefault()));
        var result = new NotebookResult(path, name, failure is null ? NotebookStatus.Passed : NotebookStatus.Failed, cells, failure, watch.Elapsed, null, null);
        result = WriteOutputs(document, result, baseName, outDir, options);
        Report(ProgressPhase.NotebookFinished, document.Cells.Count, status: result.Status);
        return result;
    }

    private static string FirstLine(ErrorOutput? error)
    {
        if (error is null) return "the cell failed without an error output.";
        var message = error.Message.Split('\n')[0];
        return error.Kind is ErrorKind.Exception ? $"{error.ErrorName.Split('.')[^1]}: {message}" : message;
    }

    private static NotebookResult WriteOutputs(NotebookDocument? document, NotebookResult result, string baseName, string? outDir, RunOptions options)
    {
        if (outDir is null) return result;
        string? ipynb = null;
        if (document is not null)
        {
            ipynb = Path.Combine(outDir, baseName + ".ipynb");
            IpynbWriter.Write(ipynb, document, result.Cells);
        }

        var html = Path.Combine(outDir, baseName + ".html");
        result = result with { ExecutedNotebookPath = ipynb, HtmlPath = html };
        File.WriteAllText(html, HtmlPageWriter.Render(result, options), new UTF8Encoding(false));
        return result;
    }
}
