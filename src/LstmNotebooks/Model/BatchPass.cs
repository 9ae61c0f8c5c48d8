using System.Numerics;

namespace LstmNotebooks;

/// <summary>Samples packed for the stack: time-major inputs (T, B, I), lengths, and the samples for their targets.</summary>
internal sealed class PackedBatch<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public PackedBatch(IReadOnlyList<Sample<T>> samples, ReadOnlySpan<int> indices)
    {
        B = indices.Length;
        Samples = new Sample<T>[B];
        Lengths = new int[B];
        for (int b = 0; b < B; b++)
        {
            Samples[b] = samples[indices[b]];
            Lengths[b] = Samples[b].Input.Steps;
            Steps = Math.Max(Steps, Lengths[b]);
        }
        I = Samples[0].Input.Features;
        if (Samples.All(s => s.Input.IsOneHot))
        {
            // One-hot inputs stay symbols: the layer adds W_ih's column per step instead of multiplying by X.
            X = [];
            Symbols = new int[Steps * B];
            Array.Fill(Symbols, -1);
            for (int b = 0; b < B; b++)
            {
                var symbols = Samples[b].Input.Symbols;
                for (int t = 0; t < Lengths[b]; t++) Symbols[t * B + b] = symbols[t];
            }
            return;
        }
        X = new T[Steps * B * I];
        for (int b = 0; b < B; b++)
        {
            var input = Samples[b].Input.Values;
            for (int t = 0; t < Lengths[b]; t++) input.Slice(t * I, I).CopyTo(X.AsSpan((t * B + b) * I));
        }
    }

    public int B { get; }
    public int Steps { get; }
    public int I { get; }
    /// <summary>(T, B, I) inputs; empty when <see cref="Symbols"/> holds them.</summary>
    public T[] X { get; }
    /// <summary>(T, B) symbols of one-hot inputs, −1 at padding; null for dense inputs.</summary>
    public int[]? Symbols { get; }
    public int[] Lengths { get; }
    public Sample<T>[] Samples { get; }
}

/// <summary>The result of one forward/backward pass over a time window of a batch.</summary>
internal readonly record struct PassResult<T>(double Loss, int Targets, T[] FinalHidden, T[]? FinalCell)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// Forward, loss and backward for the steps [t0, t1) of a packed batch: the unit of full BPTT (one window covering
/// every step) and of truncated BPTT (consecutive windows, the state carried and the gradient cut between them).
/// </summary>
internal static class BatchPass
{
    public static PassResult<T> Run<T>(Model<T> model, ReadOnlySpan<T> p, PackedBatch<T> batch, int t0, int t1,
        T[]? h0, T[]? c0, Span<T> grad, bool backward, GradientRecorder? recorder = null, Workspace<T>? workspace = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var spec = model.Spec;
        int steps = t1 - t0, bsz = batch.B, hs = spec.HiddenSize;
        var lengths = new int[bsz];
        for (int b = 0; b < bsz; b++) lengths[b] = Math.Clamp(batch.Lengths[b] - t0, 0, steps);
        T[] x = [];
        int[]? symbols = batch.Symbols?.AsSpan(t0 * bsz, steps * bsz).ToArray();
        if (symbols is null)
        {
            x = Workspace<T>.Rent(workspace, "x", steps * bsz * batch.I, zeroed: false);
            batch.X.AsSpan(t0 * bsz * batch.I, x.Length).CopyTo(x);
        }
        var caches = model.Stack.Forward(p, x, bsz, steps, lengths, h0, c0, workspace: workspace, symbols: symbols);
        var (hN, cN) = model.Stack.FinalState(caches);

        // Rows the head reads: each sequence's last step (if it falls in this window) or every valid step.
        var top = caches[^1].Hs;
        var rowAt = new List<int>();      // index into top (t·B + b)
        var targetRows = new List<(int Sample, int Row)>();
        bool every = spec.Head.Output == HeadOutput.EveryStep;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < bsz; b++)
            {
                int abs = t0 + t;
                if (abs >= batch.Lengths[b]) continue;
                if (every) { rowAt.Add(t * bsz + b); targetRows.Add((b, abs)); }
                else if (abs == batch.Lengths[b] - 1) { rowAt.Add(t * bsz + b); targetRows.Add((b, 0)); }
            }
        int m = rowAt.Count;
        if (m == 0) return new PassResult<T>(0, 0, hN, cN);

        var rows = new T[m * hs];
        for (int r = 0; r < m; r++) top.AsSpan(rowAt[r] * hs, hs).CopyTo(rows.AsSpan(r * hs));
        int width = spec.Head.TargetWidth;
        var targets = new T[m * width];
        for (int r = 0; r < m; r++)
            batch.Samples[targetRows[r].Sample].Target.Values.Slice(targetRows[r].Row * width, width).CopyTo(targets.AsSpan(r * width));
        var head = model.HeadLayer!;
        var y = head.Forward(p, rows, m);
        var dy = new T[y.Length];
        double loss = Losses.Compute<T>(spec.Head, y, targets, dy, m);
        if (backward)
        {
            var dRows = head.Backward(p, grad, rows, dy, m);
            var dTop = Workspace<T>.Rent(workspace, "dtop", steps * bsz * hs);
            for (int r = 0; r < m; r++) dRows.AsSpan(r * hs, hs).CopyTo(dTop.AsSpan(rowAt[r] * hs));
            model.Stack.Backward(p, grad, caches, dTop, default, default, inputGradient: false, recorder, workspace);
        }
        return new PassResult<T>(loss, m, hN, cN);
    }
}
