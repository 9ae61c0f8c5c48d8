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
    public override Criterion Criterion { get; } = new(256, 0, "every symbol of all 256 training and 256 test strings predicted (legal successors most active)", FixedSet: true);
    public int TrainingSetSize => 256;

    /// <summary>A predictor that knows the inner grammar but not the embedding gets the repeated T/P right half the time.</summary>
    public override double ChanceAccuracy => 0.5;

    public override TaskSequence Next(ref Rng rng)
    {
        var symbols = ReberGrammar.Embedded(ref rng);
        var legal = ReberGrammar.LegalSuccessors(symbols)!;
        var input = symbols.AsSpan(0, symbols.Length - 1).ToArray();
        var targets = new float[legal.Length * ReberGrammar.Symbols];
        for (int t = 0; t < legal.Length; t++)
            for (int k = 0; k < ReberGrammar.Symbols; k++)
                targets[t * ReberGrammar.Symbols + k] = legal[t][k] ? 1f : 0f;
        var sample = Sample.PerStep(Sequence.OneHot<float>(input, ReberGrammar.Symbols), Sequence.FromFlat<float>(targets, legal.Length, ReberGrammar.Symbols));
        return new TaskSequence(sample, symbols, -1, double.NaN);
    }

    /// <summary>Outputs: steps × 7, step-major.</summary>
    public override bool IsCorrect(ReadOnlySpan<float> outputs, TaskSequence sequence)
    {
        var targets = sequence.Sample.Target;
        for (int t = 0; t < targets.Steps; t++)
        {
            var row = outputs.Slice(t * ReberGrammar.Symbols, ReberGrammar.Symbols);
            float minLegal = float.PositiveInfinity, maxIllegal = float.NegativeInfinity;
            for (int k = 0; k < ReberGrammar.Symbols; k++)
                if (targets[t, k] > 0.5f) minLegal = Math.Min(minLegal, row[k]);
                else maxIllegal = Math.Max(maxIllegal, row[k]);
            if (!(minLegal > maxIllegal)) return false;
        }
        return true;
    }
}
