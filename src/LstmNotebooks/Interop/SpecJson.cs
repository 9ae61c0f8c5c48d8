using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace LstmNotebooks.Interop;

/// <summary>
/// A <see cref="ModelSpec"/> as JSON, the one encoding the exchange files share (safetensors' <c>__metadata__</c> and
/// ONNX's metadata_props hold it under <see cref="Key"/>), plus the PyTorch modules it corresponds to, for people
/// reading the file from Python. The JSON is the record itself — every settable property, snake_case, enums as
/// snake_case strings — so a property added to the spec travels without a change here; a property this version does
/// not know is refused by name rather than dropped.
/// </summary>
internal static class SpecJson
{
    public const string Key = "lstmnotebooks.spec";
    public const string TorchKey = "lstmnotebooks.pytorch";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            // Computed properties (GateCount, TargetWidth) are not part of the spec: leave them out of the file.
            Modifiers = { info => { foreach (var p in info.Properties.Where(p => p.Set is null).ToList()) info.Properties.Remove(p); } },
        },
    };

    public static string Write(ModelSpec spec) => JsonSerializer.Serialize(spec, Options);

    /// <summary>Parses a spec (validated when the caller builds it); <paramref name="where"/> names the file for messages.</summary>
    public static ModelSpec Read(string json, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelSpec>(json, Options)
                   ?? throw new JsonException("The spec is JSON null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where} holds an unreadable model spec under \"{Key}\": {e.Message} " +
                                           "Hint: it was written by another version of LstmNotebooks; load it with an explicit ModelSpec.", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{where} holds an invalid model spec: {e.Message}", e);
        }
    }

    /// <summary>The PyTorch modules this spec corresponds to, as Python a reader can paste, and what of the spec
    /// PyTorch's modules have no argument for.</summary>
    public static string Torch(ModelSpec spec)
    {
        var sb = new StringBuilder($"torch.nn.{CellDefinition.Of(spec.Cell).Name}(input_size={spec.InputSize}, hidden_size={spec.HiddenSize}, num_layers={spec.Layers}");
        if (spec.Bidirectional) sb.Append(", bidirectional=True");
        if (spec.ProjectionSize > 0) sb.Append(FormattableString.Invariant($", proj_size={spec.ProjectionSize}"));
        if (spec.Dropout > 0) sb.Append(FormattableString.Invariant($", dropout={spec.Dropout}"));
        sb.Append(", batch_first=True)");
        if (spec.Head.Kind != HeadKind.None)
            sb.Append($"; head = torch.nn.Linear({spec.Directions * spec.OutputSize}, {spec.Head.Outputs})");
        if (spec.LearnedInitialState)
            sb.Append($"; h0{(spec.Cell == CellKind.Lstm ? ", c0" : "")}: the learned initial state (layers·directions, width), " +
                      "passed expanded over the batch as the module's initial state");
        if (spec.Peepholes) sb.Append("; weight_peephole_l{k}: peepholes (i, f, o), no torch.nn.LSTM counterpart");
        if (spec.RecurrentDropout > 0) sb.Append(FormattableString.Invariant($"; recurrent dropout {spec.RecurrentDropout} (Keras recurrent_dropout), no torch.nn counterpart"));
        return sb.ToString();
    }
}
