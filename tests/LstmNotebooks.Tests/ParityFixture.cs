using System.Text.Json;

namespace LstmNotebooks.Tests;

/// <summary>The libtorch reference cases (Fixtures/rnn-parity-v1.json and -v2.json: bidirectional layers and LSTM
/// projections; provenance in Fixtures/PROVENANCE.md).</summary>
public sealed class ParityCase
{
    public required string Name { get; init; }
    public required string Cell { get; init; }
    public required string DType { get; init; }
    public int InputSize { get; init; }
    public int HiddenSize { get; init; }
    public int Layers { get; init; }
    /// <summary>0: no projection (v2 field; v1 cases have none).</summary>
    public int ProjSize { get; init; }
    public bool Bidirectional { get; init; }
    public string Source { get; init; } = "";
    public int Directions => Bidirectional ? 2 : 1;
    public int OutputSize => ProjSize > 0 ? ProjSize : HiddenSize;
    public int Batch { get; init; }
    public int Steps { get; init; }
    public double Loss { get; init; }
    public required Dictionary<string, double[]> Tensors { get; init; }
    public required Dictionary<string, double[]> Params { get; init; }
    public required Dictionary<string, double[]> Grads { get; init; }

    public CellKind Kind => Cell switch { "lstm" => CellKind.Lstm, "gru" => CellKind.Gru, _ => CellKind.Rnn };
    public override string ToString() => Name;

    public static IReadOnlyList<ParityCase> All { get; } = [.. Load("rnn-parity-v1.json"), .. Load("rnn-parity-v2.json")];

    private static List<ParityCase> Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var cases = new List<ParityCase>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            static double[] Data(JsonElement e) => e.GetProperty("data").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var tensors = new Dictionary<string, double[]>();
            foreach (var name in new[] { "x", "h0", "c0", "output", "h_n", "c_n", "R", "Rh", "Rc" })
                if (c.TryGetProperty(name, out var t)) tensors[name] = Data(t);
            cases.Add(new ParityCase
            {
                Name = c.GetProperty("name").GetString()!,
                Cell = c.GetProperty("cell").GetString()!,
                DType = c.GetProperty("dtype").GetString()!,
                InputSize = c.GetProperty("input_size").GetInt32(),
                HiddenSize = c.GetProperty("hidden_size").GetInt32(),
                Layers = c.GetProperty("num_layers").GetInt32(),
                ProjSize = c.TryGetProperty("proj_size", out var proj) ? proj.GetInt32() : 0,
                Bidirectional = c.TryGetProperty("bidirectional", out var bi) && bi.GetBoolean(),
                Source = file,
                Batch = c.GetProperty("batch").GetInt32(),
                Steps = c.GetProperty("seq_len").GetInt32(),
                Loss = c.GetProperty("loss").GetDouble(),
                Tensors = tensors,
                Params = c.GetProperty("params").EnumerateObject().ToDictionary(p => p.Name, p => Data(p.Value)),
                Grads = c.GetProperty("grads").EnumerateObject().ToDictionary(p => p.Name, p => Data(p.Value)),
            });
        }
        return cases;
    }
}
