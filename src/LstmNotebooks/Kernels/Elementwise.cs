using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LstmNotebooks.Kernels;

/// <summary>An element-wise operator in the TensorPrimitives style: the scalar <c>Invoke</c> is the specification,
/// the tail loop and the test oracle; the vector <c>Invoke</c> does the same arithmetic lane by lane, at any width.</summary>
internal interface IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract T Invoke(T x);
    static abstract TV Invoke<TS, TV>(TV x) where TS : ISimd<T, TV> where TV : struct;
}

internal interface IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract T Invoke(T x, T y);
    static abstract TV Invoke<TS, TV>(TV x, TV y) where TS : ISimd<T, TV> where TV : struct;
}

internal readonly struct SigmoidOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TS, TV>(TV x) where TS : ISimd<T, TV> where TV : struct => VectorMath.Sigmoid<T, TS, TV>(x);
}

internal readonly struct TanhOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => VectorMath.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TS, TV>(TV x) where TS : ISimd<T, TV> where TV : struct => VectorMath.Tanh<T, TS, TV>(x);
}

internal readonly struct ExpOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => VectorMath.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TS, TV>(TV x) where TS : ISimd<T, TV> where TV : struct => VectorMath.Exp<T, TS, TV>(x);
}

internal readonly struct AddOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TS, TV>(TV x, TV y) where TS : ISimd<T, TV> where TV : struct => TS.Add(x, y);
}

internal static class Elementwise
{
    public static void Apply<T, TOp>(ReadOnlySpan<T> x, Span<T> dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IUnaryOperator<T>
        => Apply<T, TOp>(x, dst, Simd.Widest);

    /// <summary>dst[i] = op(x[i]) using vectors up to <paramref name="width"/> (the twin tests pick each width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Apply<T, TOp>(ReadOnlySpan<T> x, Span<T> dst, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IUnaryOperator<T>
    {
        if (dst.Length < x.Length) throw new ArgumentException("Destination is shorter than the input.", nameof(dst));
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rd = ref MemoryMarshal.GetReference(dst);
        int i = 0, n = x.Length;
        if (width == VectorWidth.Vector512) i = Loop<Simd512<T>, Vector512<T>>(ref rx, ref rd, i, n);
        if (width >= VectorWidth.Vector) i = Loop<SimdVector<T>, Vector<T>>(ref rx, ref rd, i, n);
        for (; i < n; i++) dst[i] = TOp.Invoke(x[i]);

        // One compiled loop per width: inlining both widths' exp trees into one method would run the JIT out of locals.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        static int Loop<TS, TV>(ref T rx, ref T rd, int i, int n) where TS : ISimd<T, TV> where TV : struct
        {
            for (; i <= n - TS.Count; i += TS.Count) TS.Store(TOp.Invoke<TS, TV>(TS.Load(ref rx, (nuint)i)), ref rd, (nuint)i);
            return i;
        }
    }

    public static void Apply<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
        => Apply<T, TOp>(x, y, dst, Simd.Widest);

    /// <summary>dst[i] = op(x[i], y[i]) using vectors up to <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Apply<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
    {
        if (y.Length != x.Length || dst.Length < x.Length)
            throw new ArgumentException($"Lengths differ: x {x.Length}, y {y.Length}, destination {dst.Length}.");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        ref T rd = ref MemoryMarshal.GetReference(dst);
        int i = 0, n = x.Length;
        if (width == VectorWidth.Vector512) i = Loop<Simd512<T>, Vector512<T>>(ref rx, ref ry, ref rd, i, n);
        if (width >= VectorWidth.Vector) i = Loop<SimdVector<T>, Vector<T>>(ref rx, ref ry, ref rd, i, n);
        for (; i < n; i++) dst[i] = TOp.Invoke(x[i], y[i]);

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // one compiled loop per width
        static int Loop<TS, TV>(ref T rx, ref T ry, ref T rd, int i, int n) where TS : ISimd<T, TV> where TV : struct
        {
            for (; i <= n - TS.Count; i += TS.Count)
                TS.Store(TOp.Invoke<TS, TV>(TS.Load(ref rx, (nuint)i), TS.Load(ref ry, (nuint)i)), ref rd, (nuint)i);
            return i;
        }
    }

    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Apply<T, AddOperator<T>>(x, y, dst);

    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Apply<T, SigmoidOperator<T>>(x, dst);

    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Apply<T, TanhOperator<T>>(x, dst);
}
