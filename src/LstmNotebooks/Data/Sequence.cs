using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// One input (or target) sequence: <see cref="Steps"/> time steps × <see cref="Features"/> values, row-major.
/// Immutable; every value is checked finite when the sequence is made, so nothing downstream meets a NaN.
/// A one-hot sequence (<see cref="Sequence.OneHot{T}"/>) keeps its symbols and builds the dense values only when they
/// are read: the model recognises it and projects each step by a column lookup of W_ih instead of a product with a
/// mostly-zero row, which for a 1,004-symbol alphabet (Exp. 2c, p = 1000) is most of the work.
/// </summary>
public sealed class Sequence<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[]? _values;
    private readonly int[]? _symbols;

    internal Sequence(T[] values, int steps, int features)
    {
        _values = values;
        Steps = steps;
        Features = features;
    }

    private Sequence(int[] symbols, int features)
    {
        _symbols = symbols;
        Steps = symbols.Length;
        Features = features;
    }

    internal static Sequence<T> FromSymbols(int[] symbols, int alphabetSize) => new(symbols, alphabetSize);

    public int Steps { get; }
    public int Features { get; }

    /// <summary>True when every step is one-hot, stored as its symbol (see <see cref="Symbols"/>).</summary>
    public bool IsOneHot => _symbols is not null;

    /// <summary>The symbol of each step of a one-hot sequence; empty otherwise.</summary>
    public ReadOnlySpan<int> Symbols => _symbols;

    /// <summary>All values, step-major (step 0's features, then step 1's, …).</summary>
    public ReadOnlySpan<T> Values => Dense;
    public ReadOnlyMemory<T> Memory => Dense;

    // Built once on first read; a race builds two equal arrays and keeps one.
    private T[] Dense => _values ?? Interlocked.CompareExchange(ref _values, Expand(), null) ?? _values!;

    private T[] Expand()
    {
        var values = new T[Steps * Features];
        for (int t = 0; t < Steps; t++) values[t * Features + _symbols![t]] = T.One;
        return values;
    }

    public T this[int step, int feature]
    {
        get
        {
            if ((uint)step >= (uint)Steps) ThrowHelper.OutOfRange(nameof(step), step, $"Step must be in [0, {Steps}), but was {step}.");
            if ((uint)feature >= (uint)Features) ThrowHelper.OutOfRange(nameof(feature), feature, $"Feature must be in [0, {Features}), but was {feature}.");
            return _symbols is not null ? (_symbols[step] == feature ? T.One : T.Zero) : Dense[step * Features + feature];
        }
    }

    /// <summary>The features of one time step.</summary>
    public ReadOnlySpan<T> Step(int step)
    {
        if ((uint)step >= (uint)Steps) ThrowHelper.OutOfRange(nameof(step), step, $"Step must be in [0, {Steps}), but was {step}.");
        return Dense.AsSpan(step * Features, Features);
    }

    /// <summary>Rows of features, one array per step (a copy).</summary>
    public T[][] ToArrays()
    {
        var rows = new T[Steps][];
        for (int t = 0; t < Steps; t++) rows[t] = Step(t).ToArray();
        return rows;
    }

    /// <summary>The values of one feature over time (a copy).</summary>
    public T[] Feature(int feature)
    {
        var series = new T[Steps];
        for (int t = 0; t < Steps; t++) series[t] = this[t, feature];
        return series;
    }

    public override string ToString() => $"Sequence<{typeof(T).Name}>({Steps} steps × {Features} features)";
}

