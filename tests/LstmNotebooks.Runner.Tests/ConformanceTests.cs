using System.Text.Json.Nodes;
using LstmNotebooks.Runner;

namespace LstmNotebooks.Runner.Tests;

/// <summary>
/// The rows of the README's semantics table: tests/conformance/kernel-conformance.ipynb holds, per cell, what the real
/// kernel 1.0.712001 does (measured through nbconvert); the runner must do the same, or the documented difference.
/// .ci/kernel-conformance runs the same notebook through the real kernel.
/// </summary>
public sealed class ConformanceTests
{
    private static string ConformanceNotebook()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LstmNotebooks.sln")))
                return Path.Combine(dir.FullName, "tests", "conformance", "kernel-conformance.ipynb");
        throw new DirectoryNotFoundException($"no LstmNotebooks.sln above {AppContext.BaseDirectory}.");
    }

    private static string Text(JsonNode? node) => node switch
    {
        JsonArray a => string.Concat(a.Select(n => n?.GetValue<string>())),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        null => "",
        _ => node.ToJsonString(),
    };

    /// <summary>Error or not, output kinds and all text, normalised as .ci/kernel-conformance compares them.</summary>
    private static (bool Error, List<string> Kinds, string Text) Outcome(JsonObject cell)
    {
        var outputs = cell["outputs"]!.AsArray().OfType<JsonObject>().ToArray();
        var kinds = new List<string>();
        var texts = new List<string>();
        for (var i = 0; i < outputs.Length; i++)
        {
            var o = outputs[i];
            var type = o["output_type"]!.GetValue<string>();
            if (type == "stream")
            {
                texts.Add(Text(o["text"]));
                if (o["name"]!.GetValue<string>() == "stderr" && i + 1 < outputs.Length && outputs[i + 1]["output_type"]!.GetValue<string>() == "error") continue;
                kinds.Add("stream:" + o["name"]!.GetValue<string>());
            }
            else if (type == "error")
            {
                kinds.Add("error");
                texts.Add(Text(o["evalue"]));
                texts.AddRange(o["traceback"]!.AsArray().Select(Text));
            }
            else
            {
                kinds.Add(type);
                texts.AddRange(o["data"]!.AsObject().Select(kv => Text(kv.Value)));
            }
        }

        return (kinds.Contains("error"), kinds, string.Join("\n", texts));
    }

    [Fact]
    public async Task EveryRowOfTheSemanticsTableBehavesAsMeasuredInTheRealKernel()
    {
        using var temp = new TempNotebooks();
        var notebook = temp.WriteText("kernel-conformance.ipynb", File.ReadAllText(ConformanceNotebook()));
        await NotebookRunner.RunAsync(notebook, new RunOptions
        {
            OutputDirectory = temp.OutDirectory,
            AllowErrors = true,
            Environment = new Dictionary<string, string> { ["CONFORMANCE_VAR"] = "from-env" },
        });

        var source = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray();
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.OutDirectory, "kernel-conformance.ipynb")))!["cells"]!.AsArray();
        var mismatches = new List<string>();
        var rows = 0;
        for (var i = 0; i < source.Count; i++)
        {
            if (source[i]!["metadata"]?["conformance"] is not JsonObject expected) continue;
            rows++;
            // A "runner" entry overrides only the keys it names (a documented difference), as in .ci/kernel-conformance.
            JsonNode? Want(string key) => (expected["runner"] as JsonObject)?[key] ?? expected[key];
            var (error, kinds, text) = Outcome(executed[i]!.AsObject());
            var row = $"cell {i + 1} ({expected["row"]})";
            if (error != Want("error")!.GetValue<bool>()) mismatches.Add($"{row}: error={error}");
            var wantKinds = Want("kinds")!.AsArray().Select(k => k!.GetValue<string>()).ToList();
            if (!kinds.SequenceEqual(wantKinds)) mismatches.Add($"{row}: outputs [{string.Join(", ", kinds)}], expected [{string.Join(", ", wantKinds)}]");
            if (Want("text")?.GetValue<string>() is { } key && !text.Contains(key, StringComparison.Ordinal)) mismatches.Add($"{row}: no '{key}' in\n{text}");
        }

        Assert.True(rows >= 40, $"only {rows} rows");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
