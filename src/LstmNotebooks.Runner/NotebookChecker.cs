using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

/// <summary>One problem found in an executed notebook: where, and what.</summary>
public sealed record CheckProblem(string Notebook, int Cell, string What)
{
    public override string ToString() => $"{Notebook}: cell {Cell}: {What}";
}

/// <summary>
/// Checks executed notebooks, from the real kernel through nbconvert or from this runner (both write nbformat 4 with
/// execute_result / display_data / stream / error outputs): no cell may have an error output, and with
/// <c>requireTaggedCharts</c> every cell tagged "chart" must carry a Plotly output with data.
/// </summary>
public static class NotebookChecker
{
    public static IReadOnlyList<CheckProblem> Check(string path, bool requireTaggedCharts)
    {
        var name = Path.GetFileName(path);
        JsonObject notebook;
        try
        {
            notebook = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new UsageException($"{path}: not a notebook (the top level is not a JSON object).");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not valid JSON ({e.Message.Split('.')[0]}).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read the file: {e.Message}");
        }

        if (notebook["cells"] is not JsonArray cells)
            throw new UsageException($"{path}: no 'cells' array; expected an executed nbformat 4 notebook.");

        var problems = new List<CheckProblem>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell || Str(cell["cell_type"]) != "code") continue;
            var outputs = (cell["outputs"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
            string? lastStderr = null;
            foreach (var output in outputs)
            {
                var type = Str(output["output_type"]);
                if (type == "stream" && Str(output["name"]) == "stderr") lastStderr = Text(output["text"]);
                if (type != "error") continue;
                var evalue = Str(output["evalue"]) ?? "";
                // The kernel's compile errors say "compilation error"; the diagnostics are the stderr text before it.
                var detail = evalue == "compilation error" && lastStderr is not null ? lastStderr : evalue;
                var first = detail.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
                problems.Add(new CheckProblem(name, i + 1, $"error output: {Str(output["ename"])}: {first}"));
            }

            var tagged = (cell["metadata"]?["tags"] as JsonArray)?.Any(t => t is JsonValue v && v.TryGetValue<string>(out var s) && s == "chart") == true;
            if (!requireTaggedCharts || !tagged) continue;
            var charts = outputs.Select(o => o["data"] as JsonObject).Where(d => d is not null).Select(d => ChartSummary.Of(Bundle(d!)))
                .OfType<ChartSummary>().ToArray();
            if (charts.Length == 0)
                problems.Add(new CheckProblem(name, i + 1, "tagged \"chart\" but has no Plotly output (application/vnd.plotly.v1+json or a Plotly.newPlot call)"));
            foreach (var summary in charts.Where(c => c.TracesKnown && c.NonEmptyTraceCount == 0))
                problems.Add(new CheckProblem(name, i + 1, $"tagged \"chart\" but its figure has {summary.TraceCount} traces and none with data"));
        }

        return problems;
    }

    /// <summary>An output's mime bundle as strings: nbformat stores a value as a string, a list of lines or (JSON mime types) an object.</summary>
    private static Dictionary<string, string> Bundle(JsonObject data) =>
        data.ToDictionary(kv => kv.Key, kv => Text(kv.Value) ?? kv.Value?.ToJsonString() ?? "", StringComparer.Ordinal);

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string? Text(JsonNode? node) => node switch
    {
        JsonArray a => string.Concat(a.Select(Str)),
        _ => Str(node),
    };
}
