using System.Numerics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks;

/// <summary>Stacked layers: layer k+1 reads layer k's hidden states. No dropout between layers.</summary>
internal sealed class RecurrentStack<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public RecurrentStack(ModelSpec spec, ParameterLayout layout)
    {
        Layers = new RecurrentLayer<T>[spec.Layers];
        for (int l = 0; l < spec.Layers; l++) Layers[l] = RecurrentLayer<T>.Create(spec, l, layout.Layers[l]);
        HiddenSize = spec.HiddenSize;
        HasCell = spec.Cell == CellKind.Lstm;
    }

    public RecurrentLayer<T>[] Layers { get; }
    public int HiddenSize { get; }
    public bool HasCell { get; }

    /// <summary>Forward over a time-major input (T, B, I), or one-hot <paramref name="symbols"/> (T, B; −1 at padding)
    /// with <paramref name="x"/> empty. h0/c0 are (L, B, H) or null for zeros.</summary>
    public LayerCache<T>[] Forward(ReadOnlySpan<T> p, T[] x, int batch, int steps, int[] lengths,
        ReadOnlySpan<T> h0, ReadOnlySpan<T> c0, IReadOnlyList<Intervention>? interventions = null, Workspace<T>? workspace = null,
        int[]? symbols = null)
    {
        var caches = new LayerCache<T>[Layers.Length];
        int bh = batch * HiddenSize;
        for (int l = 0; l < Layers.Length; l++)
        {
            var k = Layers[l].NewCache(batch, steps, l == 0 ? x : caches[l - 1].Hs, lengths, workspace, l == 0 ? symbols : null);
            if (!h0.IsEmpty) h0.Slice(l * bh, bh).CopyTo(k.H0);
            if (HasCell && !c0.IsEmpty) c0.Slice(l * bh, bh).CopyTo(k.C0);
            Layers[l].Forward(p, k, interventions);
            caches[l] = k;
        }
        return caches;
    }

    /// <summary>Final states (L, B, H): every row's state at its last valid step (padding carried it to step T-1).</summary>
    public (T[] Hidden, T[]? Cell) FinalState(LayerCache<T>[] caches)
    {
        var k0 = caches[0];
        int bh = k0.B * HiddenSize, last = (k0.Steps - 1) * bh;
        var h = new T[caches.Length * bh];
        var c = HasCell ? new T[caches.Length * bh] : null;
        for (int l = 0; l < caches.Length; l++)
        {
            caches[l].Hs.AsSpan(last, bh).CopyTo(h.AsSpan(l * bh));
            if (c is not null) caches[l].C.AsSpan(last, bh).CopyTo(c.AsSpan(l * bh));
        }
        return (h, c);
    }

    /// <summary>
    /// Backward through all layers. dTop (T, B, H): ∂L/∂ top outputs; dhN/dcN (L, B, H) or empty. Returns ∂L/∂h0 and
    /// ∂L/∂c0 (L, B, H) and, when asked, ∂L/∂x (T, B, I).
    /// </summary>
    public (T[] DHidden0, T[]? DCell0, T[]? DInput) Backward(ReadOnlySpan<T> p, Span<T> grad, LayerCache<T>[] caches,
        ReadOnlySpan<T> dTop, ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN, bool inputGradient, GradientRecorder? recorder = null,
        Workspace<T>? workspace = null)
    {
        var k0 = caches[0];
        int bh = k0.B * HiddenSize;
        var dh0 = new T[caches.Length * bh];
        var dc0 = HasCell ? new T[caches.Length * bh] : null;
        T[]? dAbove = null;
        T[]? dInput = null;
        for (int l = caches.Length - 1; l >= 0; l--)
        {
            var k = caches[l];
            var dh = dh0.AsSpan(l * bh, bh);
            var dc = dc0 is null ? Span<T>.Empty : dc0.AsSpan(l * bh, bh);
            if (!dhN.IsEmpty) dhN.Slice(l * bh, bh).CopyTo(dh);
            if (dc0 is not null && !dcN.IsEmpty) dcN.Slice(l * bh, bh).CopyTo(dc);
            bool needDx = l > 0 || inputGradient;
            // Layer 0's ∂L/∂x leaves the stack (a fresh array); the others are consumed by the layer below.
            var dX = !needDx ? null : l == 0 ? new T[k.Steps * k.B * k.I] : Workspace<T>.Rent(workspace, $"dx{l}", k.Steps * k.B * k.I);
            ReadOnlySpan<T> dOut = l == caches.Length - 1 ? dTop : dAbove;
            Layers[l].Backward(p, grad, k, dOut, dh, dc, dX, recorder, workspace);
            dAbove = dX;
            if (l == 0) dInput = dX;
        }
        return (dh0, dc0, inputGradient ? dInput : null);
    }

    public static T[] ToTimeMajor(ReadOnlySpan<T> batchFirst, int batch, int steps, int width)
    {
        var result = new T[batch * steps * width];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                batchFirst.Slice((b * steps + t) * width, width).CopyTo(result.AsSpan((t * batch + b) * width));
        return result;
    }

    public static T[] ToBatchFirst(ReadOnlySpan<T> timeMajor, int batch, int steps, int width)
    {
        var result = new T[batch * steps * width];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                timeMajor.Slice((t * batch + b) * width, width).CopyTo(result.AsSpan((b * steps + t) * width));
        return result;
    }
}

/// <summary>The linear head y = W·h + b (nn.Linear named "head"), applied to chosen rows of the top layer.</summary>
internal sealed class LinearHead<T>(ParameterLayout layout, int hidden, int outputs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public int Outputs { get; } = outputs;

    /// <summary>rows (M×H) → outputs (M×O).</summary>
    public T[] Forward(ReadOnlySpan<T> p, ReadOnlySpan<T> rows, int m)
    {
        var y = new T[m * Outputs];
        var wT = new T[hidden * Outputs];
        Gemm.Transpose(p.Slice(layout.HeadWeight, Outputs * hidden), wT, Outputs, hidden);
        Gemm.AddRowVector(p.Slice(layout.HeadBias, Outputs), y, m, Outputs);
        Gemm.MultiplyAdd<T>(rows, wT, y, m, hidden, Outputs);
        return y;
    }

    /// <summary>Adds ∂L/∂W and ∂L/∂b into grad and returns ∂L/∂rows (M×H).</summary>
    public T[] Backward(ReadOnlySpan<T> p, Span<T> grad, ReadOnlySpan<T> rows, ReadOnlySpan<T> dy, int m)
    {
        Gemm.MultiplyAddTransposedA<T>(dy, rows, grad.Slice(layout.HeadWeight, Outputs * hidden), Outputs, m, hidden);
        Gemm.AddColumnSums(dy, grad.Slice(layout.HeadBias, Outputs), m, Outputs);
        var dRows = new T[m * hidden];
        Gemm.MultiplyAdd<T>(dy, p.Slice(layout.HeadWeight, Outputs * hidden), dRows, m, Outputs, hidden);
        return dRows;
    }
}
