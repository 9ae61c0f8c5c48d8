using System.Collections.Immutable;

namespace LstmNotebooks.Experiments;

/// <summary>
/// The Reber grammar and its embedded form (Exp. 1). Symbols B T P S X V E = 0 … 6. The embedded string is
/// B, T|P, a Reber string, the same T|P, E: the second-to-last symbol repeats the second across the inner string.
/// </summary>
public static class ReberGrammar
{
    public const int B = 0, T = 1, P = 2, S = 3, X = 4, V = 5, E = 6, Symbols = 7;
    public const string Letters = "BTPSXVE";

    // Transition graph of the inner grammar: state → (symbol, next state) edges; state 6 emits E and ends (−1).
    private static readonly ImmutableArray<ImmutableArray<(int Symbol, int Next)>> Graph =
    [
        [(B, 1)],
        [(T, 2), (P, 3)],
        [(S, 2), (X, 4)],
        [(T, 3), (V, 5)],
        [(X, 3), (S, 6)],
        [(P, 4), (V, 6)],
        [(E, -1)],
    ];

    /// <summary>A random Reber string (B … E), each branch taken with probability 1/2.</summary>
    public static List<int> Inner(ref Rng rng)
    {
        var symbols = new List<int>();
        for (int state = 0; state >= 0;)
        {
            var edges = Graph[state];
            var (symbol, next) = edges[edges.Length == 1 ? 0 : rng.NextInt(edges.Length)];
            symbols.Add(symbol);
            state = next;
        }
        return symbols;
    }

    /// <summary>A random embedded Reber string.</summary>
    public static int[] Embedded(ref Rng rng)
    {
        int branch = rng.NextInt(2) == 0 ? T : P;
        var symbols = new List<int> { B, branch };
        symbols.AddRange(Inner(ref rng));
        symbols.Add(branch);
        symbols.Add(E);
        return symbols.ToArray();
    }

    /// <summary>The symbols that may follow each prefix of an embedded string: element t is the legal set after
    /// <c>symbols[0..t]</c>. Null if the string is not in the language.</summary>
    public static bool[][]? LegalSuccessors(IReadOnlyList<int> symbols)
    {
        if (symbols.Count < 9 || symbols[0] != B || (symbols[1] != T && symbols[1] != P)) return null;
        if (symbols[^1] != E || symbols[^2] != symbols[1]) return null;
        var legal = new bool[symbols.Count - 1][];
        legal[0] = Set(T, P);
        legal[1] = Set(B);
        int state = 0;
        for (int t = 2; t < symbols.Count - 2; t++)
        {
            if (state < 0) return null;
            int next = -2;
            foreach (var (symbol, to) in Graph[state]) if (symbol == symbols[t]) next = to;
            if (next == -2) return null;
            state = next;
            legal[t] = state >= 0 ? Graph[state].Select(e => e.Symbol).Aggregate(new bool[Symbols], (m, s) => { m[s] = true; return m; }) : Set(symbols[1]);
        }
        if (state != -1) return null;
        legal[^1] = Set(E);
        return legal;
    }

    public static bool IsEmbeddedReber(IReadOnlyList<int> symbols) => LegalSuccessors(symbols) is not null;

    /// <summary>
    /// A continual stream (Gers et al. 2000): embedded strings one after another, never separated by a reset, cut at
    /// <paramref name="length"/> symbols. <c>Legal[t]</c> is the set of symbols that may follow <c>Symbols[t]</c> (after
    /// a string's final E, the next string's B); <c>Repeat[t]</c> marks the steps whose successor is the repeated T|P,
    /// the one prediction that needs the string's second symbol, 6–17 steps back.
    /// </summary>
    public static (int[] Symbols, bool[][] Legal, bool[] Repeat) Continual(int length, ref Rng rng)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, $"A stream needs at least one symbol, but length was {length}.");
        var symbols = new List<int>(length + 32);
        var legal = new List<bool[]>(length + 32);
        var repeat = new List<bool>(length + 32);
        while (symbols.Count < length)
        {
            var s = Embedded(ref rng);
            var next = LegalSuccessors(s)!;
            symbols.AddRange(s);
            legal.AddRange(next);
            legal.Add(Set(B));
            for (int t = 0; t < s.Length; t++) repeat.Add(t == s.Length - 3);
        }
        return (symbols.Take(length).ToArray(), legal.Take(length).ToArray(), repeat.Take(length).ToArray());
    }

    /// <summary>Next-symbol prediction as a sample: one-hot inputs, the legal successors of each step as multi-hot targets.</summary>
    public static Sample<float> ToSample(IReadOnlyList<int> inputs, IReadOnlyList<bool[]> legal)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(legal);
        if (legal.Count != inputs.Count) throw new ArgumentException($"There are {legal.Count} successor sets for {inputs.Count} inputs; give one per step.", nameof(legal));
        var targets = new float[legal.Count * Symbols];
        for (int t = 0; t < legal.Count; t++)
            for (int k = 0; k < Symbols; k++)
                targets[t * Symbols + k] = legal[t][k] ? 1f : 0f;
        return Sample.PerStep(Sequence.OneHot<float>(inputs, Symbols), Sequence.FromFlat<float>(targets, legal.Count, Symbols));
    }

    /// <summary>Every step of <paramref name="outputs"/> (steps × 7, step-major) meets <see cref="LegalMostActive"/>
    /// for the multi-hot legal sets in <paramref name="targets"/>.</summary>
    public static bool EveryStepLegal(ReadOnlySpan<float> outputs, Sequence<float> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        Span<bool> legal = stackalloc bool[Symbols];
        for (int t = 0; t < targets.Steps; t++)
        {
            for (int k = 0; k < Symbols; k++) legal[k] = targets[t, k] > 0.5f;
            if (!LegalMostActive(outputs.Slice(t * Symbols, Symbols), legal)) return false;
        }
        return true;
    }

    /// <summary>The paper's per-step criterion: the outputs of every legal successor above those of every other symbol.</summary>
    public static bool LegalMostActive(ReadOnlySpan<float> outputs, ReadOnlySpan<bool> legal)
    {
        float minLegal = float.PositiveInfinity, maxIllegal = float.NegativeInfinity;
        for (int k = 0; k < outputs.Length; k++)
            if (legal[k]) minLegal = Math.Min(minLegal, outputs[k]);
            else maxIllegal = Math.Max(maxIllegal, outputs[k]);
        return minLegal > maxIllegal;
    }

    public static string ToText(IEnumerable<int> symbols) => string.Concat(symbols.Select(s => Letters[s]));

    private static bool[] Set(params int[] symbols)
    {
        var m = new bool[Symbols];
        foreach (var s in symbols) m[s] = true;
        return m;
    }
}

