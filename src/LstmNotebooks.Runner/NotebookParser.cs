using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

public enum NotebookFormat { Ipynb, Dib }

internal sealed record NotebookCell(int Number, CellKind Kind, string Source, string KernelName, JsonObject? Json);

internal sealed record NotebookDocument(
    string Path,
    NotebookFormat Format,
    string DefaultKernel,
    IReadOnlyList<NotebookCell> Cells,
    JsonObject? Json);

/// <summary>The notebook file cannot be read as a notebook. The message says what is wrong, what was expected and how to fix it.</summary>
public sealed class NotebookFormatException(string message) : Exception(message);

internal static class NotebookParser
{
    public static NotebookDocument Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NotebookFormatException($"{path}: cannot read the file: {e.Message}");
        }

        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".ipynb" => ParseIpynb(path, text),
            ".dib" => ParseDib(path, text),
            var ext => throw new NotebookFormatException(
                $"{path}: unsupported file type '{ext}'; expected '.ipynb' or '.dib'."),
        };
    }

    public static NotebookDocument ParseIpynb(string path, string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new NotebookFormatException(
                $"{path}: not valid JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)} " +
                "Hint: an .ipynb file is a JSON document; open it in an editor that validates JSON.");
        }

        if (root is not JsonObject doc)
        {
            throw new NotebookFormatException(
                $"{path}: the top level is {Describe(root)}; expected a JSON object with 'nbformat' and 'cells'.");
        }

        var nbformat = doc["nbformat"];
        if (nbformat is null)
        {
            throw new NotebookFormatException(
                $"{path}: missing field 'nbformat'; expected \"nbformat\": 4. Hint: save the notebook from VS Code or Jupyter to get the standard header.");
        }

        if (nbformat is not JsonValue v || !v.TryGetValue<int>(out var major) || major != 4)
        {
            throw new NotebookFormatException(
                $"{path}: unsupported nbformat {nbformat.ToJsonString()}; expected 4 (the runner reads nbformat 4.x only). " +
                "Hint: convert it with 'jupyter nbconvert --to notebook' or re-save it from VS Code.");
        }

        if (doc["cells"] is not JsonArray cells)
        {
            throw new NotebookFormatException(doc["cells"] is null
                ? $"{path}: missing field 'cells'; expected an array of cells."
                : $"{path}: field 'cells' is {Describe(doc["cells"])}; expected an array of cells.");
        }

        var metadata = doc["metadata"] as JsonObject;
        var defaultKernel = DefaultKernelOf(metadata);
        var result = new List<NotebookCell>(cells.Count);
        for (var i = 0; i < cells.Count; i++)
        {
            var number = i + 1;
            if (cells[i] is not JsonObject cell)
            {
                throw new NotebookFormatException($"{path}: cell {number} is {Describe(cells[i])}; expected an object.");
            }

            var kind = cell["cell_type"] switch
            {
                null => throw new NotebookFormatException(
                    $"{path}: cell {number} has no 'cell_type'; expected \"markdown\", \"code\" or \"raw\"."),
                JsonValue t when t.TryGetValue<string>(out var s) && s == "markdown" => CellKind.Markdown,
                JsonValue t when t.TryGetValue<string>(out var s) && s == "code" => CellKind.Code,
                JsonValue t when t.TryGetValue<string>(out var s) && s == "raw" => CellKind.Raw,
                var other => throw new NotebookFormatException(
                    $"{path}: cell {number} has cell_type {other.ToJsonString()}; expected \"markdown\", \"code\" or \"raw\"."),
            };

            var source = SourceOf(path, number, cell["source"]);
            var kernel = kind == CellKind.Code ? CellKernelOf(cell["metadata"] as JsonObject) ?? defaultKernel : "markdown";
            result.Add(new NotebookCell(number, kind, source, kernel, cell));
        }

        return new NotebookDocument(path, NotebookFormat.Ipynb, defaultKernel, result, doc);
    }

    public static NotebookDocument ParseDib(string path, string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var defaultKernel = "csharp";
        var cells = new List<NotebookCell>();
        var current = new List<string>();
        string? currentKernel = null;
        var inMeta = false;

        void Flush()
        {
            var body = TrimBlankLines(current);
            if (inMeta)
            {
                defaultKernel = ParseDibMeta(path, string.Join("\n", body)) ?? defaultKernel;
            }
            else if (currentKernel is not null || body.Length > 0)
            {
                var kernel = currentKernel ?? defaultKernel;
                var kind = KernelNames.IsMarkdown(kernel) ? CellKind.Markdown : CellKind.Code;
                cells.Add(new NotebookCell(cells.Count + 1, kind, body, kernel, null));
            }

            current.Clear();
        }

        foreach (var line in lines)
        {
            var trimmed = line.TrimEnd();
            if (trimmed == "#!meta")
            {
                Flush();
                inMeta = true;
                currentKernel = null;
                continue;
            }

            if (trimmed.StartsWith("#!", StringComparison.Ordinal) && KernelNames.TryNormalize(trimmed[2..], out var kernel))
            {
                Flush();
                inMeta = false;
                currentKernel = kernel;
                continue;
            }

            current.Add(line);
        }

        Flush();
        return new NotebookDocument(path, NotebookFormat.Dib, defaultKernel, cells, null);
    }

    private static string? ParseDibMeta(string path, string json)
    {
        if (json.Length == 0)
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(json) as JsonObject;
            return (node?["kernelInfo"]?["defaultKernelName"] as JsonValue)?.GetValue<string>() is { } name
                && KernelNames.TryNormalize(name, out var k) ? k : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new NotebookFormatException(
                $"{path}: the '#!meta' block is not valid JSON ({FirstSentence(e.Message)}); expected a one-line {{\"kernelInfo\":{{...}}}} object.");
        }
    }

    private static string TrimBlankLines(List<string> lines)
    {
        var start = 0;
        var end = lines.Count;
        while (start < end && string.IsNullOrWhiteSpace(lines[start])) start++;
        while (end > start && string.IsNullOrWhiteSpace(lines[end - 1])) end--;
        return string.Join("\n", lines.Skip(start).Take(end - start));
    }

    private static string SourceOf(string path, int number, JsonNode? source)
    {
        switch (source)
        {
            case null:
                throw new NotebookFormatException(
                    $"{path}: cell {number} has no 'source'; expected a string or an array of strings.");
            case JsonValue v when v.TryGetValue<string>(out var s):
                return s.Replace("\r\n", "\n");
            case JsonArray a:
                var parts = new List<string>(a.Count);
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue line && line.TryGetValue<string>(out var l))
                    {
                        parts.Add(l);
                    }
                    else
                    {
                        throw new NotebookFormatException(
                            $"{path}: cell {number}, source line {i + 1} is {Describe(a[i])}; expected a string.");
                    }
                }

                return string.Concat(parts).Replace("\r\n", "\n");
            default:
                throw new NotebookFormatException(
                    $"{path}: cell {number} has 'source' {Describe(source)}; expected a string or an array of strings.");
        }
    }

    /// <summary>Same precedence as .NET Interactive's reader: polyglot_notebook.kernelName, then dotnet_interactive.language.</summary>
    private static string? CellKernelOf(JsonObject? metadata)
    {
        foreach (var candidate in new[]
                 {
                     metadata?["polyglot_notebook"]?["kernelName"],
                     metadata?["dotnet_interactive"]?["language"],
                     metadata?["vscode"]?["languageId"],
                 })
        {
            if (candidate is JsonValue v && v.TryGetValue<string>(out var s))
            {
                // Older VS Code files say "dotnet-interactive.csharp".
                var name = s.StartsWith("dotnet-interactive.", StringComparison.Ordinal) ? s["dotnet-interactive.".Length..] : s;
                if (name != "polyglot-notebook" && name.Length > 0)
                {
                    return KernelNames.TryNormalize(name, out var k) ? k : name;
                }
            }
        }

        return null;
    }

    private static string DefaultKernelOf(JsonObject? metadata)
    {
        string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        if (Str(metadata?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]) is { } d && KernelNames.TryNormalize(d, out var k1))
        {
            return k1;
        }

        if (Str(metadata?["kernelspec"]?["name"]) is { } spec)
        {
            if (spec.Contains("fsharp", StringComparison.OrdinalIgnoreCase)) return KernelNames.FSharp;
            if (spec.Contains("csharp", StringComparison.OrdinalIgnoreCase)) return KernelNames.CSharp;
        }

        foreach (var lang in new[] { Str(metadata?["kernelspec"]?["language"]), Str(metadata?["language_info"]?["name"]) })
        {
            if (lang is not null && KernelNames.TryNormalize(lang, out var k2) && !KernelNames.IsMarkdown(k2))
            {
                return k2;
            }
        }

        return KernelNames.CSharp;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => $"the value {Truncate(v.ToJsonString(), 40)}",
        _ => node.GetType().Name,
    };

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i < 0 ? message.TrimEnd('.') + "." : message[..(i + 1)];
    }
}

