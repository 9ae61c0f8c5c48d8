using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

public enum NotebookFormat { Ipynb, Dib }

/// <summary>
/// One cell. <see cref="MetadataKernel"/> is what the cell's metadata names (Polyglot's kernelName); Jupyter clients
/// do not send it, so the kernel that runs the cell comes from its first line or the notebook's default.
/// </summary>
internal sealed record NotebookCell(int Number, CellType Type, string Source, KernelName? MetadataKernel, string? MetadataKernelText,
    IReadOnlyList<string> Tags, JsonObject? Json)
{
    public bool IsTaggedChart => Tags.Contains("chart", StringComparer.Ordinal);
}

internal sealed record NotebookDocument(
    string Path,
    NotebookFormat Format,
    KernelName DefaultKernel,
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
                JsonValue t when t.TryGetValue<string>(out var s) && s == "markdown" => CellType.Markdown,
                JsonValue t when t.TryGetValue<string>(out var s) && s == "code" => CellType.Code,
                JsonValue t when t.TryGetValue<string>(out var s) && s == "raw" => CellType.Raw,
                var other => throw new NotebookFormatException(
                    $"{path}: cell {number} has cell_type {other.ToJsonString()}; expected \"markdown\", \"code\" or \"raw\"."),
            };

            var source = SourceOf(path, number, cell["source"]);
            var cellMetadata = cell["metadata"] as JsonObject;
            var kernelText = kind == CellType.Code ? CellKernelOf(cellMetadata) : null;
            KernelName? kernel = kernelText is not null && KernelNames.TryParse(kernelText, out var k) ? k : null;
            result.Add(new NotebookCell(number, kind, source, kernel, kernelText, TagsOf(path, number, cellMetadata), cell));
        }

        return new NotebookDocument(path, NotebookFormat.Ipynb, defaultKernel, result, doc);
    }

    public static NotebookDocument ParseDib(string path, string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var defaultKernel = KernelName.CSharp;
        var cells = new List<NotebookCell>();
        var current = new List<string>();
        KernelName? currentKernel = null;
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
                var kind = kernel == KernelName.Markdown ? CellType.Markdown : CellType.Code;
                // A .dib cell's kernel is its #! line, which the kernel reads as the first line of the submission.
                var source = kind == CellType.Code && kernel != defaultKernel ? $"#!{KernelNames.ToText(kernel)}\n{body}" : body;
                cells.Add(new NotebookCell(cells.Count + 1, kind, source, kernel, KernelNames.ToText(kernel), [], null));
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

            if (trimmed.StartsWith("#!", StringComparison.Ordinal) && KernelNames.TryParse(trimmed[2..], out var kernel))
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

    private static KernelName? ParseDibMeta(string path, string json)
    {
        if (json.Length == 0)
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(json) as JsonObject;
            return (node?["kernelInfo"]?["defaultKernelName"] as JsonValue)?.GetValue<string>() is { } name
                && KernelNames.TryParse(name, out var k) ? k : null;
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
                if (name != "polyglot-notebook" && name.Length > 0) return name;
            }
        }

        return null;
    }

    private static KernelName DefaultKernelOf(JsonObject? metadata)
    {
        string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        // Jupyter starts the kernel the kernelspec names (.net-csharp, .net-fsharp): that is the default kernel there.
        if (Str(metadata?["kernelspec"]?["name"]) is { } spec)
        {
            if (spec.Contains("fsharp", StringComparison.OrdinalIgnoreCase)) return KernelName.FSharp;
            if (spec.Contains("csharp", StringComparison.OrdinalIgnoreCase)) return KernelName.CSharp;
        }

        if (Str(metadata?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]) is { } d && KernelNames.TryParse(d, out var k1))
            return k1;

        foreach (var lang in new[] { Str(metadata?["kernelspec"]?["language"]), Str(metadata?["language_info"]?["name"]) })
            if (lang is not null && KernelNames.TryParse(lang, out var k2) && k2 is KernelName.CSharp or KernelName.FSharp)
                return k2;

        return KernelName.CSharp;
    }

    private static IReadOnlyList<string> TagsOf(string path, int number, JsonObject? metadata)
    {
        if (metadata?["tags"] is not { } tags) return [];
        if (tags is not JsonArray array || array.Any(t => t is not JsonValue v || !v.TryGetValue<string>(out _)))
            throw new NotebookFormatException($"{path}: cell {number} has metadata.tags {Describe(tags)}; expected an array of strings.");
        return array.Select(t => t!.GetValue<string>()).ToArray();
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
    private static readonly Dictionary<string, KernelName> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["csharp"] = KernelName.CSharp, ["c#"] = KernelName.CSharp,
        ["fsharp"] = KernelName.FSharp, ["f#"] = KernelName.FSharp,
        ["markdown"] = KernelName.Markdown, ["md"] = KernelName.Markdown,
        ["html"] = KernelName.Html,
        ["javascript"] = KernelName.JavaScript, ["js"] = KernelName.JavaScript,
        ["value"] = KernelName.Value,
        ["mermaid"] = KernelName.Mermaid,
        ["pwsh"] = KernelName.PowerShell, ["powershell"] = KernelName.PowerShell,
        ["http"] = KernelName.Http,
        ["sql"] = KernelName.Sql,
        ["kql"] = KernelName.Kql,
        ["python"] = KernelName.Python,
    };

    public static bool TryParse(string name, out KernelName kernel) => Aliases.TryGetValue(name.Trim(), out kernel);

    /// <summary>The name a <c>#!</c> selector uses.</summary>
    public static string ToText(KernelName kernel) => kernel switch
    {
        KernelName.CSharp => "csharp",
        KernelName.FSharp => "fsharp",
        KernelName.PowerShell => "pwsh",
        _ => kernel.ToString().ToLowerInvariant(),
    };

    public static string Label(KernelName kernel) => kernel switch
    {
        KernelName.CSharp => "C#",
        KernelName.FSharp => "F#",
        KernelName.Html => "HTML",
        KernelName.JavaScript => "JavaScript",
        KernelName.PowerShell => "PowerShell",
        _ => kernel.ToString(),
    };
}
