using System.Numerics;

namespace LstmNotebooks.Kernels;

/// <summary>
/// C[M×N] += A[M×K] · B (packed), shared out in <c>parts</c> by micro-panels (columns, <see cref="ThreadPolicy.Share"/>):
/// each output element is accumulated by one thread in k order, so the result has the same bits at any part count.
/// With the weights split this way each core reads only its half of B (the S5 recurrent weights, 4 MB, become two
/// 2 MB halves, each inside its core's L2). Set the operands, then <c>forkJoin.Run(job, parts)</c>; reusable.
/// </summary>
internal sealed class PackedProductJob<T> : IPartitionedWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private ReadOnlyMemory<T> _a, _packed;
    private Memory<T> _c;
    private PackedLayout<T> _layout;
    private int _m, _parts;

    public PackedProductJob<T> Set(ReadOnlyMemory<T> a, ReadOnlyMemory<T> packed, in PackedLayout<T> layout, Memory<T> c, int m, int parts)
    {
        _a = a; _packed = packed; _layout = layout; _c = c; _m = m; _parts = parts;
        return this;
    }

    public void RunPart(int part)
    {
        var (q0, q1) = ThreadPolicy.Share(_layout.MicroPanels, part, _parts);
        var none = new NoEpilogue();
        Gemm.MultiplyAddPanels(_a.Span, _packed.Span, _layout, _c.Span, _m, q0, q1, ref none);
    }
}

/// <summary>
/// The products with operands as stored (<see cref="Gemm.MultiplyAdd{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/>,
/// the transposed-A and transposed-B forms) shared out in <c>parts</c>: by rows of C when M is the larger side (the
/// weight gradient dW_hh, the all-steps input projection), else by columns, in whole micro-panels. Same bits at any
/// part count (one thread per output element, k in order).
/// </summary>
internal sealed class ProductJob<T> : IPartitionedWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private ReadOnlyMemory<T> _a, _b;
    private Memory<T> _c;
    private int _m, _k, _n, _parts;
    private GemmOperands _form;

    public ProductJob<T> Set(GemmOperands form, ReadOnlyMemory<T> a, ReadOnlyMemory<T> b, Memory<T> c, int m, int k, int n, int parts)
    {
        _form = form; _a = a; _b = b; _c = c; _m = m; _k = k; _n = n; _parts = parts;
        return this;
    }

    public void RunPart(int part) => Gemm.MultiplyAddShare(_form, _a.Span, _b.Span, _c.Span, _m, _k, _n, part, _parts);
}

/// <summary>How A and B of a product are stored.</summary>
internal enum GemmOperands
{
    /// <summary>A M×K, B K×N, row-major.</summary>
    AB,
    /// <summary>A stored K×M (its transpose), B K×N.</summary>
    ATransposedB,
    /// <summary>A M×K, B given as W stored N×K (a weight used as Wᵀ).</summary>
    AWTransposed,
}
