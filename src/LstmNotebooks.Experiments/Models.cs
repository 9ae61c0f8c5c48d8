namespace LstmNotebooks.Experiments;

/// <summary>What learns the task.</summary>
public enum ModelKind
{
    /// <summary>LSTM trained by full BPTT with Adam (variants: <see cref="LstmVariant"/>).</summary>
    Lstm,
    /// <summary>Vanilla tanh RNN, trained exactly like the LSTM.</summary>
    Rnn,
    /// <summary>One discrete HMM over the whole symbol stream (inputs, then the answer as a symbol), trained by
    /// Baum–Welch; it predicts the answer from P(next symbol | prefix), the same question the networks answer.</summary>
    Hmm,
    /// <summary>One HMM per class trained on that class's input sequences; classifies by likelihood ratio (with class
    /// priors). A generative contrast: it scores whole sequences and needs no memory across the gap.</summary>
    HmmClassifier,
}

/// <summary>LSTM variants; the ablations compare them.</summary>
public enum LstmVariant
{
    /// <summary>The 1997 cell: no forget gate (f ≡ 1), so the cell is a pure constant error carousel; initial
    /// input-gate bias −6 (the paper used −3 and −6 on the adding problem). The default for the experiments.</summary>
    NoForgetGate1997,
    ForgetBias0,
    ForgetBias1,
    ForgetBias5,
    /// <summary>Forget gate with bias 5 plus peephole connections (Gers &amp; Schmidhuber 2000).</summary>
    Peepholes,
}

/// <summary>A model to run: its kind, size and (LSTM) variant. An immutable record.</summary>
public sealed record ModelConfig
{
    public ModelConfig(ModelKind kind) => Kind = kind;

    public ModelKind Kind { get; init; }

    /// <summary>Hidden units (LSTM, RNN).</summary>
    public int HiddenSize { get; init; } = 16;

    public LstmVariant Variant { get; init; } = LstmVariant.NoForgetGate1997;

    /// <summary>Initial input-gate bias (LSTM); null: −6 for the 1997 cell, PyTorch's random initialisation otherwise.
    /// A closed input gate keeps the 1,000 distractor steps from filling the cell with noise before the gate has
    /// learned when to open.</summary>
    public double? InputGateBias { get; init; }

    /// <summary>HMM settings (both HMM kinds); <see cref="HmmTrainingOptions.States"/> is per model.</summary>
    public HmmTrainingOptions Hmm { get; init; } = new();

    public static ModelConfig Lstm(int hiddenSize = 16, LstmVariant variant = LstmVariant.NoForgetGate1997)
        => new(ModelKind.Lstm) { HiddenSize = hiddenSize, Variant = variant };
    public static ModelConfig Rnn(int hiddenSize = 16) => new(ModelKind.Rnn) { HiddenSize = hiddenSize };
    public static ModelConfig HmmPredictor(int states = 16) => new(ModelKind.Hmm) { Hmm = new HmmTrainingOptions(States: states) };
    public static ModelConfig HmmClassifierPerClass(int states = 8) => new(ModelKind.HmmClassifier) { Hmm = new HmmTrainingOptions(States: states) };

    public bool IsNetwork => Kind is ModelKind.Lstm or ModelKind.Rnn;

    /// <summary>Short name used in CSVs and charts: "LSTM" (the 1997 cell), "LSTM (forget bias 5)", "RNN", "HMM", ….</summary>
    public string Name => Kind switch
    {
        ModelKind.Lstm => Variant switch
        {
            LstmVariant.NoForgetGate1997 => "LSTM",
            LstmVariant.ForgetBias0 => "LSTM (forget bias 0)",
            LstmVariant.ForgetBias1 => "LSTM (forget bias 1)",
            LstmVariant.ForgetBias5 => "LSTM (forget bias 5)",
            LstmVariant.Peepholes => "LSTM (peepholes)",
            _ => Variant.ToString(),
        },
        ModelKind.Rnn => "RNN",
        ModelKind.Hmm => "HMM",
        ModelKind.HmmClassifier => "HMM per class",
        _ => Kind.ToString(),
    };

    /// <summary>The network spec for a task (seeded); null for HMMs.</summary>
    public ModelSpec? ToSpec(TaskGenerator task, long seed)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!IsNetwork) return null;
        if (Kind == ModelKind.Rnn) return Rnn_(task.InputSize).WithSeed(seed).WithHead(task.Head);
        var spec = LstmNotebooks.Lstm.Create(task.InputSize, HiddenSize).WithSeed(seed).WithHead(task.Head);
        spec = Variant switch
        {
            LstmVariant.NoForgetGate1997 => spec.WithForgetGate(false).WithInputGateBias(InputGateBias ?? -6.0),
            LstmVariant.ForgetBias0 => spec.WithForgetBias(0),
            LstmVariant.ForgetBias1 => spec.WithForgetBias(1),
            LstmVariant.ForgetBias5 => spec.WithForgetBias(5),
            LstmVariant.Peepholes => spec.WithForgetBias(5).WithPeepholes(),
            _ => throw new ArgumentOutOfRangeException(nameof(Variant), Variant, $"Unknown LSTM variant {Variant}."),
        };
        if (InputGateBias is double bias && Variant != LstmVariant.NoForgetGate1997) spec = spec.WithInputGateBias(bias);
        return spec;
    }

    private ModelSpec Rnn_(int inputSize) => LstmNotebooks.Rnn.Create(inputSize, HiddenSize);
}
