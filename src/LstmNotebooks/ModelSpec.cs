using System.Numerics;

namespace LstmNotebooks;

/// <summary>The recurrent cell. Layouts and equations follow PyTorch's nn.LSTM, nn.GRU and nn.RNN(tanh).</summary>
public enum CellKind
{
    /// <summary>Long short-term memory: gate rows i, f, g, o.</summary>
    Lstm,
    /// <summary>Gated recurrent unit: gate rows r, z, n.</summary>
    Gru,
    /// <summary>Vanilla (Elman) RNN with tanh.</summary>
    Rnn,
}

/// <summary>The direction a layer reads its sequence in: forward (t = 0 … T−1) or, in a bidirectional layer, reverse
/// (each sequence from its own last step back to 0, as PyTorch's packed sequences do).</summary>
public enum Direction { Forward, Reverse }

/// <summary>
/// The architecture of a model: an immutable record. Every <c>With…</c> returns a new spec and leaves this one as it
/// was; <see cref="Build{T}"/> turns it into a <see cref="Model{T}"/> with seeded initial weights.
/// </summary>
public sealed record ModelSpec
{
    public ModelSpec(CellKind cell, int inputSize, int hiddenSize)
    {
        Cell = cell;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
    }

    // Each property checks its own rule as it is set, so a spec made with `with { … }` or an initializer is held to
    // the same rules as the fluent methods; rules between properties are checked by Validate, when the spec is used.
    public CellKind Cell { get; init => field = ThrowHelper.RequireDefined(value, nameof(Cell)); }
    public int InputSize { get; init => field = ThrowHelper.RequirePositive(value, nameof(InputSize), "The input size (features per time step)"); }
    public int HiddenSize { get; init => field = ThrowHelper.RequirePositive(value, nameof(HiddenSize), "The hidden size (units per layer)"); }
    public int Layers { get; init => field = ThrowHelper.RequirePositive(value, nameof(Layers), "The number of layers"); } = 1;

    /// <summary>Initial forget-gate bias (LSTM): <c>bias_ih</c> f rows get this value, <c>bias_hh</c> f rows get 0,
    /// so the gate starts at σ(bias). Null keeps PyTorch's random initialisation.</summary>
    public double? ForgetBias { get; init => field = ThrowHelper.RequireFinite(value, nameof(ForgetBias), "The forget bias"); }

    /// <summary>Initial input-gate bias (LSTM), set like <see cref="ForgetBias"/>. Negative values (the 1997 paper used
    /// −3 and −6) keep the cell state from drifting into tanh saturation while the input gate has not learned when to
    /// open. Null keeps PyTorch's random initialisation.</summary>
    public double? InputGateBias { get; init => field = ThrowHelper.RequireFinite(value, nameof(InputGateBias), "The input-gate bias"); }

    /// <summary>Peephole connections from the cell state to the i, f (c_{t-1}) and o (c_t) gates (Gers &amp;
    /// Schmidhuber 2000). Not in PyTorch; stored as the extra tensor <c>weight_peephole_l{k}</c> (3×H).</summary>
    public bool Peepholes { get; init; }

    /// <summary>False gives the 1997 cell without a forget gate (f ≡ 1); its f rows stay in the layout but unused.</summary>
    public bool ForgetGate { get; init; } = true;

    /// <summary>Seed of the initial weights.</summary>
    public long Seed { get; init; }

