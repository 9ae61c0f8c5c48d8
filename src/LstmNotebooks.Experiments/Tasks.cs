namespace LstmNotebooks.Experiments;

/// <summary>The long-gap tasks of Hochreiter &amp; Schmidhuber (1997), plus the concept's "remember the first symbol".</summary>
public enum LongGapTask
{
    /// <summary>Exp. 1: embedded Reber grammar, next-symbol prediction.</summary>
    EmbeddedReber,
    /// <summary>Exp. 2a: (y, a1 … a(p−1), y) / (x, a1 … a(p−1), x); lag = p.</summary>
    NoiseFreeLongLag,
    /// <summary>Exp. 2c: (b, x/y, q+k distractors, e, x/y); lag = q, alphabet p+4.</summary>
    LongLagWithDistractors,
    /// <summary>Exp. 4: the adding problem; lag = T (sequence length T … T+T/10).</summary>
    Adding,
    /// <summary>Exp. 5: the multiplication problem; lag = T.</summary>
    Multiplication,
    /// <summary>Exp. 6a: temporal order of two X/Y events among distractors; lag = L (40 in the paper).</summary>
    TemporalOrder,
    /// <summary>The concept's task: a class symbol at step 0, then N distractors; output the class; lag = N.</summary>
    RememberFirst,
}

/// <summary>
/// When a training run counts as solved: the last <see cref="Window"/> sequences of the training stream, each predicted
/// before the model trained on it, have at most <see cref="AllowedFailures"/> errors. For a fixed training set
/// (<see cref="FixedSet"/>, Exp. 1) every training and test sequence must be right instead.
/// </summary>
public sealed record Criterion(int Window, int AllowedFailures, string Description, bool FixedSet = false);

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

    /// <summary>The task's size parameter: p (2a), q (2c), T (4, 5), L (6a), N (remember-first), 9 (Exp. 1).</summary>
    public abstract int Lag { get; }

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
    /// classification tasks; otherwise the per-sequence criterion itself.</summary>
    public virtual bool IsDecisionRight(ReadOnlySpan<float> outputs, TaskSequence sequence)
    {
        if (Classes == 0) return IsCorrect(outputs, sequence);
        // Ties go to the lowest class, as a constant guess would: a model that cannot tell the classes apart (an HMM
        // whose class probabilities are exactly equal) then scores the chance level instead of 0.
        int best = 0;
        for (int k = 1; k < outputs.Length; k++) if (outputs[k] > outputs[best]) best = k;
        return best == sequence.Label;
    }

    public List<TaskSequence> Generate(int count, ref Rng rng)
    {
        var list = new List<TaskSequence>(count);
        for (int i = 0; i < count; i++) list.Add(Next(ref rng));
        return list;
    }

    public override string ToString() => $"{Task} (lag {Lag})";

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
    /// <summary>The generator for a task at a lag (its size parameter); <paramref name="alphabet"/> sets p for Exp. 2c
    /// (default p = q, as the paper's main table).</summary>
    public static TaskGenerator Create(LongGapTask task, int lag, int? alphabet = null) => task switch
    {
        LongGapTask.EmbeddedReber => new EmbeddedReberTask(),
        LongGapTask.NoiseFreeLongLag => new NoiseFreeLongLagTask(lag),
        LongGapTask.LongLagWithDistractors => new LongLagWithDistractorsTask(lag, alphabet ?? lag),
        LongGapTask.Adding => new AddingTask(lag),
        LongGapTask.Multiplication => new MultiplicationTask(lag),
        LongGapTask.TemporalOrder => new TemporalOrderTask(lag),
        LongGapTask.RememberFirst => new RememberFirstTask(lag),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, $"Unknown task {task}."),
    };

    /// <summary>The paper's default lag for each task (Exp. 1 has none; 6a uses L = 40).</summary>
    public static int DefaultLag(LongGapTask task) => task switch
    {
        LongGapTask.EmbeddedReber => 9,
        LongGapTask.TemporalOrder => 40,
        _ => 100,
    };

    internal static void RequireLag(int lag, int minimum, string what)
    {
        if (lag < minimum) throw new ArgumentOutOfRangeException(nameof(lag), lag, $"{what} needs a lag of at least {minimum}, but was given {lag}.");
    }
}

