using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// B sequences padded to a common length, batch-first (B, T, I) as in PyTorch with batch_first=true, with explicit
/// per-sequence lengths. Steps at or beyond a sequence's length are padding: they never reach the state, the
/// outputs (zeros there) or the loss.
/// </summary>
public sealed class SequenceBatch<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[]? _data;
    private readonly int[] _lengths;

    internal SequenceBatch(T[] data, int batch, int steps, int features, int[] lengths) : this(data, null, batch, steps, features, lengths) { }

    /// <summary>A batch of one-hot sequences kept as symbols (B, T), −1 at padding; dense values are built if read.</summary>
    internal SequenceBatch(int[] symbols, int batch, int steps, int features, int[] lengths) : this(null, symbols, batch, steps, features, lengths) { }

    private SequenceBatch(T[]? data, int[]? symbols, int batch, int steps, int features, int[] lengths)
    {
        _data = data;
        Symbols = symbols;
        _lengths = lengths;
        Batch = batch;
        Steps = steps;
        Features = features;
    }

    public int Batch { get; }
    public int Steps { get; }
    public int Features { get; }
    public ReadOnlySpan<T> Values => Data;
    public ReadOnlySpan<int> Lengths => _lengths;
    internal T[] Data => _data ?? Interlocked.CompareExchange(ref _data, Expand(), null) ?? _data!;
    internal int[] LengthArray => _lengths;
    /// <summary>(B, T) symbols of a one-hot batch, −1 at padding; null for dense batches.</summary>
    internal int[]? Symbols { get; }

    private T[] Expand()
    {
        var data = new T[Batch * Steps * Features];
        for (int i = 0; i < Symbols!.Length; i++) if (Symbols[i] >= 0) data[i * Features + Symbols[i]] = T.One;
        return data;
    }
}

