using System.Diagnostics;
using System.Globalization;
using System.Net;
using Markdig;

namespace LstmNotebooks.Runner;

internal static class MarkdownRenderer
{
    // Pipe tables, task lists, auto links, emphasis extras; math is kept as text inside <span class="math">.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public static string ToHtml(string markdown) => Markdown.ToHtml(markdown, Pipeline);
}

/// <summary>
/// Executes the cells of one notebook in order, inside the notebook's own process, with one C# and one F# kernel
/// shared by all its cells. Every output leaves through the <see cref="ProtocolWriter"/> as it is produced.
/// </summary>
internal sealed class NotebookExecutor : IDisposable
{
    private readonly NotebookDocument _document;
    private readonly string _directory;
    private readonly ProtocolWriter _writer;
    private readonly int _maxOutputLines;
    private readonly bool _allowErrors;
    private readonly ValueFormatter _formatter = new();
    private readonly PackageRestorer _restorer;
    private readonly MagicCommands _magics;
    private readonly KernelExtensionLoader _extensions;
    private CSharpKernel? _csharp;
    private FSharpKernel? _fsharp;
    private int _executionCount;

    public NotebookExecutor(NotebookDocument document, ProtocolWriter writer, IReadOnlyList<string> sources, int maxOutputLines, bool allowErrors)
    {
        _document = document;
        _directory = Path.GetDirectoryName(Path.GetFullPath(document.Path))!;
        _writer = writer;
        _maxOutputLines = maxOutputLines;
        _allowErrors = allowErrors;
        _restorer = new PackageRestorer(sources);
        _magics = new MagicCommands(Kernel);
        _extensions = new KernelExtensionLoader(ExecuteSubmissionAsync);
    }

    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        // The engines start before the first cell: --cell-timeout measures a cell's code, not a compiler's start-up
        // (seconds of JIT on a loaded machine); the start-up counts towards --notebook-timeout.
        foreach (var engine in EnginesUsed())
        {
            try
            {
                await Kernel(engine).WarmUpAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The first cell that needs the engine reports the failure as its error.
            }
        }