    /// <summary>Each layer runs forward and, on its own weights (<c>…_reverse</c>), backward over each sequence; the
    /// layer's output is [forward h, reverse h] (PyTorch <c>bidirectional=True</c>).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>LSTM with projections (PyTorch <c>proj_size</c>, LSTMP): h_t = W_hr (o ⊙ tanh c_t), Hout = this size
    /// (0 &lt; P &lt; H), c stays H wide. 0: no projection.</summary>
    public int ProjectionSize
    {
        get;
        init => field = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(ProjectionSize), value, $"The projection size must be 0 (none) or positive, but was {value}.");
    }

    /// <summary>Dropout on each layer's output before the layer above reads it, in training only (PyTorch
    /// <c>dropout</c>): the probability of zeroing an element. Needs at least 2 layers.</summary>
    public double Dropout { get; init => field = CheckRate(value, nameof(Dropout)); }

    /// <summary>Dropout on h_{t−1} where W_hh reads it, one mask per sequence fixed over its steps, in training only
    /// (Keras <c>recurrent_dropout</c>): the probability of zeroing a unit.</summary>
    public double RecurrentDropout { get; init => field = CheckRate(value, nameof(RecurrentDropout)); }

    /// <summary>h0 (and c0) are parameters, one vector per layer and direction shared by every sequence, trained with
    /// the weights (Gers et al. 2002), saved and exported as <c>h0</c> and <c>c0</c>; they start at zero. A run given
    /// an explicit initial state uses that instead.</summary>
    public bool LearnedInitialState { get; init; }

    private static double CheckRate(double p, string name)
    {
        if (!(p >= 0 && p < 1)) ThrowHelper.OutOfRange(name, p, $"A dropout probability must be in [0, 1), but {name} was {p}.");
        return p;
    }

    public HeadSpec Head { get; init => field = ThrowHelper.RequireNotNull(value, nameof(Head), "The head"); } = HeadSpec.None;

    public ModelSpec WithLayers(int layers) => this with { Layers = layers };

    public ModelSpec WithForgetBias(double bias)
    {
        if (Cell != CellKind.Lstm) ThrowHelper.InvalidOperation($"A forget bias applies to LSTM cells only, but this spec is a {Cell}.");
        return this with { ForgetBias = bias };
    }

    public ModelSpec WithInputGateBias(double bias)
    {
        if (Cell != CellKind.Lstm) ThrowHelper.InvalidOperation($"An input-gate bias applies to LSTM cells only, but this spec is a {Cell}.");
        return this with { InputGateBias = bias };
    }

    public ModelSpec WithPeepholes(bool enabled = true)
    {
        if (enabled && Cell != CellKind.Lstm) ThrowHelper.InvalidOperation($"Peepholes apply to LSTM cells only, but this spec is a {Cell}.");
        return this with { Peepholes = enabled };
    }

    public ModelSpec WithForgetGate(bool enabled)
    {
        if (!enabled && Cell != CellKind.Lstm) ThrowHelper.InvalidOperation($"The forget gate belongs to LSTM cells only, but this spec is a {Cell}.");
        return this with { ForgetGate = enabled };
    }

    public ModelSpec WithSeed(long seed) => this with { Seed = seed };

    /// <summary>Bidirectional layers (PyTorch <c>bidirectional=True</c>): outputs [forward, reverse], heads read both.</summary>
    public ModelSpec WithBidirectional(bool enabled = true) => this with { Bidirectional = enabled };

    /// <summary>An LSTM with projections (PyTorch <c>proj_size</c>): h_t = W_hr (o ⊙ tanh c_t) of <paramref name="size"/> units.</summary>
    public ModelSpec WithProjection(int size)
    {
        ThrowHelper.RequirePositive(size, nameof(size), "The projection size");
        if (Cell != CellKind.Lstm) ThrowHelper.InvalidOperation($"Projections apply to LSTM cells only, but this spec is a {Cell}.");
        if (size >= HiddenSize)
            ThrowHelper.OutOfRange(nameof(size), size, $"The projection size must be smaller than the hidden size ({HiddenSize}), but was {size}. " +
                                                       "Hint: a projection maps the H-wide o ⊙ tanh(c) to fewer units.");
        return this with { ProjectionSize = size };
    }

    /// <summary>Dropout between layers in training (PyTorch <c>dropout</c>), probability <paramref name="p"/> in [0, 1).</summary>
    public ModelSpec WithDropout(double p) => this with { Dropout = p };

    /// <summary>Recurrent dropout in training (Keras <c>recurrent_dropout</c>): one mask per sequence on h_{t−1}.</summary>
    public ModelSpec WithRecurrentDropout(double p) => this with { RecurrentDropout = p };

    /// <summary>Learned initial state: h0 (and c0 for LSTM) become trained parameters.</summary>
    public ModelSpec WithLearnedInitialState(bool enabled = true) => this with { LearnedInitialState = enabled };

    public ModelSpec WithHead(HeadSpec head)
    {
        ArgumentNullException.ThrowIfNull(head);
        head.Validate();
        return this with { Head = head };
    }

    /// <summary>Number of gate blocks per layer: 4 (LSTM), 3 (GRU), 1 (RNN).</summary>
    public int GateCount => CellDefinition.Of(Cell).Blocks.Count;

    /// <summary>1, or 2 for a bidirectional model.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Width of h (Hout): the projection size of a projected LSTM, else the hidden size.</summary>
    public int OutputSize => ProjectionSize > 0 ? ProjectionSize : HiddenSize;

    /// <summary>Builds a float32 model.</summary>
    public Model<float> Build() => Build<float>();

    /// <summary>Builds a model of the given precision (float or double) with seeded initial weights.</summary>
    public Model<T> Build<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate();
        return Model<T>.Initialize(this);
    }

    /// <summary>The rules between properties (each property has checked its own as it was set), and the size of the
    /// parameter buffer, computed in 64 bits.</summary>
    internal void Validate()
    {
        Head.Validate();
        if (Cell != CellKind.Lstm && (Peepholes || !ForgetGate || ForgetBias is not null || InputGateBias is not null))
            ThrowHelper.InvalidOperation($"Peepholes, forget-gate options and gate biases apply to LSTM cells only, but this spec is a {Cell}.");
        if (ProjectionSize > 0 && Cell != CellKind.Lstm)
            ThrowHelper.InvalidOperation($"Projections apply to LSTM cells only, but this spec is a {Cell}.");
        if (ProjectionSize >= HiddenSize)
            ThrowHelper.OutOfRange(nameof(ProjectionSize), ProjectionSize, $"The projection size must be smaller than the hidden size ({HiddenSize}), but was {ProjectionSize}.");
        if (Dropout > 0 && Layers < 2)
            ThrowHelper.InvalidOperation($"Dropout between layers needs at least 2 layers, but this spec has {Layers}; it would change nothing. " +
                                         "Hint: .WithLayers(2), or .WithRecurrentDropout(p) for dropout inside one layer.");
        _ = new ParameterLayout(this);
    }
}

