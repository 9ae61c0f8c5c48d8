using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

/// <summary>
/// Writes the executed notebook as nbformat 4: the input's own JSON with each code cell's outputs and execution count
/// replaced, outputs as the real kernel sends them to Jupyter: a cell's value as execute_result, displayed values as
/// display_data, console text as stream, failures as error with ename "Error".
/// </summary>
internal static class IpynbWriter
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToJson(NotebookDocument document, IReadOnlyList<CellResult> results)
    {
        var root = document.Json?.DeepClone().AsObject() ?? NewNotebook(document);
        var cells = root["cells"]!.AsArray();
        if (document.Json is null)
        {
            foreach (var cell in document.Cells)
            {
                cells.Add(NewCell(cell));
            }
        }

        for (var i = 0; i < results.Count && i < cells.Count; i++)
        {
            var result = results[i];
            if (result.Type != CellType.Code || cells[i] is not JsonObject cell)
            {
                continue;
            }

            cell["execution_count"] = result.ExecutionCount;
            var outputs = new JsonArray();
            foreach (var output in result.Outputs)
            {
                outputs.Add(ToJson(output, result.ExecutionCount));
            }

            cell["outputs"] = outputs;
        }

        return root.ToJsonString(Indented) + "\n";
    }

    private static JsonObject ToJson(CellOutput output, int? executionCount) => output switch
    {
        DisplayOutput { IsResult: true } d => new JsonObject
        {
            ["data"] = new JsonObject(d.Data.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)MimeValue(kv.Key, kv.Value)))),
            ["execution_count"] = executionCount,
            ["metadata"] = new JsonObject(),
            ["output_type"] = "execute_result",
        },
        DisplayOutput d => new JsonObject
        {
            ["data"] = new JsonObject(d.Data.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)MimeValue(kv.Key, kv.Value)))),
            ["metadata"] = new JsonObject(),
            ["output_type"] = "display_data",
        },
        StreamOutput s => new JsonObject
        {
            ["name"] = s.Stream == StreamName.Stdout ? "stdout" : "stderr",
            ["output_type"] = "stream",
            ["text"] = Lines(s.Text),
        },
        // The kernel names every error "Error"; a compile error's evalue is "compilation error" after a stderr stream with the diagnostics.
        ErrorOutput e => new JsonObject
        {
            ["ename"] = "Error",
            ["evalue"] = e.Kind switch
            {
                ErrorKind.Compilation => "compilation error",
                ErrorKind.Exception => $"{e.ErrorName}: {e.Message}",
                _ => e.Line is null ? e.Message : $"(line {e.Line}) {e.Message}",
            },
            ["output_type"] = "error",
            ["traceback"] = e.Kind == ErrorKind.Compilation
                ? new JsonArray()
                : new JsonArray(e.Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(output), output.GetType().Name, "unknown output kind"),
    };

    /// <summary>JSON mime types are stored as JSON, text as nbformat's multi-line string (an array of lines).</summary>
    private static JsonNode MimeValue(string mime, string value)
    {
        if (mime.EndsWith("json", StringComparison.Ordinal))
        {
            try
            {
                return JsonNode.Parse(value) ?? Lines(value);
            }
            catch (JsonException)
            {
                return Lines(value);
            }
        }

        return Lines(value);
    }

    private static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    /// <summary>A .dib has no JSON: build the notebook with the metadata VS Code writes.</summary>
    private static JsonObject NewNotebook(NotebookDocument document) => new()
    {
        ["cells"] = new JsonArray(),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject
            {
                ["display_name"] = document.DefaultKernel == KernelName.FSharp ? ".NET (F#)" : ".NET (C#)",
                ["language"] = document.DefaultKernel == KernelName.FSharp ? "F#" : "C#",
                ["name"] = document.DefaultKernel == KernelName.FSharp ? ".net-fsharp" : ".net-csharp",
            },
            ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
            ["polyglot_notebook"] = new JsonObject
            {
                ["kernelInfo"] = new JsonObject
                {
                    ["defaultKernelName"] = KernelNames.ToText(document.DefaultKernel),
                    ["items"] = new JsonArray(
                        new JsonObject { ["aliases"] = new JsonArray("c#", "C#"), ["languageName"] = "C#", ["name"] = "csharp" },
                        new JsonObject { ["aliases"] = new JsonArray("f#", "F#"), ["languageName"] = "F#", ["name"] = "fsharp" }),
                },
            },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 2,
    };

    private static JsonObject NewCell(NotebookCell cell)
    {
        var source = Lines(cell.Source);
        if (cell.Type == CellType.Markdown)
        {
            return new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = source };
        }

        return new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = new JsonObject
            {
                ["dotnet_interactive"] = new JsonObject { ["language"] = cell.MetadataKernelText },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = cell.MetadataKernelText },
            },
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        };
    }

    public static void Write(string path, NotebookDocument document, IReadOnlyList<CellResult> results) =>
        File.WriteAllText(path, ToJson(document, results), new UTF8Encoding(false));
}
