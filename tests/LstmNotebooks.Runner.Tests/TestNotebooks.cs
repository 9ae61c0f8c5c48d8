using System.Text.Json;
using System.Text.Json.Nodes;
using LstmNotebooks.Runner;

namespace LstmNotebooks.Runner.Tests;

/// <summary>Writes small made-up notebooks into a fresh temporary folder, deleted on dispose.</summary>
public sealed class TempNotebooks : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("lstmnb-runner-").FullName;

    public string OutDirectory => Path.Combine(Directory, "out");

    public static JsonObject Code(string source, string? kernel = "csharp", bool legacyMetadataOnly = false, string[]? tags = null)
    {
        var metadata = new JsonObject();
        if (tags is not null) metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray());
        if (kernel is not null)
        {
            metadata["dotnet_interactive"] = new JsonObject { ["language"] = kernel };
            if (!legacyMetadataOnly)
            {
                metadata["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernel };
            }
        }

        return new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = metadata,
            ["outputs"] = new JsonArray(),
            ["source"] = Lines(source),
        };
    }

    public static JsonObject Markdown(string source) =>
        new() { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = Lines(source) };

    public string Write(string name, params JsonObject[] cells) => Write(name, "csharp", cells);

    /// <summary>Runs the notebooks in this folder (or the one path) through the runner, each in its own process.</summary>
    public Task<RunReport> RunAsync(string? path = null, RunOptions? options = null) =>
        NotebookRunner.RunAsync(path ?? Directory, options ?? new RunOptions { OutputDirectory = OutDirectory });

    public string Write(string name, string defaultKernel, params JsonObject[] cells)
    {
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode?)c).ToArray()),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = defaultKernel == "fsharp"
                    ? new JsonObject { ["display_name"] = ".NET (F#)", ["language"] = "F#", ["name"] = ".net-fsharp" }
                    : new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
                ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = defaultKernel, ["items"] = new JsonArray() } },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 2,
        };
        return WriteText(name, notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public string WriteText(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static JsonArray Lines(string source)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        return new JsonArray(lines.Select((l, i) => (JsonNode?)(i < lines.Length - 1 ? l + "\n" : l)).ToArray());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed may still hold a file; the OS cleans temp folders.
        }
    }
}

public static class Outputs
{
    public static DisplayOutput Display(this IReadOnlyList<CellOutput> outputs, int index = 0) => outputs.OfType<DisplayOutput>().ElementAt(index);

    public static string Html(this IReadOnlyList<CellOutput> outputs, int index = 0) => outputs.Display(index).Data["text/html"];

    public static string Text(this DisplayOutput output) =>
        output.Data.TryGetValue("text/plain", out var text) ? text : output.Data.GetValueOrDefault("text/html", "");

    public static IReadOnlyList<CellOutput> OfCell(this NotebookResult result, int number) =>
        result.Cells.Single(c => c.Number == number).Outputs;

    public static string Describe(this NotebookResult result) =>
        $"{result.Name}: {result.Status} {result.Failure}\n" + string.Join("\n", result.Cells.Select(c =>
            $"  cell {c.Number} {c.Status}: " + string.Join(" | ", c.Outputs.Select(o => o switch
            {
                DisplayOutput d => $"{(d.IsResult ? "result" : "display")} {d.Kind}:{d.Text()[..Math.Min(80, d.Text().Length)]}",
                StreamOutput s => $"{s.Stream}:{s.Text.Trim()[..Math.Min(200, s.Text.Trim().Length)]}",
                ErrorOutput e => $"error {e.Kind} {e.ErrorName} line {e.Line}: {e.Message}",
                _ => o.ToString(),
            }))));
}
