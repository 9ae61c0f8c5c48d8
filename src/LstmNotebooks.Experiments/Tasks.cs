using LstmNotebooks.Tasks;

namespace LstmNotebooks.Experiments;

/// <summary>The long-gap tasks of Hochreiter &amp; Schmidhuber (1997), the continual Reber stream of Gers,
/// Schmidhuber &amp; Cummins (2000), and the concept's "remember the first symbol". In the paper's order.</summary>
public enum LongGapTask
{
    /// <summary>Exp. 1: embedded Reber grammar, next-symbol prediction.</summary>
    EmbeddedReber,
    /// <summary>Exp. 2a: (y, a1 … a(p−1), y) / (x, a1 … a(p−1), x); lag = p.</summary>
    NoiseFreeLongLag,
    /// <summary>Exp. 2b: as 2a, but the middle is a random string over a1 … a(p−1); lag = p.</summary>
    RandomMiddle,
    /// <summary>Exp. 2c: (b, x/y, q+k distractors, e, x/y); lag = q, alphabet p+4.</summary>
    LongLagWithDistractors,
    /// <summary>Exp. 3a: the two-sequence problem, one real input line: N informative ±1 elements, then Gaussian
    /// noise; lag = T (length T … T+T/10).</summary>
    TwoSequence,
    /// <summary>Exp. 3b: 3a with noise on the informative elements too.</summary>
    TwoSequenceNoisyInputs,
    /// <summary>Exp. 3c: 3b with targets 0.2/0.8 plus Gaussian target noise.</summary>
    TwoSequenceNoisyTargets,
    /// <summary>Exp. 4: the adding problem; lag = T (sequence length T … T+T/10).</summary>
    Adding,
    /// <summary>Exp. 5: the multiplication problem; lag = T.</summary>
    Multiplication,
    /// <summary>Exp. 6a: temporal order of two X/Y events among distractors; lag = L (40 in the paper).</summary>
    TemporalOrder,
    /// <summary>Exp. 6b: temporal order of three X/Y events, 8 classes; lag = L (40 in the paper).</summary>
    TemporalOrderThree,
    /// <summary>Gers, Schmidhuber &amp; Cummins (2000): embedded Reber strings concatenated into one stream that is
    /// never reset; next-symbol prediction.</summary>
    ContinualReber,
    /// <summary>The concept's task: a class symbol at step 0, then N distractors; output the class; lag = N.</summary>
    RememberFirst,
}

/// <summary>How a run is judged solved.</summary>
public enum CriterionKind
{
    /// <summary>The last <see cref="Criterion.Window"/> stream sequences, each judged before the model trained on it,
    /// have at most <see cref="Criterion.AllowedFailures"/> errors (Exp. 2, 4, 5, 6).</summary>
    Stream,
    /// <summary>A fixed training set: every training and test sequence right (Exp. 1).</summary>
    FixedSet,
    /// <summary>A separate check set of <see cref="Criterion.Window"/> sequences, scored every
    /// <see cref="ExperimentOptions.CheckEvery"/> training sequences, has at most <see cref="Criterion.AllowedFailures"/>
    /// errors (the paper's ST1) and, when <see cref="Criterion.MeanAbsoluteErrorBelow"/> is set, a mean absolute error
    /// below it (ST2) (Exp. 3).</summary>
    CheckSet,
}

/// <summary>When a training run counts as solved (see <see cref="CriterionKind"/>).</summary>
public sealed record Criterion(CriterionKind Kind, int Window, int AllowedFailures, string Description)
{
    /// <summary>Check-set criteria: the mean absolute error on the check set must also be below this (the paper's ST2).</summary>
    public double? MeanAbsoluteErrorBelow { get; init; }

    public bool FixedSet => Kind == CriterionKind.FixedSet;
}

