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
        ThrowHelper.RequirePositive(inputSize, nameof(inputSize), "The input size (features per time step)");
        ThrowHelper.RequirePositive(hiddenSize, nameof(hiddenSize), "The hidden size (units per layer)");
        Cell = cell;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
    }

    public CellKind Cell { get; init; }
    public int InputSize { get; init; }
    public int HiddenSize { get; init; }
    public int Layers { get; init; } = 1;

    /// <summary>Initial forget-gate bias (LSTM): <c>bias_ih</c> f rows get this value, <c>bias_hh</c> f rows get 0,
    /// so the gate starts at σ(bias). Null keeps PyTorch's random initialisation.</summary>
    public double? ForgetBias { get; init; }

    /// <summary>Initial input-gate bias (LSTM), set like <see cref="ForgetBias"/>. Negative values (the 1997 paper used
    /// −3 and −6) keep the cell state from drifting into tanh saturation while the input gate has not learned when to
    /// open. Null keeps PyTorch's random initialisation.</summary>
    public double? InputGateBias { get; init; }

    /// <summary>Peephole connections from the cell state to the i, f (c_{t-1}) and o (c_t) gates (Gers &amp;
    /// Schmidhuber 2000). Not in PyTorch; stored as the extra tensor <c>weight_peephole_l{k}</c> (3×H).</summary>
    public bool Peepholes { get; init; }

    /// <summary>False gives the 1997 cell without a forget gate (f ≡ 1); its f rows stay in the layout but unused.</summary>
    public bool ForgetGate { get; init; } = true;

    /// <summary>Seed of the initial weights.</summary>
    public long Seed { get; init; }

    public HeadSpec Head { get; init; } = HeadSpec.None;

    public ModelSpec WithLayers(int layers)
    {
        ThrowHelper.RequirePositive(layers, nameof(layers), "The number of layers");
        return this with { Layers = layers };
    }

    public ModelSpec WithForgetBias(double bias)
    {
        ThrowHelper.RequireFinite(bias, nameof(bias), "The forget bias");
        if (Cell != CellKind.Lstm) ThrowHelper.InvalidOperation($"A forget bias applies to LSTM cells only, but this spec is a {Cell}.");
        return this with { ForgetBias = bias };
    }

    public ModelSpec WithInputGateBias(double bias)
    {
        ThrowHelper.RequireFinite(bias, nameof(bias), "The input-gate bias");
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
        return this with { Head = head };
    }

    /// <summary>Number of gate blocks per layer: 4 (LSTM), 3 (GRU), 1 (RNN).</summary>
    public int GateCount => CellDefinition.Of(Cell).Blocks.Count;

    /// <summary>1, or 2 for a bidirectional model.</summary>
    internal int Directions => 1;

    /// <summary>Width of h (Hout): the projection size of a projected LSTM, else the hidden size.</summary>
    internal int OutputSize => HiddenSize;
    internal int ProjectionSize => 0;
    internal bool LearnedInitialState => false;
    internal double Dropout => 0;
    internal double RecurrentDropout => 0;

    /// <summary>Builds a float32 model.</summary>
    public Model<float> Build() => Build<float>();

    /// <summary>Builds a model of the given precision (float or double) with seeded initial weights.</summary>
    public Model<T> Build<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate();
        return Model<T>.Initialize(this);
    }

    internal void Validate()
    {
        ThrowHelper.RequirePositive(InputSize, nameof(InputSize), "The input size (features per time step)");
        ThrowHelper.RequirePositive(HiddenSize, nameof(HiddenSize), "The hidden size (units per layer)");
        ThrowHelper.RequirePositive(Layers, nameof(Layers), "The number of layers");
        if (Head.Kind != HeadKind.None) ThrowHelper.RequirePositive(Head.Outputs, nameof(Head), "The head's output count");
        if (Cell != CellKind.Lstm && (Peepholes || !ForgetGate || ForgetBias is not null || InputGateBias is not null))
            ThrowHelper.InvalidOperation($"Peepholes, forget-gate options and gate biases apply to LSTM cells only, but this spec is a {Cell}.");
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

public sealed record HeadSpec(HeadKind Kind, int Outputs, HeadOutput Output = HeadOutput.LastStep)
{
    public static HeadSpec None { get; } = new(HeadKind.None, 0);

    public HeadSpec EveryStep() => this with { Output = HeadOutput.EveryStep };
    public HeadSpec LastStep() => this with { Output = HeadOutput.LastStep };

    /// <summary>Width of a target row: 1 (a class index) for classification, else the output count.</summary>
    public int TargetWidth => Kind == HeadKind.Classification ? 1 : Outputs;
}

public static class Head
{
    public static HeadSpec None => HeadSpec.None;

    public static HeadSpec Regression(int outputs = 1)
    {
        ThrowHelper.RequirePositive(outputs, nameof(outputs), "The number of regression outputs");
        return new(HeadKind.Regression, outputs);
    }

    public static HeadSpec Classification(int classes)
    {
        if (classes < 2) ThrowHelper.OutOfRange(nameof(classes), classes, $"Classification needs at least 2 classes, but was given {classes}.");
        return new(HeadKind.Classification, classes);
    }

    public static HeadSpec Binary(int outputs = 1)
    {
        ThrowHelper.RequirePositive(outputs, nameof(outputs), "The number of binary outputs");
        return new(HeadKind.Binary, outputs);
    }
}
