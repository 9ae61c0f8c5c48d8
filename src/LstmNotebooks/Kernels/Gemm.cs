using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LstmNotebooks.Kernels;

/// <summary>How the columns of a packed B operand are grouped into the 4-vector micro-panels of the kernels.</summary>
internal enum PackOrder
{
    /// <summary>Micro-panel q holds the columns [q·4v, q·4v + 4v) (v = lanes per vector).</summary>
    Columns,
    /// <summary>
    /// LSTM gate rows [i|f|g|o] (N = 4H): micro-panel q holds the units [q·v, q·v + v) of all four gates, one vector
    /// per gate, so a finished register tile has everything the cell update of those units needs (the fused epilogue).
    /// </summary>
    LstmGates,
}

/// <summary>
/// The shape of a B (K×N) packed for the kernels: K in panels of <see cref="Gemm.KPanel"/> rows; in each panel the
/// micro-panels one after the other, each k-major (4 vectors per k). Columns past N (or units past H) are zero. B is
/// packed once per weight version into any buffer of <see cref="Length"/> elements (a slice of a larger one is fine)
/// and read by every step of a sequence (the recurrent weights), or per panel inside a product.
/// </summary>
internal readonly record struct PackedLayout<T>(int K, int N, PackOrder Order, VectorWidth Width) where T : unmanaged
{
    /// <summary>The layout for the machine's widest vectors (what the products run at).</summary>
    public static PackedLayout<T> Create(int k, int n, PackOrder order)
    {
        if (k < 0 || n < 0) throw new ArgumentOutOfRangeException(nameof(k), $"Packed B needs K, N ≥ 0, got {k}×{n}.");
        if (order == PackOrder.LstmGates && n % 4 != 0) throw new ArgumentException($"LSTM gate order needs N = 4·H, got N = {n}.", nameof(n));
        return new(k, n, order, Simd.Widest == VectorWidth.Scalar ? VectorWidth.Vector : Simd.Widest);
    }

    /// <summary>Lanes per vector of the packing (products run at this width).</summary>
    public int Lanes => Simd.Lanes<T>(Width);
    public int MicroPanels => Gemm.MicroPanels(N, Order, Lanes);
    /// <summary>Elements a buffer for this packing needs.</summary>
    public int Length => K * MicroPanels * 4 * Lanes;
}

/// <summary>A packed B in a buffer rented from the shared array pool (no allocation once warm), returned on
/// <see cref="Dispose"/>: weights packed once per call and read by every step.</summary>
internal readonly struct PooledPack<T> : IDisposable where T : unmanaged
{
    private readonly T[] _buffer;

    internal PooledPack(T[] buffer, PackedLayout<T> layout)
    {
        _buffer = buffer;
        Layout = layout;
    }

    public PackedLayout<T> Layout { get; }
    public ReadOnlySpan<T> Span => _buffer.AsSpan(0, Layout.Length);
    public ReadOnlyMemory<T> Memory => _buffer.AsMemory(0, Layout.Length);

    public void Dispose()
    {
        if (_buffer is { Length: > 0 }) ArrayPool<T>.Shared.Return(_buffer);
    }
}

/// <summary>Runs after each register tile of an output is final (all K accumulated): rows [row, row + rows) and,
/// in <see cref="PackOrder.LstmGates"/> order, units [unit, unit + units) (in column order: columns).</summary>
internal interface ITileEpilogue
{
    void Apply(int row, int rows, int unit, int units);
}

/// <summary>No epilogue: a plain product.</summary>
internal struct NoEpilogue : ITileEpilogue
{
    public readonly void Apply(int row, int rows, int unit, int units) { }
}

