using System.Numerics;

namespace LstmNotebooks.Tasks;

/// <summary>
/// "Remember the first symbol" — the smallest task that needs memory: step 0 shows one of <see cref="Symbols"/>
/// class symbols, steps 1 … <see cref="Gap"/> show random distractors (optionally the last one is a query marker that
/// asks for the answer), and the target is the class of step 0. Nothing after step 0 helps, so a model that forgets
/// is at chance, 1 / <see cref="Symbols"/>. One-hot features: class symbols 0 … S−1, distractors S … S+D−1, then the
/// query marker. An immutable record whose every value is checked however it was made (constructor or <c>with</c>);
/// the draws are seeded (<see cref="Rng"/>), so a seed fixes the data on every machine.
/// </summary>
public sealed record RememberFirst
{
    private readonly int _gap = 1, _symbols = 2, _distractors = 4;

    /// <param name="gap">Steps from the class symbol to the step where the answer is read (the sequence has gap + 1 steps).</param>
    /// <param name="symbols">Class symbols (at least 2).</param>
    /// <param name="distractors">Distractor symbols (at least 1).</param>
    /// <param name="queryMarker">Whether the last step is a query marker instead of a distractor.</param>
    public RememberFirst(int gap, int symbols = 2, int distractors = 4, bool queryMarker = false)
    {
        Gap = gap;
        Symbols = symbols;
        Distractors = distractors;
        QueryMarker = queryMarker;
    }

    public int Gap
    {
        get => _gap;
        init
        {
            ThrowHelper.RequirePositive(value, nameof(Gap), "The gap (steps from the class symbol to the answer)");
            if (value == int.MaxValue)
                ThrowHelper.OutOfRange(nameof(Gap), value, $"The gap must be less than {int.MaxValue} steps (the sequence has gap + 1 steps), but was {value}.");
            _gap = value;
        }
    }

    public int Symbols
    {
        get => _symbols;
        init
        {
            if (value < 2) ThrowHelper.OutOfRange(nameof(Symbols), value, $"At least 2 class symbols are needed for a choice, but was {value}.");
            _symbols = value;
        }
    }

    public int Distractors
    {
        get => _distractors;
        init
        {
            ThrowHelper.RequirePositive(value, nameof(Distractors), "The number of distractor symbols");
            _distractors = value;
        }
    }

    public bool QueryMarker { get; init; }

    public int InputSize
    {
        get
        {
            long features = (long)Symbols + Distractors + (QueryMarker ? 1 : 0);
            if (features > int.MaxValue)
                ThrowHelper.OutOfRange(nameof(Symbols), Symbols,
                    $"{Symbols} class symbols + {Distractors} distractors{(QueryMarker ? " + 1 query marker" : "")} make {features} one-hot features, more than {int.MaxValue}.");
            return (int)features;
        }
    }
    public int Classes => Symbols;
    public int SequenceLength => Gap + 1;
    public int ArrivalStep => 0;
    public int RecallStep => Gap;
    /// <summary>The query marker's feature, or −1 without one.</summary>
    public int QueryFeature => QueryMarker ? Symbols + Distractors : -1;
    /// <summary>A model that forgets is right this often.</summary>
    public double ChanceAccuracy => 1.0 / Symbols;

    /// <summary>One sequence as symbols, and its class. Draw order (fixed: the data files depend on it): the class,
    /// then one distractor per step 1 … gap (none for the query marker's step).</summary>
    public int[] NextSymbols(ref Rng rng, out int label)
    {
        label = rng.NextInt(Symbols);
        var symbols = new int[SequenceLength];
        symbols[0] = label;
        for (int t = 1; t <= Gap; t++) symbols[t] = QueryMarker && t == Gap ? QueryFeature : Symbols + rng.NextInt(Distractors);
        return symbols;
    }

    /// <summary>One classification sample (one-hot input, the class as target).</summary>
    public Sample<T> Next<T>(ref Rng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var symbols = NextSymbols(ref rng, out int label);
        return Sample.Class(Sequence.OneHot<T>(symbols, InputSize), label);
    }

    /// <summary><paramref name="count"/> samples drawn from <paramref name="rng"/> (which advances).</summary>
    public Dataset<T> Generate<T>(int count, ref Rng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ThrowHelper.RequirePositive(count, nameof(count), "The number of sequences");
        var samples = new Sample<T>[count];
        for (int s = 0; s < count; s++) samples[s] = Next<T>(ref rng);
        return Dataset.Create(samples);
    }

    /// <summary><paramref name="count"/> samples from a fresh generator seeded with <paramref name="seed"/>.</summary>
    public Dataset<T> Generate<T>(int count, long seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        return Generate<T>(count, ref rng);
    }
}
