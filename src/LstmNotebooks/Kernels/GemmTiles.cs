using System.Numerics;
using System.Runtime.CompilerServices;

namespace LstmNotebooks.Kernels;

/// <summary>A compile-time integer for the register-tile kernels: the JIT folds <c>TN.Value</c>, removes the code of
/// the rows and vectors a tile does not have, and keeps the rest in registers.</summary>
internal interface IConstant { static abstract int Value { get; } }
internal readonly struct N1 : IConstant { public static int Value => 1; }
internal readonly struct N2 : IConstant { public static int Value => 2; }
internal readonly struct N3 : IConstant { public static int Value => 3; }
internal readonly struct N4 : IConstant { public static int Value => 4; }
internal readonly struct N5 : IConstant { public static int Value => 5; }
internal readonly struct N6 : IConstant { public static int Value => 6; }

/// <summary>
/// The register tiles of <see cref="Gemm"/>: C tile += A · B over kc steps of k, each accumulator updated as
/// c = fma(a[k], b[k], c) for k in order (the scalar specification's order). A is read in place: row r of the tile at
/// a + r·aRow, one step of k further at + aStep (row-major A: aRow = lda, aStep = 1; A stored transposed: aRow = 1,
/// aStep = M). B is packed k-major, bStep values per k (the tile's vectors side by side). The C tile's vectors sit at
/// c + r·ldc + s·sStride; they start from the vectors at init + r·initRow + s·sStride (init = c, initRow = ldc: C +=
/// A·B; initRow = 0: every row starts from one row, the bias, so C = bias + A·B with no pass to copy it in first).
/// </summary>
internal static class GemmTiles
{
    /// <summary>
    /// R rows × V vectors (R ≤ 6, V ≤ 4: up to 24 accumulators of the 32 AVX-512 registers, leaving room for the B
    /// vectors and the broadcast). At 6 × 4 one k step is 4 vector loads, 6 broadcasts and 24 FMAs, so the two FMA
    /// pipes, not the loads, set the pace.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a call per tile; compiled fully optimized from the first call
    public static void Tile<T, TS, TV, TR, TC>(ref T a, nuint aRow, nuint aStep, ref T b, nuint bStep, ref T c, nuint ldc, nuint sStride, int kc,
        ref T init, nuint initRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
        where TR : IConstant where TC : IConstant
    {
        int rows = TR.Value, vecs = TC.Value;
        nuint v = (nuint)TS.Count;
        ref T c0 = ref c;
        ref T c1 = ref Unsafe.Add(ref c0, rows > 1 ? ldc : 0);
        ref T c2 = ref Unsafe.Add(ref c1, rows > 2 ? ldc : 0);
        ref T c3 = ref Unsafe.Add(ref c2, rows > 3 ? ldc : 0);
        ref T c4 = ref Unsafe.Add(ref c3, rows > 4 ? ldc : 0);
        ref T c5 = ref Unsafe.Add(ref c4, rows > 5 ? ldc : 0);
        ref T i0 = ref init;
        ref T i1 = ref Unsafe.Add(ref i0, rows > 1 ? initRow : 0);
        ref T i2 = ref Unsafe.Add(ref i1, rows > 2 ? initRow : 0);
        ref T i3 = ref Unsafe.Add(ref i2, rows > 3 ? initRow : 0);
        ref T i4 = ref Unsafe.Add(ref i3, rows > 4 ? initRow : 0);
        ref T i5 = ref Unsafe.Add(ref i4, rows > 5 ? initRow : 0);
        ref T a0 = ref a;
        ref T a1 = ref Unsafe.Add(ref a0, rows > 1 ? aRow : 0);
        ref T a2 = ref Unsafe.Add(ref a1, rows > 2 ? aRow : 0);
        ref T a3 = ref Unsafe.Add(ref a2, rows > 3 ? aRow : 0);
        ref T a4 = ref Unsafe.Add(ref a3, rows > 4 ? aRow : 0);
        ref T a5 = ref Unsafe.Add(ref a4, rows > 5 ? aRow : 0);
        nuint o = 0;
        nuint s1 = sStride, s2 = 2 * sStride, s3 = 3 * sStride;
        TV x00 = default, x01 = default, x02 = default, x03 = default, x10 = default, x11 = default, x12 = default, x13 = default;
        TV x20 = default, x21 = default, x22 = default, x23 = default, x30 = default, x31 = default, x32 = default, x33 = default;
        TV x40 = default, x41 = default, x42 = default, x43 = default, x50 = default, x51 = default, x52 = default, x53 = default;
        x00 = TS.Load(ref i0, 0);
        if (vecs > 1) x01 = TS.Load(ref i0, s1);
        if (vecs > 2) x02 = TS.Load(ref i0, s2);
        if (vecs > 3) x03 = TS.Load(ref i0, s3);
        if (rows > 1) { x10 = TS.Load(ref i1, 0); if (vecs > 1) x11 = TS.Load(ref i1, s1); if (vecs > 2) x12 = TS.Load(ref i1, s2); if (vecs > 3) x13 = TS.Load(ref i1, s3); }
        if (rows > 2) { x20 = TS.Load(ref i2, 0); if (vecs > 1) x21 = TS.Load(ref i2, s1); if (vecs > 2) x22 = TS.Load(ref i2, s2); if (vecs > 3) x23 = TS.Load(ref i2, s3); }
        if (rows > 3) { x30 = TS.Load(ref i3, 0); if (vecs > 1) x31 = TS.Load(ref i3, s1); if (vecs > 2) x32 = TS.Load(ref i3, s2); if (vecs > 3) x33 = TS.Load(ref i3, s3); }
        if (rows > 4) { x40 = TS.Load(ref i4, 0); if (vecs > 1) x41 = TS.Load(ref i4, s1); if (vecs > 2) x42 = TS.Load(ref i4, s2); if (vecs > 3) x43 = TS.Load(ref i4, s3); }
        if (rows > 5) { x50 = TS.Load(ref i5, 0); if (vecs > 1) x51 = TS.Load(ref i5, s1); if (vecs > 2) x52 = TS.Load(ref i5, s2); if (vecs > 3) x53 = TS.Load(ref i5, s3); }
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TS.Load(ref b, 0), b1 = default, b2 = default, b3 = default;
            if (vecs > 1) b1 = TS.Load(ref b, v);
            if (vecs > 2) b2 = TS.Load(ref b, 2 * v);
            if (vecs > 3) b3 = TS.Load(ref b, 3 * v);
            TV s = TS.Splat(Unsafe.Add(ref a0, o));
            x00 = TS.Fma(s, b0, x00); if (vecs > 1) x01 = TS.Fma(s, b1, x01); if (vecs > 2) x02 = TS.Fma(s, b2, x02); if (vecs > 3) x03 = TS.Fma(s, b3, x03);
            if (rows > 1)
            {
                s = TS.Splat(Unsafe.Add(ref a1, o));
                x10 = TS.Fma(s, b0, x10); if (vecs > 1) x11 = TS.Fma(s, b1, x11); if (vecs > 2) x12 = TS.Fma(s, b2, x12); if (vecs > 3) x13 = TS.Fma(s, b3, x13);
            }
            if (rows > 2)
            {
                s = TS.Splat(Unsafe.Add(ref a2, o));
                x20 = TS.Fma(s, b0, x20); if (vecs > 1) x21 = TS.Fma(s, b1, x21); if (vecs > 2) x22 = TS.Fma(s, b2, x22); if (vecs > 3) x23 = TS.Fma(s, b3, x23);
            }
            if (rows > 3)
            {
                s = TS.Splat(Unsafe.Add(ref a3, o));
                x30 = TS.Fma(s, b0, x30); if (vecs > 1) x31 = TS.Fma(s, b1, x31); if (vecs > 2) x32 = TS.Fma(s, b2, x32); if (vecs > 3) x33 = TS.Fma(s, b3, x33);
            }
            if (rows > 4)
            {
                s = TS.Splat(Unsafe.Add(ref a4, o));
                x40 = TS.Fma(s, b0, x40); if (vecs > 1) x41 = TS.Fma(s, b1, x41); if (vecs > 2) x42 = TS.Fma(s, b2, x42); if (vecs > 3) x43 = TS.Fma(s, b3, x43);
            }
            if (rows > 5)
            {
                s = TS.Splat(Unsafe.Add(ref a5, o));
                x50 = TS.Fma(s, b0, x50); if (vecs > 1) x51 = TS.Fma(s, b1, x51); if (vecs > 2) x52 = TS.Fma(s, b2, x52); if (vecs > 3) x53 = TS.Fma(s, b3, x53);
            }
            o += aStep;
            b = ref Unsafe.Add(ref b, bStep);
        }
        TS.Store(x00, ref c0, 0);
        if (vecs > 1) TS.Store(x01, ref c0, s1);
        if (vecs > 2) TS.Store(x02, ref c0, s2);
        if (vecs > 3) TS.Store(x03, ref c0, s3);
        if (rows > 1) { TS.Store(x10, ref c1, 0); if (vecs > 1) TS.Store(x11, ref c1, s1); if (vecs > 2) TS.Store(x12, ref c1, s2); if (vecs > 3) TS.Store(x13, ref c1, s3); }
        if (rows > 2) { TS.Store(x20, ref c2, 0); if (vecs > 1) TS.Store(x21, ref c2, s1); if (vecs > 2) TS.Store(x22, ref c2, s2); if (vecs > 3) TS.Store(x23, ref c2, s3); }
        if (rows > 3) { TS.Store(x30, ref c3, 0); if (vecs > 1) TS.Store(x31, ref c3, s1); if (vecs > 2) TS.Store(x32, ref c3, s2); if (vecs > 3) TS.Store(x33, ref c3, s3); }
        if (rows > 4) { TS.Store(x40, ref c4, 0); if (vecs > 1) TS.Store(x41, ref c4, s1); if (vecs > 2) TS.Store(x42, ref c4, s2); if (vecs > 3) TS.Store(x43, ref c4, s3); }
        if (rows > 5) { TS.Store(x50, ref c5, 0); if (vecs > 1) TS.Store(x51, ref c5, s1); if (vecs > 2) TS.Store(x52, ref c5, s2); if (vecs > 3) TS.Store(x53, ref c5, s3); }
    }

