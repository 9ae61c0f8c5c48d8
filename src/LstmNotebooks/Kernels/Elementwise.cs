using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace LstmNotebooks.Kernels;

/// <summary>An element-wise operator in the TensorPrimitives style: the scalar <c>Invoke</c> is the specification,
/// the tail loop and the test oracle; the vector <c>Invoke</c> does the same arithmetic lane by lane.</summary>
internal interface IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract T Invoke(T x);
    static abstract Vector<T> Invoke(Vector<T> x);
}

internal interface IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract T Invoke(T x, T y);
    static abstract Vector<T> Invoke(Vector<T> x, Vector<T> y);
}

internal readonly struct SigmoidOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => VectorMath.Sigmoid(x);
    public static Vector<T> Invoke(Vector<T> x) => VectorMath.Sigmoid(x);
}

internal readonly struct TanhOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => VectorMath.Tanh(x);
    public static Vector<T> Invoke(Vector<T> x) => VectorMath.Tanh(x);
}

internal readonly struct ExpOperator<T> : IUnaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x) => VectorMath.Exp(x);
    public static Vector<T> Invoke(Vector<T> x) => VectorMath.Exp(x);
}

internal readonly struct AddOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y) => x + y;
    public static Vector<T> Invoke(Vector<T> x, Vector<T> y) => x + y;
}

internal static class Elementwise
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Apply<T, TOp>(ReadOnlySpan<T> x, Span<T> dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IUnaryOperator<T>
    {
        if (dst.Length < x.Length) throw new ArgumentException("Destination is shorter than the input.", nameof(dst));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T rd = ref MemoryMarshal.GetReference(dst);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
                TOp.Invoke(Vector.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < x.Length; i++) dst[i] = TOp.Invoke(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Apply<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
    {
        if (y.Length != x.Length || dst.Length < x.Length)
            throw new ArgumentException($"Lengths differ: x {x.Length}, y {y.Length}, destination {dst.Length}.");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T rx = ref MemoryMarshal.GetReference(x);
            ref T ry = ref MemoryMarshal.GetReference(y);
            ref T rd = ref MemoryMarshal.GetReference(dst);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
                TOp.Invoke(Vector.LoadUnsafe(ref rx, (nuint)i), Vector.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < x.Length; i++) dst[i] = TOp.Invoke(x[i], y[i]);
    }

    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Apply<T, AddOperator<T>>(x, y, dst);

    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Apply<T, SigmoidOperator<T>>(x, dst);

    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Apply<T, TanhOperator<T>>(x, dst);
}
