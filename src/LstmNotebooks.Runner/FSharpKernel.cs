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
internal sealed class FSharpKernel : ILanguageKernel
{
    private readonly Shell.FsiEvaluationSession session;
    private readonly StringWriter fsiOut = new();
    private readonly StringWriter fsiErr = new();
    private readonly PackageRestorer restorer;

    private FSharpKernel(string notebookDirectory, PackageRestorer restorer)
    {
        this.restorer = restorer;
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        string[] args =
        [
            "fsi.exe", "--noninteractive", "--quiet", "--langversion:preview", "--targetprofile:netcore",
            "--multiemit+", "--debug+", "--optimize+", "/usesdkrefs-", $"--lib:{notebookDirectory}",
        ];
        session = Shell.FsiEvaluationSession.Create(config, args, new StringReader(""), fsiOut, fsiErr, null, null);
    }

    public string Name => KernelNames.FSharp;

    public static FSharpKernel Start(string notebookDirectory, PackageRestorer restorer)
    {
        var kernel = new FSharpKernel(notebookDirectory, restorer);
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
        // FSI understands #r "nuget:" and #i itself; put back those lines the runner does not replace, at their own line.
        var lines = submission.Code.Split('\n');
        foreach (var directive in submission.Directives)
        {
            var index = directive.Line - submission.FirstLine;
            if (directive.Kind == DirectiveKind.NuGetReference && !PackageRestorer.IsProvidedByRunner(Directives.PackageOf(directive).Name))
            {
                lines[index] = directive.Text;
            }
            else if (directive.Kind == DirectiveKind.NuGetSource)
            {
                lines[index] = $"#i \"nuget: {restorer.NormalizeSource(directive.Arguments[0])}\"";
            }
        }

        var (value, error) = Evaluate(string.Join("\n", lines), pseudoFile, submission.FirstLine, cancellationToken);
        if (error is not null)
        {
            return Task.FromResult(ExecutionOutcome.Failed(error));
        }

        var hasValue = value is not null && value.ReflectionType != typeof(Unit);
        return Task.FromResult(new ExecutionOutcome(hasValue, hasValue ? value!.ReflectionValue : null, null));
    }

    public bool TryGetValue(string name, out KernelVariable variable)
    {
        var found = session.TryFindBoundValue(name);
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
            session.AddBoundValue(name, value);
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
        session.GetBoundValues().Select(v => new KernelVariable(v.Name, v.Value.ReflectionType, v.Value.ReflectionValue)).ToArray();

    public void Dispose() => (session as IDisposable)?.Dispose();

    private (Shell.FsiValue? Value, ErrorOutput? Error) Evaluate(string code, string pseudoFile, int firstLine, CancellationToken cancellationToken)
    {
        fsiErr.GetStringBuilder().Clear();
        var (choice, diagnostics) = session.EvalInteractionNonThrowing(code, pseudoFile, FSharpOption<CancellationToken>.Some(cancellationToken));
        // Like the kernel: any error diagnostic fails the cell, even when FSI went on (dotnet/interactive#691).
        var errors = diagnostics.Where(d => d.Severity.IsError).ToArray();
        if (errors.Length > 0)
        {
            string Format(FSharpDiagnostic d) =>
                $"({firstLine + d.StartLine - 1},{d.StartColumn + 1}): error FS{d.ErrorNumber:0000}: {d.Message}";
            var lines = errors.Select(Format).ToArray();
            return (null, new ErrorOutput("CompilationError", string.Join("\n", lines), firstLine + errors[0].StartLine - 1, lines));
        }

        if (choice is FSharpChoice<FSharpOption<Shell.FsiValue>, Exception>.Choice2Of2 failure)
        {
            var exception = failure.Item;
            var line = Errors.LineOf(exception, pseudoFile, firstLine);
            var error = Errors.FromException(exception, line);
            var detail = fsiErr.ToString().Trim();
            return (null, detail.Length > 0 && error.Message.Contains("Operation could not be completed", StringComparison.Ordinal)
                ? error with { Message = detail }
                : error);
        }

        var ok = (FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice1Of2)choice;
        return (ok.Item is { } some ? some.Value : null, null);
    }
}
