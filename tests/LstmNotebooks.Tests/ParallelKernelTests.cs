using System.Numerics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Tests;

/// <summary>The parallel products and the parallel LSTM step give the bits of one thread at 2 and 3 parts (through
/// the model's one fork-join, with dedicated helper threads).</summary>
public class ParallelKernelTests
{
    private static T[] Random<T>(int n, long seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.Uniform(-1, 1))).ToArray();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ProductsSharedOutGiveTheSameBits(int threads)
    {
        using var team = new ForkJoin(dedicated: true);
        var job = new ProductJob<float>();
        // Tall (split by rows), wide (split by columns), and narrow shapes; each form of operands.
        foreach (var (m, k, n) in new[] { (700, 50, 96), (40, 300, 200), (8, 1000, 512), (1000, 64, 1), (5, 7, 3) })
            foreach (var form in Enum.GetValues<GemmOperands>())
            {
                var a = Random<float>(m * k, m + k);
                var b = Random<float>(k * n, k + n);
                var c0 = Random<float>(m * n, 3);
                float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                switch (form)
                {
                    case GemmOperands.AB: Gemm.MultiplyAdd<float>(a, b, expected, m, k, n); break;
                    case GemmOperands.ATransposedB: Gemm.MultiplyAddTransposedA<float>(a, b, expected, m, k, n); break;
                    default: Gemm.MultiplyAddTransposedB<float>(a, b, expected, m, k, n); break;
                }
                team.Run(job.Set(form, a, b, actual, m, k, n, threads), threads);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{form} {m}×{k}·{k}×{n} on {threads} threads differs from one thread");
            }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void PackedProductAndLstmStepSharedOutGiveTheSameBits(int threads)
    {
        using var team = new ForkJoin(dedicated: true);
        foreach (var (b, h) in new[] { (1, 64), (1, 80), (7, 37), (32, 128) })
        foreach (int t in new[] { 2, 3 }) // even and odd steps walk the micro-panels in opposite orders
        {
            int gh = 4 * h;
            var whhRaw = Random<float>(gh * h, h);
            using var whh = Gemm.PackPooled<float>(whhRaw, transposed: true, h, gh, PackOrder.LstmGates);
            var hPrev = Random<float>(b * h, 1);
            var pre0 = Random<float>(b * gh, 2);
            var cPrev = Random<float>(b * h, 3);
            var peep = Random<float>(3 * h, 4);
            var lengths = Enumerable.Range(0, b).Select(i => i % 3 == 1 ? 0 : 5).ToArray(); // some rows already ended (or b = 1: none)
            var flags = new LstmCellFlags(true, true);

            float[] pre1 = (float[])pre0.Clone(), g1 = new float[b * gh], c1 = new float[b * h], h1 = new float[b * h];
            var cell = new LstmStepEpilogue<float>(pre1, cPrev, peep, flags, g1, c1, h1, lengths, t);
            Gemm.MultiplyAdd<float, LstmStepEpilogue<float>>(hPrev, whh.Span, whh.Layout, pre1, b, ref cell);

            float[] pre2 = (float[])pre0.Clone(), g2 = new float[b * gh], c2 = new float[b * h], h2 = new float[b * h];
            team.Run(new LstmStepJob<float>().Set(hPrev, whh.Memory, whh.Layout, pre2, cPrev, peep, flags, g2, c2, h2, lengths, t, threads), threads);
            Assert.Equal(pre1, pre2); Assert.Equal(g1, g2); Assert.Equal(c1, c2); Assert.Equal(h1, h2);

            // And the unfused reference: the plain product, then the cell row by row.
            float[] pre3 = (float[])pre0.Clone(), g3 = new float[b * gh], c3 = new float[b * h], h3 = new float[b * h];
            Gemm.MultiplyAddTransposedBScalar<float>(hPrev, whhRaw, pre3, b, h, gh);
            for (int r = 0; r < b; r++)
                if (t < lengths[r])
                    LstmKernels.Forward<float>(pre3.AsSpan(r * gh, gh), cPrev.AsSpan(r * h, h), peep, flags, g3.AsSpan(r * gh, gh),
                        c3.AsSpan(r * h, h), h3.AsSpan(r * h, h));
            Assert.Equal(pre3, pre1); Assert.Equal(g3, g1); Assert.Equal(c3, c1); Assert.Equal(h3, h1);

            // The same step with its pre-activations interleaved: every value the same, pre's where GateRow puts it.
            if (Gemm.CanInterleave(whh.Layout))
            {
                var rows = new GateRow(GateLayout.Interleaved, whh.Layout.Lanes, h);
                float[] pre4 = GemmTests.Interleave<float>(pre0, b, h, rows), g4 = new float[b * gh], c4 = new float[b * h], h4 = new float[b * h];
                var fused = new LstmStepEpilogue<float>(pre4, cPrev, peep, flags, g4, c4, h4, lengths, t, preRow: rows);
                Gemm.MultiplyAdd(hPrev, whh.Span, whh.Layout, pre4, b, ref fused, reverse: (t & 1) == 1, GateLayout.Interleaved);
                Assert.Equal(GemmTests.Interleave<float>(pre1, b, h, rows), pre4);
                Assert.Equal(g1, g4); Assert.Equal(c1, c4); Assert.Equal(h1, h4);
            }
            else Assert.Equal(37, h);

            using var plain = Gemm.PackPooled<float>(whhRaw, transposed: true, h, gh, PackOrder.Columns);
            float[] p1 = (float[])pre0.Clone(), p2 = (float[])pre0.Clone();
            Gemm.MultiplyAdd<float>(hPrev, plain.Span, plain.Layout, p1, b);
            team.Run(new PackedProductJob<float>().Set(hPrev, plain.Memory, plain.Layout, p2, b, threads), threads);
            Assert.Equal(p1, p2);
        }
    }

    [Fact]
    public void SharesCoverEverythingOnceInGrains()
    {
        foreach (var (count, parts, grain) in new[] { (10, 3, 1), (100, 2, 64), (5, 4, 6), (0, 2, 1), (129, 2, 64) })
        {
            int next = 0;
            for (int p = 0; p < parts; p++)
            {
                var (from, to) = ThreadPolicy.Share(count, p, parts, grain);
                Assert.Equal(next, from);
                Assert.True(to >= from && (to == count || to % grain == 0), $"share {p} of {parts}: [{from}, {to}) of {count} in grains of {grain}");
                next = to;
            }
            Assert.Equal(count, next);
        }
    }
}
