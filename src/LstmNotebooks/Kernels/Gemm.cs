using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// Where a product over a B packed in <see cref="PackOrder.LstmGates"/> order puts each row's gate pre-activations in C
/// (the packing is the same for both).
/// </summary>
internal enum GateLayout
{
    /// <summary>PyTorch's rows [i|f|g|o], each gate block H wide: element (gate g, unit j) at g·H + j.</summary>
    Blocks,
    /// <summary>
    /// Micro-panel by micro-panel, [i|f|g|o] v units each (v = the packing's lanes): element (g, j) at
    /// (j / v)·4v + g·v + j mod v; needs H to be a multiple of v. A register tile's 24 C vectors then lie in 6 runs of
    /// 4 lines instead of 24 lines H apart (at H = 512 they all fell into 2 sets of the L1): the S5 step's product ran
    /// 7–9 % faster (Benchmarks README). For the passes' own pre-activations only; traces read <see cref="Blocks"/>.
    /// </summary>
    Interleaved,
}

/// <summary>
/// The shape of a B (K×N) packed for the kernels: K in panels of <see cref="KPanel"/> rows; in each panel the
/// micro-panels one after the other, each k-major (4 vectors per k). Columns past N (or units past H) are zero. B is
/// packed once per weight version into any buffer of <see cref="Length"/> elements (a slice of a larger one is fine)
/// and read by every step of a sequence (the recurrent weights), or per panel inside a product.
/// </summary>
internal readonly struct PackedLayout<T> where T : unmanaged
{
    /// <summary>The layout; <paramref name="kPanel"/> overrides <see cref="Gemm.PackedKPanel{T}"/> (0: the rule), for
    /// the benchmark that measures the rule.</summary>
    public PackedLayout(int k, int n, PackOrder order, VectorWidth width, int kPanel = 0)
    {
        if (kPanel < 0) throw new ArgumentOutOfRangeException(nameof(kPanel), $"A K panel of {kPanel} rows.");
        if (k < 0 || n < 0) throw new ArgumentOutOfRangeException(nameof(k), $"Packed B needs K, N ≥ 0, got {k}×{n}.");
        if (order == PackOrder.LstmGates && n % 4 != 0) throw new ArgumentException($"LSTM gate order needs N = 4·H, got N = {n}.", nameof(n));
        if (width == VectorWidth.Scalar) throw new ArgumentException("A packing is for vectors (Vector or Vector512).", nameof(width));
        K = k; N = n; Order = order; Width = width;
        Lanes = Simd.Lanes<T>(width);
        MicroPanels = Gemm.MicroPanels(n, order, Lanes);
        KPanel = kPanel > 0 ? kPanel : Gemm.PackedKPanel<T>(k, Lanes);
        Length = k * MicroPanels * 4 * Lanes;
    }

    /// <summary>The layout for the machine's widest vectors (what the products run at).</summary>
    public static PackedLayout<T> Create(int k, int n, PackOrder order)
    {
        var widest = Simd.Widest == VectorWidth.Scalar ? VectorWidth.Vector : Simd.Widest;
        return new(k, n, order, Gemm.WidthFor<T>(order == PackOrder.LstmGates ? n / 4 : n, widest));
    }

    public int K { get; }
    public int N { get; }
    public PackOrder Order { get; }
    /// <summary>The vectors the packing is laid out for: products run at this width.</summary>
    public VectorWidth Width { get; }
    /// <summary>Lanes per vector of the packing.</summary>
    public int Lanes { get; }
    /// <summary>Rows of K per panel (<see cref="Gemm.PackedKPanel{T}"/>).</summary>
    public int KPanel { get; }
    public int MicroPanels { get; }
    /// <summary>Elements a buffer for this packing needs.</summary>
    public int Length { get; }
}

/// <summary>A packed B in a buffer rented from the shared array pool (no allocation once warm), returned on
/// <see cref="Dispose"/>: weights packed once per call and read by every step.</summary>
internal readonly struct PooledPack<T> : IDisposable where T : unmanaged
{
    private readonly AlignedArray<T> _buffer;

    internal PooledPack(AlignedArray<T> buffer, PackedLayout<T> layout)
    {
        _buffer = buffer;
        Layout = layout;
    }

    public PackedLayout<T> Layout { get; }
    public ReadOnlySpan<T> Span => _buffer.Span;
    public ReadOnlyMemory<T> Memory => _buffer.Memory;

    public void Dispose() => _buffer.Return();
}

/// <summary>Runs after each register tile of an output is final (all K accumulated): rows [row, row + rows) and,
/// in <see cref="PackOrder.LstmGates"/> order, units [unit, unit + units) (in column order: columns), wherever the
/// product's <see cref="GateLayout"/> put them.</summary>
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
/// float) stays in L1 while all row tiles pass over it. Packed weights with K in 257..512 keep all of K in one panel
/// instead (<see cref="PackedKPanel{T}"/>). An LSTM's gate rows lie in blocks or interleaved (<see cref="GateLayout"/>). A stored transposed (the weight gradients' dAᵀ) is packed
/// into 6-row panels per row block, since each of its steps of k lies on another page. M = 1 (batch 1) takes 16
/// vectors per pass instead, for 16 independent accumulation chains. Outputs narrower than a vector (∂L/∂x with one
/// input feature) run as four scalar chains at a time.</para>
/// </summary>
internal static class Gemm
{
    /// <summary>K rows per packed panel: a float B micro-panel is then 128 × 64 × 4 B = 32 KB, inside the 48 KB L1.</summary>
    internal const int KPanel = 128;

    /// <summary>Bytes of one micro-panel over all of K up to which a packed B keeps K in one panel.</summary>
    private const int WholeKBytes = 128 << 10;