/// <summary>Exp. 2a: symbols x = 0, y = 1, a_i = i + 1. Input (c, a1 … a(p−1)), target c ∈ {x, y} (class 0/1).</summary>
public sealed class NoiseFreeLongLagTask : TaskGenerator
{
    public NoiseFreeLongLagTask(int p)
    {
        TaskGenerators.RequireLag(p, 2, "Exp. 2a");
        Lag = p;
    }

    public override LongGapTask Task => LongGapTask.NoiseFreeLongLag;
    public override int Lag { get; }
    public override int Alphabet => Lag + 1;
    public override int Classes => 2;
    public override int InputSize => Alphabet;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(2);
    public override Criterion Criterion { get; } = new(10_000, 0, "max absolute output error < 0.25 on 10,000 successive sequences");
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        int label = rng.NextInt(2);
        var symbols = new int[Lag];
        symbols[0] = label;
        for (int i = 1; i < Lag; i++) symbols[i] = i + 1;
        return Classified(symbols, Alphabet, label);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => OneHotWithin(outputs, sequence.Label, 0.25);
}

/// <summary>
/// Exp. 2c: symbols b = 0, e = 1, x = 2, y = 3, distractors a_i = 3 + i (i = 1 … p). Input (b, c, q distractors, then
/// each further element is e with probability 1/10, else a distractor, ending at e); target c (class 0 = x, 1 = y).
/// Expected input length q + 13 (the paper's q + 14 counts the target).
/// </summary>
public sealed class LongLagWithDistractorsTask : TaskGenerator
{
    public LongLagWithDistractorsTask(int q, int p)
    {
        TaskGenerators.RequireLag(q, 1, "Exp. 2c");
        if (p < 1) throw new ArgumentOutOfRangeException(nameof(p), p, $"Exp. 2c needs at least one distractor symbol (p ≥ 1), but p was {p}.");
        Lag = q;
        Distractors = p;
    }

    public const int B = 0, E = 1, X = 2, Y = 3;
    public override LongGapTask Task => LongGapTask.LongLagWithDistractors;
    public override int Lag { get; }
    public int Distractors { get; }
    public override int Alphabet => Distractors + 4;
    public override int Classes => 2;
    public override int InputSize => Alphabet;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(2);
    public override Criterion Criterion { get; } = new(10_000, 0, "both outputs' absolute errors < 0.2 on 10,000 successive sequences");
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
    public override Criterion Criterion { get; } = new(2_000, 0, "absolute error < 0.04 on the last 2,000 sequences");
    protected override double Draw(ref Rng rng) => rng.Uniform(-1, 1);
    protected override double Neutral => 0;
    protected override double Combine(double x1, double x2) => 0.5 + (x1 + x2) / 4;

    /// <summary>A constant 0.5 is within 0.04 of the target when |X1 + X2| &lt; 0.16: P ≈ 0.16 − 0.16²/4 (triangular density of the sum).</summary>
    public override double ChanceAccuracy => 0.16 - 0.16 * 0.16 / 4;
}

/// <summary>Exp. 5: values U[0, 1], target X1·X2.</summary>
public sealed class MultiplicationTask(int length) : MarkedPairTask(length)
{
    public override LongGapTask Task => LongGapTask.Multiplication;
    public override Criterion Criterion { get; } = new(2_000, 140, "fewer than 140 of the last 2,000 sequences with absolute error > 0.04 (paper's n_seq = 140)");
    protected override double Draw(ref Rng rng) => rng.NextDouble();
    protected override double Neutral => 1;
    protected override double Combine(double x1, double x2) => x1 * x2;

