using System.Text.Json.Nodes;
using Plotly.NET;

namespace LstmNotebooks.Plotting.Tests;

/// <summary>The figure JSON Plotly.NET produces for a chart, with accessors for what the tests check.</summary>
internal sealed class Fig
{
    private Fig(JsonObject root) => Root = root;

    public JsonObject Root { get; }
    public JsonArray Data => Root["data"]!.AsArray();
    public JsonObject Layout => Root["layout"]!.AsObject();
    public JsonObject Trace(int i) => Data[i]!.AsObject();
    public int Count => Data.Count;

    public static Fig Of(GenericChart chart) => new(JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject());
    public static Fig OfJson(string json) => new(JsonNode.Parse(json)!.AsObject());

    public JsonObject[] Traces(string type) => Data.Select(n => n!.AsObject()).Where(t => (string?)t["type"] == type).ToArray();
    public string[] Notes => Layout["annotations"]?.AsArray().Select(a => (string)a!["text"]!).ToArray() ?? [];
    public JsonObject[] Shapes => Layout["shapes"]?.AsArray().Select(a => a!.AsObject()).ToArray() ?? [];

    public string Type(int i) => (string)Trace(i)["type"]!;
    public string Title => (string)Layout["title"]!["text"]!;
    public string AxisTitle(string key) => (string)Layout[key]!["title"]!["text"]!;
    public string? AxisProp(string key, string prop) => Layout[key]?[prop]?.ToString();

    public JsonObject? TraceNamed(string name) => Data.Select(n => n!.AsObject()).FirstOrDefault(t => (string?)t["name"] == name);

    public static double[] Doubles(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
    public static double?[] NullableDoubles(JsonNode? node) => node!.AsArray().Select(n => n is null ? (double?)null : n.GetValue<double>()).ToArray();
    public static double[][] Matrix(JsonNode? node) => node!.AsArray().Select(Doubles).ToArray();
    public static string[] Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
    public static int[] Ints(JsonNode? node) => node!.AsArray().Select(n => (int)n!.GetValue<double>()).ToArray();
}

internal static class Models
{
    public static Model<double> Lstm(int input = 2, int hidden = 3, int layers = 1)
        => LstmNotebooks.Lstm.Create(input, hidden).WithLayers(layers).WithHead(Head.Regression(1)).WithSeed(11).Build<double>();

    public static Sequence<double> Input(int steps = 7, int features = 2)
        => Sequence.FromFlat<double>(Enumerable.Range(0, steps * features).Select(k => Math.Sin(0.7 * k) * 1.5).ToArray(), steps, features);

    public static Trace<double> LstmTrace(int layers = 1, int steps = 7) => Lstm(layers: layers).Trace(Input(steps));
}
