using System.Numerics;
using System.Reflection;
using LstmNotebooks.Interop;

namespace LstmNotebooks;

/// <summary>What the exported ONNX graph takes as inputs. Immutable; every <c>With…</c> returns a new value.</summary>
public sealed record OnnxExportOptions
{
    public static OnnxExportOptions Default { get; } = new();

    /// <summary>True (the default, as <see cref="SequenceBatch{T}"/>): <c>input</c> is (batch, steps, features) and
    /// <c>output</c> (and an every-step <c>prediction</c>) is batch-first. False: time-major (steps, batch, …), as
    /// PyTorch's default <c>batch_first=False</c> and the ONNX operators themselves.</summary>
    public bool BatchFirst { get; init; } = true;

    /// <summary>Adds the int32 input <c>sequence_lens</c> (batch): each sequence's valid length, as
    /// <see cref="SequenceBatch.FromVariableLength{T}"/> records it. Without it every sequence has the full length.</summary>
    public bool SequenceLengths { get; init; }

    /// <summary>Adds the inputs <c>h0</c> (and <c>c0</c> for an LSTM), (layers·directions, batch, hidden), as
    /// <see cref="Model{T}.Run"/>'s initial state. Without them the state starts at zero, or at the model's learned
    /// initial state (<see cref="ModelSpec.LearnedInitialState"/>), which the file then carries as constants.</summary>
    public bool InitialState { get; init; }

    public OnnxExportOptions TimeMajor() => this with { BatchFirst = false };
    public OnnxExportOptions WithSequenceLengths(bool enabled = true) => this with { SequenceLengths = enabled };
    public OnnxExportOptions WithInitialState(bool enabled = true) => this with { InitialState = enabled };
}

/// <summary>
/// ONNX export (opset <see cref="Opset"/>): one ONNX <c>LSTM</c>/<c>GRU</c>/<c>RNN</c> node per layer, as torch.onnx
/// writes them, with the weights reordered to ONNX's gate orders (LSTM i,o,f,c from PyTorch's i,f,g,o; GRU z,r,h
/// from r,z,n with <c>linear_before_reset = 1</c>, which is PyTorch's GRU; peepholes P as i,o,f), the head as Gemm
/// (last step) or MatMul + Add (every step), and softmax/sigmoid where <see cref="Model{T}.Run"/> returns
/// probabilities. The outputs are exactly <see cref="RunResult{T}"/>'s: <c>output</c> (the top layer's hidden states,
/// zero at padding), <c>h_n</c>, <c>c_n</c> (LSTM) and <c>prediction</c> (= <see cref="RunResult{T}.HeadOutputs"/>).
/// A float model exports float tensors, a double model double tensors.
/// </summary>
public static class Onnx
{
    public const long Opset = OnnxGraph.Opset;

    /// <summary>Graph input: (batch, steps, features), or (steps, batch, features) when exported time-major.</summary>
    public const string InputName = "input";
    /// <summary>Optional graph input: int32 (batch).</summary>
    public const string SequenceLengthsName = "sequence_lens";
    /// <summary>Optional graph inputs: (layers·directions, batch, hidden).</summary>
    public const string InitialHiddenName = "h0", InitialCellName = "c0";
    /// <summary>Graph output: the top layer's hidden states (batch, steps, directions·hidden) or time-major.</summary>
    public const string OutputName = "output";
    /// <summary>Graph outputs: the final states (layers·directions, batch, hidden), as PyTorch's h_n and c_n.</summary>
    public const string FinalHiddenName = "h_n", FinalCellName = "c_n";
    /// <summary>Graph output of a model with a head: (batch, outputs) for a last-step head, (batch, steps, outputs)
    /// for an every-step head (zero at padding); probabilities for classification and binary heads.</summary>
    public const string PredictionName = "prediction";