/// <summary>Entry points: <c>Lstm.Create(inputSize: 1, hiddenSize: 32).WithLayers(2)…Build()</c>.</summary>
public static class Lstm
{
    public static ModelSpec Create(int inputSize, int hiddenSize) => new(CellKind.Lstm, inputSize, hiddenSize);
}

public static class Gru
{
    public static ModelSpec Create(int inputSize, int hiddenSize) => new(CellKind.Gru, inputSize, hiddenSize);
}

/// <summary>Vanilla tanh RNN (PyTorch nn.RNN with nonlinearity tanh).</summary>
public static class Rnn
{
    public static ModelSpec Create(int inputSize, int hiddenSize) => new(CellKind.Rnn, inputSize, hiddenSize);
}

/// <summary>What the head does with the top layer's hidden state, and the loss it is trained with.</summary>
public enum HeadKind
{
    /// <summary>No head: outputs are the top layer's hidden states; such a model can run and trace, not train.</summary>
    None,
    /// <summary>Linear outputs, mean squared error.</summary>
    Regression,
    /// <summary>Linear logits → softmax over classes, cross-entropy; targets are class indices.</summary>
    Classification,
    /// <summary>Linear logits → independent sigmoids, binary cross-entropy; targets in [0, 1].</summary>
    Binary,
}

/// <summary>Whether the head reads the last valid step of each sequence (many-to-one) or every step (many-to-many).</summary>
public enum HeadOutput { LastStep, EveryStep }

public sealed record HeadSpec
{
    public HeadSpec(HeadKind kind, int outputs, HeadOutput output = HeadOutput.LastStep)
    {
        Kind = kind;
        Outputs = outputs;
        Output = output;
        Validate();
    }

    public HeadKind Kind { get; init => field = ThrowHelper.RequireDefined(value, nameof(Kind)); }

    /// <summary>Outputs of the linear layer: 0 for no head, ≥ 1 for regression and binary, ≥ 2 classes for classification.</summary>
    public int Outputs { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Outputs), value, $"A head's output count must be 0 or more, but was {value}."); }

    public HeadOutput Output { get; init => field = ThrowHelper.RequireDefined(value, nameof(Output)); }

    public void Deconstruct(out HeadKind kind, out int outputs, out HeadOutput output) => (kind, outputs, output) = (Kind, Outputs, Output);

    public static HeadSpec None { get; } = new(HeadKind.None, 0);

    public HeadSpec EveryStep() => this with { Output = HeadOutput.EveryStep };
    public HeadSpec LastStep() => this with { Output = HeadOutput.LastStep };

    /// <summary>Width of a target row: 1 (a class index) for classification, else the output count.</summary>
    public int TargetWidth => Kind == HeadKind.Classification ? 1 : Outputs;

    /// <summary>The rule between kind and output count (a <c>with { Kind = … }</c> can break it).</summary>
    internal void Validate()
    {
        int least = Kind switch { HeadKind.None => 0, HeadKind.Classification => 2, _ => 1 };
        if (Kind == HeadKind.None ? Outputs != 0 : Outputs < least)
            ThrowHelper.OutOfRange(nameof(Outputs), Outputs, Kind switch
            {
                HeadKind.None => $"A head of kind None has no outputs, but this one has {Outputs}. Hint: Head.Regression({Outputs}) or another head.",
                HeadKind.Classification => $"A classification head needs at least 2 classes, but was given {Outputs}. Hint: Head.Binary() for a yes/no output.",
                _ => $"A {Kind} head needs at least 1 output, but was given {Outputs}.",
            });
    }
}

public static class Head
{
    public static HeadSpec None => HeadSpec.None;

    public static HeadSpec Regression(int outputs = 1) => new(HeadKind.Regression, outputs);

    public static HeadSpec Classification(int classes) => new(HeadKind.Classification, classes);

    public static HeadSpec Binary(int outputs = 1) => new(HeadKind.Binary, outputs);
}
