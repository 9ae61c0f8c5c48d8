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

    public ModelSpec WithHead(HeadSpec head)
    {
        ArgumentNullException.ThrowIfNull(head);
        head.Validate();
        return this with { Head = head };
    }

    /// <summary>Number of gate blocks per layer: 4 (LSTM), 3 (GRU), 1 (RNN).</summary>
    public int GateCount => Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

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
