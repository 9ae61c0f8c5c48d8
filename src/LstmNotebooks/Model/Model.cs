using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// A recurrent model as an immutable value: a spec, and its weights in one private buffer laid out as PyTorch names
/// them. Running, tracing and training never change it; training returns a new model. Safe to share across threads.
/// The facade composes the layer stack, the head, the trainer and the serializer.
/// </summary>
public sealed class Model<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _parameters;

    private Model(ModelSpec spec, Network<T> network, T[] parameters)
    {
        Spec = spec;
        Network = network;
        _parameters = parameters;
    }

    private Model(ModelSpec spec, ParameterLayout layout, T[] parameters) : this(spec, new Network<T>(spec, layout), parameters) { }

    public ModelSpec Spec { get; }
    internal Network<T> Network { get; }
    internal ParameterLayout Layout => Network.Layout;
    internal T[] ParameterArray => _parameters;

    /// <summary>All weights, in the order of <see cref="ParameterInfos"/>.</summary>
    public ReadOnlySpan<T> Parameters => _parameters;
    public ReadOnlyMemory<T> ParameterMemory => _parameters;
    public int ParameterCount => _parameters.Length;
    public IReadOnlyList<ParameterInfo> ParameterInfos => Layout.Parameters;

    /// <summary>One named tensor (PyTorch name, e.g. <c>weight_hh_l0</c>), row-major.</summary>
    public ReadOnlyMemory<T> Parameter(string name)
    {
        var info = Layout.Get(name);
        return _parameters.AsMemory(info.Offset, info.Length);
    }

    /// <summary>Copies of every tensor by name: PyTorch's state_dict.</summary>
    public IReadOnlyDictionary<string, T[]> StateDict()
        => Layout.Parameters.ToDictionary(i => i.Name, i => _parameters.AsSpan(i.Offset, i.Length).ToArray());

    internal static Model<T> Initialize(ModelSpec spec)
    {
        var layout = new ParameterLayout(spec);
        var p = NewParameterBuffer(spec, layout.Count);
        var rng = new Rng(spec.Seed);
        // PyTorch: U(-1/√H, 1/√H) for every RNN weight (weight_hr included), U(-1/√in, 1/√in) for the head (nn.Linear).
        double bound = 1.0 / Math.Sqrt(spec.HiddenSize), headBound = 1.0 / Math.Sqrt(spec.Directions * spec.OutputSize);
        foreach (var info in layout.Parameters)
        {
            // Peepholes and a learned initial state start at zero, so a fresh model is exactly the plain one;
            // training decides their use.
            if (info.Name.StartsWith("weight_peephole", StringComparison.Ordinal) || info.Offset == layout.InitialHidden || info.Offset == layout.InitialCell)
                continue;
            double b = info.Offset == layout.HeadWeight || info.Offset == layout.HeadBias ? headBound : bound;
            for (int i = 0; i < info.Length; i++) p[info.Offset + i] = T.CreateChecked(rng.Uniform(-b, b));
        }
        SetGateBias(spec.InputGateBias, block: 0);
        SetGateBias(spec.ForgetBias, block: 1);
        return new Model<T>(spec, layout, p);

        // The whole bias goes into bias_ih so the gate starts at exactly σ(bias).
        void SetGateBias(double? bias, int block)
        {
            if (bias is not double value) return;
            foreach (var l in layout.Units)
                for (int j = 0; j < spec.HiddenSize; j++)
                {
                    p[l.BiasIh + block * spec.HiddenSize + j] = T.CreateChecked(value);
                    p[l.BiasHh + block * spec.HiddenSize + j] = T.Zero;
                }
        }
    }

    /// <summary>Takes ownership of <paramref name="parameters"/>: internal callers pass a fresh array.</summary>
    internal Model<T> WithParameterBuffer(T[] parameters) => new(Spec, Network, parameters);

    internal static Model<T> FromBuffer(ModelSpec spec, T[] parameters)
    {
        ThrowHelper.RequireModelPrecision<T>();
        return new(spec, new ParameterLayout(spec), parameters);
    }

    /// <summary>The weight buffer of a model of <paramref name="spec"/>, refused before allocating when it cannot fit.</summary>
    internal static T[] NewParameterBuffer(ModelSpec spec, int count)
    {
        ThrowHelper.RequireModelPrecision<T>();
        return new T[ThrowHelper.AllocationLength<T>(count, nameof(spec),
            ThrowHelper.Invariant($"A {spec.Cell} with {count:N0} {typeof(T).Name} weights"), "use a smaller hidden size, input size or fewer layers.")];
    }

    /// <summary>A new model with the named tensors replaced (PyTorch names and shapes); others are kept.</summary>
    public Model<T> WithParameters(IReadOnlyDictionary<string, T[]> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var p = (T[])_parameters.Clone();
        foreach (var (name, values) in tensors)
        {
            var info = Layout.Get(name);
            if (values is null)
                throw new ArgumentNullException(nameof(tensors), $"Tensor '{name}' is null; it needs {info.Length} values (shape {string.Join("×", info.Shape)}).");
            if (values.Length != info.Length)
                ThrowHelper.Argument(nameof(tensors),
                    $"Tensor '{name}' needs {info.Length} values (shape {string.Join("×", info.Shape)}), but got {values.Length}.");
            for (int i = 0; i < values.Length; i++)
                if (!T.IsFinite(values[i])) ThrowHelper.Argument(nameof(tensors), $"Tensor '{name}' contains {values[i]} at index {i}; weights must be finite.");
            values.CopyTo(p, info.Offset);
        }
        return new Model<T>(Spec, Network, p);
    }

    public Model<T> WithParameter(string name, T[] values) => WithParameters(new Dictionary<string, T[]> { [name] = values });

    /// <summary>The same model in another precision (float ↔ double). Refused when a weight does not fit the target
    /// precision (a double beyond ±3.4e38 would become ∞ as a float).</summary>
    public Model<TOther> ConvertTo<TOther>() where TOther : unmanaged, IBinaryFloatingPointIeee754<TOther>
    {
        var p = Model<TOther>.NewParameterBuffer(Spec, _parameters.Length);
        ThrowHelper.ConvertFinite<T, TOther>(_parameters, p, i => $"Weight {Layout.ElementName(i)}",
            $"keep the model in {typeof(T).Name}, or scale the weights into {typeof(TOther).Name}'s range first (WithParameters).");
        return Model<TOther>.FromBuffer(Spec, p);
    }

    // ---- running ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// A compute object for this model's weights that owns its buffers: repeated <see cref="Workspace{T}.Run"/> and
    /// <see cref="Workspace{T}.Backpropagate"/> calls of one shape allocate nothing. <paramref name="threads"/> fixes
    /// the thread count; null chooses it by the size of each call (one thread for small work).
    /// </summary>
    public Workspace<T> CreateWorkspace(int? threads = null) => new(Network, this, threads, reused: true);

    internal Workspace<T> CreateWorkspace(int? threads, bool poison) => new(Network, this, threads, reused: true, poison);

    /// <summary>The workspace of one call of the facade (its results are handed out, its scratch returned to the pool).</summary>
    private Workspace<T> OneShot(int? threads = null) => new(Network, this, threads, reused: false);

    /// <summary>Runs a batch from the given state (zeros, or the learned initial state, when null) and returns outputs,
    /// final state and head outputs. Inference keeps no per-step history beyond the outputs it returns.</summary>
    public RunResult<T> Run(SequenceBatch<T> batch, RecurrentState<T>? initialState = null)
    {
        using var workspace = OneShot();
        return workspace.Run(batch, initialState);
    }

    /// <summary>Runs one sequence and returns its head outputs at the last step (probabilities for classification
    /// and binary heads) or, without a head, the top layer's final hidden state.</summary>
    public T[] Predict(Sequence<T> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var run = Run(SequenceBatch.Create([sequence]));
        return run.LastOutputs(0);
    }

    /// <summary>Last-step outputs (as <see cref="Predict(Sequence{T})"/>) for many sequences, run in padded batches of
    /// up to <paramref name="batchSize"/>; lengths may differ.</summary>
    public T[][] Predict(IReadOnlyList<Sequence<T>> sequences, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ThrowHelper.RequirePositive(batchSize, nameof(batchSize), "The batch size");
        var results = new T[sequences.Count][];
        using var workspace = OneShot();
        for (int s = 0; s < sequences.Count; s += batchSize)
        {
            int n = Math.Min(batchSize, sequences.Count - s);
            var run = workspace.Run(SequenceBatch.FromVariableLength(sequences.Skip(s).Take(n).ToArray()));
            for (int b = 0; b < n; b++) results[s + b] = run.LastOutputs(b);
        }
        return results;
    }

    /// <summary>Head outputs at every step of one sequence (steps × outputs), e.g. a forecast per step.</summary>
    public T[][] PredictSteps(Sequence<T> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        return Trace(sequence).Outputs;
    }

    /// <summary>The mean loss of the head on a dataset (no gradient, no dropout).</summary>
    public double Loss(Dataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckDataset(data);
        CheckLossSize(data, nameof(data));
        using var workspace = OneShot();
        return workspace.Loss(_parameters, data);
    }

    /// <summary>
    /// Per layer (and direction), step and unit: the gate values, their pre-activations, the cell and hidden states,
    /// and the head's outputs at every step, optionally with interventions (a gate clamped, a state overwritten).
    /// </summary>
    public Trace<T> Trace(Sequence<T> sequence, params Intervention[] interventions)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (interventions is null)
            throw new ArgumentNullException(nameof(interventions), "The interventions array is null. Hint: call Trace(sequence) for a trace without interventions.");
        CheckInput(sequence.Features, "The sequence");
        for (int i = 0; i < interventions.Length; i++)
        {
            if (interventions[i] is not { } iv) throw new ArgumentNullException(nameof(interventions), $"Intervention {i} is null.");
            iv.Validate(Spec, sequence.Steps);
        }
        PassSize.Check(Spec, PassSize.ElementSize<T>(), 1, sequence.Steps, sequence.Steps, backward: false, trace: true, nameof(sequence));
        using var workspace = OneShot(threads: 1);
        return workspace.Trace(_parameters, sequence, interventions);
    }

    /// <summary>
    /// ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ for every layer (and direction) and step, for the loss of one sample: how far back the
    /// error signal reaches. The LSTM's cell state carries it across long gaps; a vanilla RNN's fades geometrically.
    /// </summary>
    public GradientFlow GradientFlow(Sample<T> sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var data = Dataset.Create([sample]);
        CheckDataset(data);
        CheckPassSize(1, sample.Input.Steps, sample.Input.Steps, backward: true, nameof(sample));
        var recorder = new GradientRecorder(Spec.Layers * Spec.Directions, sample.Input.Steps);
        var grad = new T[_parameters.Length];
        using var workspace = OneShot(threads: 1);
        var (loss, _) = workspace.TrainWindow(_parameters, data.Samples, [0], 0, 1, 0, sample.Input.Steps, firstWindow: true, grad, default, recorder);
        return new GradientFlow(Spec.Cell, loss, Spec.Directions, recorder.Hidden, Spec.Cell == CellKind.Lstm ? recorder.Cell : null);
    }

    /// <summary>The training loss of one batch (all of <paramref name="data"/>, full BPTT) and its gradient, with the
    /// dropout masks of <paramref name="dropout"/>: what one optimizer step sees. For gradient checks.</summary>
    internal (double Loss, T[] Gradient) TrainingGradient(Dataset<T> data, DropoutContext dropout = default, int? threads = 1, bool poison = false)
    {
        var indices = Enumerable.Range(0, data.Count).ToArray();
        var grad = new T[_parameters.Length];
        using var workspace = CreateWorkspace(threads, poison);
        var (loss, _) = workspace.TrainWindow(_parameters, data.Samples, indices, 0, data.Count, 0, data.MaxSteps, firstWindow: true, grad, dropout);
        return (loss, grad);
    }

    /// <summary>
    /// Backpropagates arbitrary upstream gradients through the recurrent stack (no head): ∂L/∂outputs (B, T, D·Hout),
    /// ∂L/∂h_n (L·D, B, Hout) and ∂L/∂c_n (L·D, B, H); each may be empty. Returns ∂L/∂ every parameter, the input and
    /// the initial state. This is the vector-Jacobian product PyTorch's autograd computes, used for parity checks.
    /// </summary>
    public Gradients<T> Backpropagate(SequenceBatch<T> batch, RecurrentState<T>? initialState, ReadOnlySpan<T> dOutput,
        ReadOnlySpan<T> dHiddenN, ReadOnlySpan<T> dCellN)
    {
        using var workspace = OneShot();
        return workspace.Backpropagate(batch, initialState, dOutput, dHiddenN, dCellN);
    }

    // ---- training and files -----------------------------------------------------------------------------------------

    /// <summary>Trains a copy of this model; this model is never changed. Same seed and data ⇒ bit-identical weights.</summary>
    public TrainingResult<T> Train(Dataset<T> data, TrainingOptions options, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        CheckDataset(data);
        CheckTrainable();
        using var session = new TrainingSession<T>(this, options, reused: false);
        return session.Train(data, options.Epochs, progress, cancellationToken);
    }

    /// <summary>A training run to continue call after call (fresh data each round, one optimizer state throughout).</summary>
    public TrainingSession<T> StartTraining(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckTrainable();
        return new TrainingSession<T>(this, options);
    }

    private void CheckTrainable()
    {
        if (Spec.Head.Kind == HeadKind.None)
            ThrowHelper.InvalidOperation("This model has no head, so it has no loss to train on. Hint: .WithHead(Head.Regression(outputs: 1)).");
    }

    public void Save(string path) => ModelFile.Save(this, path);
    public void Save(Stream stream) => ModelFile.Save(this, stream);

    public override string ToString()
        => $"{Spec.Cell} model<{typeof(T).Name}>: {Spec.InputSize} → {Spec.Layers}×{Spec.HiddenSize}" +
           (Spec.ProjectionSize > 0 ? $" (projected to {Spec.ProjectionSize})" : "") + (Spec.Bidirectional ? " bidirectional" : "") +
           (Spec.Head.Kind == HeadKind.None ? "" : $" → {Spec.Head.Kind}({Spec.Head.Outputs}, {Spec.Head.Output})") +
           $", {ParameterCount} parameters";

    // ---- validation ---------------------------------------------------------------------------------------------------

    /// <summary>Refuses a pass whose arrays no .NET array can hold or whose memory this process cannot have (see <see cref="PassSize"/>).</summary>
    internal void CheckPassSize(long batch, long steps, long window, bool backward, string paramName, int parts = 1)
        => PassSize.Check(Spec, PassSize.ElementSize<T>(), batch, steps, window, backward, trace: false, paramName, parts);

    /// <summary>Loss evaluations run the data in chunks of this many sequences.</summary>
    private const int LossChunk = 64;

    internal void CheckLossSize(Dataset<T> data, string paramName)
        => CheckPassSize(Math.Min(data.Count, LossChunk), data.MaxSteps, data.MaxSteps, backward: false, paramName);

    internal void CheckInput(int features, string what)
    {
        if (features != Spec.InputSize) ThrowHelper.FeatureMismatch(features, Spec.InputSize, what);
    }

    internal void CheckState(RecurrentState<T>? state, int batch)
    {
        if (state is null) return;
        int rows = Spec.Layers * Spec.Directions;
        if (state.Layers != rows || state.Batch != batch || state.HiddenSize != Spec.OutputSize || (state.HasCell && state.CellSize != Spec.HiddenSize))
            ThrowHelper.Argument(nameof(state),
                $"The initial state is (layers {state.Layers}, batch {state.Batch}, hidden {state.HiddenSize}" +
                (state.HasCell && state.CellSize != state.HiddenSize ? $", cell {state.CellSize}" : "") + "), but the run needs " +
                $"(layers {rows}, batch {batch}, hidden {Spec.OutputSize}" + (Spec.ProjectionSize > 0 ? $", cell {Spec.HiddenSize}" : "") + ")" +
                (Spec.Directions == 2 ? " (layers × 2 directions, as PyTorch's h_0)." : "."));
        if (state.HasCell != (Spec.Cell == CellKind.Lstm))
            ThrowHelper.Argument(nameof(state), Spec.Cell == CellKind.Lstm
                ? "An LSTM needs a cell state in its initial state, but none was given."
                : $"A {Spec.Cell} has no cell state, but the initial state carries one.");
    }

    internal void CheckDataset(Dataset<T> data)
    {
        var head = Spec.Head;
        if (head.Kind == HeadKind.None)
            ThrowHelper.InvalidOperation("This model has no head, so it has no loss to train on. Hint: .WithHead(Head.Regression(outputs: 1)).");
        CheckInput(data.Features, "The dataset");
        if (data.TargetWidth != head.TargetWidth)
            ThrowHelper.Argument(nameof(data), head.Kind == HeadKind.Classification
                ? $"Classification targets are one class index per row, but the dataset's target rows have {data.TargetWidth} values."
                : $"The dataset's target rows have {data.TargetWidth} values, but the head has {head.Outputs} outputs.");
        for (int s = 0; s < data.Count; s++)
        {
            var sample = data[s];
            bool perStep = head.Output == HeadOutput.EveryStep;
            if (perStep && sample.Target.Steps != sample.Input.Steps)
                ThrowHelper.Argument(nameof(data), $"Sample {s} has {sample.Target.Steps} target rows, but the every-step head needs one per input step ({sample.Input.Steps}).");
            if (!perStep && sample.Target.Steps != 1)
                ThrowHelper.Argument(nameof(data), $"Sample {s} has {sample.Target.Steps} target rows, but the last-step head needs exactly 1. Hint: use Head….EveryStep() for per-step targets.");
            foreach (var v in sample.Target.Values)
            {
                if (head.Kind == HeadKind.Classification && (!T.IsInteger(v) || v < T.Zero || v >= T.CreateChecked(head.Outputs)))
                    ThrowHelper.Argument(nameof(data), $"Sample {s} has class label {v}, but labels must be integers in [0, {head.Outputs}).");
                if (head.Kind == HeadKind.Binary && (v < T.Zero || v > T.One))
                    ThrowHelper.Argument(nameof(data), $"Sample {s} has binary target {v}, but binary targets must lie in [0, 1].");
            }
        }
    }
}

public static class Model
{
    /// <summary>Loads a model saved by <see cref="Model{T}.Save(string)"/>; the file's precision must be <typeparamref name="T"/>.</summary>
    public static Model<T> Load<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T> => ModelFile.Load<T>(path);
    public static Model<T> Load<T>(Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T> => ModelFile.Load<T>(stream);
}