/// <summary>
/// One generated sequence: the sample the networks train on and, for symbolic tasks, the symbols an HMM sees.
/// A symbolic classification sequence keeps only its symbols and builds the one-hot sample when asked: Exp. 2c with
/// q = p = 1000 is 1,012 steps × 1,004 floats = 4 MB per sequence as a dense sample, and the criterion window alone
/// is 10,000 sequences.
/// </summary>
public sealed class TaskSequence
{
    private readonly Sample<float>? _sample;
    private readonly int _alphabet;

    /// <param name="sample">Input and target for the networks.</param>
    /// <param name="symbols">Input symbols (symbolic tasks), else null.</param>
    /// <param name="label">Class index (classification tasks), else −1.</param>
    /// <param name="target">The real-valued target (adding, multiplication), else NaN.</param>
    public TaskSequence(Sample<float> sample, int[]? symbols, int label, double target)
    {
        _sample = sample ?? throw new ArgumentNullException(nameof(sample));
        Symbols = symbols;
        Label = label;
        Target = target;
    }

    private TaskSequence(int[] symbols, int alphabet, int label)
    {
        Symbols = symbols;
        _alphabet = alphabet;
        Label = label;
        Target = double.NaN;
    }

    /// <summary>A classification sequence over an alphabet: one-hot inputs, the class as target, built on demand.</summary>
    public static TaskSequence Classified(int[] symbols, int alphabet, int label)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (symbols.Length == 0) throw new ArgumentException("A sequence needs at least one symbol.", nameof(symbols));
        foreach (var s in symbols)
            if ((uint)s >= (uint)alphabet) throw new ArgumentOutOfRangeException(nameof(symbols), s, $"Symbol {s} is outside the alphabet [0, {alphabet}).");
        if (label < 0) throw new ArgumentOutOfRangeException(nameof(label), label, "A class index must be ≥ 0.");
        return new TaskSequence(symbols, alphabet, label);
    }

    /// <summary>Input and target for the networks (a new one-hot sample each time for symbolic classification).</summary>
    public Sample<float> Sample => _sample ?? LstmNotebooks.Sample.Class(Sequence.OneHot<float>(Symbols!, _alphabet), Label);

    /// <summary>Time steps of the input, without building the sample.</summary>
    public int Steps => _sample?.Input.Steps ?? Symbols!.Length;

    public int[]? Symbols { get; }
    public int Label { get; }
    public double Target { get; }
}

/// <summary>
/// A seeded generator for one task at one lag. Each draw consumes the caller's <see cref="Rng"/>, so a seed fixes the
/// whole stream; generators hold no mutable state and may be shared across threads.
/// </summary>
public abstract class TaskGenerator
{
    public abstract LongGapTask Task { get; }

    /// <summary>The task's size parameter: p (2a, 2b), q (2c), T (3, 4, 5), L (6a, 6b), N (remember-first), 9 (Exp. 1
    /// and the continual stream: the minimal lag of the embedded grammar).</summary>
    public abstract int Lag { get; }

    /// <summary>The task's other parameters as the results file records them ("p=1000", "N=3", "n_seq=13"); empty
    /// when the lag says everything.</summary>
    public virtual string Setting => "";

    public abstract int InputSize { get; }
    public abstract HeadSpec Head { get; }
    public abstract Criterion Criterion { get; }

    /// <summary>Input alphabet size for symbolic tasks (the HMM's input symbols); 0 for real-valued tasks.</summary>
    public virtual int Alphabet => 0;

    /// <summary>Number of classes for classification tasks; 0 otherwise.</summary>
    public virtual int Classes => 0;

    public bool IsSymbolic => Alphabet > 0;

    /// <summary>Fraction of test sequences a guesser gets right (the best constant guess); the "chance" level.</summary>
    public abstract double ChanceAccuracy { get; }

    public abstract TaskSequence Next(ref Rng rng);

