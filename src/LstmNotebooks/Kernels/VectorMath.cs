using System.Numerics;
using System.Runtime.CompilerServices;


namespace LstmNotebooks.Kernels;

/// <summary>
/// Elementary functions with one algorithm written twice: a scalar form that is the specification and the tail loop,
/// and a <see cref="Vector{T}"/> form that performs the same operations in the same order, so both give bit-identical
/// results. The JIT folds the <c>typeof(T)</c> tests, so the generic entry points cost nothing.
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
    public static Vector<double> Exp(Vector<double> x)
    {
        x = Vector.Min(Vector.Max(x, new Vector<double>(MinD)), new Vector<double>(MaxD));
        var n = Vector.Round(x * new Vector<double>(Log2E));
        var r = Vector.FusedMultiplyAdd(-n, new Vector<double>(Ln2Hi), x);
        r = Vector.FusedMultiplyAdd(-n, new Vector<double>(Ln2Lo), r);
        var p = new Vector<double>(1.0 / 6227020800.0);
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 479001600.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 39916800.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 3628800.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 362880.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 40320.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 5040.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 720.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 120.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 24.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 6.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(0.5));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0));
        var scale = Vector.ShiftLeft(Vector.ConvertToInt64(n) + new Vector<long>(1023), 52);
        return p * Vector.AsVectorDouble(scale);
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
    public static Vector<float> Exp(Vector<float> x)
    {
        x = Vector.Min(Vector.Max(x, new Vector<float>(MinF)), new Vector<float>(MaxF));
        var n = Vector.Round(x * new Vector<float>((float)Log2E));
        var r = Vector.FusedMultiplyAdd(-n, new Vector<float>(Ln2HiF), x);
        r = Vector.FusedMultiplyAdd(-n, new Vector<float>(Ln2LoF), r);
        var p = new Vector<float>(1f / 5040f);
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 720f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 120f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 24f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f / 6f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(0.5f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1f));
        var scale = Vector.ShiftLeft(Vector.ConvertToInt32(n) + new Vector<int>(127), 23);
        return p * Vector.AsVectorSingle(scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Unsafe.BitCast<float, T>(Exp(Unsafe.BitCast<T, float>(x)));
        return Unsafe.BitCast<double, T>(Exp(Unsafe.BitCast<T, double>(x)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Exp<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector.As<float, T>(Exp(Vector.As<T, float>(x)));
        return Vector.As<double, T>(Exp(Vector.As<T, double>(x)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector.As<float, T>(Vector.FusedMultiplyAdd(Vector.As<T, float>(a), Vector.As<T, float>(b), Vector.As<T, float>(c)));
        return Vector.As<double, T>(Vector.FusedMultiplyAdd(Vector.As<T, double>(a), Vector.As<T, double>(b), Vector.As<T, double>(c)));
    }

    // σ(x) = 1 / (1 + e^-x): for x ≪ 0, e^-x is large but finite after clamping, so the quotient is a tiny positive
    // number, never NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.One / (T.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Sigmoid<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Vector<T>.One / (Vector<T>.One + Exp(-x));

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
    public static Vector<double> Tanh(Vector<double> x)
    {
        var z = x * x;
        var p = new Vector<double>(-9.64399179425052238628E-1);
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(-9.92877231001918586564E1));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(-1.61468768441708447952E3));
        var q = z + new Vector<double>(1.12811678491632931402E2);
        q = Vector.FusedMultiplyAdd(q, z, new Vector<double>(2.23548839060100448583E3));
        q = Vector.FusedMultiplyAdd(q, z, new Vector<double>(4.84406305325125486048E3));
        var small = Vector.FusedMultiplyAdd(x * z, p / q, x);
        var large = Vector<double>.One - new Vector<double>(2.0) / (Exp(new Vector<double>(2.0) * x) + Vector<double>.One);
        return Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(x), new Vector<double>(0.625)), small, large);
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
    public static Vector<float> Tanh(Vector<float> x)
    {
        var z = x * x;
        var p = new Vector<float>(-5.70498872745E-3f);
        p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(2.06390887954E-2f));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(-5.37397155531E-2f));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1.33314422036E-1f));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(-3.33332819422E-1f));
        var small = Vector.FusedMultiplyAdd(p * z, x, x);
        var large = Vector<float>.One - new Vector<float>(2f) / (Exp(new Vector<float>(2f) * x) + Vector<float>.One);
        return Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(x), new Vector<float>(0.625f)), small, large);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Unsafe.BitCast<float, T>(Tanh(Unsafe.BitCast<T, float>(x)));
        return Unsafe.BitCast<double, T>(Tanh(Unsafe.BitCast<T, double>(x)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Tanh<T>(Vector<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector.As<float, T>(Tanh(Vector.As<T, float>(x)));
        return Vector.As<double, T>(Tanh(Vector.As<T, double>(x)));
    }
}
