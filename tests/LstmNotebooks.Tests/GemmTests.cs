using System.Numerics;
using System.Runtime.Intrinsics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Tests;

/// <summary>
/// Every GEMM path (512-bit and Vector&lt;T&gt; tiles, batch-1 rows, edge tiles, swapped narrow outputs, packed weights
/// in both orders, K panels, row blocks, the panel split of the parallel products) against the scalar specification,
/// bit for bit, in float and double.
/// </summary>
public class GemmTests
{
    // The widths by name: VectorWidth is internal, and theory parameters of public tests must be public.
    public static TheoryData<string> Widths => new(nameof(VectorWidth.Vector512), nameof(VectorWidth.Vector));

    private static T[] Random<T>(int n, long seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.Uniform(-1, 1))).ToArray();
    }

    private static void BitEqual<T>(string what, ReadOnlySpan<T> expected, ReadOnlySpan<T> actual) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!expected[i].Equals(actual[i]))
                Assert.Fail($"{what}: element {i} of {expected.Length} differs: scalar {expected[i]}, vector {actual[i]}.");
    }

    private static bool Skip(VectorWidth width) => width == VectorWidth.Vector512 && !Vector512.IsHardwareAccelerated;

    // N over every length 0..4·Count+3 of the widest vector (a micro-panel is 4 vectors), M around the 6-row tile,
    // K around the 128-step panel.
    private static IEnumerable<int> Ns<T>() where T : unmanaged => Enumerable.Range(0, 4 * Vector512<T>.Count + 4);
    private static readonly int[] Ms = [1, 2, 5, 6, 7, 13];
    private static readonly int[] Ks = [1, 3, 128, 129, 260];

    [Theory, MemberData(nameof(Widths))] public void ProductsFloat(string width) => Products<float>(Enum.Parse<VectorWidth>(width));
    [Theory, MemberData(nameof(Widths))] public void ProductsDouble(string width) => Products<double>(Enum.Parse<VectorWidth>(width));

    private static void Products<T>(VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Skip(width)) return;
        foreach (int n in Ns<T>())
            foreach (int m in Ms)
                foreach (int k in Ks)
                {
                    var a = Random<T>(m * k, m * 31 + k);
                    var b = Random<T>(k * n, k * 17 + n);
                    var c0 = Random<T>(m * n, 99 + n);
                    string shape = $"{m}×{k}·{k}×{n} at {width}";
                    T[] cs = (T[])c0.Clone(), cv = (T[])c0.Clone();
                    Gemm.MultiplyAddScalar<T>(a, b, cs, m, k, n);
                    Gemm.MultiplyAdd<T>(a, b, cv, m, k, n, width);
                    BitEqual($"A·B {shape}", cs, cv);

                    // A stored transposed (K×M), and B given as a weight W (N×K): same products, same bits.
                    var aT = new T[k * m];
                    Gemm.Transpose<T>(a, aT, m, k);
                    T[] ct = (T[])c0.Clone(), cts = (T[])c0.Clone();
                    Gemm.MultiplyAddTransposedAScalar<T>(aT, b, cts, m, k, n);
                    BitEqual($"Aᵀ·B scalar {shape}", cs, cts);
                    Gemm.MultiplyAddTransposedA<T>(aT, b, ct, m, k, n, width);
                    BitEqual($"Aᵀ·B {shape}", cs, ct);
                    var w = new T[n * k];
                    Gemm.Transpose<T>(b, w, k, n);
                    T[] cw = (T[])c0.Clone(), cws = (T[])c0.Clone();
                    Gemm.MultiplyAddTransposedBScalar<T>(a, w, cws, m, k, n);
                    BitEqual($"A·Wᵀ scalar {shape}", cs, cws);
                    Gemm.MultiplyAddTransposedB<T>(a, w, cw, m, k, n, width);
                    BitEqual($"A·Wᵀ {shape}", cs, cw);
                }
    }

    [Theory, MemberData(nameof(Widths))] public void TallProductsCrossRowBlocksFloat(string width) => TallProducts<float>(Enum.Parse<VectorWidth>(width));
    [Theory, MemberData(nameof(Widths))] public void TallProductsCrossRowBlocksDouble(string width) => TallProducts<double>(Enum.Parse<VectorWidth>(width));

    private static void TallProducts<T>(VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Skip(width)) return;
        // M past the 384-row A block; N = 1 and 3 (narrower than a vector: the operands swap, lanes along M).
        foreach (var (m, k, n) in new[] { (800, 20, 70), (801, 140, 1), (390, 9, 3), (70, 300, 5) })
        {
            var a = Random<T>(m * k, m + k);
            var b = Random<T>(k * n, k + n);
            var c0 = Random<T>(m * n, 7);
            T[] cs = (T[])c0.Clone(), cv = (T[])c0.Clone();
            Gemm.MultiplyAddScalar<T>(a, b, cs, m, k, n);
            Gemm.MultiplyAdd<T>(a, b, cv, m, k, n, width);
            BitEqual($"A·B {m}×{k}·{k}×{n} at {width}", cs, cv);
            var aT = new T[k * m];
            Gemm.Transpose<T>(a, aT, m, k);
            T[] ct = (T[])c0.Clone();
            Gemm.MultiplyAddTransposedA<T>(aT, b, ct, m, k, n, width);
            BitEqual($"Aᵀ·B {m}×{k}·{k}×{n} at {width}", cs, ct);
        }
    }

    [Theory, MemberData(nameof(Widths))] public void PackedWeightsFloat(string width) => PackedWeights<float>(Enum.Parse<VectorWidth>(width));
    [Theory, MemberData(nameof(Widths))] public void PackedWeightsDouble(string width) => PackedWeights<double>(Enum.Parse<VectorWidth>(width));

    private static void PackedWeights<T>(VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Skip(width)) return;
        // Recurrent-style products h·W_hhᵀ (W stored 4H×K) with the packed weight, in column and gate order, every H
        // through 4·Count+3 (so N = 4H covers full and short micro-panels), batch 1 and more.
        foreach (int h in Enumerable.Range(1, 4 * Vector512<T>.Count + 3))
            foreach (int m in new[] { 1, 3, 7 })
                foreach (int k in new[] { 1, 5, 129, 300 })   // 129: two K panels; 300: all of K in one (PackedKPanel)
                {
                    int n = 4 * h;
                    var a = Random<T>(m * k, h * 13 + m);
                    var w = Random<T>(n * k, h + k);
                    var c0 = Random<T>(m * n, 5 + h);
                    T[] cs = (T[])c0.Clone();
                    Gemm.MultiplyAddTransposedBScalar<T>(a, w, cs, m, k, n);
                    foreach (var order in new[] { PackOrder.Columns, PackOrder.LstmGates })
                    {
                        var layout = new PackedLayout<T>(k, n, order, width);
                        var packed = new T[layout.Length + 3]; // a slice of a longer buffer is fine
                        Gemm.Pack<T>(w, transposed: true, layout, packed);
                        T[] cv = (T[])c0.Clone();
                        Gemm.MultiplyAdd<T>(a, packed, layout, cv, m);
                        BitEqual($"packed {order} {m}×{k}·{k}×{n} at {width}", cs, cv);

                        // Split over micro-panels as two threads would: same bits.
                        int panels = layout.MicroPanels, half = panels / 2;
                        T[] cp = (T[])c0.Clone();
                        var none = new NoEpilogue();
                        Gemm.MultiplyAddPanels<T, NoEpilogue>(a, packed, layout, cp, m, half, panels, ref none);
                        Gemm.MultiplyAddPanels<T, NoEpilogue>(a, packed, layout, cp, m, 0, half, ref none);
                        BitEqual($"packed {order} split {m}×{k}·{k}×{n} at {width}", cs, cp);

                        // Micro-panels last to first (what alternating steps do): same bits.
                        T[] cr = (T[])c0.Clone();
                        Gemm.MultiplyAdd<T, NoEpilogue>(a, packed, layout, cr, m, ref none, reverse: true);
                        BitEqual($"packed {order} reversed {m}×{k}·{k}×{n} at {width}", cs, cr);

                        // Starting every row from one row (the bias) instead of C: the bits of SetRows, then the product.
                        var init = Random<T>(n, 9 + h);
                        T[] expectedInit = new T[m * n];
                        Gemm.SetRows<T>(init, expectedInit, m, n);
                        Gemm.MultiplyAddTransposedBScalar<T>(a, w, expectedInit, m, k, n);
                        T[] cInit = (T[])c0.Clone();   // whatever C held is overwritten
                        Gemm.SetAndMultiplyAdd<T>(init, a, packed, layout, cInit, m);
                        BitEqual($"packed {order} from a row {m}×{k}·{k}×{n} at {width}", expectedInit, cInit);

                        // Gate rows interleaved (H a multiple of the lanes): the same elements, each where GateRow puts it.
                        if (!Gemm.CanInterleave(layout)) continue;
                        var rows = new GateRow(GateLayout.Interleaved, layout.Lanes, h);
                        var ci0 = Interleave(c0, m, h, rows);
                        var expected = Interleave(cs, m, h, rows);
                        T[] ci = (T[])ci0.Clone();
                        Gemm.MultiplyAdd<T>(a, packed, layout, ci, m, GateLayout.Interleaved);
                        BitEqual($"packed interleaved {m}×{k}·{k}×{n} at {width}", expected, ci);
                        T[] cis = (T[])ci0.Clone();
                        Gemm.MultiplyAddPanels<T, NoEpilogue>(a, packed, layout, cis, m, half, panels, ref none, gates: GateLayout.Interleaved);
                        Gemm.MultiplyAddPanels<T, NoEpilogue>(a, packed, layout, cis, m, 0, half, ref none, gates: GateLayout.Interleaved);
                        BitEqual($"packed interleaved split {m}×{k}·{k}×{n} at {width}", expected, cis);
                        T[] cir = (T[])ci0.Clone();
                        Gemm.MultiplyAdd<T, NoEpilogue>(a, packed, layout, cir, m, ref none, reverse: true, GateLayout.Interleaved);
                        BitEqual($"packed interleaved reversed {m}×{k}·{k}×{n} at {width}", expected, cir);
                        T[] ciInit = (T[])ci0.Clone();
                        Gemm.SetAndMultiplyAdd<T>(Interleave<T>(init, 1, h, rows), a, packed, layout, ciInit, m, GateLayout.Interleaved);
                        BitEqual($"packed interleaved from a row {m}×{k}·{k}×{n} at {width}", Interleave<T>(expectedInit, m, h, rows), ciInit);
                    }
                    // B stored K×N (the backward's W_hh as is), packed.
                    var b = new T[k * n];
                    Gemm.Transpose<T>(w, b, n, k);
                    var lb = new PackedLayout<T>(k, n, PackOrder.Columns, width);
                    var pb = new T[lb.Length];
                    Gemm.Pack<T>(b, transposed: false, lb, pb);
                    T[] cb = (T[])c0.Clone();
                    Gemm.MultiplyAdd<T>(a, pb, lb, cb, m);
                    BitEqual($"packed K×N {m}×{k}·{k}×{n} at {width}", cs, cb);
                }
    }

    /// <summary>Rows of gate blocks [i|f|g|o] (m × 4H) laid out as <paramref name="rows"/> says.</summary>
    internal static T[] Interleave<T>(ReadOnlySpan<T> blocks, int m, int h, GateRow rows)
    {
        var result = new T[blocks.Length];
        for (int r = 0; r < m; r++)
            for (int g = 0; g < 4; g++)
                for (int j = 0; j < h; j++) result[r * 4 * h + rows.At(j) + g * rows.Step] = blocks[r * 4 * h + g * h + j];
        return result;
    }

    [Fact]
    public void GateRowPlacesEachGateRunAsTheLayoutSays()
    {
        foreach (int lanes in new[] { 8, 16 })
        {
            int h = 3 * lanes;
            var rows = new GateRow(GateLayout.Interleaved, lanes, h);
            Assert.Equal(lanes, rows.Step);
            for (int j = 0; j < h; j++) Assert.Equal(j / lanes * 4 * lanes + j % lanes, rows.At(j));
            Assert.True(rows.InRuns(h));
            Assert.False(new GateRow(GateLayout.Interleaved, lanes, lanes).InRuns(lanes));   // one run per gate: blocks
        }
        var blocks = new GateRow(GateLayout.Blocks, 16, 37);
        Assert.Equal(37, blocks.Step);
        Assert.Equal(21, blocks.At(21));
        Assert.False(blocks.InRuns(37));
        var odd = Assert.Throws<ArgumentException>(() => new GateRow(GateLayout.Interleaved, 16, 40));
        Assert.Contains("16 lanes, H = 40", odd.Message);
    }

    [Fact]
    public void PackedWeightsKeepAllOfKInOnePanelWhereThatSavesReloadsAndFits()
    {
        foreach (var (k, panel) in new[] { (1, 128), (256, 128), (257, 257), (512, 512), (513, 128), (2048, 128) })
        {
            Assert.Equal(panel, new PackedLayout<float>(k, 64, PackOrder.LstmGates, VectorWidth.Vector512).KPanel);
            Assert.Equal(panel, new PackedLayout<double>(k, 64, PackOrder.Columns, VectorWidth.Vector512).KPanel);
        }
        Assert.Equal(1024, new PackedLayout<float>(1024, 64, PackOrder.Columns, VectorWidth.Vector).KPanel);   // 8 lanes: 128 KB at K = 1024
    }

    [Fact]
    public void AProductFromAnInitialRowComputesEveryMicroPanel()
    {
        var layout = new PackedLayout<float>(4, 128, PackOrder.Columns, VectorWidth.Vector);
        var none = new NoEpilogue();
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyAddPanels<float, NoEpilogue>(new float[8], new float[layout.Length], layout, new float[256], 2, 1, layout.MicroPanels, ref none, init: new float[128]));
        Assert.Contains("every micro-panel", e.Message);
        Assert.Throws<ArgumentException>(() => Gemm.SetAndMultiplyAdd<float>(new float[127], new float[8], new float[layout.Length], layout, new float[256], 2));
    }

    [Fact]
    public void InterleavedGateRowsNeedGateOrderWithWholeMicroPanels()
    {
        var columns = new PackedLayout<float>(4, 64, PackOrder.Columns, VectorWidth.Vector);
        var ragged = new PackedLayout<float>(4, 4 * 12, PackOrder.LstmGates, VectorWidth.Vector);   // H = 12, 8 lanes
        Assert.False(Gemm.CanInterleave(columns));
        Assert.False(Gemm.CanInterleave(ragged));
        Assert.True(Gemm.CanInterleave(new PackedLayout<float>(4, 4 * 16, PackOrder.LstmGates, VectorWidth.Vector)));
        foreach (var layout in new[] { columns, ragged })
        {
            var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd<float>(new float[4], new float[layout.Length], layout, new float[layout.N], 1, GateLayout.Interleaved));
            Assert.Contains("Interleaved gate rows need LSTM gate order", e.Message);
        }
    }

    /// <summary>The epilogue sees every (row, unit) exactly once, after its value is final.</summary>
    [Fact]
    public void EpilogueCoversEveryUnitOnceWithFinalValues()
    {
        foreach (var width in new[] { VectorWidth.Vector512, VectorWidth.Vector })
        {
            if (Skip(width)) continue;
            foreach (var (m, k, h) in new[] { (1, 300, 37), (1, 64, 64), (1, 64, 80), (9, 130, 21), (128, 20, 48), (200, 300, 256) }) // the last in two L2 blocks
            foreach (bool reverse in new[] { false, true })
            foreach (var gl in new[] { GateLayout.Blocks, GateLayout.Interleaved })
            {
                int n = 4 * h;
                var a = Random<float>(m * k, 1);
                var w = Random<float>(n * k, 2);
                var expected = new float[m * n];
                Gemm.MultiplyAddTransposedBScalar<float>(a, w, expected, m, k, n);
                var layout = new PackedLayout<float>(k, n, PackOrder.LstmGates, width);
                if (gl == GateLayout.Interleaved && !Gemm.CanInterleave(layout)) continue;
                var rows = new GateRow(gl, layout.Lanes, h);
                expected = Interleave<float>(expected, m, h, rows);
                var packed = new float[layout.Length];
                Gemm.Pack<float>(w, transposed: true, layout, packed);
                var c = new float[m * n];
                var seen = new int[m * h];
                var epilogue = new RecordingEpilogue(c, expected, seen, h, rows);
                Gemm.MultiplyAdd(a, packed, layout, c, m, ref epilogue, reverse, gl);
                Assert.True(seen.All(s => s == 1), $"{m}×{k}, H {h} at {width}, reverse {reverse}, {gl}: units seen {string.Join(",", seen.Distinct())} times");
                Assert.Equal(0, epilogue.Early);
                Assert.Equal(expected, c);
            }
        }
    }

    private ref struct RecordingEpilogue(Span<float> c, ReadOnlySpan<float> expected, Span<int> seen, int h, GateRow preRow) : ITileEpilogue
    {
        private readonly Span<float> _c = c;
        private readonly ReadOnlySpan<float> _expected = expected;
        private readonly Span<int> _seen = seen;
        public int Early;

        public void Apply(int row, int rows, int unit, int units)
        {
            for (int r = row; r < row + rows; r++)
                for (int u = unit; u < unit + units; u++)
                {
                    _seen[r * h + u]++;
                    for (int g = 0; g < 4; g++)
                        if (_c[r * 4 * h + preRow.At(u) + g * preRow.Step] != _expected[r * 4 * h + preRow.At(u) + g * preRow.Step]) Early++;
                }
        }
    }

    [Theory, MemberData(nameof(Widths))] public void WideRowMajorBPacksRowByRowFloat(string width) => WideRowMajorB<float>(Enum.Parse<VectorWidth>(width));
    [Theory, MemberData(nameof(Widths))] public void WideRowMajorBPacksRowByRowDouble(string width) => WideRowMajorB<double>(Enum.Parse<VectorWidth>(width));

    // A row-major B is packed row by row across all its full micro-panels, then the partial last one: N over several
    // micro-panels with and without a remainder, K over several panels (the weight gradients' dA, 4H wide).
    private static void WideRowMajorB<T>(VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Skip(width)) return;
        int v = Simd.Lanes<T>(width);
        foreach (var (m, k, n) in new[] { (7, 130, 8 * v), (13, 260, 12 * v + 3), (6, 3, 20 * v), (1, 129, 4 * v + 1), (390, 200, 8 * v + v / 2) })
        {
            var a = Random<T>(m * k, m + 3 * k);
            var b = Random<T>(k * n, k + 5 * n);
            var c0 = Random<T>(m * n, 11);
            T[] cs = (T[])c0.Clone(), cv = (T[])c0.Clone(), ct = (T[])c0.Clone();
            Gemm.MultiplyAddScalar<T>(a, b, cs, m, k, n);
            Gemm.MultiplyAdd<T>(a, b, cv, m, k, n, width);
            BitEqual($"A·B {m}×{k}·{k}×{n} at {width}", cs, cv);
            var aT = new T[k * m];
            Gemm.Transpose<T>(a, aT, m, k);
            Gemm.MultiplyAddTransposedA<T>(aT, b, ct, m, k, n, width);
            BitEqual($"Aᵀ·B {m}×{k}·{k}×{n} at {width}", cs, ct);
        }
    }

    [Fact]
    public void TransposeMovesEveryElementAcrossBlocks()
    {
        // Shapes below, at and across the 8 × 8 register blocks (taken 16 rows at a time) and the 16 × 16 element
        // blocks, both ways round, and the weight gradients' 4H × H.
        foreach (var (m, n) in new[] { (0, 5), (5, 0), (1, 1), (1, 17), (17, 1), (7, 9), (8, 8), (8, 16), (16, 8), (9, 15), (16, 16), (23, 31),
            (24, 40), (17, 33), (33, 17), (512, 8), (8, 512), (40, 130), (64, 7), (1024, 256), (256, 1024) })
        {
            var src = Enumerable.Range(0, m * n).Select(i => (float)i).ToArray();
            var dst = new float[m * n + 1];
            dst[^1] = -1;
            Gemm.Transpose<float>(src, dst, m, n);
            for (int r = 0; r < m; r++)
                for (int c = 0; c < n; c++)
                    if (dst[c * m + r] != src[r * n + c])
                        Assert.Fail($"Transpose {m}×{n}: dst[{c}, {r}] = {dst[c * m + r]}, expected src[{r}, {c}] = {src[r * n + c]}.");
            Assert.Equal(-1, dst[^1]); // nothing written past m·n
        }
    }
}