    /// <summary>The best constant c hits |X1X2 − c| &lt; 0.04 most often near 0, where the density −ln z peaks:
    /// P(X1X2 &lt; 0.08) = 0.08(1 − ln 0.08) ≈ 0.282.</summary>
    public override double ChanceAccuracy => 0.08 * (1 - Math.Log(0.08));
}

/// <summary>
/// Exp. 6a, generalised to a lag L (the paper's L = 40): symbols E = 0, B = 1, X = 2, Y = 3, distractors a–d = 4–7.
/// Length 5L/2 … 5L/2 + L/4 (100–110), E first and B last, X/Y at t1 ∈ [L/4, L/2] ([10, 20]) and t2 ∈ [5L/4, 3L/2]
/// ([50, 60]); classes XX = Q = 0, XY = R = 1, YX = S = 2, YY = U = 3.
/// </summary>
public sealed class TemporalOrderTask : TaskGenerator
{
    public TemporalOrderTask(int lag)
    {
        TaskGenerators.RequireLag(lag, 8, "Exp. 6a");
        Lag = lag;
    }

    public const int E = 0, B = 1, X = 2, Y = 3;
    public override LongGapTask Task => LongGapTask.TemporalOrder;
    public override int Lag { get; }
    public override int Alphabet => 8;
    public override int Classes => 4;
    public override int InputSize => 8;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(4);
    public override Criterion Criterion { get; } = new(2_000, 0, "every output's absolute error < 0.3 on the last 2,000 sequences");
    public override double ChanceAccuracy => 0.25;

    public (int Min, int Max) FirstEvent => (Lag / 4, Lag / 2);
    public (int Min, int Max) SecondEvent => (5 * Lag / 4, 3 * Lag / 2);
    public (int Min, int Max) Length => (5 * Lag / 2, 5 * Lag / 2 + Lag / 4);

    public override TaskSequence Next(ref Rng rng)
    {
        int length = Length.Min + rng.NextInt(Length.Max - Length.Min + 1);
        var symbols = new int[length];
        for (int t = 1; t < length - 1; t++) symbols[t] = 4 + rng.NextInt(4);
        symbols[0] = E;
        symbols[^1] = B;
        int t1 = FirstEvent.Min + rng.NextInt(FirstEvent.Max - FirstEvent.Min + 1);
        int t2 = SecondEvent.Min + rng.NextInt(SecondEvent.Max - SecondEvent.Min + 1);
        int first = rng.NextInt(2), second = rng.NextInt(2);
        symbols[t1] = X + first;
        symbols[t2] = X + second;
        return Classified(symbols, Alphabet, 2 * first + second);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => OneHotWithin(outputs, sequence.Label, 0.3);
}

/// <summary>The concept's task: class symbol 0/1 at step 0, then N distractors (symbols 2–5); output the class.</summary>
public sealed class RememberFirstTask : TaskGenerator
{
    public RememberFirstTask(int n)
    {
        TaskGenerators.RequireLag(n, 1, "Remember-first");
        Lag = n;
    }

    public override LongGapTask Task => LongGapTask.RememberFirst;
    public override int Lag { get; }
    public override int Alphabet => 6;
    public override int Classes => 2;
    public override int InputSize => 6;
    public override HeadSpec Head => LstmNotebooks.Head.Classification(2);
    public override Criterion Criterion { get; } = new(2_000, 0, "the class's probability > 0.75 (absolute error < 0.25) on the last 2,000 sequences");
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        int label = rng.NextInt(2);
        var symbols = new int[Lag + 1];
        symbols[0] = label;
        for (int t = 1; t <= Lag; t++) symbols[t] = 2 + rng.NextInt(4);
        return Classified(symbols, Alphabet, label);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => OneHotWithin(outputs, sequence.Label, 0.25);
}
