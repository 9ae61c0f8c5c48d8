using System.Text;
using System.Text.Json;

namespace LstmNotebooks.Interop;

/// <summary>
/// A <see cref="ModelSpec"/> as a small JSON object, the one encoding the exchange files share (safetensors'
/// <c>__metadata__</c> and ONNX's metadata_props hold it under <see cref="Key"/>), plus the PyTorch modules it
/// corresponds to, written beside it for people reading the file from Python.
/// </summary>
internal static class SpecJson
{
    public const string Key = "lstmnotebooks.spec";
    public const string TorchKey = "lstmnotebooks.pytorch";
    private const int Version = 1;

    public static string Write(ModelSpec spec)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteString("cell", spec.Cell.ToString().ToLowerInvariant());
            w.WriteNumber("input_size", spec.InputSize);
            w.WriteNumber("hidden_size", spec.HiddenSize);
            w.WriteNumber("num_layers", spec.Layers);
            w.WriteBoolean("peepholes", spec.Peepholes);
            w.WriteBoolean("forget_gate", spec.ForgetGate);
            if (spec.ForgetBias is double fb) w.WriteNumber("forget_bias", fb); else w.WriteNull("forget_bias");
            if (spec.InputGateBias is double ib) w.WriteNumber("input_gate_bias", ib); else w.WriteNull("input_gate_bias");
            w.WriteNumber("seed", spec.Seed);
            w.WriteStartObject("head");
            w.WriteString("kind", spec.Head.Kind.ToString().ToLowerInvariant());
            w.WriteNumber("outputs", spec.Head.Outputs);
            w.WriteString("output", spec.Head.Output == HeadOutput.LastStep ? "last_step" : "every_step");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses and validates a spec; <paramref name="where"/> names the file for messages.</summary>
    public static ModelSpec Read(string json, string where)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            int version = r.GetProperty("version").GetInt32();
            if (version != Version)
                ThrowHelper.Format($"{where} holds a spec of version {version}, but this library reads version {Version}. " +
                                   "Hint: write it again with a matching LstmNotebooks version, or load it with an explicit ModelSpec.");
            var cell = ParseEnum<CellKind>(r.GetProperty("cell").GetString(), "cell", where);
            var head = r.GetProperty("head");
            var kind = ParseEnum<HeadKind>(head.GetProperty("kind").GetString(), "head kind", where);
            string output = head.GetProperty("output").GetString() ?? "";
            if (output is not ("last_step" or "every_step"))
                ThrowHelper.Format($"{where} names head output '{output}'; expected \"last_step\" or \"every_step\".");
            var spec = new ModelSpec(cell, r.GetProperty("input_size").GetInt32(), r.GetProperty("hidden_size").GetInt32())
            {
                Layers = r.GetProperty("num_layers").GetInt32(),
                Peepholes = r.GetProperty("peepholes").GetBoolean(),
                ForgetGate = r.GetProperty("forget_gate").GetBoolean(),
                ForgetBias = NullableDouble(r.GetProperty("forget_bias")),
                InputGateBias = NullableDouble(r.GetProperty("input_gate_bias")),
                Seed = r.GetProperty("seed").GetInt64(),
                Head = kind == HeadKind.None ? HeadSpec.None
                    : new HeadSpec(kind, head.GetProperty("outputs").GetInt32(), output == "last_step" ? HeadOutput.LastStep : HeadOutput.EveryStep),
            };
            return spec;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{where} holds an unreadable model spec under \"{Key}\": {e.Message} " +
                                           "Hint: load it with an explicit ModelSpec.", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where} holds an invalid model spec: {e.Message}", e);
        }
    }

    /// <summary>The PyTorch modules this spec corresponds to, as Python a reader can paste.</summary>
    public static string Torch(ModelSpec spec)
    {
        string module = spec.Cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
        var sb = new StringBuilder($"torch.nn.{module}(input_size={spec.InputSize}, hidden_size={spec.HiddenSize}, num_layers={spec.Layers}, batch_first=True)");
        if (spec.Head.Kind != HeadKind.None)
            sb.Append($"; head = torch.nn.Linear({spec.HiddenSize}, {spec.Head.Outputs})");
        return sb.ToString();
    }

    private static double? NullableDouble(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    private static TEnum ParseEnum<TEnum>(string? text, string what, string where) where TEnum : struct, Enum
    {
        TEnum value = default;
        if (text is null || text.Length == 0 || char.IsDigit(text[0]) || !Enum.TryParse(text, ignoreCase: true, out value) || !Enum.IsDefined(value))
            ThrowHelper.Format($"{where} names {what} '{text}', which this library does not know. Expected one of: " +
                               $"{string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}.");
        return value;
    }
}
