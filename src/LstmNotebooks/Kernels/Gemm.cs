using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmNotebooks.Kernels;

/// <summary>
/// Dense row-major matrix products for the gate pre-activations and their backward passes.
/// Every output element is accumulated as c = fma(a[k], b[k], c) for k = 0, 1, … in order, in the vector path (one
/// lane per column) and in the scalar specification alike, so the two agree bit for bit and results never depend on
/// the vector width or on blocking.
/// </summary>
internal static class Gemm
{
    /// <summary>C[M×N] += A[M×K] · B[K×N]. Scalar specification and test oracle.</summary>
    public static void MultiplyAddScalar<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Scalar(a, b, c, m, k, n, rowStride: k, kStride: 1);

    /// <summary>C[M×N] += Aᵀ · B[K×N] with A stored K×M. Scalar specification and test oracle.</summary>
    public static void MultiplyAddTransposedAScalar<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Scalar(a, b, c, m, k, n, rowStride: 1, kStride: m);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void Scalar<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, int rowStride, int kStride)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, b.Length, c.Length, m, k, n);
        for (int r = 0; r < m; r++)
            for (int col = 0; col < n; col++)
                c[r * n + col] = Dot(a, b, c[r * n + col], r, col, k, n, rowStride, kStride);
    }

    // Element (row r, step p) of A sits at a[r·rowStride + p·kStride]: (k, 1) for A, (1, m) for a stored Aᵀ.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, T acc, int row, int col, int k, int n, int rowStride, int kStride)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int p = 0; p < k; p++) acc = T.FusedMultiplyAdd(a[row * rowStride + p * kStride], b[p * n + col], acc);
        return acc;
    }

    /// <summary>
    /// C[M×N] += A[M×K] · B[K×N], vectorized along N with a 4-row × 2-vector register tile. K is walked in panels of
    /// <see cref="KPanel"/> rows of B so a panel stays in L2 while every row tile of A passes over it (the weight
    /// gradients have K = T·B in the tens of thousands). Splitting K only pauses each accumulation in C between
    /// panels, which does not change its order, so results still equal the scalar specification bit for bit.
    /// </summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Blocked(a, b, c, m, k, n, rowStride: k, kStride: 1);

    /// <summary>C[M×N] += Aᵀ · B[K×N] with A stored K×M (the weight gradients dW = dAᵀ·X), without a transposed copy.</summary>
    public static void MultiplyAddTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Blocked(a, b, c, m, k, n, rowStride: 1, kStride: m);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void Blocked<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, int rowStride, int kStride)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, b.Length, c.Length, m, k, n);
        int v = Vector<T>.Count;
        if (!Vector.IsHardwareAccelerated || n < v)
        {
            Scalar(a, b, c, m, k, n, rowStride, kStride);
            return;
        }
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rc = ref MemoryMarshal.GetReference(c);
        int vectorCols = n - n % v;
        for (int k0 = 0; k0 < k; k0 += KPanel)
        {
            int k1 = Math.Min(k, k0 + KPanel);
            int row = 0;
            for (; row + 4 <= m; row += 4)
            {
                int col = 0;
                for (; col + 2 * v <= vectorCols; col += 2 * v) Tile4x2(ref ra, ref rb, ref rc, row, col, k0, k1, n, rowStride, kStride);
                for (; col < vectorCols; col += v) Tile1x1(ref ra, ref rb, ref rc, row, col, k0, k1, n, rowStride, kStride, rows: 4);
            }
            for (; row < m; row++)
                for (int col = 0; col < vectorCols; col += v) Tile1x1(ref ra, ref rb, ref rc, row, col, k0, k1, n, rowStride, kStride, rows: 1);
        }
        if (vectorCols < n)
            for (int r = 0; r < m; r++)
                for (int col = vectorCols; col < n; col++)
                    c[r * n + col] = Dot(a, b, c[r * n + col], r, col, k, n, rowStride, kStride);
    }

    private const int KPanel = 256;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x2<T>(ref T a, ref T b, ref T c, int row, int col, int k0, int k1, int n, int rowStride, int kStride)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int v = Vector<T>.Count;
        nuint c0 = (nuint)(row * n + col), c1 = c0 + (nuint)n, c2 = c1 + (nuint)n, c3 = c2 + (nuint)n;
        nuint cv = (nuint)v;
        Vector<T> x00 = Vector.LoadUnsafe(ref c, c0), x01 = Vector.LoadUnsafe(ref c, c0 + cv);
        Vector<T> x10 = Vector.LoadUnsafe(ref c, c1), x11 = Vector.LoadUnsafe(ref c, c1 + cv);
        Vector<T> x20 = Vector.LoadUnsafe(ref c, c2), x21 = Vector.LoadUnsafe(ref c, c2 + cv);
        Vector<T> x30 = Vector.LoadUnsafe(ref c, c3), x31 = Vector.LoadUnsafe(ref c, c3 + cv);
        nuint rs = (nuint)rowStride;
        nuint a0 = (nuint)(row * rowStride), a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
        for (int p = k0; p < k1; p++)
        {
            nuint bo = (nuint)(p * n + col);
            Vector<T> b0 = Vector.LoadUnsafe(ref b, bo), b1 = Vector.LoadUnsafe(ref b, bo + cv);
            nuint pp = (nuint)(p * kStride);
            var s0 = new Vector<T>(Unsafe.Add(ref a, a0 + pp));
            x00 = VectorMath.Fma(s0, b0, x00); x01 = VectorMath.Fma(s0, b1, x01);
            var s1 = new Vector<T>(Unsafe.Add(ref a, a1 + pp));
            x10 = VectorMath.Fma(s1, b0, x10); x11 = VectorMath.Fma(s1, b1, x11);
            var s2 = new Vector<T>(Unsafe.Add(ref a, a2 + pp));
            x20 = VectorMath.Fma(s2, b0, x20); x21 = VectorMath.Fma(s2, b1, x21);
            var s3 = new Vector<T>(Unsafe.Add(ref a, a3 + pp));
            x30 = VectorMath.Fma(s3, b0, x30); x31 = VectorMath.Fma(s3, b1, x31);
        }
        x00.StoreUnsafe(ref c, c0); x01.StoreUnsafe(ref c, c0 + cv);
        x10.StoreUnsafe(ref c, c1); x11.StoreUnsafe(ref c, c1 + cv);
        x20.StoreUnsafe(ref c, c2); x21.StoreUnsafe(ref c, c2 + cv);
        x30.StoreUnsafe(ref c, c3); x31.StoreUnsafe(ref c, c3 + cv);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x1<T>(ref T a, ref T b, ref T c, int row, int col, int k0, int k1, int n, int rowStride, int kStride, int rows)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = row; r < row + rows; r++)
        {
            nuint co = (nuint)(r * n + col);
            Vector<T> x = Vector.LoadUnsafe(ref c, co);
            nuint ao = (nuint)(r * rowStride);
            for (int p = k0; p < k1; p++)
                x = VectorMath.Fma(new Vector<T>(Unsafe.Add(ref a, ao + (nuint)(p * kStride))), Vector.LoadUnsafe(ref b, (nuint)(p * n + col)), x);
            x.StoreUnsafe(ref c, co);
        }
    }

    /// <summary>dst[N×M] = src[M×N]ᵀ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Transpose<T>(ReadOnlySpan<T> src, Span<T> dst, int m, int n)
    {
        if (src.Length < m * n || dst.Length < m * n) throw new ArgumentException("Transpose: spans shorter than m·n.");
        for (int r = 0; r < m; r++)
            for (int col = 0; col < n; col++)
                dst[col * m + r] = src[r * n + col];
    }

    /// <summary>Adds the row vector <paramref name="bias"/> (length N) to every row of C[M×N].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void AddRowVector<T>(ReadOnlySpan<T> bias, Span<T> c, int m, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = 0; r < m; r++) Elementwise.Add(c.Slice(r * n, n), bias, c.Slice(r * n, n));
    }

    /// <summary>Sets every row of C[M×N] to the row vector <paramref name="bias"/> (length N).</summary>
    public static void SetRows<T>(ReadOnlySpan<T> bias, Span<T> c, int m, int n)
    {
        for (int r = 0; r < m; r++) bias.Slice(0, n).CopyTo(c.Slice(r * n, n));
    }

    /// <summary>sums[N] += Σ_rows C[M×N], rows added in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void AddColumnSums<T>(ReadOnlySpan<T> c, Span<T> sums, int m, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = 0; r < m; r++) Elementwise.Add(sums, c.Slice(r * n, n), sums);
    }

    private static void CheckShapes(int aLen, int bLen, int cLen, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0 || aLen < m * k || bLen < k * n || cLen < m * n)
            throw new ArgumentException(
                $"Gemm shapes do not fit: A has {aLen} elements for {m}×{k}, B {bLen} for {k}×{n}, C {cLen} for {m}×{n}.");
    }
}