/// <summary>The kernel names and aliases .NET Interactive accepts after <c>#!</c> and in cell metadata.</summary>
internal static class KernelNames
{
    public const string CSharp = "csharp";
    public const string FSharp = "fsharp";
    public const string Markdown = "markdown";
    public const string Html = "html";
    public const string JavaScript = "javascript";

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["csharp"] = CSharp, ["c#"] = CSharp, ["C#"] = CSharp,
        ["fsharp"] = FSharp, ["f#"] = FSharp, ["F#"] = FSharp,
        ["markdown"] = Markdown, ["md"] = Markdown,
        ["html"] = Html,
        ["javascript"] = JavaScript, ["js"] = JavaScript,
        // Known to .NET Interactive but not runnable here: recognised so that they split cells and fail with a clear message.
        ["pwsh"] = "pwsh", ["powershell"] = "pwsh", ["sql"] = "sql", ["kql"] = "kql", ["mermaid"] = "mermaid",
        ["value"] = "value", ["http"] = "http", ["python"] = "python",
    };

    public static bool TryNormalize(string name, out string kernel)
    {
        if (Aliases.TryGetValue(name.Trim(), out var k) || Aliases.TryGetValue(name.Trim().ToLowerInvariant(), out k))
        {
            kernel = k;
            return true;
        }

        kernel = name;
        return false;
    }

    public static bool IsMarkdown(string kernel) => kernel == Markdown;
}