public static class SequenceBatch
{
    /// <summary>Sequences of equal length. Different lengths are an error here: use <see cref="FromVariableLength{T}"/>,
    /// which records each length explicitly.</summary>
    public static SequenceBatch<T> Create<T>(IReadOnlyList<Sequence<T>> sequences) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckNonEmpty(sequences);
        for (int b = 1; b < sequences.Count; b++)
            if (sequences[b] is { } s && s.Steps != sequences[0].Steps)
                ThrowHelper.Argument(nameof(sequences),
                    $"Sequence {b} has {sequences[b].Steps} steps, but sequence 0 has {sequences[0].Steps}. " +
                    "Hint: use SequenceBatch.FromVariableLength to pad them with explicit lengths.");
        return FromVariableLength(sequences);
    }

    /// <summary>Sequences of any lengths, zero-padded to the longest, with each length recorded.</summary>
    public static SequenceBatch<T> FromVariableLength<T>(IReadOnlyList<Sequence<T>> sequences) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckNonEmpty(sequences);
        int features = sequences[0].Features;
        int steps = 0;
        for (int b = 0; b < sequences.Count; b++)
        {
            var s = sequences[b];
            if (s.Features != features)
                ThrowHelper.Argument(nameof(sequences),
                    $"Sequence {b} has {s.Features} features per time step, but sequence 0 has {features}. A batch cannot mix widths.");
            steps = Math.Max(steps, s.Steps);
        }
        int values = BatchValues<T>(sequences.Count, steps, features, nameof(sequences)); // the dense form must be buildable if read
        if (sequences.All(s => s.IsOneHot))
        {
            var symbols = new int[sequences.Count * steps];
            var symbolLengths = new int[sequences.Count];
            Array.Fill(symbols, -1);
            for (int b = 0; b < sequences.Count; b++)
            {
                sequences[b].Symbols.CopyTo(symbols.AsSpan(b * steps));
                symbolLengths[b] = sequences[b].Steps;
            }
            return new SequenceBatch<T>(symbols, sequences.Count, steps, features, symbolLengths);
        }
        var data = new T[values];
        var lengths = new int[sequences.Count];
        for (int b = 0; b < sequences.Count; b++)
        {
            sequences[b].Values.CopyTo(data.AsSpan(b * steps * features));
            lengths[b] = sequences[b].Steps;
        }
        return new SequenceBatch<T>(data, sequences.Count, steps, features, lengths);
    }

    /// <summary>A padded (B, T, I) tensor, row-major, with explicit lengths (each in 1..T). Values are copied and
    /// checked finite within each sequence's length.</summary>
    public static SequenceBatch<T> FromPadded<T>(ReadOnlySpan<T> values, int batch, int steps, int features, ReadOnlySpan<int> lengths)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ThrowHelper.RequirePositive(batch, nameof(batch), "The batch size");
        ThrowHelper.RequirePositive(steps, nameof(steps), "The number of time steps");
        ThrowHelper.RequirePositive(features, nameof(features), "The number of features");
        if (values.Length != (long)batch * steps * features)
            ThrowHelper.Argument(nameof(values),
                ThrowHelper.Invariant($"A ({batch:N0}, {steps:N0}, {features:N0}) batch needs {(long)batch * steps * features:N0} values, but got {values.Length:N0}."));
        if (lengths.Length != batch)
            ThrowHelper.Argument(nameof(lengths), $"There are {lengths.Length} lengths for a batch of {batch}; give one per sequence.");
        var data = new T[values.Length];
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
                ThrowHelper.OutOfRange(nameof(lengths), lengths[b], $"Length of sequence {b} is {lengths[b]}; it must be in [1, {steps}].");
            for (int i = 0; i < lengths[b] * features; i++)
            {
                T v = values[b * steps * features + i];
                if (!T.IsFinite(v)) ThrowHelper.NotFinite("The batch", b, i / features, i % features, double.CreateChecked(v));
                data[b * steps * features + i] = v;
            }
        }
        return new SequenceBatch<T>(data, batch, steps, features, lengths.ToArray());
    }

    private static void CheckNonEmpty<T>(IReadOnlyList<Sequence<T>> sequences) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) ThrowHelper.Argument(nameof(sequences), "A batch needs at least one sequence, but was given none.");
        for (int b = 0; b < sequences.Count; b++)
            if (sequences[b] is null) throw new ArgumentNullException(nameof(sequences), $"Sequence {b} is null.");
    }

    /// <summary>B × T × I of a padded batch, in 64 bits, refused before allocating when no array (or no memory) can hold it.</summary>
    private static int BatchValues<T>(long batch, long steps, long features, string paramName) where T : unmanaged
        => ThrowHelper.AllocationLength<T>((double)batch * steps * features, paramName,
            ThrowHelper.Invariant($"A padded batch of {batch:N0} sequences × {steps:N0} steps × {features:N0} features"),
            "batch fewer sequences at a time (Predict(sequences, batchSize)), or shorter ones.");
}

