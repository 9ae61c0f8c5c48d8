using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmNotebooks.Kernels;

/// <summary>The widest vectors a kernel may use: the machine's best in production, each one in turn in the twin tests.</summary>
internal enum VectorWidth
{
    /// <summary>Scalar twins only.</summary>
    Scalar,
    /// <summary><see cref="Vector{T}"/> (then scalar for the tail).</summary>
    Vector,
    /// <summary><see cref="Vector512{T}"/>, then <see cref="Vector{T}"/>, then scalar for the tail.</summary>
    Vector512,
}

internal static class Simd
{
    /// <summary>What this process's hardware accelerates; static readonly, so the JIT folds the tests on it.</summary>
    public static readonly VectorWidth Widest = Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
        : Vector.IsHardwareAccelerated ? VectorWidth.Vector : VectorWidth.Scalar;

    /// <summary>The element count of the widest vector <paramref name="width"/> allows (1 for scalar).</summary>
    public static int Lanes<T>(VectorWidth width) where T : unmanaged => width switch
    {
        VectorWidth.Vector512 => Vector512<T>.Count,
        VectorWidth.Vector => Vector<T>.Count,
        _ => 1,
    };
}

/// <summary>
/// The vector operations the kernels are written in, over one vector type <typeparamref name="TV"/> of elements
/// <typeparamref name="T"/>. Every vector kernel is written once against this interface and instantiated with
/// <see cref="Simd512{T}"/> (explicit 512-bit vectors, chosen where <see cref="Vector512.IsHardwareAccelerated"/>: a
/// library cannot widen <see cref="Vector{T}"/>, which stays 256-bit inside other people's processes) or with
/// <see cref="SimdVector{T}"/> (<see cref="Vector{T}"/>, the portable fallback). The JIT specializes each
/// instantiation and inlines these members, so the abstraction costs nothing (checked in the disassembly).
/// Each operation is one IEEE operation per lane, exactly what the scalar twins do per element.
/// </summary>
internal interface ISimd<T, TV> where T : unmanaged, IBinaryFloatingPointIeee754<T> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Load(ref T source, nuint offset);
    static abstract void Store(TV value, ref T destination, nuint offset);
    static abstract TV Splat(T value);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);
    static abstract TV Divide(TV a, TV b);
    static abstract TV Negate(TV a);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    /// <summary>c − a·b with one rounding: fma(−a, b, c) (the negation is exact) in one instruction (vfnmadd) instead of two.</summary>
    static abstract TV NegatedFma(TV a, TV b, TV c);
    /// <summary>The smaller of a and b, as <see cref="Math.Min(double, double)"/> for numbers; a NaN in a is returned.
    /// (The hardware's min: the runtime's IEEE-exact Vector512.Min costs three instructions more per call, and the
    /// kernels only clamp against constants, where the two agree.)</summary>
    static abstract TV Min(TV a, TV b);
    /// <summary>The larger of a and b, as <see cref="Math.Max(double, double)"/> for numbers; a NaN in a is returned.</summary>
    static abstract TV Max(TV a, TV b);
    static abstract TV Abs(TV a);
    /// <summary>Round to nearest, ties to even (as <see cref="Math.Round(double)"/>).</summary>
    static abstract TV Round(TV a);
    /// <summary>All bits set in the lanes where a &lt; b.</summary>
    static abstract TV LessThan(TV a, TV b);
    /// <summary>Lanes of a where mask is set, of b elsewhere.</summary>
    static abstract TV Select(TV mask, TV a, TV b);
    /// <summary>2^n for lanes n holding integers in the normal exponent range (the scale step of exp; the hardware's
    /// truncating conversion, exact there).</summary>
    static abstract TV Pow2(TV n);
    /// <summary>p·2^n for integer lanes n in the normal exponent range: one rounding of the exact product, as
    /// p * 2^n — with AVX-512 one instruction (vscalefps) instead of four.</summary>
    static abstract TV ScaleByPow2(TV p, TV n);
}