        var failed = false;
        foreach (var cell in _document.Cells.Where(c => c.Type == CellType.Code))
        {
            if (failed && !_allowErrors) return;
            ConsoleRouting.Reinstall();
            _writer.Send(Protocol.CellStarted(cell.Number));
            var watch = Stopwatch.StartNew();
            var sink = new CellOutputSink(cell.Number, _formatter, _writer, _maxOutputLines);
            var count = ++_executionCount;
            var error = await CellScope.RunAsync(sink, () => ExecuteCellAsync(cell, sink, cancellationToken));
            if (error is null && cell.IsTaggedChart && !sink.HasChart)
                error = new ErrorOutput(ErrorKind.MissingChart, "MissingChart",
                    "the cell is tagged \"chart\" but shows no Plotly output (application/vnd.plotly.v1+json, or html calling Plotly.newPlot).", null, []);
            if (error is not null)
            {
                sink.Add(error);
                failed = true;
            }

            _writer.Send(Protocol.CellFinished(cell.Number, error is null ? CellStatus.Succeeded : CellStatus.Failed, count, watch.Elapsed));
        }
    }

    private IEnumerable<KernelName> EnginesUsed()
    {
        var used = new HashSet<KernelName>();
        foreach (var cell in _document.Cells.Where(c => c.Type == CellType.Code))
        {
            try
            {
                used.UnionWith(Directives.Split(cell.Source, _document.DefaultKernel).Select(p => p.Kernel));
            }
            catch (DirectiveException)
            {
                // Reported when the cell runs.
            }
        }

        return used.Where(k => k is KernelName.CSharp or KernelName.FSharp).Order();
    }

    /// <summary>Returns the cell's error, or null. Never throws for notebook faults: every one becomes an error output.</summary>
    private async Task<ErrorOutput?> ExecuteCellAsync(NotebookCell cell, CellOutputSink sink, CancellationToken cancellationToken)
    {
        try
        {
            var parts = Directives.Split(cell.Source, _document.DefaultKernel);
            if (cell.MetadataKernel is { } meta && meta != parts[0].Kernel && parts[0].FirstLine == 1 && !StartsWithSelector(cell.Source))
                return new ErrorOutput(ErrorKind.MagicCommand, "KernelNotSelected",
                    $"the cell's metadata says {KernelNames.ToText(meta)}, but Jupyter clients send no cell metadata, so the real kernel runs it as " +
                    $"{KernelNames.ToText(parts[0].Kernel)}. Hint: begin the cell with a #!{KernelNames.ToText(meta)} line.", 1, []);

            foreach (var submission in parts)
            {
                var error = await ExecuteSubmissionAsync(Directives.Parse(submission), sink, $"{_document.Path}#cell{cell.Number}-{submission.FirstLine}", cancellationToken);
                if (error is not null) return error;
            }

            return null;
        }
        catch (DirectiveException e)
        {
            return new ErrorOutput(ErrorKind.MagicCommand, "MagicCommandError", e.Message, e.Line, [e.Message]);
        }
        catch (PackageRestoreException e)
        {
            return new ErrorOutput(ErrorKind.PackageRestore, "PackageRestoreError", e.Message, e.Line, e.Message.Split('\n'));
        }
        catch (Exception e)
        {
            // An engine failure (not a notebook fault) still ends as this cell's error, never as a crash of the run.
            var inner = Errors.Unwrap(e);
            return new ErrorOutput(ErrorKind.Runner, "RunnerError", $"the runner failed while executing cell {cell.Number}: {inner.Message}",
                null, inner.ToString().Split('\n'));
        }
    }

    private static bool StartsWithSelector(string source) =>
        source.StartsWith("#!", StringComparison.Ordinal)
        && Directives.Tokenize(source.Split('\n')[0][2..].TrimEnd(), 1) is [var first, ..] && KernelNames.TryParse(first, out _);

    private async Task<ErrorOutput?> ExecuteSubmissionAsync(ParsedSubmission submission, CellOutputSink sink, string pseudoFile, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var error = await ExecuteUntimedAsync(submission, sink, pseudoFile, cancellationToken);
        if (error is null && submission.Timed)
            sink.Add(new DisplayOutput(new Dictionary<string, string>
            {
                ["text/plain"] = string.Create(CultureInfo.InvariantCulture, $"Wall time: {watch.Elapsed.TotalMilliseconds:0.####}ms"),
            }));
        return error;
    }

    private async Task<ErrorOutput?> ExecuteUntimedAsync(ParsedSubmission submission, CellOutputSink sink, string pseudoFile, CancellationToken cancellationToken)
    {
        switch (submission.Kernel)
        {
            case KernelName.Markdown:
                sink.Add(Html(MarkdownRenderer.ToHtml(submission.Code.Trim('\n'))));
                return null;
            case KernelName.Html:
                sink.Add(Html(submission.Code.Trim('\n')));
                return null;
            case KernelName.Value:
                _magics.StoreValue(submission, sink);
                return null;
            case KernelName.JavaScript:
                return new ErrorOutput(ErrorKind.MagicCommand, "UnsupportedKernel",
                    "#!javascript runs in a browser front end; under Jupyter clients the real kernel fails it too (\"Timeout resolving the kernel's HTTP endpoint\").",
                    submission.FirstLine, []);
            case KernelName.CSharp or KernelName.FSharp:
                break;
            default:
                return new ErrorOutput(ErrorKind.MagicCommand, "UnsupportedKernel",
                    $"kernel '{KernelNames.ToText(submission.Kernel)}' is not available in the runner; it runs csharp, fsharp, markdown, html and value cells.",
                    submission.FirstLine, []);
        }

        var kernel = Kernel(submission.Kernel);
        var packages = new List<(string Name, string? Version, int Line)>();
        foreach (var directive in submission.Directives)
        {
            switch (directive.Kind)
            {
                case DirectiveKind.NuGetSource:
                    _restorer.AddSource(directive.Arguments[0], directive.Line);
                    break;
                case DirectiveKind.NuGetReference:
                    var (name, version) = Directives.PackageOf(directive);
                    packages.Add((name, version, directive.Line));
                    break;
                case DirectiveKind.Time:
                    break;
                default:
                    await _magics.RunAsync(directive, kernel, sink);
                    break;
            }
        }

        if (packages.Count > 0)
        {
            var restored = _restorer.Restore(packages);
            kernel.AddReferences(restored.Assemblies);
            sink.Add(Html(InstalledPackages(_restorer.Sources, packages.Select(p => p.Version is null ? p.Name : $"{p.Name}, {p.Version}"))));
            var extensionError = await _extensions.LoadAsync(restored.PackageRoots, sink, cancellationToken);
            if (extensionError is not null) return extensionError;
        }

        if (submission.Code.Trim().Length == 0) return null;

        var outcome = await kernel.ExecuteAsync(submission, pseudoFile, cancellationToken);
        if (outcome.Error is { Kind: ErrorKind.Compilation } compile)
        {
            // As the kernel: the diagnostics as stderr text, then an error output.
            sink.Write(StreamName.Stderr, "\n" + string.Join("\n", compile.Traceback) + "\n\n");
            return compile;
        }

        if (outcome.Error is not null) return outcome.Error;
        if (outcome.Warnings is { Count: > 0 } warnings) sink.Write(StreamName.Stderr, "\n" + string.Join("\n", warnings) + "\n\n");

        // display(x) as a cell's last expression shows the value once, as a display, not also as the cell's result.
        if (outcome.HasValue && outcome.Value is not Microsoft.DotNet.Interactive.Formatting.DisplayedValue)
            sink.Display(outcome.Value, [], isResult: true);
        return null;
    }

    private static string InstalledPackages(IEnumerable<string> sources, IEnumerable<string> packages) =>
        "<div><div><strong>Restore sources</strong><ul>" + string.Concat(sources.Select(s => $"<li><span> {WebUtility.HtmlEncode(s)}</span></li>")) +
        "</ul></div><div></div><div><strong>Installed Packages</strong><ul>" +
        string.Concat(packages.Select(p => $"<li><span>{WebUtility.HtmlEncode(p)}</span></li>")) + "</ul></div></div>";

    private static DisplayOutput Html(string html) => new(new Dictionary<string, string> { ["text/html"] = html });

    private ILanguageKernel Kernel(KernelName name) => name switch
    {
        KernelName.CSharp => _csharp ??= new CSharpKernel(_directory),
        KernelName.FSharp => _fsharp ??= FSharpKernel.Start(_directory),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "expected csharp or fsharp"),
    };

    public void Dispose()
    {
        _fsharp?.Dispose();
        _csharp?.Dispose();
        _restorer.Dispose();
    }
}