    /// <summary>
    /// One row × Q micro-panels of 4 vectors (Q ≤ 4: 16 accumulators), for M = 1 (batch 1); A steps by aStep per k. A single row has no reuse of
    /// B, so the product is bound by latency (each accumulator is one chain of kc dependent FMAs) and by the B loads:
    /// 16 independent chains keep both FMA pipes busy. Micro-panel q of B starts at b + q·bPanel; its C vectors at
    /// c + q·cPanel + s·sStride.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a call per tile; compiled fully optimized from the first call
    public static void Row<T, TS, TV, TQ>(ref T a, nuint aStep, ref T b, nuint bPanel, ref T c, nuint cPanel, nuint sStride, int kc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct where TQ : IConstant
    {
        int q = TQ.Value;
        nuint v = (nuint)TS.Count, step = 4 * v;
        nuint s1 = sStride, s2 = 2 * sStride, s3 = 3 * sStride;
        ref T ca = ref c;
        ref T cb = ref Unsafe.Add(ref ca, q > 1 ? cPanel : 0);
        ref T cc = ref Unsafe.Add(ref cb, q > 2 ? cPanel : 0);
        ref T cd = ref Unsafe.Add(ref cc, q > 3 ? cPanel : 0);
        ref T ba = ref b;
        ref T bb = ref Unsafe.Add(ref ba, q > 1 ? bPanel : 0);
        ref T bc = ref Unsafe.Add(ref bb, q > 2 ? bPanel : 0);
        ref T bd = ref Unsafe.Add(ref bc, q > 3 ? bPanel : 0);
        TV a0 = TS.Load(ref ca, 0), a1 = TS.Load(ref ca, s1), a2 = TS.Load(ref ca, s2), a3 = TS.Load(ref ca, s3);
        TV b0 = default, b1 = default, b2 = default, b3 = default, c0 = default, c1 = default, c2 = default, c3 = default;
        TV d0 = default, d1 = default, d2 = default, d3 = default;
        if (q > 1) { b0 = TS.Load(ref cb, 0); b1 = TS.Load(ref cb, s1); b2 = TS.Load(ref cb, s2); b3 = TS.Load(ref cb, s3); }
        if (q > 2) { c0 = TS.Load(ref cc, 0); c1 = TS.Load(ref cc, s1); c2 = TS.Load(ref cc, s2); c3 = TS.Load(ref cc, s3); }
        if (q > 3) { d0 = TS.Load(ref cd, 0); d1 = TS.Load(ref cd, s1); d2 = TS.Load(ref cd, s2); d3 = TS.Load(ref cd, s3); }
        nuint o = 0, ao = 0;
        for (int p = 0; p < kc; p++, o += step, ao += aStep)
        {
            TV s = TS.Splat(Unsafe.Add(ref a, ao));
            a0 = TS.Fma(s, TS.Load(ref ba, o), a0); a1 = TS.Fma(s, TS.Load(ref ba, o + v), a1);
            a2 = TS.Fma(s, TS.Load(ref ba, o + 2 * v), a2); a3 = TS.Fma(s, TS.Load(ref ba, o + 3 * v), a3);
            if (q > 1)
            {
                b0 = TS.Fma(s, TS.Load(ref bb, o), b0); b1 = TS.Fma(s, TS.Load(ref bb, o + v), b1);
                b2 = TS.Fma(s, TS.Load(ref bb, o + 2 * v), b2); b3 = TS.Fma(s, TS.Load(ref bb, o + 3 * v), b3);
            }
            if (q > 2)
            {
                c0 = TS.Fma(s, TS.Load(ref bc, o), c0); c1 = TS.Fma(s, TS.Load(ref bc, o + v), c1);
                c2 = TS.Fma(s, TS.Load(ref bc, o + 2 * v), c2); c3 = TS.Fma(s, TS.Load(ref bc, o + 3 * v), c3);
            }
            if (q > 3)
            {
                d0 = TS.Fma(s, TS.Load(ref bd, o), d0); d1 = TS.Fma(s, TS.Load(ref bd, o + v), d1);
                d2 = TS.Fma(s, TS.Load(ref bd, o + 2 * v), d2); d3 = TS.Fma(s, TS.Load(ref bd, o + 3 * v), d3);
            }
        }
        TS.Store(a0, ref ca, 0); TS.Store(a1, ref ca, s1); TS.Store(a2, ref ca, s2); TS.Store(a3, ref ca, s3);
        if (q > 1) { TS.Store(b0, ref cb, 0); TS.Store(b1, ref cb, s1); TS.Store(b2, ref cb, s2); TS.Store(b3, ref cb, s3); }
        if (q > 2) { TS.Store(c0, ref cc, 0); TS.Store(c1, ref cc, s1); TS.Store(c2, ref cc, s2); TS.Store(c3, ref cc, s3); }
        if (q > 3) { TS.Store(d0, ref cd, 0); TS.Store(d1, ref cd, s1); TS.Store(d2, ref cd, s2); TS.Store(d3, ref cd, s3); }
    }
}
