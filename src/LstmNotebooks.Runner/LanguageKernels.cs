using System.Diagnostics;

namespace LstmNotebooks.Runner;

/// <summary>The result of running code in a kernel: a return value when the code ended with an expression, or an error.</summary>
internal sealed record ExecutionOutcome(bool HasValue, object? Value, ErrorOutput? Error, IReadOnlyList<string>? Warnings = null)
{
    public static ExecutionOutcome Failed(ErrorOutput error) => new(false, null, error);
}

internal sealed record KernelVariable(string Name, Type Type, object? Value);

/// <summary>A language engine with state shared between the cells of one notebook.</summary>
internal interface ILanguageKernel : IDisposable
{
    KernelName Name { get; }

    /// <summary>Makes restored or <c>#r</c>'d assemblies available to the following submissions.</summary>
    void AddReferences(IEnumerable<string> paths);

    /// <summary>Whether the type (or a type argument of it) comes from an assembly a cell loaded with <c>#r "path.dll"</c>.</summary>
    bool IsFromPathReference(Type type);

    Task<ExecutionOutcome> ExecuteAsync(ParsedSubmission submission, string pseudoFile, CancellationToken cancellationToken);

    /// <summary>Starts the engine (compiler and session), so that the first cell's time is the cell's own.</summary>
    Task WarmUpAsync(CancellationToken cancellationToken);

    bool TryGetValue(string name, out KernelVariable variable);

    Task SetValueAsync(string name, object? value, Type type, int line);

    IReadOnlyList<KernelVariable> Variables();
}

internal static class Errors
{
    /// <summary>The 1-based cell line of the deepest stack frame that belongs to the given pseudo file, if the engine recorded one.</summary>
    public static int? LineOf(Exception exception, string pseudoFile, int firstLine)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var frames = new StackTrace(e, true).GetFrames();
            foreach (var frame in frames)
            {
                var file = frame.GetFileName();
                var line = frame.GetFileLineNumber();
                if (line > 0 && file is not null && string.Equals(file, pseudoFile, StringComparison.Ordinal))
                {
                    return firstLine + line - 1;
                }
            }
        }

        return null;
    }

    /// <summary>Unwraps the reflection and task wrappers that hide the exception the notebook code threw.</summary>
    public static Exception Unwrap(Exception exception)
    {
        var e = exception;
        while (e is System.Reflection.TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    public static ErrorOutput FromException(Exception exception, int? line)
    {
        var e = Unwrap(exception);
        // The frames of the scripting engines and of reflection say nothing about the notebook; leave them out.
        string[] engine = ["   at Microsoft.CodeAnalysis.", "   at FSharp.Compiler.", "   at System.Reflection.", "   at System.RuntimeMethodHandle.", "--- End of stack trace"];
        var traceback = e.ToString().Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => !engine.Any(prefix => l.StartsWith(prefix, StringComparison.Ordinal))).ToArray();
        return new ErrorOutput(ErrorKind.Exception, e.GetType().FullName ?? e.GetType().Name, e.Message, line, traceback);
    }
}