    public static void ExportOnnx<T>(this Model<T> model, string path, OnnxExportOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = model.ToOnnx(options);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    public static void ExportOnnx<T>(this Model<T> model, Stream stream, OnnxExportOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(model.ToOnnx(options));
    }

    /// <summary>What in <paramref name="spec"/> the ONNX operators cannot express (empty when it exports).</summary>
    public static IReadOnlyList<string> UnsupportedFeatures(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return UnsupportedFeatures(spec.Build<float>());
    }

    /// <summary>What in <paramref name="model"/> the ONNX operators cannot express (empty when it exports), one
    /// sentence per feature: its name, what ONNX's operator has against what the model has. The tensors decide: every
    /// one must have a place in an LSTM/GRU/RNN node (W, R, B, P, initial_h/initial_c) or the head. Dropout needs no
    /// check (a served graph is inference, where dropout is off), nor do interventions (arguments of
    /// <see cref="Model{T}.Trace"/>, never part of a model, so no file carries them).</summary>
    public static IReadOnlyList<string> UnsupportedFeatures<T>(Model<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec;
        var reasons = new List<string>();
        if (spec.Cell == CellKind.Lstm && !spec.ForgetGate)
            reasons.Add("the 1997 cell without a forget gate (WithForgetGate(false)): ONNX LSTM always multiplies c_{t-1} by " +
                        "f = σ(…) in (0, 1), this cell by f ≡ 1, which has no exact encoding (a large forget bias only approaches it)");
        static bool Projection(string n) => n.StartsWith("weight_hr_l", StringComparison.Ordinal);
        var names = model.ParameterInfos.Select(i => i.Name).ToList();
        var projections = names.Where(Projection).ToList();
        if (projections.Count > 0)
            reasons.Add($"projections (proj_size = {spec.ProjectionSize}, WithProjection({spec.ProjectionSize}); {string.Join(", ", projections)}): " +
                        $"ONNX LSTM's hidden state is hidden_size = {spec.HiddenSize} wide and no input holds W_hr, but this model's h is " +
                        $"W_hr (o ⊙ tanh c), {spec.ProjectionSize} wide (torch.onnx refuses proj_size too)");
        var other = names.Where(n => !OnnxExporter<T>.IsExpressible(n) && !Projection(n)).ToList();
        if (other.Count > 0)
            reasons.Add($"parameters no ONNX recurrent node or head has a place for: {string.Join(", ", other)}");
        return reasons;
    }

    /// <summary>The ONNX file's bytes (a ModelProto).</summary>
    public static byte[] ToOnnx<T>(this Model<T> model, OnnxExportOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= OnnxExportOptions.Default;
        var spec = model.Spec;
        var reasons = UnsupportedFeatures(model);
        if (reasons.Count > 0)
        {
            // PyTorch has projections, not the forget-gate-less cell: offer the way out that exists for this model.
            string pytorch = spec.ProjectionSize > 0 && spec.ForgetGate
                ? $"; PyTorch serves it: SaveSafetensors, then load_state_dict into {SpecJson.Torch(spec).Split(';')[0]}"
                : "";
            ThrowHelper.NotSupported($"This {CellDefinition.Of(spec.Cell).Name} model cannot be exported to ONNX: {string.Join("; ", reasons)}. " +
                                     $"Hint: export a model built without that feature, or keep the model in the kit (Model.Save){pytorch}.");
        }
        return new OnnxExporter<T>(model, options).Build();
    }
}

/// <summary>Builds one model's graph. Shape letters: B batch, T steps, I input features, H hidden, D directions, L layers.</summary>
internal sealed class OnnxExporter<T>(Model<T> model, OnnxExportOptions options) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly ModelSpec _spec = model.Spec;
    private readonly OnnxGraph _g = new();
    private readonly OnnxType _type = typeof(T) == typeof(float) ? OnnxType.Float : OnnxType.Double;
    private readonly int _h = model.Spec.HiddenSize;
    private readonly int _layers = model.Spec.Layers;
    // Directions per layer (ONNX num_directions): a bidirectional model has the reverse tensors.
    private readonly int D = model.ParameterInfos.Any(i => i.Name == "weight_ih_l0_reverse") ? 2 : 1;
    private static readonly string[] DirectionSuffix = ["", "_reverse"];

    private bool Lstm => _spec.Cell == CellKind.Lstm;

