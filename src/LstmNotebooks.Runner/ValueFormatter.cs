using Microsoft.DotNet.Interactive.Formatting;

namespace LstmNotebooks.Runner;

/// <summary>
/// Turns a value into an output the way the kernel does: through Microsoft.DotNet.Interactive.Formatting with the
/// value's preferred mime types, so formatters that packages register (from their extension.dib or kernel extension)
/// decide what a chart or a table looks like.
/// </summary>
internal sealed class ValueFormatter
{
    /// <summary>The F# kernel registers these; the Formatting library alone shows an F# list as an object (Head, Tail, …).</summary>
    public static void RegisterKernelDefaults()
    {
        foreach (var type in new[] { typeof(Microsoft.FSharp.Collections.FSharpList<>), typeof(Microsoft.FSharp.Collections.FSharpSet<>) })
            Formatter.Register(type, (value, writer) => writer.Write(ToTypedArray(value).ToDisplayString("text/html")), "text/html");
    }

    /// <summary>A typed array, so that [1; 2; 3] shows as "[ 1, 2, 3 ]" like an int[] rather than as a table of objects.</summary>
    private static Array ToTypedArray(object sequence)
    {
        var items = ((System.Collections.IEnumerable)sequence).Cast<object?>().ToArray();
        var array = Array.CreateInstance(sequence.GetType().GetGenericArguments()[0], items.Length);
        Array.Copy(items, array, items.Length);
        return array;
    }

    public DisplayOutput Format(object? value, IReadOnlyList<string> mimeTypes)
    {
        var mimes = mimeTypes.Count > 0 ? mimeTypes : Formatter.GetPreferredMimeTypesFor(value?.GetType()).ToArray();
        if (mimes.Count == 0) mimes = [Formatter.DefaultMimeType];
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mime in mimes)
            data[mime] = value.ToDisplayString(mime);
        return new DisplayOutput(data);
    }
}
