namespace LstmNotebooks;

/// <summary>One named tensor inside the model's single parameter buffer (a view: name, shape, offset).</summary>
public sealed record ParameterInfo(string Name, IReadOnlyList<int> Shape, int Offset, int Length);

/// <summary>
/// Where every tensor lives in the one flat parameter buffer. Names, shapes and order are PyTorch's: per layer k, then
/// per direction (suffix <c>_reverse</c> for the backward one), <c>weight_ih_l{k}</c> (G×In_k), <c>weight_hh_l{k}</c>
/// (G×Hout), <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> (G) and, for a projected LSTM, <c>weight_hr_l{k}</c> (Hout×H);
/// G = 4H, 3H or H, Hout = the projection size or H, In_0 = I and In_k = D·Hout. Additions PyTorch lacks follow in the
/// same group: <c>weight_peephole_l{k}</c> (3×H: rows i, f, o). A learned initial state adds <c>h0</c> (L·D × Hout)
/// and, for an LSTM, <c>c0</c> (L·D × H), rows layer-major then direction like h_n. The head is <c>head.weight</c>
/// (O × D·Hout) and <c>head.bias</c> (O), as an nn.Linear named "head" would be.
/// </summary>
internal sealed class ParameterLayout
{
    private readonly Dictionary<string, ParameterInfo> _byName;

    public ParameterLayout(ModelSpec spec)
    {
        var list = new List<ParameterInfo>();
        int offset = 0;
        int Add(string name, params int[] shape)
        {
            // In 64 bits: 4H × H overflows int from H = 23,171 (and wraps to a small, wrong buffer from H = 46,341).
            long length = shape.Aggregate(1L, (a, b) => a * b);
            if (offset + length > Array.MaxLength)
                ThrowHelper.OutOfRange(nameof(spec), offset + length,
                    ThrowHelper.Invariant($"This {spec.Cell} (input {spec.InputSize:N0}, hidden {spec.HiddenSize:N0}, {spec.Layers:N0} layers) needs more than {Array.MaxLength:N0} weights, the most one .NET array holds: ") +
                    ThrowHelper.Invariant($"{name} is {string.Join(" × ", shape.Select(d => ThrowHelper.Invariant($"{d:N0}")))} = {length:N0} values, and the tensors up to it need {offset + length:N0}. ") +
                    "Hint: use a smaller hidden size, input size or fewer layers.");
            int at = offset;
            list.Add(new ParameterInfo(name, shape, offset, (int)length));
            offset += (int)length;
            return at;
        }
        int d = spec.Directions, h = spec.HiddenSize, hout = spec.OutputSize, g = spec.GateCount * h;
        Units = new LayerOffsets[spec.Layers * d];
        for (int l = 0; l < spec.Layers; l++)
            for (int dir = 0; dir < d; dir++)
            {
                string sfx = $"_l{l}{(dir == 1 ? "_reverse" : "")}";
                int input = l == 0 ? spec.InputSize : d * hout;
                int wih = Add("weight_ih" + sfx, g, input);
                int whh = Add("weight_hh" + sfx, g, hout);
                int bih = Add("bias_ih" + sfx, g);
                int bhh = Add("bias_hh" + sfx, g);
                int whr = spec.ProjectionSize > 0 ? Add("weight_hr" + sfx, hout, h) : -1;
                int peep = spec.Peepholes ? Add("weight_peephole" + sfx, 3, h) : -1;
                Units[l * d + dir] = new LayerOffsets(wih, whh, bih, bhh, peep, whr, input);
            }
        if (spec.LearnedInitialState)
        {
            InitialHidden = Add("h0", spec.Layers * d, hout);
            InitialCell = spec.Cell == CellKind.Lstm ? Add("c0", spec.Layers * d, h) : -1;
        }
        else InitialHidden = InitialCell = -1;
        if (spec.Head.Kind != HeadKind.None)
        {
            HeadWeight = Add("head.weight", spec.Head.Outputs, d * hout);
            HeadBias = Add("head.bias", spec.Head.Outputs);
        }
        else HeadWeight = HeadBias = -1;
        Count = offset;
        Parameters = list;
        _byName = list.ToDictionary(p => p.Name);
    }

    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Per layer and direction (index layer·D + direction), the offsets of its tensors.</summary>
    public LayerOffsets[] Units { get; }
    public int InitialHidden { get; }
    public int InitialCell { get; }
    public int HeadWeight { get; }
    public int HeadBias { get; }
    public int Count { get; }

    /// <summary>Element <paramref name="index"/> of the buffer by tensor and position, e.g. "weight_hh_l0[17]", for messages.</summary>
    public string ElementName(int index)
    {
        var info = Parameters.First(p => index < p.Offset + p.Length);
        return $"{info.Name}[{index - info.Offset}]";
    }

    public ParameterInfo Get(string name)
    {
        if (name is null) throw new ArgumentNullException(nameof(name), $"The parameter name is null. The model has: {string.Join(", ", _byName.Keys)}.");
        if (!_byName.TryGetValue(name, out var info))
            ThrowHelper.Argument(nameof(name), $"The model has no parameter '{name}'. It has: {string.Join(", ", _byName.Keys)}.");
        return info;
    }
}

/// <summary>Offsets of one layer-direction's tensors in the parameter buffer; <c>Peephole</c> and <c>Projection</c>
/// (weight_hr) are -1 when absent.</summary>
internal readonly record struct LayerOffsets(int WeightIh, int WeightHh, int BiasIh, int BiasHh, int Peephole, int Projection, int InputSize);