    /// <summary>Whether the outputs for one sequence meet the task's per-sequence criterion. <paramref name="outputs"/> is
    /// the head's output at the last step, or (per-step tasks) all steps flattened step-major.</summary>
    public abstract bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence);

    /// <summary>Whether the model's decision is right, the measure chance refers to: the most probable class for
    /// classification tasks (<see cref="Metrics.ArgMax{T}"/>); otherwise the per-sequence criterion itself.</summary>
    public virtual bool IsDecisionRight(ReadOnlySpan<float> outputs, TaskSequence sequence)
        // Ties go to the lowest class, as a constant guess would: a model that cannot tell the classes apart (an HMM
        // whose class probabilities are exactly equal) then scores the chance level instead of 0.
        => Classes == 0 ? IsCorrect(outputs, sequence) : Metrics.ArgMax(outputs) == sequence.Label;

    /// <summary>|output − target| for tasks with one real-valued target (Exp. 3, 4, 5; the noise-free target for 3c);
    /// NaN otherwise. Its mean is the paper's "mean absolute error", its square the "MSE".</summary>
    public virtual double AbsoluteError(ReadOnlySpan<float> outputs, TaskSequence sequence)
        => double.IsNaN(sequence.Target) ? double.NaN : Math.Abs(outputs[0] - sequence.Target);

    public List<TaskSequence> Generate(int count, ref Rng rng)
    {
        var list = new List<TaskSequence>(count);
        for (int i = 0; i < count; i++) list.Add(Next(ref rng));
        return list;
    }

    public override string ToString() => Setting.Length == 0 ? $"{Task} (lag {Lag})" : $"{Task} (lag {Lag}, {Setting})";

    /// <summary>Symbolic classification: the one-hot class target; correct when every probability is within
    /// <paramref name="tolerance"/> of it (the paper's "absolute output error" criterion).</summary>
    protected static bool OneHotWithin(ReadOnlySpan<float> probabilities, int label, double tolerance)
    {
        for (int k = 0; k < probabilities.Length; k++)
            if (Math.Abs(probabilities[k] - (k == label ? 1.0 : 0.0)) >= tolerance) return false;
        return true;
    }

    protected static TaskSequence Classified(int[] symbols, int alphabet, int label) => TaskSequence.Classified(symbols, alphabet, label);
}

public static class TaskGenerators
{
    /// <summary>The generator for a task at a lag (its size parameter). <paramref name="alphabet"/> sets p for Exp. 2c
    /// (default p = q, as the paper's main table); <paramref name="informative"/> sets N for Exp. 3 (default 3);
    /// <paramref name="allowedWrong"/> sets n_seq for Exp. 5 (default 140).</summary>
    public static TaskGenerator Create(LongGapTask task, int lag, int? alphabet = null, int? informative = null, int? allowedWrong = null) => task switch
    {
        LongGapTask.EmbeddedReber => new EmbeddedReberTask(),
        LongGapTask.NoiseFreeLongLag => new NoiseFreeLongLagTask(lag),
        LongGapTask.RandomMiddle => new RandomMiddleTask(lag),
        LongGapTask.LongLagWithDistractors => new LongLagWithDistractorsTask(lag, alphabet ?? lag),
        LongGapTask.TwoSequence => new TwoSequenceTask(lag, informative ?? 3, TwoSequenceVariant.A),
        LongGapTask.TwoSequenceNoisyInputs => new TwoSequenceTask(lag, informative ?? 3, TwoSequenceVariant.B),
        LongGapTask.TwoSequenceNoisyTargets => new TwoSequenceTask(lag, informative ?? 3, TwoSequenceVariant.C),
        LongGapTask.Adding => new AddingTask(lag),
        LongGapTask.Multiplication => new MultiplicationTask(lag, allowedWrong ?? MultiplicationTask.PaperAllowedWrong),
        LongGapTask.TemporalOrder => new TemporalOrderTask(lag),
        LongGapTask.TemporalOrderThree => new TemporalOrderTask(lag, events: 3),
        LongGapTask.ContinualReber => new ContinualReberTask(),
        LongGapTask.RememberFirst => new RememberFirstTask(lag),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, $"Unknown task {task}."),
    };

    /// <summary>The paper's default lag for each task (Exp. 1 and the continual stream: the grammar's 9; 6a/6b: L = 40).</summary>
    public static int DefaultLag(LongGapTask task) => task switch
    {
        LongGapTask.EmbeddedReber or LongGapTask.ContinualReber => 9,
        LongGapTask.TemporalOrder or LongGapTask.TemporalOrderThree => 40,
        _ => 100,
    };

    internal static void RequireLag(int lag, int minimum, string what, int maximum = 1_000_000)
    {
        if (lag < minimum || lag > maximum)
            throw new ArgumentOutOfRangeException(nameof(lag), lag, $"{what} needs a lag of at least {minimum} (and at most {maximum:N0}), but was given {lag}.");
    }
}

