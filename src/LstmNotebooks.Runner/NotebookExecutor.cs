using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Markdig;
using Microsoft.DotNet.Interactive.Formatting;

namespace LstmNotebooks.Runner;

internal static class MarkdownRenderer
{
    // Pipe tables, task lists, auto links, emphasis extras; math is kept as text inside <span class="math">.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public static string ToHtml(string markdown) => Markdown.ToHtml(markdown, Pipeline);
}

/// <summary>Executes the cells of one notebook in order, with one C# and one F# kernel shared by all its cells.</summary>
internal sealed class NotebookExecutor(NotebookDocument document, Action<int, CellStatus?, TimeSpan> cellProgress) : IDisposable
{
    private readonly string directory = Path.GetDirectoryName(Path.GetFullPath(document.Path))!;
    private readonly ValueFormatter formatter = new();
    private PackageRestorer? restorer;
    private CSharpKernel? csharp;
    private FSharpKernel? fsharp;
    private int executionCount;

    public async Task<(IReadOnlyList<CellResult> Cells, NotebookFailure? Failure)> ExecuteAsync(CancellationToken cancellationToken)
    {
        var results = new List<CellResult>();
        NotebookFailure? failure = null;
        foreach (var cell in document.Cells)
        {
            if (cell.Kind != CellKind.Code)
            {
                results.Add(new CellResult(cell.Number, cell.Kind, cell.Kind == CellKind.Markdown ? KernelNames.Markdown : "raw",
                    cell.Source, CellStatus.Rendered, null, [], TimeSpan.Zero));
                continue;
            }

            if (failure is not null || cancellationToken.IsCancellationRequested)
            {
                results.Add(new CellResult(cell.Number, cell.Kind, cell.KernelName, cell.Source, CellStatus.NotRun, null, [], TimeSpan.Zero));
                continue;
            }

            cellProgress(cell.Number, null, TimeSpan.Zero);
            var watch = Stopwatch.StartNew();
            var sink = new CellOutputSink(formatter);
            var count = ++executionCount;
            var error = await CellScope.RunAsync(sink, () => ExecuteCellAsync(cell, sink, count, cancellationToken));
            if (error is not null)
            {
                sink.Add(error);
                failure = new NotebookFailure(Path.GetFileName(document.Path), cell.Number, error.Line, FirstLine(error));
            }

            var status = error is null ? CellStatus.Succeeded : CellStatus.Failed;
            results.Add(new CellResult(cell.Number, cell.Kind, cell.KernelName, cell.Source, status, count, sink.Snapshot(), watch.Elapsed));
            cellProgress(cell.Number, status, watch.Elapsed);
        }

        return (results, failure);
    }

    private static string FirstLine(ErrorOutput error)
    {
        var message = error.Message.Split('\n')[0];
        return error.ErrorName is "CompilationError" ? message : $"{error.ErrorName}: {message}";
    }

    /// <summary>Returns the cell's error, or null. Never throws for notebook faults: every one becomes an error output.</summary>
    private async Task<ErrorOutput?> ExecuteCellAsync(NotebookCell cell, CellOutputSink sink, int count, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var submission in Directives.Split(cell.Source, cell.KernelName))
            {
                var parsed = Directives.Parse(submission);
                var pseudoFile = $"{Path.GetFullPath(document.Path)}#cell{cell.Number}-{submission.FirstLine}.{(parsed.Kernel == KernelNames.FSharp ? "fsx" : "csx")}";
                var watch = Stopwatch.StartNew();
                var error = await ExecuteSubmissionAsync(parsed, sink, pseudoFile, cancellationToken);
                if (error is not null)
                {
                    return error;
                }

                if (parsed.Timed)
                {
                    sink.Add(new DisplayOutput(DisplayKind.PlainText, new Dictionary<string, string>
                    {
                        ["text/plain"] = string.Create(CultureInfo.InvariantCulture, $"Wall time: {watch.Elapsed.TotalMilliseconds:0.###}ms"),
                    }));
                }
            }

