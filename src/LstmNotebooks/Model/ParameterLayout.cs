namespace LstmNotebooks;

/// <summary>One named tensor inside the model's single parameter buffer (a view: name, shape, offset).</summary>
public sealed record ParameterInfo(string Name, IReadOnlyList<int> Shape, int Offset, int Length);

/// <summary>
/// Where every tensor lives in the one flat parameter buffer. Names and shapes are PyTorch's (weight_ih_l0 4H×I,
/// weight_hh_l0 4H×H, bias_ih_l0, bias_hh_l0, …); the head is head.weight (O×H) and head.bias (O), as an nn.Linear
/// named "head" would be; peepholes add weight_peephole_l{k} (3×H: rows i, f, o).
/// </summary>
internal sealed class ParameterLayout
{
    private readonly Dictionary<string, ParameterInfo> _byName;

    public ParameterLayout(ModelSpec spec)
    {
        var list = new List<ParameterInfo>();
        int offset = 0;
        void Add(string name, params int[] shape)
        {
            // In 64 bits: 4H × H overflows int from H = 23,171 (and wraps to a small, wrong buffer from H = 46,341).
            long length = shape.Aggregate(1L, (a, b) => a * b);
            if (offset + length > Array.MaxLength)
                ThrowHelper.OutOfRange(nameof(spec), offset + length,
                    ThrowHelper.Invariant($"This {spec.Cell} (input {spec.InputSize:N0}, hidden {spec.HiddenSize:N0}, {spec.Layers:N0} layers) needs more than {Array.MaxLength:N0} weights, the most one .NET array holds: ") +
                    ThrowHelper.Invariant($"{name} is {string.Join(" × ", shape.Select(d => ThrowHelper.Invariant($"{d:N0}")))} = {length:N0} values, and the tensors up to it need {offset + length:N0}. ") +
                    "Hint: use a smaller hidden size, input size or fewer layers.");
            list.Add(new ParameterInfo(name, shape, offset, (int)length));
            offset += (int)length;
        }
        int g = spec.GateCount * spec.HiddenSize, h = spec.HiddenSize;
        Layers = new LayerOffsets[spec.Layers];
        for (int l = 0; l < spec.Layers; l++)
        {
            int input = l == 0 ? spec.InputSize : h;
            int start = offset;
            Add($"weight_ih_l{l}", g, input);
            Add($"weight_hh_l{l}", g, h);
            Add($"bias_ih_l{l}", g);
            Add($"bias_hh_l{l}", g);
            int peep = -1;
            if (spec.Peepholes) { peep = offset; Add($"weight_peephole_l{l}", 3, h); }
            Layers[l] = new LayerOffsets(start, start + g * input, start + g * input + g * h, start + g * input + g * h + g, peep, input);
        }
        if (spec.Head.Kind != HeadKind.None)
        {
            HeadWeight = offset;
            Add("head.weight", spec.Head.Outputs, h);
            HeadBias = offset;
            Add("head.bias", spec.Head.Outputs);
        }
        else HeadWeight = HeadBias = -1;
        Count = offset;
        Parameters = list;
        _byName = list.ToDictionary(p => p.Name);
    }

    public IReadOnlyList<ParameterInfo> Parameters { get; }
    public LayerOffsets[] Layers { get; }
    public int HeadWeight { get; }
    public int HeadBias { get; }
    public int Count { get; }

    /// <summary>Element <paramref name="index"/> of the buffer by tensor and position, e.g. "weight_hh_l0[17]", for messages.</summary>
    public string ElementName(int index)
    {
        var info = Parameters.First(p => index < p.Offset + p.Length);
        return $"{info.Name}[{index - info.Offset}]";
    }

    public bool TryGet(string name, out ParameterInfo info) => _byName.TryGetValue(name, out info!);

    public ParameterInfo Get(string name)
    {
        if (name is null) throw new ArgumentNullException(nameof(name), $"The parameter name is null. The model has: {string.Join(", ", _byName.Keys)}.");
        if (!_byName.TryGetValue(name, out var info))
            ThrowHelper.Argument(nameof(name), $"The model has no parameter '{name}'. It has: {string.Join(", ", _byName.Keys)}.");
        return info;
    }
}

/// <summary>Offsets of one layer's tensors in the parameter buffer; <c>Peephole</c> is -1 when absent.</summary>
internal readonly record struct LayerOffsets(int WeightIh, int WeightHh, int BiasIh, int BiasHh, int Peephole, int InputSize);