/// <summary>Exp. 2a: symbols x = 0, y = 1, a_i = i + 1. Input (c, a1 … a(p−1)), target c ∈ {x, y} (class 0/1).</summary>
public class NoiseFreeLongLagTask : TaskGenerator
{
    public NoiseFreeLongLagTask(int p)
    {
        TaskGenerators.RequireLag(p, 2, $"Exp. {Name}");
        Lag = p;
    }

    protected virtual string Name => "2a";
    public override LongGapTask Task => LongGapTask.NoiseFreeLongLag;
    public override int Lag { get; }
    public override int Alphabet => Lag + 1;
    public override int Classes => 2;
    public override int InputSize => Alphabet;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(2);
    public override Criterion Criterion { get; } = new(CriterionKind.Stream, 10_000, 0, "max absolute output error < 0.25 on 10,000 successive sequences");
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        int label = rng.NextInt(2);
        var symbols = new int[Lag];
        symbols[0] = label;
        for (int i = 1; i < Lag; i++) symbols[i] = Middle(i, ref rng);
        return Classified(symbols, Alphabet, label);
    }

    /// <summary>The symbol at position i of the middle: a_i (2a).</summary>
    protected virtual int Middle(int i, ref Rng rng) => i + 1;

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => OneHotWithin(outputs, sequence.Label, 0.25);
}

/// <summary>Exp. 2b: as 2a, but each middle element is drawn uniformly from a1 … a(p−1): no local regularity to
/// predict, so the net cannot lower its error by learning the middle.</summary>
public sealed class RandomMiddleTask(int p) : NoiseFreeLongLagTask(p)
{
    protected override string Name => "2b";
    public override LongGapTask Task => LongGapTask.RandomMiddle;
    protected override int Middle(int i, ref Rng rng) => 2 + rng.NextInt(Lag - 1);
}

/// <summary>
/// Exp. 2c: symbols b = 0, e = 1, x = 2, y = 3, distractors a_i = 3 + i (i = 1 … p). Input (b, c, q distractors, then
/// each further element is e with probability 1/10, else a distractor, ending at e); target c (class 0 = x, 1 = y).
/// Expected input length q + 12 (the paper's q + 14 counts the target).
/// </summary>
public sealed class LongLagWithDistractorsTask : TaskGenerator
{
    public LongLagWithDistractorsTask(int q, int p)
    {
        TaskGenerators.RequireLag(q, 1, "Exp. 2c");
        if (p < 1 || p > 1_000_000) throw new ArgumentOutOfRangeException(nameof(p), p, $"Exp. 2c needs between 1 and 1,000,000 distractor symbols (p), but p was {p}.");
        Lag = q;
        Distractors = p;
    }

