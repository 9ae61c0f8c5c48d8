using System.Numerics;
using System.Runtime.CompilerServices;


namespace LstmNotebooks.Kernels;

/// <summary>
/// Elementary functions with one algorithm written twice: a scalar form that is the specification and the tail loop,
/// and a vector form (any <see cref="ISimd{T, TV}"/> width) that performs the same operations in the same order, so
/// both give bit-identical results. The JIT folds the <c>typeof(T)</c> tests, so the generic entry points cost nothing.
/// </summary>
internal static class VectorMath
{
    // exp(x) = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2; e^r by a Taylor polynomial long enough to reach
    // the precision of the type (degree 13 for double: r^14/14! < 2^-57; degree 7 for float: r^8/8! < 2^-27).
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 0.693147180369123816490; // upper bits of ln 2, exact in 32 bits: n·Ln2Hi is exact
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const float Ln2HiF = 0.693145751953125f; // 11 significant bits: n·Ln2HiF is exact for |n| < 2^13
    private const float Ln2LoF = 1.428606765330187045e-06f;

    // Beyond these bounds exp over- or underflows; clamping keeps 2^n inside the normal range, and sigmoid/tanh
    // are already saturated there to the last bit.
    private const double MaxD = 708.0, MinD = -708.0;
    private const float MaxF = 87.0f, MinF = -87.0f;


    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Exp(double x)
    {
        x = Math.Min(Math.Max(x, MinD), MaxD);
        double n = Math.Round(x * Log2E);
        double r = double.FusedMultiplyAdd(-n, Ln2Hi, x);
        r = double.FusedMultiplyAdd(-n, Ln2Lo, r);
        double p = 1.0 / 6227020800.0;
        p = double.FusedMultiplyAdd(p, r, 1.0 / 479001600.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 39916800.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 3628800.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 362880.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 40320.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 5040.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 720.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 120.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 24.0);
        p = double.FusedMultiplyAdd(p, r, 1.0 / 6.0);
        p = double.FusedMultiplyAdd(p, r, 0.5);
        p = double.FusedMultiplyAdd(p, r, 1.0);
        p = double.FusedMultiplyAdd(p, r, 1.0);
        return p * BitConverter.Int64BitsToDouble(((long)n + 1023) << 52);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = MathF.Min(MathF.Max(x, MinF), MaxF);
        float n = MathF.Round(x * (float)Log2E);
        float r = float.FusedMultiplyAdd(-n, Ln2HiF, x);
        r = float.FusedMultiplyAdd(-n, Ln2LoF, r);
        float p = 1f / 5040f;
        p = float.FusedMultiplyAdd(p, r, 1f / 720f);
        p = float.FusedMultiplyAdd(p, r, 1f / 120f);
        p = float.FusedMultiplyAdd(p, r, 1f / 24f);
        p = float.FusedMultiplyAdd(p, r, 1f / 6f);
        p = float.FusedMultiplyAdd(p, r, 0.5f);
        p = float.FusedMultiplyAdd(p, r, 1f);
        p = float.FusedMultiplyAdd(p, r, 1f);
        return p * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Unsafe.BitCast<float, T>(Exp(Unsafe.BitCast<T, float>(x)));
        return Unsafe.BitCast<double, T>(Exp(Unsafe.BitCast<T, double>(x)));
    }

    // σ(x) = 1 / (1 + e^-x): for x ≪ 0, e^-x is large but finite after clamping, so the quotient is a tiny positive
    // number, never NaN. A correctly rounded division, in float as in double: it was a seed and three Newton steps in
    // FMAs, which the in-process cell benchmark measured 13–17 % slower than the division at B×H = 32×128 and 128×512
    // (the divider runs beside the FMA pipes; five quotients per vector of units do not saturate it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => T.One / (T.One + Exp(-x));