public static class Sequence
{
    /// <summary>A sequence from rows: one array of features per time step. Rows must all have the same width.</summary>
    public static Sequence<T> Create<T>(IReadOnlyList<T[]> rows) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) ThrowHelper.Argument(nameof(rows), "A sequence needs at least one time step, but was given none.");
        int features = (rows[0] ?? throw new ArgumentNullException(nameof(rows), "Time step 0 is null.")).Length;
        if (features == 0) ThrowHelper.Argument(nameof(rows), "Time step 0 has no features; every step needs at least one value.");
        var values = new T[ValueCount<T>(rows.Count, features, nameof(rows))];
        for (int t = 0; t < rows.Count; t++)
        {
            var row = rows[t] ?? throw new ArgumentNullException(nameof(rows), $"Time step {t} is null.");
            if (row.Length != features)
                ThrowHelper.Argument(nameof(rows),
                    $"Time step {t} has {row.Length} features, but step 0 has {features}. Every step of a sequence needs the same number of features.");
            row.CopyTo(values, t * features);
        }
        return FromValidated(values, rows.Count, features, "The sequence");
    }

    /// <summary>A one-feature sequence (one value per step).</summary>
    public static Sequence<T> FromScalars<T>(IEnumerable<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        var data = values.ToArray();
        if (data.Length == 0) ThrowHelper.Argument(nameof(values), "A sequence needs at least one time step, but was given none.");
        return FromValidated(data, data.Length, 1, "The sequence");
    }

    /// <summary>A sequence from step-major values (copied).</summary>
    public static Sequence<T> FromFlat<T>(ReadOnlySpan<T> values, int steps, int features) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ThrowHelper.RequirePositive(steps, nameof(steps), "The number of time steps");
        ThrowHelper.RequirePositive(features, nameof(features), "The number of features");
        if (values.Length != (long)steps * features)
            ThrowHelper.Argument(nameof(values), ThrowHelper.Invariant($"Expected {steps:N0} steps × {features:N0} features = {(long)steps * features:N0} values, but got {values.Length:N0}."));
        return FromValidated(values.ToArray(), steps, features, "The sequence");
    }

    /// <summary>One-hot rows: step t has a 1 at <c>symbols[t]</c> and 0 elsewhere. Kept as symbols (see
    /// <see cref="Sequence{T}.IsOneHot"/>): a model reads it by column lookup, and the dense rows are built only if read.</summary>
    public static Sequence<T> OneHot<T>(IReadOnlyList<int> symbols, int alphabetSize) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ThrowHelper.RequirePositive(alphabetSize, nameof(alphabetSize), "The alphabet size");
        if (symbols.Count == 0) ThrowHelper.Argument(nameof(symbols), "A sequence needs at least one time step, but was given none.");
        _ = ValueCount<T>(symbols.Count, alphabetSize, nameof(alphabetSize)); // the dense rows must be buildable if read
        var copy = new int[symbols.Count];
        for (int t = 0; t < copy.Length; t++)
        {
            if ((uint)symbols[t] >= (uint)alphabetSize)
                ThrowHelper.OutOfRange(nameof(symbols), symbols[t], $"Symbol at step {t} is {symbols[t]}, outside the alphabet [0, {alphabetSize}).");
            copy[t] = symbols[t];
        }
        return Sequence<T>.FromSymbols(copy, alphabetSize);
    }

    /// <summary>steps × features, in 64 bits, refused before allocating when no array (or no memory) can hold it.</summary>
    internal static int ValueCount<T>(long steps, long features, string paramName) where T : unmanaged
        => ThrowHelper.AllocationLength<T>((double)steps * features, paramName,
            ThrowHelper.Invariant($"A sequence of {steps:N0} steps × {features:N0} features"), "split the series into shorter windows, or use fewer features.");

    internal static Sequence<T> FromValidated<T>(T[] values, int steps, int features, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            if (!T.IsFinite(values[i]))
                throw new ArgumentException(
                    $"{what} contains {values[i]} at step {i / features}, feature {i % features}; every value must be finite. " +
                    "Hint: drop or interpolate missing values before building sequences.");
        return new Sequence<T>(values, steps, features);
    }

    /// <summary>Converts between float and double.</summary>
    public static Sequence<TTo> Convert<TFrom, TTo>(Sequence<TFrom> sequence)
        where TFrom : unmanaged, IBinaryFloatingPointIeee754<TFrom> where TTo : unmanaged, IBinaryFloatingPointIeee754<TTo>
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.IsOneHot) return Sequence<TTo>.FromSymbols(sequence.Symbols.ToArray(), sequence.Features);
        var dst = new TTo[sequence.Values.Length];
        ThrowHelper.ConvertFinite(sequence.Values, dst, i => $"The value at step {i / sequence.Features}, feature {i % sequence.Features}",
            $"scale the inputs (e.g. z-score them) before converting, or keep them in {typeof(TFrom).Name}.");
        return new Sequence<TTo>(dst, sequence.Steps, sequence.Features);
    }
}