    public const int B = 0, E = 1, X = 2, Y = 3;
    public override LongGapTask Task => LongGapTask.LongLagWithDistractors;
    public override int Lag { get; }
    public override string Setting => $"p={Distractors}";
    public int Distractors { get; }
    public override int Alphabet => Distractors + 4;
    public override int Classes => 2;
    public override int InputSize => Alphabet;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(2);
    public override Criterion Criterion { get; } = new(CriterionKind.Stream, 10_000, 0, "both outputs' absolute errors < 0.2 on 10,000 successive sequences");
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        int label = rng.NextInt(2);
        var symbols = new List<int>(Lag + 16) { B, X + label };
        for (int i = 0; i < Lag; i++) symbols.Add(4 + rng.NextInt(Distractors));
        while (rng.NextDouble() >= 0.1) symbols.Add(4 + rng.NextInt(Distractors));
        symbols.Add(E);
        return Classified(symbols.ToArray(), Alphabet, label);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => OneHotWithin(outputs, sequence.Label, 0.2);
}

/// <summary>Exp. 3a, 3b, 3c.</summary>
public enum TwoSequenceVariant
{
    /// <summary>3a: informative elements exactly ±1; targets 1 / 0.</summary>
    A,
    /// <summary>3b: Gaussian noise (variance 0.2) on the informative elements too.</summary>
    B,
    /// <summary>3c: as 3b, targets 0.2 / 0.8 plus Gaussian target noise (variance 0.1).</summary>
    C,
}

/// <summary>
/// Exp. 3, the two-sequence problem (Bengio et al. 1994's latch task with random lengths): one real input line; length
/// T … T+T/10; the first N elements are +1 (class 1) or −1 (class 2), every later one Gaussian noise (mean 0, variance
/// 0.2). Targets at the end: 1 / 0 (3a, 3b; a sigmoid head), or 0.2 / 0.8 plus noise (3c; a linear head, since noisy
/// targets leave [0, 1]). Solved by the paper's test-set criteria, checked on a separate set of 256 sequences:
/// 3a ST1 none wrong (|error| ≥ 0.2), ST2 also a mean absolute error &lt; 0.01; 3b ST1 fewer than 6 wrong, ST2 mean
/// &lt; 0.04; 3c none wrong (|output − noise-free target| ≥ 0.1) and mean &lt; 0.015.
/// </summary>
public sealed class TwoSequenceTask : TaskGenerator
{
    private static readonly double NoiseSd = Math.Sqrt(0.2), TargetNoiseSd = Math.Sqrt(0.1);

    public TwoSequenceTask(int length, int informative = 3, TwoSequenceVariant variant = TwoSequenceVariant.A)
    {
        TaskGenerators.RequireLag(length, 10, $"Exp. 3{char.ToLowerInvariant(variant.ToString()[0])}");
        if (informative < 1 || informative >= length)
            throw new ArgumentOutOfRangeException(nameof(informative), informative, $"Exp. 3 needs 1 ≤ N < T informative elements, but N was {informative} for T = {length}.");
        if (!Enum.IsDefined(variant)) throw new ArgumentOutOfRangeException(nameof(variant), variant, $"Unknown variant {variant}; expected A, B or C.");
        Lag = length;
        Informative = informative;
        Variant = variant;
        Criterion = variant switch
        {
            TwoSequenceVariant.A => new(CriterionKind.CheckSet, 256, 0, "ST2: none of 256 check sequences wrong (|error| ≥ 0.2) and their mean absolute error < 0.01") { MeanAbsoluteErrorBelow = 0.01 },
            TwoSequenceVariant.B => new(CriterionKind.CheckSet, 256, 5, "ST2: fewer than 6 of 256 check sequences wrong (|error| ≥ 0.2) and their mean absolute error < 0.04") { MeanAbsoluteErrorBelow = 0.04 },
            _ => new(CriterionKind.CheckSet, 256, 0, "none of 256 check sequences off the noise-free target by ≥ 0.1, and a mean absolute difference < 0.015") { MeanAbsoluteErrorBelow = 0.015 },
        };
    }

    public override LongGapTask Task => Variant switch
    {
        TwoSequenceVariant.A => LongGapTask.TwoSequence,
        TwoSequenceVariant.B => LongGapTask.TwoSequenceNoisyInputs,
        _ => LongGapTask.TwoSequenceNoisyTargets,
    };

