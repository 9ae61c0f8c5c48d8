using System.Numerics;
using System.Runtime.Intrinsics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Tests;

/// <summary>Every vector kernel against its scalar twin, bit for bit, at every vector width (Vector512 where the
/// hardware has it, and Vector&lt;T&gt;) for every length 0..4·Count+3 of the widest; and the scalar twins against the
/// runtime's math. (The GEMM paths are in <see cref="GemmTests"/>.)</summary>
public class KernelTests
{
    public static TheoryData<int> FloatLengths => Lengths<float>();
    public static TheoryData<int> DoubleLengths => Lengths<double>();

    private static TheoryData<int> Lengths<T>() where T : unmanaged
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 4 * Math.Max(Vector512<T>.Count, Vector<T>.Count) + 3; n++) data.Add(n);
        return data;
    }

    /// <summary>The vector widths this machine can run (Vector512 only where accelerated: elsewhere it is software).</summary>
    private static IEnumerable<VectorWidth> Widths()
        => Vector512.IsHardwareAccelerated ? [VectorWidth.Vector512, VectorWidth.Vector] : [VectorWidth.Vector];

    private static T[] Random<T>(int n, long seed, double lo = -6, double hi = 6) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.Uniform(lo, hi))).ToArray();
    }

    private static void BitEqual<T>(string what, ReadOnlySpan<T> expected, ReadOnlySpan<T> actual) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!expected[i].Equals(actual[i]))
                Assert.Fail($"{what}: element {i} of {expected.Length} differs: scalar {expected[i]}, vector {actual[i]}.");
    }

    [Theory, MemberData(nameof(FloatLengths))] public void UnaryFloat(int n) => Unary<float>(n);
    [Theory, MemberData(nameof(DoubleLengths))] public void UnaryDouble(int n) => Unary<double>(n);

    private static void Unary<T>(int n) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = Random<T>(n, 11 + n, -30, 30);
        var y = new T[n];
        foreach (var w in Widths())
        {
            Elementwise.Apply<T, SigmoidOperator<T>>(x, y, w);
            BitEqual($"sigmoid at {w}", x.Select(VectorMath.Sigmoid).ToArray(), y);
            Elementwise.Apply<T, TanhOperator<T>>(x, y, w);
            BitEqual($"tanh at {w}", x.Select(VectorMath.Tanh).ToArray(), y);
            Elementwise.Apply<T, ExpOperator<T>>(x, y, w);
            BitEqual($"exp at {w}", x.Select(VectorMath.Exp).ToArray(), y);
            var z = Random<T>(n, 12 + n, -3, 3);
            Elementwise.Apply<T, AddOperator<T>>(x, z, y, w);
            BitEqual($"add at {w}", x.Zip(z, (p, q) => p + q).ToArray(), y);
        }
    }

    [Fact]
    public void SpecialValuesAgreeAtEveryWidth()
    {
        Special<float>([float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, 0f, -0f, 88f, -88f, 87f, -87f,
            0.625f, -0.625f, 0.62499997f, 1.17549435E-38f, -1e-40f, 20f, -20f]);
        Special<double>([double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -1e300, 0.0, -0.0, 709.0, -709.0, 708.0,
            -708.0, 0.625, -0.625, 0.62499999999999989, 2.2250738585072014E-308, -1e-310, 40.0, -40.0]);
    }

    // Clamping (min/max), rounding and the exponent step at the edges: NaN stays NaN, infinities saturate alike.
    private static void Special<T>(T[] values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Repeat the values so every lane position of every width sees each of them.
        var x = Enumerable.Range(0, 4 * Vector512<T>.Count + 3).Select(i => values[i % values.Length]).ToArray();
        var y = new T[x.Length];
        foreach (var w in Widths())
        {
            Elementwise.Apply<T, ExpOperator<T>>(x, y, w);
            BitEqual($"exp at {w}", x.Select(VectorMath.Exp).ToArray(), y);
            Elementwise.Apply<T, SigmoidOperator<T>>(x, y, w);
            BitEqual($"sigmoid at {w}", x.Select(VectorMath.Sigmoid).ToArray(), y);
            Elementwise.Apply<T, TanhOperator<T>>(x, y, w);
            BitEqual($"tanh at {w}", x.Select(VectorMath.Tanh).ToArray(), y);
        }
        Assert.True(T.IsNaN(VectorMath.Exp(T.NaN)) && T.IsNaN(VectorMath.Sigmoid(T.NaN)) && T.IsNaN(VectorMath.Tanh(T.NaN)));
    }

    [Theory, MemberData(nameof(FloatLengths))] public void LstmCellFloat(int n) { LstmCell<float>(n, new(false, true)); LstmCell<float>(n, new(true, true)); LstmCell<float>(n, new(true, false)); }
    [Theory, MemberData(nameof(DoubleLengths))] public void LstmCellDouble(int n) { LstmCell<double>(n, new(false, true)); LstmCell<double>(n, new(true, true)); LstmCell<double>(n, new(false, false)); }

    private static void LstmCell<T>(int h, LstmCellFlags flags) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var pre = Random<T>(4 * h, 1, -3, 3);
        var cPrev = Random<T>(h, 2, -2, 2);
        var peep = flags.Peepholes ? Random<T>(3 * h, 3, -1, 1) : [];
        T[] preS = (T[])pre.Clone(), gS = new T[4 * h], cS = new T[h], hS = new T[h];
        for (int j = 0; j < h; j++) LstmKernels.ForwardScalar<T>(preS, cPrev, peep, flags, gS, cS, hS, j, h);
        var dh = Random<T>(h, 4, -1, 1);
        var dcIn = Random<T>(h, 5, -1, 1);
        T[] dcS = (T[])dcIn.Clone(), daS = new T[4 * h], dpS = new T[peep.Length], totS = new T[h];
        for (int j = 0; j < h; j++) LstmKernels.BackwardScalar<T>(gS, cPrev, cS, peep, flags, dh, dcS, daS, dpS, totS, j, h);
        foreach (var w in Widths())
        {
            T[] preV = (T[])pre.Clone(), gV = new T[4 * h], cV = new T[h], hV = new T[h];
            LstmKernels.Forward<T>(preV, cPrev, peep, flags, gV, cV, hV, 0, h, w);
            BitEqual($"lstm pre at {w}", preS, preV); BitEqual($"lstm gates at {w}", gS, gV);
            BitEqual($"lstm c at {w}", cS, cV); BitEqual($"lstm h at {w}", hS, hV);

            // A unit range (as the fused GEMM epilogue calls it) touches only its units.
            if (h >= 3)
            {
                T[] preR = (T[])pre.Clone(), gR = new T[4 * h], cR = new T[h], hR = new T[h];
                LstmKernels.Forward<T>(preR, cPrev, peep, flags, gR, cR, hR, 1, h - 1, w);
                LstmKernels.Forward<T>(preR, cPrev, peep, flags, gR, cR, hR, 0, 1, w);
                LstmKernels.Forward<T>(preR, cPrev, peep, flags, gR, cR, hR, h - 1, h, w);
                BitEqual($"lstm gates by ranges at {w}", gS, gR); BitEqual($"lstm h by ranges at {w}", hS, hR);
            }

            T[] dcV = (T[])dcIn.Clone(), daV = new T[4 * h], dpV = new T[peep.Length], totV = new T[h];
            LstmKernels.Backward<T>(gV, cPrev, cV, peep, flags, dh, dcV, daV, dpV, totV, w);
            BitEqual($"lstm da at {w}", daS, daV); BitEqual($"lstm dc at {w}", dcS, dcV);
            BitEqual($"lstm dpeep at {w}", dpS, dpV); BitEqual($"lstm dc total at {w}", totS, totV);
        }
    }

    [Theory, MemberData(nameof(FloatLengths))] public void GruAndRnnFloat(int n) => GruAndRnn<float>(n);
    [Theory, MemberData(nameof(DoubleLengths))] public void GruAndRnnDouble(int n) => GruAndRnn<double>(n);

    private static void GruAndRnn<T>(int h) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var pre = Random<T>(3 * h, 6, -3, 3);
        var hPre = Random<T>(3 * h, 7, -3, 3);
        var hPrev = Random<T>(h, 8, -1, 1);
        T[] preS = (T[])pre.Clone(), gS = new T[3 * h], hS = new T[h];
        for (int j = 0; j < h; j++) GruKernels.ForwardScalar<T>(preS, hPre, hPrev, gS, hS, j, h);
        var dh = Random<T>(h, 9, -1, 1);
        T[] dxS = new T[3 * h], dhhS = new T[3 * h], dpS = new T[h];
        for (int j = 0; j < h; j++) GruKernels.BackwardScalar<T>(gS, hPre, hPrev, dh, dxS, dhhS, dpS, j, h);
        foreach (var w in Widths())
        {
            T[] preV = (T[])pre.Clone(), gV = new T[3 * h], hV = new T[h];
            GruKernels.Forward<T>(preV, hPre, hPrev, gV, hV, w);
            BitEqual($"gru pre at {w}", preS, preV); BitEqual($"gru gates at {w}", gS, gV); BitEqual($"gru h at {w}", hS, hV);
            T[] dxV = new T[3 * h], dhhV = new T[3 * h], dpV = new T[h];
            GruKernels.Backward<T>(gV, hPre, hPrev, dh, dxV, dhhV, dpV, w);
            BitEqual($"gru daX at {w}", dxS, dxV); BitEqual($"gru daH at {w}", dhhS, dhhV); BitEqual($"gru dhPrev at {w}", dpS, dpV);

            var da = new T[h];
            Elementwise.Apply<T, TanhDerivativeOperator<T>>(hV, dh, da, w);
            BitEqual($"rnn da at {w}", hV.Zip(dh, TanhDerivativeOperator<T>.Invoke).ToArray(), da);
        }
    }

    [Theory, MemberData(nameof(FloatLengths))] public void GemmFloat(int n) => GemmMatchesScalar<float>(n);
    [Theory, MemberData(nameof(DoubleLengths))] public void GemmDouble(int n) => GemmMatchesScalar<double>(n);

    private static void GemmMatchesScalar<T>(int n) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Shapes around the 4-row × 2-vector tile and its edges, with n as the vectorized dimension.
        // K = 600 spans several K panels.
        foreach (var (m, k) in new[] { (1, 1), (3, 5), (4, 7), (9, 3), (13, 17), (5, 600) })
        {
            var a = Random<T>(m * k, m, -1, 1);
            var b = Random<T>(k * n, k, -1, 1);
            var c0 = Random<T>(m * n, 99, -1, 1);
            T[] cv = (T[])c0.Clone(), cs = (T[])c0.Clone();
            Gemm.MultiplyAdd<T>(a, b, cv, m, k, n);
            Gemm.MultiplyAddScalar<T>(a, b, cs, m, k, n);
            BitEqual($"gemm {m}×{k}·{k}×{n}", cs, cv);

            // The same product from a stored Aᵀ (K×M) must give the same bits.
            var aT = new T[k * m];
            Gemm.Transpose<T>(a, aT, m, k);
            T[] ct = (T[])c0.Clone(), cts = (T[])c0.Clone();
            Gemm.MultiplyAddTransposedA<T>(aT, b, ct, m, k, n);
            Gemm.MultiplyAddTransposedAScalar<T>(aT, b, cts, m, k, n);
            BitEqual($"gemm Aᵀ {m}×{k}·{k}×{n} (scalar)", cs, cts);
            BitEqual($"gemm Aᵀ {m}×{k}·{k}×{n}", cs, ct);
        }
    }

    [Fact]
    public void ScalarTwinsMatchTheRuntimeMath()
    {
        double worstExp = 0, worstTanh = 0, worstSig = 0;
        for (double x = -40; x <= 40; x += 0.0137)
        {
            worstExp = Math.Max(worstExp, Math.Abs(VectorMath.Exp(x) / Math.Exp(x) - 1));
            worstTanh = Math.Max(worstTanh, Math.Abs(VectorMath.Tanh(x) - Math.Tanh(x)) / Math.Max(Math.Abs(Math.Tanh(x)), 1e-300));
            worstSig = Math.Max(worstSig, Math.Abs(VectorMath.Sigmoid(x) - 1 / (1 + Math.Exp(-x))) / (1 / (1 + Math.Exp(-x))));
        }
        Assert.True(worstExp < 4e-16, $"exp(double) relative error {worstExp:E2}");
        Assert.True(worstTanh < 1e-15, $"tanh(double) relative error {worstTanh:E2}");
        Assert.True(worstSig < 1e-15, $"sigmoid(double) relative error {worstSig:E2}");
        float worstExpF = 0, worstTanhF = 0, worstSigF = 0;
        for (float x = -20; x <= 20; x += 0.0071f)
        {
            worstExpF = Math.Max(worstExpF, (float)Math.Abs(VectorMath.Exp(x) / Math.Exp(x) - 1));
            worstTanhF = Math.Max(worstTanhF, (float)(Math.Abs(VectorMath.Tanh(x) - Math.Tanh(x)) / Math.Max(Math.Abs(Math.Tanh(x)), 1e-30)));
            double sig = 1 / (1 + Math.Exp(-x));
            worstSigF = Math.Max(worstSigF, (float)(Math.Abs(VectorMath.Sigmoid(x) - sig) / sig));
        }
        Assert.True(worstExpF < 4e-7f, $"exp(float) relative error {worstExpF:E2}");
        Assert.True(worstTanhF < 4e-7f, $"tanh(float) relative error {worstTanhF:E2}");
        Assert.True(worstSigF < 4e-7f, $"sigmoid(float) relative error {worstSigF:E2}");
        Assert.Equal(0.0, VectorMath.Tanh(0.0));
        Assert.Equal(1.0, VectorMath.Tanh(400.0));
        Assert.Equal(-1.0, VectorMath.Tanh(-400.0));
        Assert.Equal(1e-9, VectorMath.Tanh(1e-9), 1e-24);
        Assert.True(VectorMath.Sigmoid(-1000.0) >= 0 && VectorMath.Sigmoid(1000.0) == 1.0);
    }
}
