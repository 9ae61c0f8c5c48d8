using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.FSharp.Core;

namespace LstmNotebooks.Runner;

/// <summary>
/// F# cells through the embedded F# Interactive (FsiEvaluationSession), started with the options .NET Interactive's
/// F# kernel used. One session per notebook: starting one takes seconds. <c>#r "nuget:"</c> and <c>#i</c> go to FSI's
/// own dependency manager, as in the kernel.
/// </summary>
internal sealed partial class FSharpKernel : ILanguageKernel
{
    private readonly Shell.FsiEvaluationSession _session;
    private readonly StringWriter _fsiOut = new();
    private readonly StringWriter _fsiErr = new();
    private readonly HashSet<string> _referenced = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _pathAssemblies = new(StringComparer.Ordinal);
    private readonly string _notebookDirectory;

    private FSharpKernel(string notebookDirectory)
    {
        _notebookDirectory = notebookDirectory;
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        string[] args =
        [
            "fsi.exe", "--noninteractive", "--quiet", "--langversion:preview", "--targetprofile:netcore",
            "--multiemit+", "--debug+", "--optimize+", "/usesdkrefs-", $"--lib:{notebookDirectory}",
        ];
        _session = Shell.FsiEvaluationSession.Create(config, args, new StringReader(""), _fsiOut, _fsiErr, null, null);
    }

    public KernelName Name => KernelName.FSharp;

    public static FSharpKernel Start(string notebookDirectory)
    {
        var kernel = new FSharpKernel(notebookDirectory);
        var init = string.Join("\n",
            $"#r @\"{typeof(Microsoft.DotNet.Interactive.Kernel).Assembly.Location}\"",
            $"#r @\"{typeof(Formatter).Assembly.Location}\"",
            $"#r @\"{typeof(Microsoft.AspNetCore.Html.IHtmlContent).Assembly.Location}\"",
            "open System",
            "open System.IO",
            "open System.Text",
            "open Microsoft.DotNet.Interactive.Formatting",
            "open type Microsoft.DotNet.Interactive.Kernel");
        var (_, error) = kernel.Evaluate(init, "runner-init.fsx", 1, CancellationToken.None);
        if (error is not null)
        {
            kernel.Dispose();
            throw new InvalidOperationException($"The F# session did not start: {error.Message}");
        }

        return kernel;
    }

    public Task<ExecutionOutcome> ExecuteAsync(ParsedSubmission submission, string pseudoFile, CancellationToken cancellationToken)
    {
        foreach (System.Text.RegularExpressions.Match m in AssemblyReferenceLine().Matches(submission.Code))
        {
            var full = Path.GetFullPath(m.Groups[1].Value, _notebookDirectory);
            try
            {
                if (File.Exists(full) && System.Reflection.AssemblyName.GetAssemblyName(full).Name is { } name) _pathAssemblies.Add(name);
            }
            catch (Exception e) when (e is IOException or BadImageFormatException)
            {
                // FSI reports a bad #r itself.
            }
        }

        var (value, error) = Evaluate(submission.Code, pseudoFile, submission.FirstLine, cancellationToken);
        if (error is not null) return Task.FromResult(ExecutionOutcome.Failed(error));

        var hasValue = value is not null && value.ReflectionType != typeof(Unit);
        return Task.FromResult(new ExecutionOutcome(hasValue, hasValue ? value!.ReflectionValue : null, null));
    }

    /// <summary>Restored package assemblies become <c>#r</c> lines for FSI, so C# and F# load one copy of each package.</summary>
    public void AddReferences(IEnumerable<string> paths)
    {
        var fresh = paths.Where(p => !p.EndsWith("Microsoft.DotNet.Interactive.dll", StringComparison.OrdinalIgnoreCase)
            && !p.EndsWith("Microsoft.DotNet.Interactive.Formatting.dll", StringComparison.OrdinalIgnoreCase)
            && !p.EndsWith("FSharp.Core.dll", StringComparison.OrdinalIgnoreCase)
            && _referenced.Add(Path.GetFileName(p))).ToArray();
        if (fresh.Length == 0) return;
        var (_, error) = Evaluate(string.Join("\n", fresh.Select(p => $"#r @\"{p}\"")), "runner-references.fsx", 1, CancellationToken.None);
        if (error is not null) throw new PackageRestoreException($"F# could not load the restored assemblies: {error.Message}", 1);
    }

    /// <summary>The session is started in <see cref="Start"/>.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public bool IsFromPathReference(Type type) =>
        _pathAssemblies.Contains(type.Assembly.GetName().Name ?? "")
        || (type.IsGenericType && type.GetGenericArguments().Any(IsFromPathReference));

    [System.Text.RegularExpressions.GeneratedRegex(@"^#r\s+""(?!\s*nuget:)([^""]+)""", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex AssemblyReferenceLine();

    public bool TryGetValue(string name, out KernelVariable variable)
    {
        var found = _session.TryFindBoundValue(name);
        if (found is not null)
        {
            var v = found.Value.Value;
            variable = new KernelVariable(name, v.ReflectionType, v.ReflectionValue);
            return true;
        }

        variable = null!;
        return false;
    }

    public Task SetValueAsync(string name, object? value, Type type, int line)
    {
        if (value is null)
        {
            throw new DirectiveException($"cannot give the F# variable '{name}' a null value: F# binds a value by its runtime type.", line);
        }

        try
        {
            _session.AddBoundValue(name, value);
        }
        catch (Exception e)
        {
            throw new DirectiveException(
                $"cannot bind '{name}' ({value.GetType()}) in F#: {e.Message} Hint: share values of library or primitive types; " +
                "types declared in C# cells are not visible to F#.", line);
        }

        return Task.CompletedTask;
    }

    public IReadOnlyList<KernelVariable> Variables() =>
        _session.GetBoundValues().Select(v => new KernelVariable(v.Name, v.Value.ReflectionType, v.Value.ReflectionValue)).ToArray();

    public void Dispose() => (_session as IDisposable)?.Dispose();

    private (Shell.FsiValue? Value, ErrorOutput? Error) Evaluate(string code, string pseudoFile, int firstLine, CancellationToken cancellationToken)
    {
        _fsiErr.GetStringBuilder().Clear();
        var (choice, diagnostics) = _session.EvalInteractionNonThrowing(code, pseudoFile, FSharpOption<CancellationToken>.Some(cancellationToken));
        // Like the kernel: any error diagnostic fails the cell, even when FSI went on (dotnet/interactive#691).
        var errors = diagnostics.Where(d => d.Severity.IsError).ToArray();
        if (errors.Length > 0)
        {
            string Format(FSharpDiagnostic d) =>
                $"({firstLine + d.StartLine - 1},{d.StartColumn + 1}): error FS{d.ErrorNumber:0000}: {d.Message}";
            var lines = errors.Select(Format).ToArray();
            return (null, new ErrorOutput(ErrorKind.Compilation, "CompilationError", string.Join("\n", lines), firstLine + errors[0].StartLine - 1, lines));
        }

        if (choice is FSharpChoice<FSharpOption<Shell.FsiValue>, Exception>.Choice2Of2 failure)
        {
            var exception = failure.Item;
            var line = Errors.LineOf(exception, pseudoFile, firstLine);
            var error = Errors.FromException(exception, line);
            var detail = _fsiErr.ToString().Trim();
            return (null, detail.Length > 0 && error.Message.Contains("Operation could not be completed", StringComparison.Ordinal)
                ? error with { Message = detail }
                : error);
        }

        var ok = (FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice1Of2)choice;
        return (ok.Item is { } some ? some.Value : null, null);
    }
}