    public override int Lag { get; }
    public int Informative { get; }
    public TwoSequenceVariant Variant { get; }
    public override string Setting => $"N={Informative}";
    public override int InputSize => 1;
    public override HeadSpec Head => Variant == TwoSequenceVariant.C ? LstmNotebooks.Head.Regression(1) : LstmNotebooks.Head.Binary(1);
    public override Criterion Criterion { get; }

    /// <summary>The per-sequence tolerance: 0.2 (3a, 3b) or 0.1 (3c).</summary>
    public double Tolerance => Variant == TwoSequenceVariant.C ? 0.1 : 0.2;

    /// <summary>Noise-free targets of class 1 and class 2.</summary>
    public (double Class1, double Class2) Targets => Variant == TwoSequenceVariant.C ? (0.2, 0.8) : (1.0, 0.0);

    /// <summary>Decisions: the output on its class's side of the midpoint; a constant is right half the time.</summary>
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        int length = Lag + rng.NextInt(Lag / 10 + 1);
        int label = rng.NextInt(2);                    // 0 = class 1 (+1), 1 = class 2 (−1)
        double sign = label == 0 ? 1 : -1;
        var values = new float[length];
        for (int t = 0; t < length; t++)
        {
            bool informative = t < Informative;
            double noise = informative && Variant == TwoSequenceVariant.A ? 0 : NoiseSd * rng.NextGaussian();
            values[t] = (float)((informative ? sign : 0) + noise);
        }
        double clean = label == 0 ? Targets.Class1 : Targets.Class2;
        double target = Variant == TwoSequenceVariant.C ? clean + TargetNoiseSd * rng.NextGaussian() : clean;
        return new TaskSequence(Sample.Create(Sequence.FromFlat<float>(values, length, 1), (float)target), null, label, clean);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => Math.Abs(outputs[0] - sequence.Target) < Tolerance;

    public override bool IsDecisionRight(ReadOnlySpan<float> outputs, TaskSequence sequence)
    {
        double middle = (Targets.Class1 + Targets.Class2) / 2;
        bool saysClass1 = Targets.Class1 > Targets.Class2 ? outputs[0] > middle : outputs[0] < middle;
        return saysClass1 == (sequence.Label == 0);
    }
}

/// <summary>
/// Exp. 4 and 5: pairs (value, marker). Length T … T + T/10; X1's pair is among the first 10, X2's among the first
/// T/2 − 1 (a different one); markers are 1 there, −1 at the first and last pair (unless marked), 0 elsewhere. A marked
/// first pair contributes the operation's neutral value (0 for the sum, as the paper; 1 for the product).
/// </summary>
public abstract class MarkedPairTask : TaskGenerator
{
    protected MarkedPairTask(int length)
    {
        TaskGenerators.RequireLag(length, 22, Task.ToString());
        Lag = length;
    }

    public override int Lag { get; }
    public override int InputSize => 2;
    public override HeadSpec Head => LstmNotebooks.Head.Regression(1);
    public const double Tolerance = 0.04;

    protected abstract double Draw(ref Rng rng);
    protected abstract double Neutral { get; }
    protected abstract double Combine(double x1, double x2);