    /// <summary>
    /// Rows of K per panel of a packed B: all of K when that saves more than one reload of C per tile (K above two
    /// panels) and one micro-panel over all of K fits in <see cref="WholeKBytes"/> (K ≤ 512 in float); else
    /// <see cref="KPanel"/>. With all of K a register tile keeps its C in registers from the first k to the last and its
    /// B micro-panel streams from L2 (the prefetchers keep up), instead of storing and reloading C at each panel while B
    /// stays in L1. Measured (Benchmarks README): the S5 step (K = 512) 5–8 % faster; at K = 256 no gain, so it keeps two
    /// panels.
    /// </summary>
    internal static int PackedKPanel<T>(int k, int lanes)
        => k > 2 * KPanel && (long)k * PanelVectors * lanes * Unsafe.SizeOf<T>() <= WholeKBytes ? k : KPanel;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void MultiplyAddTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> w, Span<T> c, int m, int k, int n, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckShapes(a.Length, w.Length, c.Length, m, k, n);
        General(a, k, 1, w, 1, k, c, n, m, k, n, width);
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of a product as stored (<see cref="ProductJob{T}"/>):
    /// a block of rows of C when M ≥ N, else a block of columns, in whole tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
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
            var (m0, m1) = ThreadPolicy.Share(m, part, parts, TileRows);
            if (m0 < m1) General(a.Slice(m0 * ars), ars, acs, b, brs, bcs, c.Slice(m0 * n), n, m1 - m0, k, n, width);
        }
        else
        {
            var (n0, n1) = ThreadPolicy.Share(n, part, parts, PanelVectors * Simd.Lanes<T>(width));
            if (n0 < n1) General(a, ars, acs, b.Slice(n0 * bcs), brs, bcs, c.Slice(n0), n, m, k, n1 - n0, width);
        }
    }

    /// <summary>Any strides: packs B panel by panel (and A too when it is stored transposed, where each step of k would
    /// otherwise land on another page), then runs the packed tile loops; outputs narrower than one vector take
    /// <see cref="ScalarRows{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void General<T>(ReadOnlySpan<T> a, int ars, int acs, ReadOnlySpan<T> b, int brs, int bcs, Span<T> c, int ldc,
        int m, int k, int n, VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0 || k == 0) return;
        width = WidthFor<T>(n, width);
        int v = Simd.Lanes<T>(width);
        if (v == 1 || n < Vector<T>.Count || (long)m * n * k < 512)
        {
            ScalarRows(a, ars, acs, b, brs, bcs, c, ldc, m, k, n);
            return;
        }
        int panels = MicroPanels(n, PackOrder.Columns, v), kc = Math.Min(k, KPanel);
        bool packA = ars == 1 && acs != 1 && m > 1;
        // Sized by the whole output's width (ldc) at the widest lanes, not by this part's slice: with a size that
        // depends on the part, the thread that happens to run a part (any thread may) would rent a pool bucket it has
        // never used, and a call that allocates nothing in steady state would allocate when the timing changes.
        int wide = Simd.Lanes<T>(VectorWidth.Vector512);
        var bStore = AlignedArray<T>.Rent(kc * MicroPanels(ldc, PackOrder.Columns, wide) * PanelVectors * wide);   // ≥ this part's panels
        var aStore = packA ? AlignedArray<T>.Rent(RowBlock * KPanel) : default;   // the largest block, for the same reason
        var bBuf = bStore.Span;
        var aBuf = aStore.Span;
        try
        {
            var none = new NoEpilogue();
            for (int p0 = 0; p0 < k; p0 += KPanel)
            {
                int kcp = Math.Min(KPanel, k - p0);
                PackBPanel(b, brs, bcs, n, PackOrder.Columns, v, p0, kcp, bBuf, width);
                var panel = new PanelB<T>(bBuf, kcp, n, PackOrder.Columns, v);
                Packed(a, ars, acs, panel, p0, c, ldc, m, 0, panels, lastPanel: p0 + kcp == k, width, aBuf, ref none, reverse: false);
            }
        }
        finally
        {
            bStore.Return();
            aStore.Return();
        }
    }

    /// <summary>
    /// The vector width for outputs <paramref name="columns"/> wide (in LSTM gate order: units): a narrow output that is
    /// a whole number of <see cref="Vector{T}"/> vectors but not of 512-bit ones (8 or 24 floats) runs at Vector&lt;T&gt;
    /// width, in whole vectors, instead of through a half-empty 512-bit edge tile.
    /// </summary>
    internal static VectorWidth WidthFor<T>(int columns, VectorWidth widest) where T : unmanaged
    {
        int wide = Vector512<T>.Count, narrow = Vector<T>.Count;
        return widest == VectorWidth.Vector512 && columns < PanelVectors * wide && columns % wide != 0 && columns % narrow == 0
            ? VectorWidth.Vector : widest;
    }

    /// <summary>
    /// C += A·B element by element in the scalar specification's order, for outputs narrower than a vector (∂L/∂x with
    /// one input feature, a one-output head): four rows at a time, so four independent accumulation chains keep both FMA
    /// pipes busy instead of waiting on one chain's latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void ScalarRows<T>(ReadOnlySpan<T> a, int ars, int acs, ReadOnlySpan<T> b, int brs, int bcs, Span<T> c, int ldc,
        int m, int k, int n) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if ((m - 1) * (long)ars + (k - 1) * (long)acs >= a.Length || (k - 1) * (long)brs + (n - 1) * (long)bcs >= b.Length
            || (m - 1) * (long)ldc + n > c.Length)
            throw new ArgumentException("Gemm: an operand is shorter than its strides need.");
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rc = ref MemoryMarshal.GetReference(c);
        nuint sa = (nuint)acs, sb = (nuint)brs;
        int i = 0;
        for (; i + 4 <= m; i += 4)
            for (int j = 0; j < n; j++)
            {
                nuint o = (nuint)(i * ldc + j), l = (nuint)ldc;
                T c0 = Unsafe.Add(ref rc, o), c1 = Unsafe.Add(ref rc, o + l), c2 = Unsafe.Add(ref rc, o + 2 * l), c3 = Unsafe.Add(ref rc, o + 3 * l);
                ref T a0 = ref Unsafe.Add(ref ra, (nuint)(i * ars));
                ref T a1 = ref Unsafe.Add(ref a0, (nuint)ars);
                ref T a2 = ref Unsafe.Add(ref a1, (nuint)ars);
                ref T a3 = ref Unsafe.Add(ref a2, (nuint)ars);
                ref T bj = ref Unsafe.Add(ref rb, (nuint)(j * bcs));
                nuint pa = 0, pb = 0;
                for (int p = 0; p < k; p++, pa += sa, pb += sb)
                {
                    T bv = Unsafe.Add(ref bj, pb);
                    c0 = T.FusedMultiplyAdd(Unsafe.Add(ref a0, pa), bv, c0);
                    c1 = T.FusedMultiplyAdd(Unsafe.Add(ref a1, pa), bv, c1);
                    c2 = T.FusedMultiplyAdd(Unsafe.Add(ref a2, pa), bv, c2);
                    c3 = T.FusedMultiplyAdd(Unsafe.Add(ref a3, pa), bv, c3);
                }
                Unsafe.Add(ref rc, o) = c0; Unsafe.Add(ref rc, o + l) = c1; Unsafe.Add(ref rc, o + 2 * l) = c2; Unsafe.Add(ref rc, o + 3 * l) = c3;
            }
        if (i < m) Scalar(a.Slice(i * ars), ars, acs, b, brs, bcs, c.Slice(i * ldc), ldc, 1, m - i, k, n);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Products with a packed B.

    /// <summary>
    /// Packs B (K×N) as <paramref name="layout"/> says into <paramref name="destination"/> (at least
    /// <see cref="PackedLayout{T}.Length"/> elements): from W stored N×K (a weight used as Wᵀ,
    /// <paramref name="transposed"/> true) or from B stored K×N.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Pack<T>(ReadOnlySpan<T> source, bool transposed, in PackedLayout<T> layout, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int k = layout.K, n = layout.N, v = layout.Lanes;
        if (source.Length < (long)k * n) throw new ArgumentException($"Pack: the source has {source.Length} elements for {k}×{n}.", nameof(source));
        if (destination.Length < layout.Length) throw new ArgumentException($"Pack: the destination has {destination.Length} elements, {layout.Length} needed.", nameof(destination));
        int rs = transposed ? 1 : n, cs = transposed ? k : 1;
        int panelSize = layout.MicroPanels * PanelVectors * v;
        for (int p0 = 0; p0 < k; p0 += layout.KPanel)
            PackBPanel(source, rs, cs, n, layout.Order, v, p0, Math.Min(layout.KPanel, k - p0), destination.Slice(p0 * panelSize), layout.Width);
    }

    /// <summary><see cref="Pack{T}"/> for the machine's widest vectors into a pooled buffer: dispose it after the last use.</summary>
    public static PooledPack<T> PackPooled<T>(ReadOnlySpan<T> source, bool transposed, int k, int n, PackOrder order)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var layout = PackedLayout<T>.Create(k, n, order);
        var buffer = AlignedArray<T>.Rent(layout.Length);
        Pack(source, transposed, layout, buffer.Span);
        return new PooledPack<T>(buffer, layout);
    }

    /// <summary>C[M×N] += A[M×K] · B (packed as <paramref name="layout"/>), A and C row-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void MultiplyAdd<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> packed, in PackedLayout<T> layout, Span<T> c, int m,
        GateLayout gates = GateLayout.Blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var none = new NoEpilogue();
        MultiplyAddPanels(a, packed, layout, c, m, 0, layout.MicroPanels, ref none, gates: gates);
    }

    /// <summary>C[M×N] = every row <paramref name="init"/> (N, laid out as a row of C) + A[M×K] · B (packed): the same
    /// bits as <see cref="SetRows{T}"/> then the product, without the pass that copies the rows in (the input-side
    /// pre-activations start from the bias: 4 % of an S3 inference call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void SetAndMultiplyAdd<T>(ReadOnlySpan<T> init, ReadOnlySpan<T> a, ReadOnlySpan<T> packed, in PackedLayout<T> layout, Span<T> c,
        int m, GateLayout gates = GateLayout.Blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (init.Length < layout.N) throw new ArgumentException($"The initial row has {init.Length} elements for N = {layout.N}.", nameof(init));
        var none = new NoEpilogue();
        MultiplyAddPanels(a, packed, layout, c, m, 0, layout.MicroPanels, ref none, gates: gates, init: init);
    }

    /// <summary>C[M×N] += A[M×K] · B (packed); <paramref name="epilogue"/> runs on each finished tile (the fused cell
    /// update in <see cref="PackOrder.LstmGates"/> order). <paramref name="reverse"/> walks the micro-panels last to
    /// first — same results; a recurrence that alternates it from step to step keeps more of its weights in L1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void MultiplyAdd<T, TE>(ReadOnlySpan<T> a, ReadOnlySpan<T> packed, in PackedLayout<T> layout, Span<T> c, int m, ref TE epilogue,
        bool reverse = false, GateLayout gates = GateLayout.Blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TE : ITileEpilogue, allows ref struct
        => MultiplyAddPanels(a, packed, layout, c, m, 0, layout.MicroPanels, ref epilogue, reverse, gates);

    /// <summary>The micro-panels [q0, q1) of the product only: the columns (units) another thread does not compute.
    /// Each output element is still accumulated by one thread in k order, so any split gives the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    internal static void MultiplyAddPanels<T, TE>(ReadOnlySpan<T> a, ReadOnlySpan<T> packed, in PackedLayout<T> layout, Span<T> c, int m,
        int q0, int q1, ref TE epilogue, bool reverse = false, GateLayout gates = GateLayout.Blocks, ReadOnlySpan<T> init = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TE : ITileEpilogue, allows ref struct
    {
        int k = layout.K, n = layout.N;
        CheckShapes(a.Length, k * n, c.Length, m, k, n);
        if (gates == GateLayout.Interleaved && !CanInterleave(layout))
            throw new ArgumentException($"Interleaved gate rows need LSTM gate order with H a multiple of {layout.Lanes} lanes; got {layout.Order} order, N = {n}.", nameof(gates));
        if (packed.Length < layout.Length) throw new ArgumentException($"The packed B has {packed.Length} elements, its layout {layout.Length}.", nameof(packed));
        if (q0 < 0 || q1 > layout.MicroPanels) throw new ArgumentOutOfRangeException(nameof(q1), $"Micro-panels {q0}..{q1} of {layout.MicroPanels}.");
        if (m == 0 || q0 >= q1) return;
        int v = layout.Lanes, panelSize = layout.MicroPanels * PanelVectors * v;
        if (!init.IsEmpty && (q0 != 0 || q1 != layout.MicroPanels))
            throw new ArgumentException("A product that starts from an initial row computes every micro-panel (a share of them would copy over another's).", nameof(init));
        if (!init.IsEmpty && (k == 0 || m == 1 || !FullPanel(layout.MicroPanels - 1, layout.Order, v, n)))
        {
            // The batch-1 rows and the edge tiles start from C: copy the rows in first.
            SetRows(init, c, m, n);
            init = default;
        }
        if (k == 0)
        {
            var geo = new PanelGeometry(layout.Order, v, n, gates);
            for (int q = q0; q < q1; q++)
                for (int r = 0; r < m; r += TileRows) epilogue.Apply(r, Math.Min(TileRows, m - r), geo.First(q), geo.Units(q));
            return;
        }
        // Blocks of micro-panels whose C tiles and B (over all of K) fit in half of L2 together, each finished over
        // every K panel before the next: C then stays in L2 between K panels instead of coming back from L3 (the S5
        // step: B 4 MB, C 1 MB). Only which elements are computed first changes; each still accumulates in k order.
        int perPanel = (m * PanelVectors * v + k * PanelVectors * v) * Unsafe.SizeOf<T>();
        int chunk = Math.Max(1, L2Share / Math.Max(1, perPanel));
        for (int c0 = q0; c0 < q1; c0 += chunk)
        {
            int c1 = Math.Min(q1, c0 + chunk);
            for (int p0 = 0; p0 < k; p0 += layout.KPanel)
            {
                int kcp = Math.Min(layout.KPanel, k - p0);
                var panel = new PanelB<T>(packed.Slice(p0 * panelSize, kcp * panelSize), kcp, n, layout.Order, v, gates);
                Packed(a, k, 1, panel, p0, c, n, m, c0, c1, lastPanel: p0 + kcp == k, layout.Width, [], ref epilogue, reverse, p0 == 0 ? init : default);
            }
        }
    }

    /// <summary>Bytes of L2 a product plans to keep its working set in (half of this Xeon's 2 MB per core).</summary>
    private const int L2Share = 1 << 20;

    // ---------------------------------------------------------------------------------------------------------------
    // The tile loops.

    /// <summary>One K panel of B as packed: kcp rows starting at Offset of Data, for columns in the given order.</summary>
    private readonly ref struct PanelB<T>(ReadOnlySpan<T> data, int kcp, int n, PackOrder order, int lanes, GateLayout gates = GateLayout.Blocks)
    {
        public readonly ReadOnlySpan<T> Data = data;
        public readonly int Kcp = kcp, N = n, Lanes = lanes;
        public readonly PackOrder Order = order;
        public readonly GateLayout Gates = gates;
    }

    /// <summary>Whether a product over this packing can put its gate rows <see cref="GateLayout.Interleaved"/>: gate
    /// order, and every micro-panel whole (H a multiple of the lanes).</summary>
    internal static bool CanInterleave<T>(in PackedLayout<T> layout) where T : unmanaged
        => layout.Order == PackOrder.LstmGates && ((layout.N >> 2) & (layout.Lanes - 1)) == 0;   // lanes: a power of two

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int MicroPanels(int n, PackOrder order, int lanes)
        => order == PackOrder.LstmGates ? (n / 4 + lanes - 1) / lanes : (n + PanelVectors * lanes - 1) / (PanelVectors * lanes);

    // C offsets of micro-panel q and of its vector s, and the valid lanes of the micro-panel (all four vectors share
    // the count in gate order; in column order only the last micro-panel may be short, vector by vector).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Panel, int Vector) COffsets(int q, PackOrder order, int lanes, int n)
        => order == PackOrder.LstmGates ? (q * lanes, n / 4) : (q * PanelVectors * lanes, lanes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ValidLanes(int q, int s, PackOrder order, int lanes, int n)
        => order == PackOrder.LstmGates ? Math.Clamp(n / 4 - q * lanes, 0, lanes) : Math.Clamp(n - q * PanelVectors * lanes - s * lanes, 0, lanes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FullPanel(int q, PackOrder order, int lanes, int n) => ValidLanes(q, PanelVectors - 1, order, lanes, n) == lanes;

    /// <summary>Where the micro-panels of a product put their tiles in C, worked out once per call: every micro-panel
    /// but possibly the last is full; the last has <see cref="LastVectors"/> whole vectors (0: partly valid, so its
    /// tiles go through <see cref="EdgeTile{T, TS, TV}"/>).</summary>
    private readonly struct PanelGeometry
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public PanelGeometry(PackOrder order, int lanes, int n, GateLayout gates = GateLayout.Blocks)
        {
            Order = order; Lanes = lanes; N = n;
            // Interleaved gate rows sit in C as a column-order product's would (4 vectors side by side per micro-panel).
            (PanelStep, VectorStride) = gates == GateLayout.Interleaved ? (PanelVectors * lanes, lanes) : COffsets(1, order, lanes, n);
            FirstStep = order == PackOrder.LstmGates ? lanes : PanelVectors * lanes;
            Panels = MicroPanels(n, order, lanes);
            int last = Panels - 1;
            LastVectors = last < 0 ? 0 : WholeVectors(last, order, lanes, n);
            LastUnits = last < 0 ? 0 : order == PackOrder.LstmGates ? ValidLanes(last, 0, order, lanes, n) : n - last * PanelVectors * lanes;
        }

        public readonly PackOrder Order;
        public readonly int Lanes, N, PanelStep, VectorStride, FirstStep, Panels, LastVectors, LastUnits;

        /// <summary>The first unit (gate order) or column micro-panel q covers, for the epilogue.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int First(int q) => q * FirstStep;

        /// <summary>Whole vectors of micro-panel q (4 unless it is the last).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Vectors(int q) => q < Panels - 1 ? PanelVectors : LastVectors;
        /// <summary>The units (gate order) or columns micro-panel q covers, for the epilogue.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Units(int q) => q < Panels - 1 ? (Order == PackOrder.LstmGates ? Lanes : PanelVectors * Lanes) : LastUnits;
    }

    /// <summary>Packs the K panel [p0, p0 + kcp) of B (element (p, j) at b[p·rs + j·cs]) into micro-panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void PackBPanel<T>(ReadOnlySpan<T> b, int rs, int cs, int n, PackOrder order, int lanes, int p0, int kcp, Span<T> dst,
        VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int nr = PanelVectors * lanes, panels = MicroPanels(n, order, lanes), first = 0;
        if (cs == 1 && order == PackOrder.Columns)
        {
            // The common case, a row-major B: each k row of a full micro-panel is 4 contiguous vectors. Row by row
            // across the micro-panels, so B is read in order (by micro-panel, each row's 4 vectors came 4H·4 bytes
            // after the last: the weight gradients' packing of dA ran at 4 GB/s).
            first = n / nr;
            if (width == VectorWidth.Vector512) CopyRows<T, Simd512<T>, Vector512<T>>(b, p0 * rs, rs, dst, nr, kcp, first);
            else CopyRows<T, SimdVector<T>, Vector<T>>(b, p0 * rs, rs, dst, nr, kcp, first);
        }
        for (int q = first; q < panels; q++)
        {
            var block = dst.Slice(q * kcp * nr, kcp * nr);
            var (cp, cv) = COffsets(q, order, lanes, n);
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

    // rows × (4 vectors) of each of the first `panels` micro-panels of source rows (stride rs, starting at offset) to
    // their dense blocks (micro-panel q at block[q·rows·nr]), reading each source row from left to right.
    private static void CopyRows<T, TS, TV>(ReadOnlySpan<T> b, int offset, int rs, Span<T> block, int nr, int rows, int panels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        if (panels == 0 || rows == 0) return;
        if (b.Length < offset + (rows - 1) * rs + panels * nr || block.Length < panels * rows * nr) throw new ArgumentException("CopyRows: spans too short.");
        ref T src = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), offset);
        ref T dst = ref MemoryMarshal.GetReference(block);
        nuint v = (nuint)TS.Count, panel = (nuint)(rows * nr);
        for (int p = 0; p < rows; p++)
        {
            nuint so = (nuint)p * (nuint)rs, d = (nuint)(p * nr);
            for (int q = 0; q < panels; q++, so += (nuint)nr, d += panel)
            {
                TS.Store(TS.Load(ref src, so), ref dst, d);
                TS.Store(TS.Load(ref src, so + v), ref dst, d + v);
                TS.Store(TS.Load(ref src, so + 2 * v), ref dst, d + 2 * v);
                TS.Store(TS.Load(ref src, so + 3 * v), ref dst, d + 3 * v);
            }
        }
    }

    /// <summary>One K panel: rows [0, m) of C += A panel · B panel over the micro-panels [q0, q1), then, if this is the
    /// last panel, the epilogue of each finished tile. A (element (i, p) at a[i·ars + p·acs]) is read in place, or, given
    /// a buffer, packed row block by row block into 6-row k-major panels first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void Packed<T, TE>(ReadOnlySpan<T> a, int ars, int acs, in PanelB<T> panel, int p0, Span<T> c, int ldc,
        int m, int q0, int q1, bool lastPanel, VectorWidth width, Span<T> aBuf, ref TE epilogue, bool reverse, ReadOnlySpan<T> init = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TE : ITileEpilogue, allows ref struct
    {
        if ((m - 1) * (long)ars + (panel.Kcp + p0 - 1) * (long)acs >= a.Length || c.Length < (m - 1) * (long)ldc + panel.N)
            throw new ArgumentException("Gemm: A or C is shorter than its strides need.");
        if (panel.Data.Length < (long)q1 * panel.Kcp * PanelVectors * panel.Lanes) throw new ArgumentException("Gemm: the packed B panel is too short.");
        if (width == VectorWidth.Vector512)
            Packed<T, Simd512<T>, Vector512<T>, TE>(a, ars, acs, panel, p0, c, ldc, m, q0, q1, lastPanel, aBuf, ref epilogue, reverse, init);
        else
            Packed<T, SimdVector<T>, Vector<T>, TE>(a, ars, acs, panel, p0, c, ldc, m, q0, q1, lastPanel, aBuf, ref epilogue, reverse, init);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void Packed<T, TS, TV, TE>(ReadOnlySpan<T> a, int ars, int acs, in PanelB<T> panel, int p0, Span<T> c, int ldc,
        int m, int q0, int q1, bool lastPanel, Span<T> aBuf, ref TE epilogue, bool reverse, ReadOnlySpan<T> init)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
        where TE : ITileEpilogue, allows ref struct
    {
        int v = TS.Count, nr = PanelVectors * v, kcp = panel.Kcp, n = panel.N;
        var order = panel.Order;
        var geo = new PanelGeometry(order, v, n, panel.Gates);
        ref T bData = ref MemoryMarshal.GetReference(panel.Data);
        ref T cRef = ref MemoryMarshal.GetReference(c);
        ref T aRef = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), (nuint)(p0 * acs));
        // Given init (one C row; whole micro-panels and m > 1 only, see MultiplyAddPanels), every tile starts from it.
        bool fromInit = !init.IsEmpty;
        ref T initRef = ref MemoryMarshal.GetReference(init);
        nuint bPanel = (nuint)(kcp * nr), cPanel = (nuint)geo.PanelStep, sStride = (nuint)geo.VectorStride;
        if (m == 1)
        {
            // Batch 1: two micro-panels (8 vectors, 8 independent chains: both FMA pipes busy) per pass. A single row
            // reuses nothing of B, so the step is bound by reading the weights from L2; in reverse order the pass
            // starts on the panels the previous (forward) pass read last, which are still in L1 when the weights are
            // not much larger than L1 (H = 64: 64 KB against 48 KB). The order of micro-panels changes no element.
            nuint aStep = (nuint)acs;
            int wholeEnd = geo.Vectors(q1 - 1) == PanelVectors ? q1 : q1 - 1, pairs = (wholeEnd - q0) / 2;
            if (reverse)
            {
                for (int q = q1 - 1; q >= q0 + 2 * pairs; q--) RowSingle<T, TS, TV, TE>(q, ref aRef, aStep, ref bData, bPanel, ref cRef, cPanel, sStride, kcp, c, ldc, geo, lastPanel, ref epilogue);
                for (int i = pairs - 1; i >= 0; i--) RowPair<T, TS, TV, TE>(q0 + 2 * i, ref aRef, aStep, ref bData, bPanel, ref cRef, cPanel, sStride, kcp, geo, lastPanel, ref epilogue);
            }
            else
            {
                for (int i = 0; i < pairs; i++) RowPair<T, TS, TV, TE>(q0 + 2 * i, ref aRef, aStep, ref bData, bPanel, ref cRef, cPanel, sStride, kcp, geo, lastPanel, ref epilogue);
                for (int q = q0 + 2 * pairs; q < q1; q++) RowSingle<T, TS, TV, TE>(q, ref aRef, aStep, ref bData, bPanel, ref cRef, cPanel, sStride, kcp, c, ldc, geo, lastPanel, ref epilogue);
            }
            return;
        }
        bool packA = aBuf.Length > 0;
        for (int i0 = 0; i0 < m; i0 += RowBlock)
        {
            int rows = Math.Min(RowBlock, m - i0);
            // Where tile t (its first row t of the block) starts, and how its rows and steps of k lie.
            ref T aBlock = ref packA ? ref MemoryMarshal.GetReference(aBuf) : ref Unsafe.Add(ref aRef, (nuint)i0 * (nuint)ars);
            nuint aTile = packA ? (nuint)kcp : (nuint)ars, aRow = packA ? 1 : (nuint)ars, aStep = packA ? TileRows : (nuint)acs;
            if (packA) PackAPanel(a, ars, acs, i0, rows, p0, kcp, aBuf);
            for (int q = q0; q < q1; q++)
            {
                ref T bq = ref Unsafe.Add(ref bData, (nuint)q * bPanel);
                int vecs = geo.Vectors(q), units = geo.Units(q), cp = q * geo.PanelStep;
                for (int t = 0; t < rows; t += TileRows)
                {
                    int r = Math.Min(TileRows, rows - t);
                    ref T at = ref Unsafe.Add(ref aBlock, (nuint)t * aTile);
                    ref T ct = ref Unsafe.Add(ref cRef, (nuint)((i0 + t) * ldc + cp));
                    if (fromInit)
                        Tile<T, TS, TV>(r, vecs, ref at, aRow, aStep, ref bq, ref ct, (nuint)ldc, sStride, kcp, ref Unsafe.Add(ref initRef, (nuint)cp), 0);
                    else if (vecs > 0)
                        Tile<T, TS, TV>(r, vecs, ref at, aRow, aStep, ref bq, ref ct, (nuint)ldc, sStride, kcp);
                    else
                        EdgeTile<T, TS, TV>(ref at, aRow, aStep, i0 + t, r, ref bq, c, ldc, q, order, n, kcp);
                    if (lastPanel) epilogue.Apply(i0 + t, r, geo.First(q), units);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowPair<T, TS, TV, TE>(int q, ref T a, nuint aStep, ref T b, nuint bPanel, ref T c, nuint cPanel, nuint sStride, int kcp,
        in PanelGeometry geo, bool lastPanel, ref TE epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
        where TE : ITileEpilogue, allows ref struct
    {
        GemmTiles.Row<T, TS, TV, N2>(ref a, aStep, ref Unsafe.Add(ref b, (nuint)q * bPanel), bPanel, ref Unsafe.Add(ref c, (nuint)q * cPanel), cPanel, sStride, kcp);
        if (lastPanel) epilogue.Apply(0, 1, geo.First(q), 2 * geo.Units(q)); // two whole micro-panels
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowSingle<T, TS, TV, TE>(int q, ref T a, nuint aStep, ref T b, nuint bPanel, ref T c, nuint cPanel, nuint sStride, int kcp,
        Span<T> cSpan, int ldc, in PanelGeometry geo, bool lastPanel, ref TE epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
        where TE : ITileEpilogue, allows ref struct
    {
        int vecs = geo.Vectors(q);
        ref T bq = ref Unsafe.Add(ref b, (nuint)q * bPanel);
        ref T cq = ref Unsafe.Add(ref c, (nuint)q * cPanel);
        if (vecs == PanelVectors) GemmTiles.Row<T, TS, TV, N1>(ref a, aStep, ref bq, bPanel, ref cq, cPanel, sStride, kcp);
        else if (vecs > 0) Tile<T, TS, TV>(1, vecs, ref a, 0, aStep, ref bq, ref cq, 0, sStride, kcp);
        else EdgeTile<T, TS, TV>(ref a, 0, aStep, 0, 1, ref bq, cSpan, ldc, q, geo.Order, geo.N, kcp);
        if (lastPanel) epilogue.Apply(0, 1, geo.First(q), geo.Units(q));
    }

    /// <summary>Packs rows [i0, i0 + rows) of the K panel [p0, p0 + kcp) of an A stored transposed (element (i, p) at
    /// a[i + p·cs]) into 6-row k-major panels (tile t at dst[t·kcp], row r of step p at + p·6 + r), rows past the end zero.
    /// Reads each step's row segment contiguously.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private static void PackAPanel<T>(ReadOnlySpan<T> a, int rs, int cs, int i0, int rows, int p0, int kcp, Span<T> dst)
        where T : unmanaged
    {
        if (rs != 1) throw new ArgumentException("PackAPanel packs an A stored transposed (row stride 1).");
        int tail = rows % TileRows;
        if (tail != 0) dst.Slice((rows - tail) * kcp, TileRows * kcp).Clear();
        for (int p = 0; p < kcp; p++)
        {
            var src = a.Slice(i0 + (p0 + p) * cs, rows);
            int t = 0;
            for (; t + TileRows <= rows; t += TileRows)
            {
                var d = dst.Slice(t * kcp + p * TileRows, TileRows);
                d[0] = src[t]; d[1] = src[t + 1]; d[2] = src[t + 2]; d[3] = src[t + 3]; d[4] = src[t + 4]; d[5] = src[t + 5];
            }
            for (int r = 0; t + r < rows; r++) dst[t * kcp + p * TileRows + r] = src[t + r];
        }
    }

    // The vectors of micro-panel q that are whole when its valid lanes are exactly that many whole vectors (so the tile
    // can run in place with fewer vectors); 0 when a vector is partly valid (the tile goes through EdgeTile).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WholeVectors(int q, PackOrder order, int lanes, int n)
    {
        int vecs = 0;
        for (int s = 0; s < PanelVectors; s++)
        {
            int valid = ValidLanes(q, s, order, lanes, n);
            if (valid == lanes) vecs++;
            else if (valid > 0) return 0;
        }
        return vecs;
    }


    // The 6-row × 4-vector kernel instantiated for the tile's rows (the last tile of a block may be short) and whole
    // vectors (a narrow last micro-panel).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<T, TS, TV>(int rows, int vecs, ref T a, nuint aRow, nuint aStep, ref T b, ref T c, nuint ldc, nuint sStride, int kc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
        => Tile<T, TS, TV>(rows, vecs, ref a, aRow, aStep, ref b, ref c, ldc, sStride, kc, ref c, ldc);

    // The same, the tile starting from init + r·initRow (GemmTiles.Tile).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<T, TS, TV>(int rows, int vecs, ref T a, nuint aRow, nuint aStep, ref T b, ref T c, nuint ldc, nuint sStride, int kc,
        ref T init, nuint initRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        switch (rows)
        {
            case 6: Tile<T, TS, TV, N6>(vecs, ref a, aRow, aStep, ref b, ref c, ldc, sStride, kc, ref init, initRow); break;
            case 5: Tile<T, TS, TV, N5>(vecs, ref a, aRow, aStep, ref b, ref c, ldc, sStride, kc, ref init, initRow); break;
            case 4: Tile<T, TS, TV, N4>(vecs, ref a, aRow, aStep, ref b, ref c, ldc, sStride, kc, ref init, initRow); break;
            case 3: Tile<T, TS, TV, N3>(vecs, ref a, aRow, aStep, ref b, ref c, ldc, sStride, kc, ref init, initRow); break;
            case 2: Tile<T, TS, TV, N2>(vecs, ref a, aRow, aStep, ref b, ref c, ldc, sStride, kc, ref init, initRow); break;
            default: Tile<T, TS, TV, N1>(vecs, ref a, aRow, aStep, ref b, ref c, ldc, sStride, kc, ref init, initRow); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<T, TS, TV, TR>(int vecs, ref T a, nuint aRow, nuint aStep, ref T b, ref T c, nuint ldc, nuint sStride, int kc,
        ref T init, nuint initRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct where TR : IConstant
    {
        nuint bStep = (nuint)(PanelVectors * TS.Count);
        switch (vecs)
        {
            case 4: GemmTiles.Tile<T, TS, TV, TR, N4>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc, ref init, initRow); break;
            case 3: GemmTiles.Tile<T, TS, TV, TR, N3>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc, ref init, initRow); break;
            case 2: GemmTiles.Tile<T, TS, TV, TR, N2>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc, ref init, initRow); break;
            default: GemmTiles.Tile<T, TS, TV, TR, N1>(ref a, aRow, aStep, ref b, bStep, ref c, ldc, sStride, kc, ref init, initRow); break;
        }
    }

    /// <summary>
    /// A tile whose C is not whole vectors in place (a last micro-panel with a partly valid vector): its valid
    /// elements are copied into a contiguous tile (the rest zero), the kernel runs on that, and the valid elements are
    /// copied back. Same operations on the same values, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EdgeTile<T, TS, TV>(ref T a, nuint aRow, nuint aStep, int row, int rows, ref T bq, Span<T> c, int ldc,
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
                int valid = ValidLanes(q, s, order, v, n), at = (row + r) * ldc + cp + s * cv;
                for (int l = 0; l < valid; l++) tile[r * nr + s * v + l] = c[at + l];
            }
        Tile<T, TS, TV>(rows, PanelVectors, ref a, aRow, aStep, ref bq, ref MemoryMarshal.GetReference(tile), (nuint)nr, (nuint)v, kcp);
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < PanelVectors; s++)
            {
                int valid = ValidLanes(q, s, order, v, n), at = (row + r) * ldc + cp + s * cv;
                for (int l = 0; l < valid; l++) c[at + l] = tile[r * nr + s * v + l];
            }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Small helpers.

    /// <summary>dst[N×M] = src[M×N]ᵀ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Transpose<T>(ReadOnlySpan<T> src, Span<T> dst, int m, int n)
    {
        if (src.Length < m * n || dst.Length < m * n) throw new ArgumentException("Transpose: spans shorter than m·n.");
        ref T s = ref MemoryMarshal.GetReference(src);
        ref T d = ref MemoryMarshal.GetReference(dst);
        int rows = 0, cols = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            // 8 × 8 blocks through registers, two blocks down at a time so each 64-byte line of dst is written whole.
            // The element loop below ran at 1.5 GB/s on the weight gradients' (4H × H) transposes (4.4 % of an S4
            // training step at 2 threads): its 16 column-order writes per row land 4 KB apart when M = 4H = 1024, all
            // in one set of the 8-way L1.
            rows = m & ~7; cols = n & ~7;
            ref float sf = ref Unsafe.As<T, float>(ref s);
            ref float df = ref Unsafe.As<T, float>(ref d);
            for (int r0 = 0; r0 < rows; r0 += 16)
                for (int c0 = 0; c0 < cols; c0 += 8)
                {
                    Transpose8x8(ref Unsafe.Add(ref sf, (nuint)(r0 * n + c0)), (nuint)n, ref Unsafe.Add(ref df, (nuint)(c0 * m + r0)), (nuint)m);
                    if (r0 + 8 < rows)
                        Transpose8x8(ref Unsafe.Add(ref sf, (nuint)((r0 + 8) * n + c0)), (nuint)n, ref Unsafe.Add(ref df, (nuint)(c0 * m + r0 + 8)), (nuint)m);
                }
        }
        // The rest (all of it without AVX): rows past the 8-row blocks, and the columns past the 8-column blocks.
        TransposeElements(ref s, ref d, m, n, rows, m, 0, n);
        TransposeElements(ref s, ref d, m, n, 0, rows, cols, n);
    }

    /// <summary>The specification: dst[c, r] = src[r, c] for rows [r0, r1) and columns [c0, c1), in 16 × 16 blocks so a
    /// block's column-order writes stay within 16 lines.</summary>
    private static void TransposeElements<T>(ref T s, ref T d, int m, int n, int r0, int r1, int c0, int c1)
    {
        const int Block = 16;
        for (int rb = r0; rb < r1; rb += Block)
        {
            int re = Math.Min(r1, rb + Block);
            for (int cb = c0; cb < c1; cb += Block)
            {
                int ce = Math.Min(c1, cb + Block);
                for (int r = rb; r < re; r++)
                    for (int col = cb; col < ce; col++)
                        Unsafe.Add(ref d, (nuint)(col * m + r)) = Unsafe.Add(ref s, (nuint)(r * n + col));
            }
        }
    }

    /// <summary>One 8 × 8 block: rows of s (stride ss) become rows of d (stride ds). Unpack pairs, shuffle quads, swap
    /// 128-bit halves (the usual AVX transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float s, nuint ss, ref float d, nuint ds)
    {
        var r0 = Vector256.LoadUnsafe(ref s); var r1 = Vector256.LoadUnsafe(ref s, ss);
        var r2 = Vector256.LoadUnsafe(ref s, 2 * ss); var r3 = Vector256.LoadUnsafe(ref s, 3 * ss);
        var r4 = Vector256.LoadUnsafe(ref s, 4 * ss); var r5 = Vector256.LoadUnsafe(ref s, 5 * ss);
        var r6 = Vector256.LoadUnsafe(ref s, 6 * ss); var r7 = Vector256.LoadUnsafe(ref s, 7 * ss);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var q0 = Avx.Shuffle(t0, t2, 0x44); var q1 = Avx.Shuffle(t0, t2, 0xEE);
        var q2 = Avx.Shuffle(t1, t3, 0x44); var q3 = Avx.Shuffle(t1, t3, 0xEE);
        var q4 = Avx.Shuffle(t4, t6, 0x44); var q5 = Avx.Shuffle(t4, t6, 0xEE);
        var q6 = Avx.Shuffle(t5, t7, 0x44); var q7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(q0, q4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(q1, q5, 0x20).StoreUnsafe(ref d, ds);
        Avx.Permute2x128(q2, q6, 0x20).StoreUnsafe(ref d, 2 * ds);
        Avx.Permute2x128(q3, q7, 0x20).StoreUnsafe(ref d, 3 * ds);
        Avx.Permute2x128(q0, q4, 0x31).StoreUnsafe(ref d, 4 * ds);
        Avx.Permute2x128(q1, q5, 0x31).StoreUnsafe(ref d, 5 * ds);
        Avx.Permute2x128(q2, q6, 0x31).StoreUnsafe(ref d, 6 * ds);
        Avx.Permute2x128(q3, q7, 0x31).StoreUnsafe(ref d, 7 * ds);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckShapes(int aLen, int bLen, int cLen, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0 || aLen < (long)m * k || bLen < (long)k * n || cLen < (long)m * n) ShapesDoNotFit(aLen, bLen, cLen, m, k, n);
    }

    private static void ShapesDoNotFit(int aLen, int bLen, int cLen, int m, int k, int n)
        => throw new ArgumentException(
            $"Gemm shapes do not fit: A has {aLen} elements for {m}×{k}, B {bLen} for {k}×{n}, C {cLen} for {m}×{n}.");
}