    // tanh: near zero, 1 - 2/(e^2x + 1) cancels catastrophically, so |x| < 0.625 uses the odd minimax polynomial from
    // Cephes (tanhf), evaluated in double for double, and the exp form elsewhere. Both branches are computed and
    // selected per lane so the vector and scalar paths agree bit for bit.
    // Cephes tanh.c (double): x + x·z·P(z)/Q(z), z = x²; Cephes tanhf.c (float): x + x·z·P(z).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Tanh(double x)
    {
        double z = x * x;
        double p = -9.64399179425052238628E-1;
        p = double.FusedMultiplyAdd(p, z, -9.92877231001918586564E1);
        p = double.FusedMultiplyAdd(p, z, -1.61468768441708447952E3);
        double q = z + 1.12811678491632931402E2;
        q = double.FusedMultiplyAdd(q, z, 2.23548839060100448583E3);
        q = double.FusedMultiplyAdd(q, z, 4.84406305325125486048E3);
        double small = double.FusedMultiplyAdd(x * z, p / q, x);
        double large = 1.0 - 2.0 / (Exp(2.0 * x) + 1.0);
        return Math.Abs(x) < 0.625 ? small : large;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float z = x * x;
        float p = -5.70498872745E-3f;
        p = float.FusedMultiplyAdd(p, z, 2.06390887954E-2f);
        p = float.FusedMultiplyAdd(p, z, -5.37397155531E-2f);
        p = float.FusedMultiplyAdd(p, z, 1.33314422036E-1f);
        p = float.FusedMultiplyAdd(p, z, -3.33332819422E-1f);
        float small = float.FusedMultiplyAdd(p * z, x, x);
        float large = 1f - 2f / (Exp(2f * x) + 1f);
        return MathF.Abs(x) < 0.625f ? small : large;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Unsafe.BitCast<float, T>(Tanh(Unsafe.BitCast<T, float>(x)));
        return Unsafe.BitCast<double, T>(Tanh(Unsafe.BitCast<T, double>(x)));
    }


    // Subnormal gradients. A gradient that decays over a long sequence ends in the subnormal range, where every
    // arithmetic instruction that reads or produces a subnormal takes a microcode assist: a T = 1000, H = 64 backward
    // pass whose loss sits on the last step ran 2.6× slower than with FTZ/DAZ set (README, Benchmarks).
    // .NET gives a library no FTZ/DAZ switch, so the backward kernels flush explicitly: a value below the smallest
    // normal number (2^-126 for float, 2^-1022 for double) becomes 0 where it enters or leaves a carry. Such a value
    // has fewer than 24 (53) significant bits anyway, and zeroing it moves any downstream sum by less than 2^-126,
    // i.e. by less than one rounding step of every sum larger than about 2^-103 (float) — it cannot change a result
    // beyond float rounding. NaN and ±∞ pass through unchanged, so divergence is still detected.

    /// <summary>x, or 0 when |x| is below the smallest normal number of T (subnormal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FlushSubnormal<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => T.Abs(x) < SmallestNormal<T>() ? T.Zero : x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T SmallestNormal<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? T.CreateTruncating(1.17549435E-38f) : T.CreateTruncating(2.2250738585072014E-308);