/// <summary>
/// Exp. 1: next-symbol prediction on embedded Reber strings. Inputs are the string without its final E; targets are
/// the legal successors of each prefix (multi-hot, binary cross-entropy). A string is right when, at every step, the
/// outputs of the legal successors are the most active ones (the paper's criterion). Training uses a fixed set of 256
/// strings and the run is solved when every training and test string is right.
/// </summary>
public sealed class EmbeddedReberTask : TaskGenerator
{
    public override LongGapTask Task => LongGapTask.EmbeddedReber;

    /// <summary>The minimal lag between the second symbol and its repetition.</summary>
    public override int Lag => 9;
    public override int Alphabet => ReberGrammar.Symbols;
    public override int InputSize => ReberGrammar.Symbols;
    public override HeadSpec Head => LstmNotebooks.Head.Binary(ReberGrammar.Symbols).EveryStep();
    public override Criterion Criterion { get; } = new(CriterionKind.FixedSet, 256, 0, "every symbol of all 256 training and 256 test strings predicted (legal successors most active)");
    public int TrainingSetSize => 256;

    /// <summary>A predictor that knows the inner grammar but not the embedding gets the repeated T/P right half the time.</summary>
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        var symbols = ReberGrammar.Embedded(ref rng);
        var legal = ReberGrammar.LegalSuccessors(symbols)!;
        return new TaskSequence(ReberGrammar.ToSample(symbols.AsSpan(0, symbols.Length - 1).ToArray(), legal), symbols, -1, double.NaN);
    }

    /// <summary>Outputs: steps × 7, step-major.</summary>
    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => ReberGrammar.EveryStepLegal(outputs, sequence.Sample.Target);
}

/// <summary>
/// The continual embedded Reber stream (Gers, Schmidhuber &amp; Cummins 2000) as sequences: each draw is a segment of
/// <see cref="SegmentLength"/> stream symbols with the legal successors as multi-hot targets. The task is never cut
/// into sequences for training or testing (<see cref="ContinualReber"/> runs it); this generator describes its
/// shapes and serves tests and charts.
/// </summary>
public sealed class ContinualReberTask(int segmentLength = 1_000) : TaskGenerator
{
    public int SegmentLength { get; } = segmentLength >= 1 ? segmentLength
        : throw new ArgumentOutOfRangeException(nameof(segmentLength), segmentLength, $"A segment needs at least one symbol, but was {segmentLength}.");

    public override LongGapTask Task => LongGapTask.ContinualReber;
    public override int Lag => 9;
    public override int Alphabet => ReberGrammar.Symbols;
    public override int InputSize => ReberGrammar.Symbols;
    public override HeadSpec Head => LstmNotebooks.Head.Binary(ReberGrammar.Symbols).EveryStep();
    public override Criterion Criterion { get; } = new(CriterionKind.Stream, 1_000_000, 0, "10⁶ successive symbols of a never-reset stream predicted (legal successors most active)");

    /// <summary>The repeated T|P, guessed: right half the time.</summary>
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        var (symbols, legal, _) = ReberGrammar.Continual(SegmentLength, ref rng);
        return new TaskSequence(ReberGrammar.ToSample(symbols, legal), symbols, -1, double.NaN);
    }

    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence) => ReberGrammar.EveryStepLegal(outputs, sequence.Sample.Target);
}