/// <summary>
/// Recurrent state for a batch: per layer and direction, per sequence, the hidden state h (and the cell state c for
/// LSTM), laid out (L·D, B, ·) like PyTorch's h_n / c_n: row layer·D + direction. h is Hout wide (the projection size
/// of a projected LSTM, else H); c is H wide.
/// </summary>
public sealed class RecurrentState<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[] _hidden;
    private T[]? _cell;

    internal RecurrentState(T[] hidden, T[]? cell, int layers, int batch, int hiddenSize, int cellSize)
    {
        _hidden = hidden;
        _cell = cell;
        (Layers, Batch, HiddenSize, CellSize) = (layers, batch, hiddenSize, cellSize);
    }

    /// <summary>Rows: layers × directions (PyTorch's first dimension of h_n).</summary>
    public int Layers { get; private set; }
    public int Batch { get; private set; }
    public int HiddenSize { get; private set; }
    /// <summary>Width of c: the hidden size (differs from <see cref="HiddenSize"/> only for a projected LSTM).</summary>
    public int CellSize { get; private set; }
    public ReadOnlySpan<T> Hidden => _hidden.AsSpan(0, Layers * Batch * HiddenSize);
    /// <summary>The cell state (LSTM); empty for GRU and RNN.</summary>
    public ReadOnlySpan<T> Cell => _cell is null ? default : _cell.AsSpan(0, Layers * Batch * CellSize);
    public bool HasCell => _cell is not null;

    public ReadOnlySpan<T> HiddenOf(int layer, int sample) => _hidden.AsSpan(Offset(layer, sample, HiddenSize), HiddenSize);
    public ReadOnlySpan<T> CellOf(int layer, int sample)
        => _cell is null ? ReadOnlySpan<T>.Empty : _cell.AsSpan(Offset(layer, sample, CellSize), CellSize);

    private int Offset(int layer, int sample, int width)
    {
        ThrowHelper.RequireIndex(layer, Layers, nameof(layer), "Layer");
        ThrowHelper.RequireIndex(sample, Batch, nameof(sample), "Sample");
        return (layer * Batch + sample) * width;
    }

    internal void Set(T[] hidden, T[]? cell, int layers, int batch, int hiddenSize, int cellSize)
    {
        (_hidden, _cell) = (hidden, cell);
        (Layers, Batch, HiddenSize, CellSize) = (layers, batch, hiddenSize, cellSize);
    }

    /// <summary>A state from (L·D, B, ·) arrays; <paramref name="cell"/> is required for LSTM models and must be empty
    /// otherwise. <paramref name="cellSize"/> is the width of c when it differs from h's (a projected LSTM).</summary>
    public static RecurrentState<T> Create(ReadOnlySpan<T> hidden, ReadOnlySpan<T> cell, int layers, int batch, int hiddenSize, bool withCell,
        int? cellSize = null)
    {
        ThrowHelper.RequirePositive(layers, nameof(layers), "The number of layers");
        ThrowHelper.RequirePositive(batch, nameof(batch), "The batch size");
        ThrowHelper.RequirePositive(hiddenSize, nameof(hiddenSize), "The hidden size");
        int cs = cellSize ?? hiddenSize;
        ThrowHelper.RequirePositive(cs, nameof(cellSize), "The cell size");
        long n = (long)layers * batch * hiddenSize, nc = (long)layers * batch * cs;
        if (hidden.Length != n) ThrowHelper.Argument(nameof(hidden), $"The hidden state needs ({layers}, {batch}, {hiddenSize}) = {n} values, but got {hidden.Length}.");
        if (withCell && cell.Length != nc) ThrowHelper.Argument(nameof(cell), $"The cell state needs ({layers}, {batch}, {cs}) = {nc} values, but got {cell.Length}.");
        if (!withCell && cell.Length != 0) ThrowHelper.Argument(nameof(cell), "This cell kind has no cell state; pass an empty span.");
        foreach (var v in hidden) if (!T.IsFinite(v)) ThrowHelper.Argument(nameof(hidden), $"The hidden state contains {v}; every value must be finite.");
        foreach (var v in cell) if (!T.IsFinite(v)) ThrowHelper.Argument(nameof(cell), $"The cell state contains {v}; every value must be finite.");
        return new RecurrentState<T>(hidden.ToArray(), withCell ? cell.ToArray() : null, layers, batch, hiddenSize, cs);
    }

    public static RecurrentState<T> Zeros(int layers, int batch, int hiddenSize, bool withCell, int? cellSize = null)
    {
        ThrowHelper.RequirePositive(layers, nameof(layers), "The number of layers");
        ThrowHelper.RequirePositive(batch, nameof(batch), "The batch size");
        ThrowHelper.RequirePositive(hiddenSize, nameof(hiddenSize), "The hidden size");
        int cs = cellSize ?? hiddenSize;
        ThrowHelper.RequirePositive(cs, nameof(cellSize), "The cell size");
        int n = ThrowHelper.AllocationLength<T>((double)layers * batch * hiddenSize, nameof(batch),
            ThrowHelper.Invariant($"A state of ({layers:N0}, {batch:N0}, {hiddenSize:N0})"), "a state has layers × batch × hidden values; check the three sizes.",
            copies: withCell ? 2 : 1);
        int nc = withCell ? ThrowHelper.AllocationLength<T>((double)layers * batch * cs, nameof(batch),
            ThrowHelper.Invariant($"A cell state of ({layers:N0}, {batch:N0}, {cs:N0})"), "a state has layers × batch × cell values; check the sizes.") : 0;
        return new(new T[n], withCell ? new T[nc] : null, layers, batch, hiddenSize, cs);
    }
}