    public override TaskSequence Next(ref Rng rng)
    {
        int length = Lag + rng.NextInt(Lag / 10 + 1);
        var values = new float[length * 2];
        for (int t = 0; t < length; t++) values[2 * t] = (float)Draw(ref rng);
        int first = rng.NextInt(10);
        int second;
        do second = rng.NextInt(Lag / 2 - 1); while (second == first);
        values[1] = -1f;
        values[2 * (length - 1) + 1] = -1f;
        values[2 * first + 1] = 1f;
        values[2 * second + 1] = 1f;
        double x1 = first == 0 ? Neutral : values[2 * first];
        double x2 = second == 0 ? Neutral : values[2 * second];
        double target = Combine(x1, x2);
        return new TaskSequence(Sample.Create(Sequence.FromFlat<float>(values, length, 2), (float)target), null, -1, target);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => Math.Abs(outputs[0] - sequence.Target) < Tolerance;
}

/// <summary>Exp. 4: values U[−1, 1], target 0.5 + (X1 + X2)/4.</summary>
public sealed class AddingTask(int length) : MarkedPairTask(length)
{
    public override LongGapTask Task => LongGapTask.Adding;
    public override Criterion Criterion { get; } = new(CriterionKind.Stream, 2_000, 0, "absolute error < 0.04 on the last 2,000 sequences");
    protected override double Draw(ref Rng rng) => rng.Uniform(-1, 1);
    protected override double Neutral => 0;
    protected override double Combine(double x1, double x2) => 0.5 + (x1 + x2) / 4;

    /// <summary>A constant 0.5 is within 0.04 of the target when |X1 + X2| &lt; 0.16: P ≈ 0.16 − 0.16²/4 (triangular density of the sum).</summary>
    public override double ChanceAccuracy => 0.16 - 0.16 * 0.16 / 4;
}

/// <summary>Exp. 5: values U[0, 1], target X1·X2. Solved when fewer than n_seq of the last 2,000 sequences have an
/// absolute error above 0.04 (the paper: n_seq = 140, and the stricter 13); its test counterpart is a test error
/// rate below n_seq / 2,000.</summary>
public sealed class MultiplicationTask : MarkedPairTask
{
    public const int PaperAllowedWrong = 140, StrictAllowedWrong = 13;

    public MultiplicationTask(int length, int allowedWrong = PaperAllowedWrong) : base(length)
    {
        if (allowedWrong < 1 || allowedWrong > 2_000)
            throw new ArgumentOutOfRangeException(nameof(allowedWrong), allowedWrong, $"n_seq counts wrong sequences among the last 2,000: it must be in [1, 2000], but was {allowedWrong}.");
        AllowedWrong = allowedWrong;
        Criterion = new(CriterionKind.Stream, 2_000, allowedWrong - 1, $"fewer than {allowedWrong} of the last 2,000 sequences with absolute error > 0.04 (n_seq = {allowedWrong})");
    }

    /// <summary>n_seq: the criterion allows fewer than this many wrong sequences among the last 2,000.</summary>
    public int AllowedWrong { get; }
    public override string Setting => $"n_seq={AllowedWrong}";
    public override LongGapTask Task => LongGapTask.Multiplication;
    public override Criterion Criterion { get; }
    protected override double Draw(ref Rng rng) => rng.NextDouble();
    protected override double Neutral => 1;
    protected override double Combine(double x1, double x2) => x1 * x2;

    /// <summary>The test error rate the criterion allows: n_seq / 2,000 (7 % for 140, 0.65 % for 13).</summary>
    public double AllowedTestErrorRate => AllowedWrong / 2_000.0;

    /// <summary>The best constant c hits |X1X2 − c| &lt; 0.04 most often near 0, where the density −ln z peaks:
    /// P(X1X2 &lt; 0.08) = 0.08(1 − ln 0.08) ≈ 0.282.</summary>
    public override double ChanceAccuracy => 0.08 * (1 - Math.Log(0.08));
}

/// <summary>
/// Exp. 6a (two events) and 6b (three), generalised to a lag L (the paper's L = 40): symbols E = 0, B = 1, X = 2, Y = 3,
/// distractors a–d = 4–7; E first and B last. 6a: length 5L/2 … 5L/2 + L/4 (100–110), X/Y at t1 ∈ [L/4, L/2] ([10, 20])
/// and t2 ∈ [5L/4, 3L/2] ([50, 60]); classes XX = Q = 0, XY = R = 1, YX = S = 2, YY = U = 3. 6b: the paper's windows
/// [10, 20], [33, 43], [66, 76] scaled by L/40, the same lengths, 8 classes (the events read as a binary number, X = 0).
/// </summary>
public sealed class TemporalOrderTask : TaskGenerator
{
    public TemporalOrderTask(int lag, int events = 2)
    {
        if (events is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(events), events, $"Temporal order has 2 (Exp. 6a) or 3 (Exp. 6b) events, but was given {events}.");
        TaskGenerators.RequireLag(lag, events == 2 ? 8 : 12, events == 2 ? "Exp. 6a" : "Exp. 6b");
        Lag = lag;
        Events = events;
        Windows = events == 2
            ? [(lag / 4, lag / 2), (5 * lag / 4, 3 * lag / 2)]
            : [(10 * lag / 40, 20 * lag / 40), (33 * lag / 40, 43 * lag / 40), (66 * lag / 40, 76 * lag / 40)];
        Criterion = new(CriterionKind.Stream, 2_000, 0, "every output's absolute error < 0.3 on the last 2,000 sequences");
    }