            return null;
        }
        catch (DirectiveException e)
        {
            return new ErrorOutput("MagicCommandError", e.Message, e.Line, [e.Message]);
        }
        catch (PackageRestoreException e)
        {
            return new ErrorOutput("PackageRestoreError", e.Message, e.Line, e.Message.Split('\n'));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ErrorOutput("Cancelled", "the run was cancelled while this cell was executing.", null, []);
        }
        catch (Exception e)
        {
            // An engine failure (not a notebook fault) still ends as this cell's error, never as a crash of the run.
            return new ErrorOutput("RunnerError", $"the runner failed while executing cell {cell.Number} (execution {count}): {Errors.Unwrap(e).Message}",
                null, Errors.Unwrap(e).ToString().Split('\n'));
        }
    }

    private async Task<ErrorOutput?> ExecuteSubmissionAsync(ParsedSubmission submission, CellOutputSink sink, string pseudoFile, CancellationToken cancellationToken)
    {
        switch (submission.Kernel)
        {
            case KernelNames.Markdown:
                sink.Add(Html(MarkdownRenderer.ToHtml(submission.Code)));
                return null;
            case KernelNames.Html:
                sink.Add(Html(submission.Code));
                return null;
            case KernelNames.JavaScript:
                sink.Add(Html($"<script type=\"text/javascript\">\n{submission.Code}\n</script>"));
                return null;
            case KernelNames.CSharp or KernelNames.FSharp:
                break;
            default:
                return new ErrorOutput("UnsupportedKernel",
                    $"kernel '{submission.Kernel}' is not available in the runner; it runs csharp, fsharp, markdown, html and javascript cells.",
                    submission.FirstLine, []);
        }

        var kernel = Kernel(submission.Kernel);
        foreach (var directive in submission.Directives)
        {
            switch (directive.Kind)
            {
                case DirectiveKind.NuGetSource:
                    Restorer.AddSource(directive.Arguments[0]);
                    break;
                case DirectiveKind.Share:
                    await ShareAsync(directive, kernel);
                    break;
                case DirectiveKind.Set:
                    await SetAsync(directive, kernel);
                    break;
                case DirectiveKind.Who or DirectiveKind.Whos:
                    sink.Add(new DisplayOutput(DisplayKind.PlainText,
                        new Dictionary<string, string> { ["text/plain"] = Who(kernel, directive.Kind == DirectiveKind.Whos) }));
                    break;
            }
        }

        if (submission.Code.Trim().Length == 0 && !submission.Directives.Any(d => d.Kind == DirectiveKind.NuGetReference))
        {
            return null;
        }

        var outcome = await kernel.ExecuteAsync(submission, pseudoFile, cancellationToken);
        if (outcome.Error is not null)
        {
            return outcome.Error;
        }

        // display(x) as a cell's last expression would show the handle; the kernel skipped it too.
        if (outcome.HasValue && outcome.Value is not Microsoft.DotNet.Interactive.DisplayedValue)
        {
            sink.Display(outcome.Value, []);
        }

        return null;
    }

    private static DisplayOutput Html(string html) =>
        new(DisplayKind.Html, new Dictionary<string, string> { ["text/html"] = html });

    private PackageRestorer Restorer => restorer ??= new PackageRestorer(directory);

    private ILanguageKernel Kernel(string name) => name switch
    {
        KernelNames.CSharp => csharp ??= new CSharpKernel(directory, Restorer),
        KernelNames.FSharp => fsharp ??= FSharpKernel.Start(directory, Restorer),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "expected csharp or fsharp"),
    };

    private ILanguageKernel SourceKernel(string name, Directive directive)
    {
        if (!KernelNames.TryNormalize(name, out var normalized) || normalized is not (KernelNames.CSharp or KernelNames.FSharp))
        {
            throw new DirectiveException(
                $"'{directive.Text}': cannot take a value from kernel '{name}'; expected csharp or fsharp.", directive.Line);
        }

        return Kernel(normalized);
    }

    private static KernelVariable Lookup(ILanguageKernel source, string name, Directive directive)
    {
        if (source.TryGetValue(name, out var variable))
        {
            return variable;
        }

        var known = source.Variables().Select(v => v.Name).Where(n => !n.StartsWith('<') && !n.StartsWith("it", StringComparison.Ordinal)).Take(20).ToArray();
        throw new DirectiveException(
            $"'{directive.Text}': no variable '{name}' in the {source.Name} kernel" +
            (known.Length > 0 ? $" (it has: {string.Join(", ", known)})." : " (it has no variables yet: run the cell that defines it first)."),
            directive.Line);
    }

    /// <summary><c>#!share --from kernel name [--as alias] [--mime-type m]</c>: by reference, or as formatted text with a mime type.</summary>
    private async Task ShareAsync(Directive directive, ILanguageKernel target)
    {
        var options = Directives.Options(directive, ["--from", "--as", "--mime-type"], [], 1, out var positionals);
        if (positionals.Count != 1 || !options.TryGetValue("--from", out var from) || from is null)
        {
            throw new DirectiveException(
                $"'{directive.Text}': expected #!share --from <kernel> <variable> [--as <name>] [--mime-type <mime>].", directive.Line);
        }

        var variable = Lookup(SourceKernel(from, directive), positionals[0], directive);
        var name = options.GetValueOrDefault("--as") ?? positionals[0];
        if (options.GetValueOrDefault("--mime-type") is { } mime)
        {
            await target.SetValueAsync(name, variable.Value.ToDisplayString(mime), typeof(string), directive.Line);
        }
        else
        {
            await target.SetValueAsync(name, variable.Value, variable.Type, directive.Line);
        }
    }

    /// <summary>
    /// <c>#!set --name n --value (@kernel:var | literal) [--byref] [--mime-type m]</c>. Without --byref a value from a
    /// kernel is copied through JSON as the kernel did: booleans, numbers (as double) and strings become .NET values,
    /// anything else a JsonDocument. A literal is a string.
    /// </summary>
    private async Task SetAsync(Directive directive, ILanguageKernel target)
    {
        var options = Directives.Options(directive, ["--name", "--value", "--mime-type"], ["--byref"], 0, out _);
        if (options.GetValueOrDefault("--name") is not { } name || !options.TryGetValue("--value", out var raw) || raw is null)
        {
            throw new DirectiveException(
                $"'{directive.Text}': expected #!set --name <name> --value <@kernel:variable or literal> [--byref] [--mime-type <mime>].", directive.Line);
        }

        if (!raw.StartsWith('@'))
        {
            await target.SetValueAsync(name, raw, typeof(string), directive.Line);
            return;
        }

        var colon = raw.IndexOf(':');
        if (colon < 0)
        {
            throw new DirectiveException($"'{directive.Text}': value '{raw}' should be @kernel:variable, e.g. @csharp:x.", directive.Line);
        }

        var source = raw[1..colon];
        if (source is "input" or "password")
        {
            throw new DirectiveException(
                $"'{directive.Text}': @{source} asks the user for a value, which a headless run cannot do. Hint: use a literal --value or an environment variable.",
                directive.Line);
        }

        var variable = Lookup(SourceKernel(source, directive), raw[(colon + 1)..], directive);
        var byRef = options.ContainsKey("--byref");
        if (byRef)
        {
            await target.SetValueAsync(name, variable.Value, variable.Type, directive.Line);
        }
        else if (options.GetValueOrDefault("--mime-type") is { } mime && mime != "application/json")
        {
            await target.SetValueAsync(name, variable.Value.ToDisplayString(mime), typeof(string), directive.Line);
        }
        else
        {
            var copy = JsonCopy(variable.Value, directive);
            await target.SetValueAsync(name, copy, copy?.GetType() ?? typeof(object), directive.Line);
        }
    }

    private static object? JsonCopy(object? value, Directive directive)
    {
        string json;
        try
        {
            json = JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object));
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new DirectiveException(
                $"'{directive.Text}': the value ({value?.GetType()}) cannot be copied as JSON: {e.Message} Hint: add --byref to share the object itself.",
                directive.Line);
        }

        var document = JsonDocument.Parse(json);
        switch (document.RootElement.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.False:
                var b = document.RootElement.GetBoolean();
                document.Dispose();
                return b;
            case JsonValueKind.Number:
                var d = document.RootElement.GetDouble();
                document.Dispose();
                return d;
            case JsonValueKind.String:
                var s = document.RootElement.GetString();
                document.Dispose();
                return s;
            default:
                return document;
        }
    }

    private static string Who(ILanguageKernel kernel, bool withDetails)
    {
        var variables = kernel.Variables().Where(v => !v.Name.StartsWith('<')).ToArray();
        if (variables.Length == 0)
        {
            return $"No variables in the {kernel.Name} kernel.";
        }

        if (!withDetails)
        {
            return string.Join("  ", variables.Select(v => v.Name));
        }

        var sb = new StringBuilder();
        foreach (var v in variables)
        {
            sb.Append(v.Name).Append(" : ").Append(v.Type.Name).Append(" = ").Append(v.Value.ToDisplayString("text/plain")).Append('\n');
        }

        return sb.ToString().TrimEnd();
    }

    public void Dispose()
    {
        fsharp?.Dispose();
        csharp?.Dispose();
        restorer?.Dispose();
    }
}