    private static readonly System.Text.RegularExpressions.Regex Recurrent =
        new(@"^(weight_ih|weight_hh|bias_ih|bias_hh|weight_peephole)_l\d+(_reverse)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Whether a parameter has a place in the graph: a recurrent node's W, R, B or P, its initial state (a
    /// learned h0/c0), or the head.</summary>
    public static bool IsExpressible(string name)
        => name is "head.weight" or "head.bias" or LearnedHidden or LearnedCell || Recurrent.IsMatch(name);

    private const string LearnedHidden = "h0", LearnedCell = "c0";
    private string _batchShape = "";

    public byte[] Build()
    {
        OnnxDim batch = "batch", steps = "steps";
        bool bf = options.BatchFirst;
        _g.Input(Onnx.InputName, _type, bf ? [batch, steps, _spec.InputSize] : [steps, batch, _spec.InputSize]);
        string lens = "";
        if (options.SequenceLengths)
        {
            _g.Input(Onnx.SequenceLengthsName, OnnxType.Int32, batch);
            lens = Onnx.SequenceLengthsName;
        }
        if (options.InitialState)
        {
            _g.Input(Onnx.InitialHiddenName, _type, _layers * D, batch, _h);
            if (Lstm) _g.Input(Onnx.InitialCellName, _type, _layers * D, batch, _h);
        }
        foreach (var name in new[] { Onnx.OutputName, Onnx.FinalHiddenName, Onnx.FinalCellName, Onnx.PredictionName }) _g.Reserve(name);

        // The operators are time-major: X (T, B, I) → Y (T, D, B, H), Y_h and Y_c (D, B, H).
        string x = bf ? Transpose(Onnx.InputName, 1, 0, 2) : Onnx.InputName;
        var finalH = new string[_layers];
        var finalC = new string[_layers];
        for (int k = 0; k < _layers; k++)
        {
            var (y, yh, yc) = Layer(k, x, lens);
            finalH[k] = yh;
            finalC[k] = yc;
            // Next layer's input (T, B, D·H): forward then backward halves, as PyTorch concatenates them.
            x = D == 1
                ? _g.Node1("Squeeze", [y, _g.Int64s("axes", [1])], $"x_l{k + 1}")
                : _g.Node1("Reshape", [Transpose(y, 0, 2, 1, 3), _g.Int64s("shape", [0, 0, -1])], $"x_l{k + 1}");
        }

        string top = x;
        string output = bf ? Transpose(top, 1, 0, 2) : top;
        var outputDims = bf ? new OnnxDim[] { batch, steps, D * _h } : [steps, batch, D * _h];
        Publish(output, Onnx.OutputName, outputDims);
        Publish(Stack(finalH, "h_n"), Onnx.FinalHiddenName, _layers * D, batch, _h);
        if (Lstm) Publish(Stack(finalC, "c_n"), Onnx.FinalCellName, _layers * D, batch, _h);
        if (_spec.Head.Kind != HeadKind.None) Head(finalH[^1], output, lens, batch, steps);

        string doc = $"{model} exported by LstmNotebooks. Inputs: {Onnx.InputName} " +
                     (bf ? "(batch, steps, features)" : "(steps, batch, features)") +
                     (options.SequenceLengths ? $", {Onnx.SequenceLengthsName} int32 (batch)" : "") +
                     (options.InitialState ? $", {Onnx.InitialHiddenName}{(Lstm ? $" and {Onnx.InitialCellName}" : "")} (layers·directions, batch, hidden)" : "") +
                     $". Outputs: {Onnx.OutputName}, {Onnx.FinalHiddenName}{(Lstm ? $", {Onnx.FinalCellName}" : "")}" +
                     (_spec.Head.Kind != HeadKind.None ? $", {Onnx.PredictionName}" : "") + " — as Model.Run returns them." +
                     (_spec.LearnedInitialState && !options.InitialState ? " The initial state is the model's learned h0/c0, stored as constants." : "");
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(SpecJson.Key, SpecJson.Write(_spec)),
            new(SpecJson.TorchKey, SpecJson.Torch(_spec)),
            new("lstmnotebooks.layout", bf ? "batch_first" : "time_major"),
        };
        string version = typeof(Onnx).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return _g.Serialize($"{_spec.Cell.ToString().ToLowerInvariant()}_model", doc, version.Split('+')[0], metadata);
    }

    /// <summary>One recurrent layer as one ONNX node; returns Y, Y_h and Y_c ("" for GRU/RNN).</summary>
    private (string Y, string Yh, string Yc) Layer(int k, string x, string lens)
    {
        int g = _spec.GateCount, input = k == 0 ? _spec.InputSize : D * _h;
        // ONNX's gate order read through the cell's table: LSTM [i|o|f|c] ← [i|f|g|o]; GRU [z|r|h] ← [r|z|n].
        var cell = CellDefinition.Of(_spec.Cell);
        int[] order = OnnxGateOrder(_spec.Cell) is { } gates ? gates.Select(gate => cell.Find(gate)!.Block).ToArray() : [0];
        var w = new List<T>();
        var r = new List<T>();
        var b = new List<T>();
        var p = new List<T>();
        for (int d = 0; d < D; d++)
        {
            string s = $"_l{k}{DirectionSuffix[d]}";
            w.AddRange(Blocks(Param("weight_ih" + s), _h * input, order));
            r.AddRange(Blocks(Param("weight_hh" + s), _h * _h, order));
            b.AddRange(Blocks(Param("bias_ih" + s), _h, order));
            b.AddRange(Blocks(Param("bias_hh" + s), _h, order));
            if (_spec.Peepholes) p.AddRange(Blocks(Param("weight_peephole" + s), _h, [0, 2, 1])); // [i|o|f] ← [i|f|o]
        }
        string op = _spec.Cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
        var inputs = new List<string>
        {
            x,
            Tensor($"W_l{k}", w, D, g * _h, input),
            Tensor($"R_l{k}", r, D, g * _h, _h),
            Tensor($"B_l{k}", b, D, 2 * g * _h),
            lens,
            InitialState(Onnx.InitialHiddenName, LearnedHidden, k),
        };
        if (Lstm)
        {
            inputs.Add(InitialState(Onnx.InitialCellName, LearnedCell, k));
            inputs.Add(_spec.Peepholes ? Tensor($"P_l{k}", p, D, 3 * _h) : "");
        }
        while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);