/// <summary>
/// Dense matrix products for the gate pre-activations and their backward passes.
/// Every output element is accumulated as c = fma(a[k], b[k], c) for k = 0, 1, … in order — in the vector paths (one
/// lane per output element, at any vector width) and in the scalar specification alike — so they agree bit for bit
/// and results never depend on the vector width, on blocking, on packing or on the thread count. K panels only pause
/// an accumulation in C between panels; a padded lane computes garbage that is never stored.
/// <para>Structure (GotoBLAS/BLIS): B is packed into k-major micro-panels of 4 vectors (weights once per call, see
/// <see cref="PackedLayout{T}"/>); A is read in place (row-major, or stored transposed), and a 6-row × 4-vector register
/// tile (24 of the 32 AVX-512 registers) runs over a K panel of <see cref="KPanel"/> steps: its B micro-panel (32 KB for
/// float) stays in L1 while all row tiles pass over it. M = 1 (batch 1) takes 16 vectors per pass instead, for 16 independent
/// accumulation chains. Narrow outputs (N below one vector, such as ∂L/∂x with one input feature) swap the roles of
/// A and B, so the lanes run along M.</para>
/// </summary>
internal static class Gemm
{
    /// <summary>K rows per packed panel: a float B micro-panel is then 128 × 64 × 4 B = 32 KB, inside the 48 KB L1.</summary>
    internal const int KPanel = 128;

    private const int TileRows = 6;
    private const int PanelVectors = 4;
    /// <summary>Rows of A per packed block (a multiple of <see cref="TileRows"/>): 384 × 128 × 4 B = 192 KB of L2.</summary>
    private const int RowBlock = 384;

    // ---------------------------------------------------------------------------------------------------------------
    // Scalar specification.