/// <summary><see cref="Vector512{T}"/>: 16 floats or 8 doubles per register, 32 registers with AVX-512.</summary>
internal readonly struct Simd512<T> : ISimd<T, Vector512<T>> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Splat(T value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Subtract(Vector512<T> a, Vector512<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Multiply(Vector512<T> a, Vector512<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Divide(Vector512<T> a, Vector512<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Negate(Vector512<T> a) => -a;
    // x86 min/max return their second operand when either is NaN: b first, a second, so a NaN in a propagates.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Min(Vector512<T> a, Vector512<T> b) => Vector512.MinNative(b, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Max(Vector512<T> a, Vector512<T> b) => Vector512.MaxNative(b, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Abs(Vector512<T> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> LessThan(Vector512<T> a, Vector512<T> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Select(Vector512<T> mask, Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        return Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> NegatedFma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (!Avx512F.IsSupported) return Fma(-a, b, c);
        if (typeof(T) == typeof(float)) return Avx512F.FusedMultiplyAddNegated(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        return Avx512F.FusedMultiplyAddNegated(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Round(Vector512<T> a)
    {
        if (typeof(T) == typeof(float)) return Vector512.Round(a.As<T, float>()).As<float, T>();
        return Vector512.Round(a.As<T, double>()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Pow2(Vector512<T> n)
    {
        if (typeof(T) == typeof(float))
            return Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n.As<T, float>()) + Vector512.Create(127), 23).As<int, T>();
        return Vector512.ShiftLeft(Vector512.ConvertToInt64Native(n.As<T, double>()) + Vector512.Create(1023L), 52).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ScaleByPow2(Vector512<T> p, Vector512<T> n)
    {
        if (!Avx512F.IsSupported) return p * Pow2(n);
        if (typeof(T) == typeof(float)) return Avx512F.Scale(p.As<T, float>(), n.As<T, float>()).As<float, T>();
        return Avx512F.Scale(p.As<T, double>(), n.As<T, double>()).As<double, T>();
    }

}

/// <summary><see cref="Vector{T}"/>: the runtime's preferred width (256-bit on x64 by default, 128-bit on Arm).</summary>
internal readonly struct SimdVector<T> : ISimd<T, Vector<T>> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => Vector<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Load(ref T source, nuint offset) => Vector.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Splat(T value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Add(Vector<T> a, Vector<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Subtract(Vector<T> a, Vector<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Multiply(Vector<T> a, Vector<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Divide(Vector<T> a, Vector<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Negate(Vector<T> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Min(Vector<T> a, Vector<T> b) => Vector.MinNative(b, a); // as Simd512
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Max(Vector<T> a, Vector<T> b) => Vector.MaxNative(b, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Abs(Vector<T> a) => Vector.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> LessThan(Vector<T> a, Vector<T> b) => Vector.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Select(Vector<T> mask, Vector<T> a, Vector<T> b) => Vector.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector.As<float, T>(Vector.FusedMultiplyAdd(Vector.As<T, float>(a), Vector.As<T, float>(b), Vector.As<T, float>(c)));
        return Vector.As<double, T>(Vector.FusedMultiplyAdd(Vector.As<T, double>(a), Vector.As<T, double>(b), Vector.As<T, double>(c)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> NegatedFma(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported && Vector<byte>.Count == Vector256<byte>.Count)
        {
            if (typeof(T) == typeof(float))
                return System.Runtime.Intrinsics.X86.Fma.MultiplyAddNegated(a.AsVector256().AsSingle(), b.AsVector256().AsSingle(), c.AsVector256().AsSingle()).As<float, T>().AsVector();
            return System.Runtime.Intrinsics.X86.Fma.MultiplyAddNegated(a.AsVector256().AsDouble(), b.AsVector256().AsDouble(), c.AsVector256().AsDouble()).As<double, T>().AsVector();
        }
        return Fma(-a, b, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Round(Vector<T> a)
    {
        if (typeof(T) == typeof(float)) return Vector.As<float, T>(Vector.Round(Vector.As<T, float>(a)));
        return Vector.As<double, T>(Vector.Round(Vector.As<T, double>(a)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Pow2(Vector<T> n)
    {
        if (typeof(T) == typeof(float))
            return Vector.As<int, T>(Vector.ShiftLeft(Vector.ConvertToInt32Native(Vector.As<T, float>(n)) + new Vector<int>(127), 23));
        return Vector.As<long, T>(Vector.ShiftLeft(Vector.ConvertToInt64Native(Vector.As<T, double>(n)) + new Vector<long>(1023), 52));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> ScaleByPow2(Vector<T> p, Vector<T> n) => p * Pow2(n);
}
