using System.Globalization;
using System.Numerics;
using LstmNotebooks.Interop;

namespace LstmNotebooks;

/// <summary>
/// A model's state dict as a safetensors file, under PyTorch's names and shapes (<c>weight_ih_l0</c> 4H×I,
/// <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, …; the head as <c>head.weight</c>, <c>head.bias</c>), so
/// <c>safetensors.torch.load_file</c> hands PyTorch a dict that <c>nn.LSTM.load_state_dict</c> accepts. Float models
/// write F32, double models F64, bit for bit. <c>__metadata__</c> carries the kit's spec (so <see cref="Load{T}(string)"/>
/// needs nothing else), the matching PyTorch modules, and <c>"format": "pt"</c> as PyTorch's writer puts it.
/// </summary>
public static class Safetensors
{
    public static void SaveSafetensors<T>(this Model<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => model.ToSafetensors().Write(path);

    public static void SaveSafetensors<T>(this Model<T> model, Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => model.ToSafetensors().Write(stream);

    /// <summary>The model's tensors and metadata as a file in memory.</summary>
    public static SafetensorsFile ToSafetensors<T>(this Model<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = model.ParameterInfos.Select(i =>
            SafetensorsTensor.Create<T>(i.Name, i.Shape.Select(d => (long)d).ToArray(), model.Parameter(i.Name).Span));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [SpecJson.Key] = SpecJson.Write(model.Spec),
            [SpecJson.TorchKey] = SpecJson.Torch(model.Spec),
        };
        return new SafetensorsFile(tensors, metadata);
    }

    /// <summary>Loads a file written by <see cref="SaveSafetensors{T}(Model{T}, string)"/>: the spec comes from its metadata.</summary>
    public static Model<T> Load<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ToModel<T>(SafetensorsFile.Read(path));

    public static Model<T> Load<T>(Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ToModel<T>(SafetensorsFile.Read(stream));

    /// <summary>Loads weights from any safetensors file with PyTorch's names (e.g. saved from <c>nn.LSTM.state_dict()</c>)
    /// into a model of <paramref name="spec"/>; every tensor the spec needs must be there with its exact shape, and
    /// nothing else.</summary>
    public static Model<T> Load<T>(string path, ModelSpec spec) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ToModel<T>(SafetensorsFile.Read(path), spec);

    public static Model<T> Load<T>(Stream stream, ModelSpec spec) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ToModel<T>(SafetensorsFile.Read(stream), spec);

    /// <summary>A model from a file's tensors: of <paramref name="spec"/>, or of the spec in the file's metadata when null.
    /// F16, BF16 and F32 tensors widen exactly into a double model; F64 into a float model is refused (it would round).</summary>
    public static Model<T> ToModel<T>(SafetensorsFile file, ModelSpec? spec = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(file);
        const string what = "The safetensors file";
        Model<T> model;
        if (spec is null)
        {
            if (!file.Metadata.TryGetValue(SpecJson.Key, out var json))
                ThrowHelper.Format($"{what} carries no model spec (no \"{SpecJson.Key}\" in its __metadata__), so the architecture is unknown. " +
                                   $"It holds {Describe(file)}. Hint: pass the spec, e.g. Safetensors.Load<{typeof(T).Name}>(path, " +
                                   "Lstm.Create(inputSize: …, hiddenSize: …).WithLayers(…).WithHead(…)).");
            spec = SpecJson.Read(json, what);
            try { model = spec.Build<T>(); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException($"{what} holds an invalid model spec: {e.Message}", e);
            }
        }
        else model = spec.Build<T>();

        var needed = model.ParameterInfos;
        var missingInfos = needed.Where(i => file.Find(i.Name) is null).ToList();
        if (missingInfos.Count > 0)
            ThrowHelper.Format($"{what} lacks {Plural(missingInfos.Count, "tensor")} that {Name(spec)} needs: " +
                               $"{string.Join(", ", missingInfos.Select(i => $"'{i.Name}' [{string.Join(", ", i.Shape)}]"))}. It holds {Describe(file)}. " +
                               $"Hint: {SpecHint(missingInfos.Select(i => i.Name), inFile: false, file) ?? "names are PyTorch's (weight_ih_l0, …; the head as head.weight, head.bias), without a module prefix."}");
        var names = needed.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var extra = file.Tensors.Where(t => !names.Contains(t.Name)).Select(t => t.Name).ToList();
        if (extra.Count > 0)
            ThrowHelper.Format($"{what} holds {Plural(extra.Count, "tensor")} that {Name(spec)} does not have: {string.Join(", ", extra.Select(n => $"'{n}'"))}. " +
                               $"Hint: {SpecHint(extra, inFile: true, file) ?? "check the spec (layers, peepholes, head), or drop the tensors before saving."}");

        var tensors = new Dictionary<string, T[]>(StringComparer.Ordinal);
        foreach (var info in needed)
        {
            var t = file.Find(info.Name)!;
            if (!t.Shape.SequenceEqual(info.Shape.Select(d => (long)d)))
                ThrowHelper.Format($"{what}'s tensor '{info.Name}' has shape [{string.Join(", ", t.Shape)}], but {Name(spec)} needs " +
                                   $"[{string.Join(", ", info.Shape)}]. Hint: check the spec's input size, hidden size and head outputs.");
            if (SafetensorsFile.SizeOf(t.DType) > SafetensorsFile.SizeOf(SafetensorsFile.DTypeOf<T>()))
                ThrowHelper.Format($"{what} holds {t.DType} weights ('{info.Name}'), but a Model<{typeof(T).Name}> cannot hold them without rounding. " +
                                   $"Hint: load it as Model<double> and call ConvertTo<{typeof(T).Name}>().");
            var values = t.ToArray<T>();
            for (int k = 0; k < values.Length; k++)
                if (!T.IsFinite(values[k]))
                    ThrowHelper.Format($"{what}'s tensor '{info.Name}' holds {double.CreateTruncating(values[k]).ToString(CultureInfo.InvariantCulture)} at {Index(info.Shape, k)}; weights must be finite. " +
                                       "Hint: the model diverged before it was saved, or the file is corrupted.");
            tensors[info.Name] = values;
        }
        return model.WithParameters(tensors);
    }

    private static string Name(ModelSpec spec)
        => $"a {spec.Layers}-layer {(spec.Bidirectional ? "bidirectional " : "")}{spec.Cell} (input {spec.InputSize}, hidden {spec.HiddenSize}" +
           (spec.ProjectionSize > 0 ? $", projection {spec.ProjectionSize}" : "") +
           (spec.Head.Kind == HeadKind.None ? ", no head)" : $", {spec.Head.Kind} head of {spec.Head.Outputs})");

    /// <summary>The spec option that tensors only one side has point to (null when none does): reverse directions,
    /// projections, a learned initial state, peepholes. <paramref name="inFile"/>: the file has them, the spec not.</summary>
    private static string? SpecHint(IEnumerable<string> names, bool inFile, SafetensorsFile file)
    {
        var list = names.ToList();
        bool Any(Func<string, bool> test) => list.Any(test);
        if (Any(n => n.EndsWith("_reverse", StringComparison.Ordinal)))
            return inFile ? "the file is bidirectional (its …_reverse tensors): add .WithBidirectional() to the spec."
                          : "the spec is bidirectional but the file has no …_reverse tensors: drop .WithBidirectional().";
        if (list.FirstOrDefault(n => n.StartsWith("weight_hr_l", StringComparison.Ordinal)) is { } hr)
        {
            if (!inFile) return "the spec has projections but the file has no weight_hr_l… tensors: drop .WithProjection(…).";
            long p = file.Find(hr)!.Shape[0]; // weight_hr is (P, H)
            return $"the file has projections (weight_hr_l…, proj_size {p}): add .WithProjection({p}) to the spec.";
        }
        if (Any(n => n is "h0" or "c0"))
            return inFile ? "the file has a learned initial state (h0/c0): add .WithLearnedInitialState() to the spec."
                          : "the spec has a learned initial state but the file has no h0/c0: drop .WithLearnedInitialState().";
        if (Any(n => n.StartsWith("weight_peephole_l", StringComparison.Ordinal)))
            return inFile ? "the file has peepholes (weight_peephole_l…): add .WithPeepholes() to the spec."
                          : "the spec has peepholes but the file has no weight_peephole_l… tensors (PyTorch has none): drop .WithPeepholes().";
        return null;
    }

    private static string Describe(SafetensorsFile file)
        => file.Tensors.Count == 0 ? "no tensors"
            : string.Join(", ", file.Tensors.Take(12).Select(t => $"'{t.Name}' [{string.Join(", ", t.Shape)}]")) +
              (file.Tensors.Count > 12 ? $" and {file.Tensors.Count - 12} more" : "");

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";

    private static string Index(IReadOnlyList<int> shape, int flat)
    {
        var idx = new int[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat /= shape[d]; }
        return $"index [{string.Join(", ", idx)}]";
    }
}
