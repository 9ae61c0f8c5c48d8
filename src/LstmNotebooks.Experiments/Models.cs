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
    /// <summary>Random weight guessing (Hochreiter &amp; Schmidhuber 1996): every weight of a small vanilla RNN drawn
    /// uniformly from [−<see cref="ModelConfig.GuessRange"/>, +range] until a draw meets the task's criterion; no
    /// gradient at all. A task it solves quickly tests no long-lag learning.</summary>
    Guess,
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

    /// <summary>Random weight guessing: weights are drawn from U[−range, range] (the 1996 paper: 100, which saturates
    /// every unit and makes the net a binary latch).</summary>
    public double GuessRange { get; init; } = 100;

    public static ModelConfig Lstm(int hiddenSize = 16, LstmVariant variant = LstmVariant.NoForgetGate1997)
        => new(ModelKind.Lstm) { HiddenSize = hiddenSize, Variant = variant };
    public static ModelConfig Rnn(int hiddenSize = 16) => new(ModelKind.Rnn) { HiddenSize = hiddenSize };
    public static ModelConfig HmmPredictor(int states = 16) => new(ModelKind.Hmm) { Hmm = new HmmTrainingOptions(States: states) };
    public static ModelConfig HmmClassifierPerClass(int states = 8) => new(ModelKind.HmmClassifier) { Hmm = new HmmTrainingOptions(States: states) };
    public static ModelConfig Guessing(int hiddenSize = 1, double range = 100) => new(ModelKind.Guess) { HiddenSize = hiddenSize, GuessRange = range };

    /// <summary>A trained network (LSTM or RNN); random guessing builds a network too, but never trains it.</summary>
    public bool IsNetwork => Kind is ModelKind.Lstm or ModelKind.Rnn;

    /// <summary>Refuses sizes and settings that cannot run, with the value and a hint.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(nameof(Kind), Kind, $"Unknown model kind {Kind}; expected one of {string.Join(", ", Enum.GetNames<ModelKind>())}.");
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), Variant, $"Unknown LSTM variant {Variant}; expected one of {string.Join(", ", Enum.GetNames<LstmVariant>())}.");
        if (Kind is ModelKind.Lstm or ModelKind.Rnn or ModelKind.Guess && (HiddenSize < 1 || HiddenSize > 4_096))
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, $"The hidden size must be in [1, 4096] units, but was {HiddenSize}. Hint: the experiments use 16.");
        if (InputGateBias is double b && !double.IsFinite(b)) throw new ArgumentOutOfRangeException(nameof(InputGateBias), b, $"The input-gate bias must be finite, but was {b}.");
        if (!(GuessRange > 0) || !double.IsFinite(GuessRange)) throw new ArgumentOutOfRangeException(nameof(GuessRange), GuessRange, $"The guessing range must be a positive finite number, but was {GuessRange}.");
        if (Kind is ModelKind.Hmm or ModelKind.HmmClassifier)
        {
            ArgumentNullException.ThrowIfNull(Hmm);
            if (Hmm.States < 1 || Hmm.States > 4_096) throw new ArgumentOutOfRangeException(nameof(Hmm), Hmm.States, $"An HMM needs between 1 and 4,096 states, but was given {Hmm.States}.");
            if (Hmm.MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(Hmm), Hmm.MaxIterations, $"Baum–Welch needs at least one iteration, but MaxIterations was {Hmm.MaxIterations}.");
            if (Hmm.Restarts < 1) throw new ArgumentOutOfRangeException(nameof(Hmm), Hmm.Restarts, $"Baum–Welch needs at least one start, but Restarts was {Hmm.Restarts}.");
            if (!(Hmm.Smoothing >= 0) || !double.IsFinite(Hmm.Smoothing)) throw new ArgumentOutOfRangeException(nameof(Hmm), Hmm.Smoothing, $"The smoothing pseudo-count must be finite and ≥ 0, but was {Hmm.Smoothing}.");
            if (!(Hmm.Tolerance >= 0) || !double.IsFinite(Hmm.Tolerance)) throw new ArgumentOutOfRangeException(nameof(Hmm), Hmm.Tolerance, $"The EM tolerance must be finite and ≥ 0, but was {Hmm.Tolerance}.");
        }
    }

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
        ModelKind.Guess => "random guessing",
        _ => Kind.ToString(),
    };

    /// <summary>The network spec for a task (seeded); null for HMMs. Guessing draws the weights of a vanilla RNN.</summary>
    public ModelSpec? ToSpec(TaskGenerator task, long seed)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (Kind is ModelKind.Hmm or ModelKind.HmmClassifier) return null;
        if (Kind is ModelKind.Rnn or ModelKind.Guess) return Rnn_(task.InputSize).WithSeed(seed).WithHead(task.Head);
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