        var attributes = new List<OnnxAttribute> { OnnxAttribute.Int("hidden_size", _h) };
        if (D == 2) attributes.Add(OnnxAttribute.String("direction", "bidirectional"));
        if (_spec.Cell == CellKind.Gru) attributes.Add(OnnxAttribute.Int("linear_before_reset", 1));
        string[] outputs = Lstm ? [$"y_l{k}", $"yh_l{k}", $"yc_l{k}"] : [$"y_l{k}", $"yh_l{k}"];
        var names = _g.Node(op, inputs.ToArray(), outputs, attributes.ToArray());
        return (names[0], names[1], Lstm ? names[2] : "");
    }

    /// <summary>The gates in the order ONNX's operator packs them (null for the gateless RNN).</summary>
    private static Gate[]? OnnxGateOrder(CellKind cell) => cell switch
    {
        CellKind.Lstm => [Gate.Input, Gate.Output, Gate.Forget, Gate.InputModulation],
        CellKind.Gru => [Gate.Update, Gate.Reset, Gate.New],
        _ => null,
    };

    /// <summary>The last-step head reads the top layer's final hidden state (what <see cref="Model{T}.Run"/> feeds
    /// it); the every-step head reads every step's output.</summary>
    private void Head(string topFinal, string output, string lens, OnnxDim batch, OnnxDim steps)
    {
        var head = _spec.Head;
        int o = head.Outputs, features = D * _h;
        var weight = Param("head.weight");
        string bias = Tensor("head_bias", Param("head.bias"), o);
        string y;
        if (head.Output == HeadOutput.LastStep)
        {
            // Y_h (D, B, H) → (B, D·H).
            string rows = D == 1
                ? _g.Node1("Squeeze", [topFinal, _g.Int64s("axes", [0])], "head_in")
                : _g.Node1("Reshape", [Transpose(topFinal, 1, 0, 2), _g.Int64s("shape", [0, -1])], "head_in");
            y = _g.Node1("Gemm", [rows, Tensor("head_weight", weight, o, features), bias], "logits", OnnxAttribute.Int("transB", 1));
        }
        else
        {
            var wT = new T[features * o];
            for (int i = 0; i < o; i++)
                for (int j = 0; j < features; j++) wT[j * o + i] = weight[i * features + j];
            string mm = _g.Node1("MatMul", [output, Tensor("head_weight_t", wT, features, o)], "logits_mm");
            y = _g.Node1("Add", [mm, bias], "logits");
        }
        if (head.Kind == HeadKind.Classification) y = _g.Node1("Softmax", [y], "probabilities", OnnxAttribute.Int("axis", -1));
        else if (head.Kind == HeadKind.Binary) y = _g.Node1("Sigmoid", [y], "probabilities");
        // The kit zeroes an every-step head's outputs at padded steps; the operator leaves softmax(bias) there.
        if (head.Output == HeadOutput.EveryStep && lens.Length > 0) y = _g.Node1("Mul", [y, ValidMask(lens)], "masked");

        bool bf = options.BatchFirst;
        Publish(y, Onnx.PredictionName, head.Output == HeadOutput.LastStep ? [batch, o] : bf ? [batch, steps, o] : [steps, batch, o]);
    }

    /// <summary>1 where step t is within sequence b's length, else 0: (B, T, 1) batch-first, (T, B, 1) time-major.</summary>
    private string ValidMask(string lens)
    {
        bool bf = options.BatchFirst;
        string shape = _g.Node1("Shape", [Onnx.InputName], "input_shape");
        string stepCount = _g.Node1("Gather", [shape, _g.Int64s("steps_axis", [bf ? 1 : 0], scalar: true)], "step_count", OnnxAttribute.Int("axis", 0));
        string t = _g.Node1("Range", [_g.Int64s("zero", [0], scalar: true), stepCount, _g.Int64s("one", [1], scalar: true)], "step_index");
        string len = _g.Node1("Cast", [lens], "lens64", OnnxAttribute.Int("to", (long)OnnxType.Int64));
        string valid = bf
            ? _g.Node1("Less", [t, _g.Node1("Unsqueeze", [len, _g.Int64s("axes", [1])], "lens_col")], "valid")      // (T) < (B, 1) → (B, T)
            : _g.Node1("Less", [_g.Node1("Unsqueeze", [t, _g.Int64s("axes", [1])], "step_col"), len], "valid");     // (T, 1) < (B) → (T, B)
        string mask = _g.Node1("Cast", [valid], "valid_f", OnnxAttribute.Int("to", (long)_type));
        return _g.Node1("Unsqueeze", [mask, _g.Int64s("axes", [2])], "valid_mask");
    }

    /// <summary>Layer k's initial state: the graph input when exported with one (a run given a state uses it, as
    /// <see cref="Model{T}.Run"/> does), else a learned state's rows broadcast over the batch, else none (zero).</summary>
    private string InitialState(string input, string learned, int k)
    {
        if (options.InitialState) return StateSlice(input, k);
        if (!model.ParameterInfos.Any(i => i.Name == learned)) return "";
        // The parameter is (L·D, H), one row per layer and direction shared by every sequence; the operator wants
        // (D, B, H): layer k's D rows as (D, 1, H), expanded by (1, B, 1).
        var rows = Param(learned).AsSpan(k * D * _h, D * _h).ToArray();
        string state = Tensor($"{learned}_l{k}", rows, D, 1, _h);
        return _g.Node1("Expand", [state, BatchShape()], $"{learned}_l{k}_expanded");
    }

    /// <summary>(1, B, 1) as an int64 shape, B read from the input at run time.</summary>
    private string BatchShape()
    {
        if (_batchShape.Length > 0) return _batchShape;
        string shape = _g.Node1("Shape", [Onnx.InputName], "input_shape");
        string b = _g.Node1("Gather", [shape, _g.Int64s("batch_axis", [options.BatchFirst ? 0 : 1])], "batch_size", OnnxAttribute.Int("axis", 0));
        string one = _g.Int64s("one_dim", [1]);
        return _batchShape = _g.Node1("Concat", [one, b, one], "batch_shape", OnnxAttribute.Int("axis", 0));
    }

    /// <summary>Layer k's rows of an (L·D, B, H) state input.</summary>
    private string StateSlice(string state, int k)
        => _layers == 1 ? state
            : _g.Node1("Slice", [state, _g.Int64s("starts", [k * D]), _g.Int64s("ends", [(k + 1) * D]), _g.Int64s("axes", [0])], $"{state}_l{k}");

    private string Stack(string[] perLayer, string stem)
        => perLayer.Length == 1 ? perLayer[0] : _g.Node1("Concat", perLayer, stem, OnnxAttribute.Int("axis", 0));

    private string Transpose(string x, params long[] perm) => _g.Node1("Transpose", [x], x + "_t", OnnxAttribute.Ints("perm", perm));

    /// <summary>Gives a value its fixed graph-output name (an Identity node: free at run time) and declares it.</summary>
    private void Publish(string value, string name, params OnnxDim[] dims)
    {
        _g.Node("Identity", [value], [name], fixedOutputs: true);
        _g.Output(name, _type, dims);
    }

    private T[] Param(string name) => model.Parameter(name).ToArray();

    /// <summary>Rows regrouped by gate block: destination block j is source block order[j], each blockLength long.</summary>
    private static T[] Blocks(T[] source, int blockLength, int[] order)
    {
        var result = new T[source.Length];
        for (int j = 0; j < order.Length; j++)
            source.AsSpan(order[j] * blockLength, blockLength).CopyTo(result.AsSpan(j * blockLength));
        return result;
    }

    private string Tensor(string stem, IReadOnlyList<T> values, params long[] dims)
    {
        if (_type == OnnxType.Float) return _g.Floats(stem, values.Select(float.CreateTruncating).ToArray(), dims);
        return _g.Doubles(stem, values.Select(double.CreateTruncating).ToArray(), dims);
    }
}
