using Microsoft.DotNet.Interactive.Formatting;

namespace LstmNotebooks.Runner;

/// <summary>
/// Turns a value into an output the way the kernel did: charts and DataFrames through the runner's built-in
/// formatters (they replace Plotly.NET.Interactive and the DataFrame kernel extension), everything else through
/// Microsoft.DotNet.Interactive.Formatting with the value's preferred mime types.
/// </summary>
internal sealed class ValueFormatter
{
    /// <summary>Formatter registrations are process-wide in the Formatting library; a notebook starts from the defaults plus the built-ins, as after a kernel restart.</summary>
    public static void ResetAndRegisterBuiltIns()
    {
        Formatter.ResetToDefault();
        PlotlyCharts.Register();
        DataFrameTables.Register();
        // The Formatting library shows an F# list as an object (Head, Tail, ...); the F# kernel showed it as a sequence.
        foreach (var type in new[] { typeof(Microsoft.FSharp.Collections.FSharpList<>), typeof(Microsoft.FSharp.Collections.FSharpSet<>) })
        {
            Formatter.Register(type, (value, writer) => writer.Write(ToTypedArray(value).ToDisplayString("text/html")), "text/html");
        }
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
        if (value is not null && mimeTypes.Count == 0)
        {
            if (PlotlyCharts.TryFormat(value, out var chart)) return chart;
            if (DataFrameTables.TryFormat(value, out var table)) return table;
        }

        var mimes = mimeTypes.Count > 0
            ? mimeTypes
            : Formatter.GetPreferredMimeTypesFor(value?.GetType()).ToArray();
        if (mimes.Count == 0)
        {
            mimes = [Formatter.DefaultMimeType];
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mime in mimes)
        {
            data[mime] = value is null ? Formatter.NullString : value.ToDisplayString(mime);
        }

        var kind = data.ContainsKey("text/html") ? DisplayKind.Html
            : data.ContainsKey("text/plain") ? DisplayKind.PlainText
            : DisplayKind.Other;
        return new DisplayOutput(kind, data);
    }
}