    // ---- Vector twins: the scalar code above, operation for operation, one lane per element. ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV FlushSubnormal<T, TS, TV>(TV x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
        => TS.Select(TS.LessThan(TS.Abs(x), TS.Splat(SmallestNormal<T>())), TS.Splat(T.Zero), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<T, TS, TV>(TV x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        // The constants are written exactly as in the scalar forms (float literals for float) so they round alike.
        [MethodImpl(MethodImplOptions.AggressiveInlining)] static TV F(float v) => TS.Splat(T.CreateTruncating(v));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] static TV D(double v) => TS.Splat(T.CreateTruncating(v));
        if (typeof(T) == typeof(float))
        {
            x = TS.Min(TS.Max(x, F(MinF)), F(MaxF));
            var n = TS.Round(TS.Multiply(x, F((float)Log2E)));
            var r = TS.NegatedFma(n, F(Ln2HiF), x);
            r = TS.NegatedFma(n, F(Ln2LoF), r);
            var p = F(1f / 5040f);
            p = TS.Fma(p, r, F(1f / 720f));
            p = TS.Fma(p, r, F(1f / 120f));
            p = TS.Fma(p, r, F(1f / 24f));
            p = TS.Fma(p, r, F(1f / 6f));
            p = TS.Fma(p, r, F(0.5f));
            p = TS.Fma(p, r, F(1f));
            p = TS.Fma(p, r, F(1f));
            return TS.ScaleByPow2(p, n);
        }
        else
        {
            x = TS.Min(TS.Max(x, D(MinD)), D(MaxD));
            var n = TS.Round(TS.Multiply(x, D(Log2E)));
            var r = TS.NegatedFma(n, D(Ln2Hi), x);
            r = TS.NegatedFma(n, D(Ln2Lo), r);
            var p = D(1.0 / 6227020800.0);
            p = TS.Fma(p, r, D(1.0 / 479001600.0));
            p = TS.Fma(p, r, D(1.0 / 39916800.0));
            p = TS.Fma(p, r, D(1.0 / 3628800.0));
            p = TS.Fma(p, r, D(1.0 / 362880.0));
            p = TS.Fma(p, r, D(1.0 / 40320.0));
            p = TS.Fma(p, r, D(1.0 / 5040.0));
            p = TS.Fma(p, r, D(1.0 / 720.0));
            p = TS.Fma(p, r, D(1.0 / 120.0));
            p = TS.Fma(p, r, D(1.0 / 24.0));
            p = TS.Fma(p, r, D(1.0 / 6.0));
            p = TS.Fma(p, r, D(0.5));
            p = TS.Fma(p, r, D(1.0));
            p = TS.Fma(p, r, D(1.0));
            return TS.ScaleByPow2(p, n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<T, TS, TV>(TV x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        var one = TS.Splat(T.One);
        return TS.Divide(one, TS.Add(one, Exp<T, TS, TV>(TS.Negate(x))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<T, TS, TV>(TV x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] static TV F(float v) => TS.Splat(T.CreateTruncating(v));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] static TV D(double v) => TS.Splat(T.CreateTruncating(v));
        var z = TS.Multiply(x, x);
        TV small, large;
        if (typeof(T) == typeof(float))
        {
            var p = F(-5.70498872745E-3f);
            p = TS.Fma(p, z, F(2.06390887954E-2f));
            p = TS.Fma(p, z, F(-5.37397155531E-2f));
            p = TS.Fma(p, z, F(1.33314422036E-1f));
            p = TS.Fma(p, z, F(-3.33332819422E-1f));
            small = TS.Fma(TS.Multiply(p, z), x, x);
            large = TS.Subtract(F(1f), TS.Divide(F(2f), TS.Add(Exp<T, TS, TV>(TS.Multiply(F(2f), x)), F(1f))));
            return TS.Select(TS.LessThan(TS.Abs(x), F(0.625f)), small, large);
        }
        else
        {
            var p = D(-9.64399179425052238628E-1);
            p = TS.Fma(p, z, D(-9.92877231001918586564E1));
            p = TS.Fma(p, z, D(-1.61468768441708447952E3));
            var q = TS.Add(z, D(1.12811678491632931402E2));
            q = TS.Fma(q, z, D(2.23548839060100448583E3));
            q = TS.Fma(q, z, D(4.84406305325125486048E3));
            small = TS.Fma(TS.Multiply(x, z), TS.Divide(p, q), x);
            large = TS.Subtract(D(1.0), TS.Divide(D(2.0), TS.Add(Exp<T, TS, TV>(TS.Multiply(D(2.0), x)), D(1.0))));
            return TS.Select(TS.LessThan(TS.Abs(x), D(0.625)), small, large);
        }
    }
}