    /// <summary>C[M×N] += A[M×K] · B[K×N]. Scalar specification and test oracle.</summary>
    public static void MultiplyAddScalar<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, b.Length, c.Length, m, k, n);
        Scalar(a, k, 1, b, n, 1, c, n, 1, m, k, n);
    }

    /// <summary>C[M×N] += Aᵀ · B[K×N] with A stored K×M. Scalar specification and test oracle.</summary>
    public static void MultiplyAddTransposedAScalar<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, b.Length, c.Length, m, k, n);
        Scalar(a, 1, m, b, n, 1, c, n, 1, m, k, n);
    }

    /// <summary>C[M×N] += A[M×K] · Wᵀ with W stored N×K (a weight matrix). Scalar specification and test oracle.</summary>
    public static void MultiplyAddTransposedBScalar<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> w, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, w.Length, c.Length, m, k, n);
        Scalar(a, k, 1, w, 1, k, c, n, 1, m, k, n);
    }

    // Element (i, p) of A at a[i·ars + p·acs], (p, j) of B at b[p·brs + j·bcs], (i, j) of C at c[i·crs + j·ccs].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void Scalar<T>(ReadOnlySpan<T> a, int ars, int acs, ReadOnlySpan<T> b, int brs, int bcs,
        Span<T> c, int crs, int ccs, int m, int k, int n) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T acc = c[i * crs + j * ccs];
                for (int p = 0; p < k; p++) acc = T.FusedMultiplyAdd(a[i * ars + p * acs], b[p * brs + j * bcs], acc);
                c[i * crs + j * ccs] = acc;
            }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Products with operands as stored.

    /// <summary>C[M×N] += A[M×K] · B[K×N], all row-major.</summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => MultiplyAdd(a, b, c, m, k, n, Simd.Widest);

    /// <inheritdoc cref="MultiplyAdd{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, b.Length, c.Length, m, k, n);
        General(a, k, 1, b, n, 1, c, n, m, k, n, width);
    }

    /// <summary>C[M×N] += Aᵀ · B[K×N] with A stored K×M (the weight gradients dW = dAᵀ·X), without a transposed copy.</summary>
    public static void MultiplyAddTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => MultiplyAddTransposedA(a, b, c, m, k, n, Simd.Widest);

    /// <inheritdoc cref="MultiplyAddTransposedA{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/>
    public static void MultiplyAddTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, b.Length, c.Length, m, k, n);
        General(a, 1, m, b, n, 1, c, n, m, k, n, width);
    }

    /// <summary>C[M×N] += A[M×K] · Wᵀ with W stored N×K (x·W_ihᵀ), without a transposed copy.</summary>
    public static void MultiplyAddTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> w, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => MultiplyAddTransposedB(a, w, c, m, k, n, Simd.Widest);

    /// <inheritdoc cref="MultiplyAddTransposedB{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/>
    public static void MultiplyAddTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> w, Span<T> c, int m, int k, int n, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, w.Length, c.Length, m, k, n);
        General(a, k, 1, w, 1, k, c, n, m, k, n, width);
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of a product as stored (<see cref="ProductJob{T}"/>):
    /// a block of rows of C when M ≥ N, else a block of columns, in whole tiles.</summary>
    internal static void MultiplyAddShare<T>(GemmOperands form, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n,
        int part, int parts) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, b.Length, c.Length, m, k, n);
        var (ars, acs, brs, bcs) = form switch
        {
            GemmOperands.ATransposedB => (1, m, n, 1),
            GemmOperands.AWTransposed => (k, 1, 1, k),
            _ => (k, 1, n, 1),
        };
        var width = Simd.Widest;
        if (m >= n)
        {
            var (m0, m1) = KernelTeam.Share(m, part, parts, TileRows);
            if (m0 < m1) General(a.Slice(m0 * ars), ars, acs, b, brs, bcs, c.Slice(m0 * n), n, m1 - m0, k, n, width);
        }
        else
        {
            var (n0, n1) = KernelTeam.Share(n, part, parts, PanelVectors * Simd.Lanes<T>(width));
            if (n0 < n1) General(a, ars, acs, b.Slice(n0 * bcs), brs, bcs, c.Slice(n0), n, m, k, n1 - n0, width);
        }
    }

    /// <summary>Any strides: packs B panel by panel (and swaps A and B when N is narrower than one vector), then runs the
    /// packed tile loops.</summary>
    private static void General<T>(ReadOnlySpan<T> a, int ars, int acs, ReadOnlySpan<T> b, int brs, int bcs, Span<T> c, int ldc,
        int m, int k, int n, VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0 || k == 0) return;
        int v = Simd.Lanes<T>(width);
        if (v == 1 || (n < v && m < v) || (long)m * n * k < 512)
        {
            Scalar(a, ars, acs, b, brs, bcs, c, ldc, 1, m, k, n);
            return;
        }
        // Cᵀ = Bᵀ·Aᵀ has the same products in the same order for each element; its lanes then run along M.
        bool swap = n < v;
        if (swap)
        {
            (ars, acs, brs, bcs) = (bcs, brs, acs, ars);
            var t = a; a = b; b = t;
            (m, n) = (n, m);
        }
        int crs = swap ? 1 : ldc, ccs = swap ? ldc : 1;
        int panels = MicroPanels(n, PackOrder.Columns, v);
        var bBuf = ArrayPool<T>.Shared.Rent(Math.Min(k, KPanel) * panels * PanelVectors * v);
        try
        {
            var none = new NoEpilogue();
            for (int p0 = 0; p0 < k; p0 += KPanel)
            {
                int kcp = Math.Min(KPanel, k - p0);
                PackBPanel(b, brs, bcs, n, PackOrder.Columns, v, p0, kcp, bBuf, width);
                var panel = new PanelB<T>(bBuf, kcp, n, PackOrder.Columns, v);
                Packed(a, ars, acs, panel, p0, c, crs, ccs, m, 0, panels, lastPanel: p0 + kcp == k, width, ref none);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bBuf);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Products with a packed B.

    /// <summary>
    /// Packs B (K×N) as <paramref name="layout"/> says into <paramref name="destination"/> (at least
    /// <see cref="PackedLayout{T}.Length"/> elements): from W stored N×K (a weight used as Wᵀ,
    /// <paramref name="transposed"/> true) or from B stored K×N.
    /// </summary>
    public static void Pack<T>(ReadOnlySpan<T> source, bool transposed, in PackedLayout<T> layout, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int k = layout.K, n = layout.N, v = layout.Lanes;
        if (source.Length < (long)k * n) throw new ArgumentException($"Pack: the source has {source.Length} elements for {k}×{n}.", nameof(source));
        if (destination.Length < layout.Length) throw new ArgumentException($"Pack: the destination has {destination.Length} elements, {layout.Length} needed.", nameof(destination));
        if (layout.Width == VectorWidth.Scalar) throw new ArgumentException("Pack: a packing is for vectors (Vector or Vector512).", nameof(layout));
        int rs = transposed ? 1 : n, cs = transposed ? k : 1;
        int panelSize = layout.MicroPanels * PanelVectors * v;
        for (int p0 = 0; p0 < k; p0 += KPanel)
            PackBPanel(source, rs, cs, n, layout.Order, v, p0, Math.Min(KPanel, k - p0), destination.Slice(p0 * panelSize), layout.Width);
    }

    /// <summary><see cref="Pack{T}"/> for the machine's widest vectors into a pooled buffer: dispose it after the last use.</summary>
    public static PooledPack<T> PackPooled<T>(ReadOnlySpan<T> source, bool transposed, int k, int n, PackOrder order)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var layout = PackedLayout<T>.Create(k, n, order);
        var buffer = ArrayPool<T>.Shared.Rent(Math.Max(1, layout.Length));
        Pack(source, transposed, layout, buffer);
        return new PooledPack<T>(buffer, layout);
    }

    /// <summary>C[M×N] += A[M×K] · B (packed as <paramref name="layout"/>), A and C row-major.</summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> packed, in PackedLayout<T> layout, Span<T> c, int m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var none = new NoEpilogue();
        MultiplyAddPanels(a, packed, layout, c, m, 0, layout.MicroPanels, ref none);
    }

    /// <summary>C[M×N] += A[M×K] · B (packed); <paramref name="epilogue"/> runs on each finished tile (the fused cell
    /// update in <see cref="PackOrder.LstmGates"/> order).</summary>
    public static void MultiplyAdd<T, TE>(ReadOnlySpan<T> a, ReadOnlySpan<T> packed, in PackedLayout<T> layout, Span<T> c, int m, ref TE epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TE : ITileEpilogue, allows ref struct
        => MultiplyAddPanels(a, packed, layout, c, m, 0, layout.MicroPanels, ref epilogue);

    /// <summary>The micro-panels [q0, q1) of the product only: the columns (units) another thread does not compute.
    /// Each output element is still accumulated by one thread in k order, so any split gives the same bits.</summary>
    internal static void MultiplyAddPanels<T, TE>(ReadOnlySpan<T> a, ReadOnlySpan<T> packed, in PackedLayout<T> layout, Span<T> c, int m,
        int q0, int q1, ref TE epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TE : ITileEpilogue, allows ref struct
    {
        int k = layout.K, n = layout.N;
        CheckShapes(a.Length, k * n, c.Length, m, k, n);
        if (packed.Length < layout.Length) throw new ArgumentException($"The packed B has {packed.Length} elements, its layout {layout.Length}.", nameof(packed));
        if (q0 < 0 || q1 > layout.MicroPanels) throw new ArgumentOutOfRangeException(nameof(q1), $"Micro-panels {q0}..{q1} of {layout.MicroPanels}.");
        if (m == 0 || q0 >= q1) return;
        int v = layout.Lanes, panelSize = layout.MicroPanels * PanelVectors * v;
        if (k == 0)
        {
            for (int q = q0; q < q1; q++)
                for (int r = 0; r < m; r += TileRows) TileEpilogue(r, Math.Min(TileRows, m - r), q, layout.Order, v, n, ref epilogue);
            return;
        }
        for (int p0 = 0; p0 < k; p0 += KPanel)
        {
            int kcp = Math.Min(KPanel, k - p0);
            var panel = new PanelB<T>(packed.Slice(p0 * panelSize, kcp * panelSize), kcp, n, layout.Order, v);
            Packed(a, k, 1, panel, p0, c, n, 1, m, q0, q1, lastPanel: p0 + kcp == k, layout.Width, ref epilogue);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The tile loops.

    /// <summary>One K panel of B as packed: kcp rows starting at Offset of Data, for columns in the given order.</summary>
    private readonly ref struct PanelB<T>(ReadOnlySpan<T> data, int kcp, int n, PackOrder order, int lanes)
    {
        public readonly ReadOnlySpan<T> Data = data;
        public readonly int Kcp = kcp, N = n, Lanes = lanes;
        public readonly PackOrder Order = order;
    }

    internal static int MicroPanels(int n, PackOrder order, int lanes)
        => order == PackOrder.LstmGates ? (n / 4 + lanes - 1) / lanes : (n + PanelVectors * lanes - 1) / (PanelVectors * lanes);

    // C offsets of micro-panel q and of its vector s, and the valid lanes of the micro-panel (all four vectors share
    // the count in gate order; in column order only the last micro-panel may be short, vector by vector).
    private static (int Panel, int Vector) COffsets(int q, PackOrder order, int lanes, int n)
        => order == PackOrder.LstmGates ? (q * lanes, n / 4) : (q * PanelVectors * lanes, lanes);

    private static int ValidLanes(int q, int s, PackOrder order, int lanes, int n)
        => order == PackOrder.LstmGates ? Math.Clamp(n / 4 - q * lanes, 0, lanes) : Math.Clamp(n - q * PanelVectors * lanes - s * lanes, 0, lanes);

    private static bool FullPanel(int q, PackOrder order, int lanes, int n) => ValidLanes(q, PanelVectors - 1, order, lanes, n) == lanes;

    /// <summary>Packs the K panel [p0, p0 + kcp) of B (element (p, j) at b[p·rs + j·cs]) into micro-panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void PackBPanel<T>(ReadOnlySpan<T> b, int rs, int cs, int n, PackOrder order, int lanes, int p0, int kcp, Span<T> dst,
        VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int nr = PanelVectors * lanes, panels = MicroPanels(n, order, lanes);
        for (int q = 0; q < panels; q++)
        {
            var block = dst.Slice(q * kcp * nr, kcp * nr);
            var (cp, cv) = COffsets(q, order, lanes, n);
            if (cs == 1 && order == PackOrder.Columns && FullPanel(q, order, lanes, n))
            {
                // The common case, a full micro-panel of a row-major B: each k row is 4 contiguous vectors.
                if (width == VectorWidth.Vector512) CopyRows<T, Simd512<T>, Vector512<T>>(b, p0 * rs + cp, rs, block, nr, kcp);
                else CopyRows<T, SimdVector<T>, Vector<T>>(b, p0 * rs + cp, rs, block, nr, kcp);
                continue;
            }
            for (int s = 0; s < PanelVectors; s++)
            {
                int col0 = cp + s * cv, valid = ValidLanes(q, s, order, lanes, n);
                if (valid < lanes)
                    for (int p = 0; p < kcp; p++) block.Slice(p * nr + s * lanes + valid, lanes - valid).Clear();
                if (valid == 0) continue;
                if (cs == 1)
                    for (int p = 0; p < kcp; p++) b.Slice((p0 + p) * rs + col0, valid).CopyTo(block.Slice(p * nr + s * lanes));
                else
                    for (int l = 0; l < valid; l++)
                    {
                        int src = (col0 + l) * cs + p0 * rs;
                        for (int p = 0; p < kcp; p++, src += rs) block[p * nr + s * lanes + l] = b[src];
                    }
            }
        }
    }

    // rows × (4 vectors) from source rows (stride rs, starting at offset) to a dense block.
    private static void CopyRows<T, TS, TV>(ReadOnlySpan<T> b, int offset, int rs, Span<T> block, int nr, int rows)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        if (b.Length < offset + (rows - 1) * rs + nr || block.Length < rows * nr) throw new ArgumentException("CopyRows: spans too short.");
        ref T src = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), offset);
        ref T dst = ref MemoryMarshal.GetReference(block);
        nuint v = (nuint)TS.Count;
        for (int p = 0; p < rows; p++)
        {
            nuint so = (nuint)p * (nuint)rs, d = (nuint)(p * nr);
            TS.Store(TS.Load(ref src, so), ref dst, d);
            TS.Store(TS.Load(ref src, so + v), ref dst, d + v);
            TS.Store(TS.Load(ref src, so + 2 * v), ref dst, d + 2 * v);
            TS.Store(TS.Load(ref src, so + 3 * v), ref dst, d + 3 * v);
        }
    }

    /// <summary>One K panel: rows [0, m) of C += A panel · B panel over the micro-panels [q0, q1), then, if this is the
    /// last panel, the epilogue of each finished tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void Packed<T, TE>(ReadOnlySpan<T> a, int ars, int acs, in PanelB<T> panel, int p0, Span<T> c, int crs, int ccs,
        int m, int q0, int q1, bool lastPanel, VectorWidth width, ref TE epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TE : ITileEpilogue, allows ref struct
    {
        if ((m - 1) * (long)ars + (panel.Kcp + p0 - 1) * (long)acs >= a.Length || c.Length <= (m - 1) * (long)crs + (panel.N - 1) * (long)ccs)
            throw new ArgumentException("Gemm: A or C is shorter than its strides need.");
        if (panel.Data.Length < (long)q1 * panel.Kcp * PanelVectors * panel.Lanes) throw new ArgumentException("Gemm: the packed B panel is too short.");
        if (width == VectorWidth.Vector512)
            Packed<T, Simd512<T>, Vector512<T>, TE>(a, ars, acs, panel, p0, c, crs, ccs, m, q0, q1, lastPanel, ref epilogue);
        else
            Packed<T, SimdVector<T>, Vector<T>, TE>(a, ars, acs, panel, p0, c, crs, ccs, m, q0, q1, lastPanel, ref epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void Packed<T, TS, TV, TE>(ReadOnlySpan<T> a, int ars, int acs, in PanelB<T> panel, int p0, Span<T> c, int crs, int ccs,
        int m, int q0, int q1, bool lastPanel, ref TE epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
        where TE : ITileEpilogue, allows ref struct
    {
        int v = TS.Count, nr = PanelVectors * v, kcp = panel.Kcp, n = panel.N;
        var order = panel.Order;
        ref T bData = ref MemoryMarshal.GetReference(panel.Data);
        ref T cRef = ref MemoryMarshal.GetReference(c);
        ref T aRef = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), (nuint)(p0 * acs));
        nuint bPanel = (nuint)(kcp * nr), aRow = (nuint)ars, aStep = (nuint)acs;
        bool direct = ccs == 1; // C tiles in place; otherwise (swapped operands) every tile goes through a buffer
        if (m == 1 && direct)
        {
            // Batch 1: four micro-panels (16 vectors, 16 independent chains) per pass.
            var (cPanel, sStride) = COffsets(1, order, v, n);
            int q = q0;
            for (; q + 4 <= q1 && FullPanel(q + 3, order, v, n); q += 4)
            {
                GemmTiles.Row<T, TS, TV, N4>(ref aRef, aStep, ref Unsafe.Add(ref bData, (nuint)q * bPanel), bPanel,
                    ref Unsafe.Add(ref cRef, COffsets(q, order, v, n).Panel), (nuint)cPanel, (nuint)sStride, kcp);
                if (lastPanel) for (int e = q; e < q + 4; e++) TileEpilogue(0, 1, e, order, v, n, ref epilogue);
            }
            for (; q < q1; q++)
            {
                if (FullPanel(q, order, v, n))
                    GemmTiles.Row<T, TS, TV, N1>(ref aRef, aStep, ref Unsafe.Add(ref bData, (nuint)q * bPanel), bPanel,
                        ref Unsafe.Add(ref cRef, COffsets(q, order, v, n).Panel), (nuint)cPanel, (nuint)sStride, kcp);
                else
                    EdgeTile<T, TS, TV>(ref aRef, aRow, aStep, 0, 1, ref Unsafe.Add(ref bData, (nuint)q * bPanel), c, crs, ccs, q, order, n, kcp);
                if (lastPanel) TileEpilogue(0, 1, q, order, v, n, ref epilogue);
            }
            return;
        }
        for (int i0 = 0; i0 < m; i0 += RowBlock)
        {
            int rows = Math.Min(RowBlock, m - i0);
            for (int q = q0; q < q1; q++)
            {
                ref T bq = ref Unsafe.Add(ref bData, (nuint)q * bPanel);
                var (cp, sStride) = COffsets(q, order, v, n);
                bool full = direct && FullPanel(q, order, v, n);
                for (int t = 0; t < rows; t += TileRows)
                {
                    int r = Math.Min(TileRows, rows - t);
                    ref T at = ref Unsafe.Add(ref aRef, (nuint)(i0 + t) * aRow);
                    if (full)
                        Tile<T, TS, TV>(r, ref at, aRow, aStep, ref bq, ref Unsafe.Add(ref cRef, (nuint)((i0 + t) * crs + cp)), (nuint)crs, (nuint)sStride, kcp);
                    else
                        EdgeTile<T, TS, TV>(ref at, aRow, aStep, i0 + t, r, ref bq, c, crs, ccs, q, order, n, kcp);
                    if (lastPanel) TileEpilogue(i0 + t, r, q, order, v, n, ref epilogue);
                }
            }
        }
    }

    private static void TileEpilogue<TE>(int row, int rows, int q, PackOrder order, int lanes, int n, ref TE epilogue)
        where TE : ITileEpilogue, allows ref struct
    {
        var (unit, _) = COffsets(q, order, lanes, n);
        int units = order == PackOrder.LstmGates ? ValidLanes(q, 0, order, lanes, n) : Math.Min(PanelVectors * lanes, n - unit);
        epilogue.Apply(row, rows, unit, units);
    }

    // The 6-row × 4-vector kernel instantiated for the tile's row count (the last tile of a block may be short).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<T, TS, TV>(int rows, ref T a, nuint aRow, nuint aStep, ref T b, ref T c, nuint ldc, nuint sStride, int kc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        nuint bStep = (nuint)(PanelVectors * TS.Count);
        switch (rows)
        {
            case 6: GemmTiles.Tile<T, TS, TV, N6, N4>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc); break;
            case 5: GemmTiles.Tile<T, TS, TV, N5, N4>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc); break;
            case 4: GemmTiles.Tile<T, TS, TV, N4, N4>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc); break;
            case 3: GemmTiles.Tile<T, TS, TV, N3, N4>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc); break;
            case 2: GemmTiles.Tile<T, TS, TV, N2, N4>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc); break;
            default: GemmTiles.Tile<T, TS, TV, N1, N4>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc); break;
        }
    }

    /// <summary>
    /// A tile whose C is not a full 4-vector block in place (the short last micro-panel, or C transposed): its valid
    /// elements are copied into a contiguous tile (the rest zero), the kernel runs on that, and the valid elements are
    /// copied back. Same operations on the same values, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EdgeTile<T, TS, TV>(ref T a, nuint aRow, nuint aStep, int row, int rows, ref T bq, Span<T> c, int crs, int ccs,
        int q, PackOrder order, int n, int kcp)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        int v = TS.Count, nr = PanelVectors * v;
        Span<T> tile = stackalloc T[TileRows * nr];
        tile.Clear();
        var (cp, cv) = COffsets(q, order, v, n);
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < PanelVectors; s++)
            {
                int valid = ValidLanes(q, s, order, v, n), at = (row + r) * crs + (cp + s * cv) * ccs;
                for (int l = 0; l < valid; l++, at += ccs) tile[r * nr + s * v + l] = c[at];
            }
        Tile<T, TS, TV>(rows, ref a, aRow, aStep, ref bq, ref MemoryMarshal.GetReference(tile), (nuint)nr, (nuint)v, kcp);
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < PanelVectors; s++)
            {
                int valid = ValidLanes(q, s, order, v, n), at = (row + r) * crs + (cp + s * cv) * ccs;
                for (int l = 0; l < valid; l++, at += ccs) c[at] = tile[r * nr + s * v + l];
            }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Small helpers.

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
        if (m < 0 || k < 0 || n < 0 || aLen < (long)m * k || bLen < (long)k * n || cLen < (long)m * n)
            throw new ArgumentException(
                $"Gemm shapes do not fit: A has {aLen} elements for {m}×{k}, B {bLen} for {k}×{n}, C {cLen} for {m}×{n}.");
    }
}