    public const int E = 0, B = 1, X = 2, Y = 3;
    public override LongGapTask Task => Events == 2 ? LongGapTask.TemporalOrder : LongGapTask.TemporalOrderThree;
    public override int Lag { get; }
    public int Events { get; }
    public override int Alphabet => 8;
    public override int Classes => 1 << Events;
    public override int InputSize => 8;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(Classes);
    public override Criterion Criterion { get; }
    public override double ChanceAccuracy => 1.0 / Classes;

    /// <summary>The step windows [min, max] of the events, in order.</summary>
    public IReadOnlyList<(int Min, int Max)> Windows { get; }
    public (int Min, int Max) FirstEvent => Windows[0];
    public (int Min, int Max) SecondEvent => Windows[1];
    public (int Min, int Max) Length => (5 * Lag / 2, 5 * Lag / 2 + Lag / 4);

    public override TaskSequence Next(ref Rng rng)
    {
        int length = Length.Min + rng.NextInt(Length.Max - Length.Min + 1);
        var symbols = new int[length];
        for (int t = 1; t < length - 1; t++) symbols[t] = 4 + rng.NextInt(4);
        symbols[0] = E;
        symbols[^1] = B;
        // 6a draws both positions, then both symbols (kept: the committed results depend on the stream).
        var at = new int[Events];
        for (int k = 0; k < Events; k++) at[k] = Windows[k].Min + rng.NextInt(Windows[k].Max - Windows[k].Min + 1);
        int label = 0;
        for (int k = 0; k < Events; k++)
        {
            int symbol = rng.NextInt(2);
            symbols[at[k]] = X + symbol;
            label = 2 * label + symbol;
        }
        return Classified(symbols, Alphabet, label);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => OneHotWithin(outputs, sequence.Label, 0.3);
}

/// <summary>The concept's task (the core's <see cref="RememberFirst"/>): class symbol 0/1 at step 0, then N
/// distractors (symbols 2–5); output the class.</summary>
public sealed class RememberFirstTask : TaskGenerator
{
    private readonly RememberFirst _task;

    public RememberFirstTask(int n)
    {
        TaskGenerators.RequireLag(n, 1, "Remember-first");
        _task = new RememberFirst(n);
    }

    public override LongGapTask Task => LongGapTask.RememberFirst;
    public override int Lag => _task.Gap;
    public override int Alphabet => _task.InputSize;
    public override int Classes => _task.Classes;
    public override int InputSize => _task.InputSize;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(_task.Classes);
    public override Criterion Criterion { get; } = new(CriterionKind.Stream, 2_000, 0, "the class's probability > 0.75 (absolute error < 0.25) on the last 2,000 sequences");
    public override double ChanceAccuracy => _task.ChanceAccuracy;

    public override TaskSequence Next(ref Rng rng)
    {
        var symbols = _task.NextSymbols(ref rng, out int label);
        return Classified(symbols, Alphabet, label);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => OneHotWithin(outputs, sequence.Label, 0.25);
}
