using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace LstmNotebooks.Kernels;

// Shape letters: H = hidden units. Gate rows are packed [i|f|g|o] (LSTM), [r|z|n] (GRU), one block per gate.
// Each fused kernel runs one batch row. Its scalar method is the specification and tail loop; the vector loop repeats
// the same operations in the same order, so both give identical bits (tested for every length 0..4·Count+3).

/// <summary>What a cell computes beyond the PyTorch LSTM: peepholes (Gers &amp; Schmidhuber 2000) and the 1997 cell
/// without a forget gate (f ≡ 1).</summary>
internal readonly record struct LstmCellFlags(bool Peepholes, bool ForgetGate);

internal static class LstmKernels
{
    /// <summary>
    /// pre (4H, in/out: peephole terms are added so it ends as the exact gate arguments), cPrev (H), peep (3H rows
    /// i,f,o, or empty) → gates (4H: i, f, g, o after activation), c (H), h (H).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Forward<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = c.Length;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
            for (; j <= hs - Vector<T>.Count; j += Vector<T>.Count) ForwardVector(pre, cPrev, peep, flags, gates, c, h, j, hs);
        for (; j < hs; j++) ForwardScalar(pre, cPrev, peep, flags, gates, c, h, j, hs);
    }

    public static void ForwardScalar<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int hs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ForwardScalar(pre, cPrev, peep, flags, gates, c, h, j, hs, default(NoOverride<T>));

    /// <summary>The specification with a hook on each gate value and on c (interventions recompute through it).</summary>
    public static void ForwardScalar<T, TOverride>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int hs, TOverride unit)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOverride : IUnitOverride<T>
    {
        T cp = cPrev[j];
        T ai = pre[j], af = pre[hs + j], ag = pre[2 * hs + j], ao = pre[3 * hs + j];
        if (flags.Peepholes)
        {
            ai = T.FusedMultiplyAdd(peep[j], cp, ai);
            af = T.FusedMultiplyAdd(peep[hs + j], cp, af);
        }
        T i = unit.Gate(0, VectorMath.Sigmoid(ai)), g = unit.Gate(2, VectorMath.Tanh(ag));
        T f = unit.Gate(1, flags.ForgetGate ? VectorMath.Sigmoid(af) : T.One);
        T cn = unit.Cell(T.FusedMultiplyAdd(f, cp, i * g));
        if (flags.Peepholes) ao = T.FusedMultiplyAdd(peep[2 * hs + j], cn, ao);
        T o = unit.Gate(3, VectorMath.Sigmoid(ao));
        pre[j] = ai; pre[hs + j] = af; pre[3 * hs + j] = ao;
        gates[j] = i; gates[hs + j] = f; gates[2 * hs + j] = g; gates[3 * hs + j] = o;
        c[j] = cn;
        h[j] = o * VectorMath.Tanh(cn);
    }

    private static void ForwardVector<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int hs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T rp = ref MemoryMarshal.GetReference(pre);
        ref T rg = ref MemoryMarshal.GetReference(gates);
        nuint oi = (nuint)j, of = (nuint)(hs + j), og = (nuint)(2 * hs + j), oo = (nuint)(3 * hs + j);
        var cp = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(cPrev), oi);
        Vector<T> ai = Vector.LoadUnsafe(ref rp, oi), af = Vector.LoadUnsafe(ref rp, of);
        Vector<T> ag = Vector.LoadUnsafe(ref rp, og), ao = Vector.LoadUnsafe(ref rp, oo);
        ref T rpe = ref MemoryMarshal.GetReference(peep);
        if (flags.Peepholes)
        {
            ai = VectorMath.Fma(Vector.LoadUnsafe(ref rpe, oi), cp, ai);
            af = VectorMath.Fma(Vector.LoadUnsafe(ref rpe, of), cp, af);
        }
        var i = VectorMath.Sigmoid(ai);
        var g = VectorMath.Tanh(ag);
        var f = flags.ForgetGate ? VectorMath.Sigmoid(af) : Vector<T>.One;
        var cn = VectorMath.Fma(f, cp, i * g);
        if (flags.Peepholes) ao = VectorMath.Fma(Vector.LoadUnsafe(ref rpe, og), cn, ao);
        var o = VectorMath.Sigmoid(ao);
        ai.StoreUnsafe(ref rp, oi); af.StoreUnsafe(ref rp, of); ao.StoreUnsafe(ref rp, oo);
        i.StoreUnsafe(ref rg, oi); f.StoreUnsafe(ref rg, of); g.StoreUnsafe(ref rg, og); o.StoreUnsafe(ref rg, oo);
        cn.StoreUnsafe(ref MemoryMarshal.GetReference(c), oi);
        (o * VectorMath.Tanh(cn)).StoreUnsafe(ref MemoryMarshal.GetReference(h), oi);
    }

    /// <summary>
    /// Backward of <see cref="Forward{T}"/> for one row. dh: ∂L/∂h_t (H); dc (in/out): ∂L/∂c_t arriving from step
    /// t+1 on entry, ∂L/∂c_{t-1} on exit; da (4H) receives ∂L/∂(gate arguments); dPeep (3H) accumulates.
    /// dcTotal (H, or empty) receives the total ∂L/∂c_t, for the gradient-flow diagnostics only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Backward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = c.Length;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
            for (; j <= hs - Vector<T>.Count; j += Vector<T>.Count) BackwardVector(gates, cPrev, c, peep, flags, dh, dc, da, dPeep, dcTotal, j, hs);
        for (; j < hs; j++) BackwardScalar(gates, cPrev, c, peep, flags, dh, dc, da, dPeep, dcTotal, j, hs);
    }

    public static void BackwardScalar<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T i = gates[j], f = gates[hs + j], g = gates[2 * hs + j], o = gates[3 * hs + j];
        T cp = cPrev[j], cn = c[j], dhj = dh[j];
        T tc = VectorMath.Tanh(cn);
        T dao = dhj * tc * o * (T.One - o);
        T dcj = T.FusedMultiplyAdd(dhj * o, T.One - tc * tc, dc[j]);
        if (flags.Peepholes)
        {
            dcj = T.FusedMultiplyAdd(dao, peep[2 * hs + j], dcj);
            dPeep[2 * hs + j] = T.FusedMultiplyAdd(dao, cn, dPeep[2 * hs + j]);
        }
        if (!dcTotal.IsEmpty) dcTotal[j] = dcj;
        T dai = dcj * g * i * (T.One - i);
        T daf = flags.ForgetGate ? dcj * cp * f * (T.One - f) : T.Zero;
        T dag = dcj * i * (T.One - g * g);
        T dcp = dcj * f;
        if (flags.Peepholes)
        {
            dcp = T.FusedMultiplyAdd(dai, peep[j], dcp);
            dcp = T.FusedMultiplyAdd(daf, peep[hs + j], dcp);
            dPeep[j] = T.FusedMultiplyAdd(dai, cp, dPeep[j]);
            dPeep[hs + j] = T.FusedMultiplyAdd(daf, cp, dPeep[hs + j]);
        }
        da[j] = dai; da[hs + j] = daf; da[2 * hs + j] = dag; da[3 * hs + j] = dao;
        dc[j] = dcp;
    }

    private static void BackwardVector<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T rg = ref MemoryMarshal.GetReference(gates);
        ref T rda = ref MemoryMarshal.GetReference(da);
        ref T rdc = ref MemoryMarshal.GetReference(dc);
        ref T rpe = ref MemoryMarshal.GetReference(peep);
        ref T rdp = ref MemoryMarshal.GetReference(dPeep);
        nuint oi = (nuint)j, of = (nuint)(hs + j), og = (nuint)(2 * hs + j), oo = (nuint)(3 * hs + j);
        var one = Vector<T>.One;
        Vector<T> i = Vector.LoadUnsafe(ref rg, oi), f = Vector.LoadUnsafe(ref rg, of);
        Vector<T> g = Vector.LoadUnsafe(ref rg, og), o = Vector.LoadUnsafe(ref rg, oo);
        var cp = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(cPrev), oi);
        var cn = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(c), oi);
        var dhj = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(dh), oi);
        var tc = VectorMath.Tanh(cn);
        var dao = dhj * tc * o * (one - o);
        var dcj = VectorMath.Fma(dhj * o, one - tc * tc, Vector.LoadUnsafe(ref rdc, oi));
        if (flags.Peepholes)
        {
            dcj = VectorMath.Fma(dao, Vector.LoadUnsafe(ref rpe, og), dcj);
            VectorMath.Fma(dao, cn, Vector.LoadUnsafe(ref rdp, og)).StoreUnsafe(ref rdp, og);
        }
        if (!dcTotal.IsEmpty) dcj.StoreUnsafe(ref MemoryMarshal.GetReference(dcTotal), oi);
        var dai = dcj * g * i * (one - i);
        var daf = flags.ForgetGate ? dcj * cp * f * (one - f) : Vector<T>.Zero;
        var dag = dcj * i * (one - g * g);
        var dcp = dcj * f;
        if (flags.Peepholes)
        {
            dcp = VectorMath.Fma(dai, Vector.LoadUnsafe(ref rpe, oi), dcp);
            dcp = VectorMath.Fma(daf, Vector.LoadUnsafe(ref rpe, of), dcp);
            VectorMath.Fma(dai, cp, Vector.LoadUnsafe(ref rdp, oi)).StoreUnsafe(ref rdp, oi);
            VectorMath.Fma(daf, cp, Vector.LoadUnsafe(ref rdp, of)).StoreUnsafe(ref rdp, of);
        }
        dai.StoreUnsafe(ref rda, oi); daf.StoreUnsafe(ref rda, of); dag.StoreUnsafe(ref rda, og); dao.StoreUnsafe(ref rda, oo);
        dcp.StoreUnsafe(ref rdc, oi);
    }
}

internal static class GruKernels
{
    /// <summary>
    /// pre (3H, in/out): input-side arguments W_i·x + b_i on entry; on exit r and z rows hold the full gate arguments
    /// and the n row holds W_in x + b_in + r ⊙ (W_hn h + b_hn). hPre (3H): W_h·h + b_h. → gates (3H: r, z, n), h (H).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Forward<T>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = h.Length;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
            for (; j <= hs - Vector<T>.Count; j += Vector<T>.Count) ForwardVector(pre, hPre, hPrev, gates, h, j, hs);
        for (; j < hs; j++) ForwardScalar(pre, hPre, hPrev, gates, h, j, hs);
    }

    public static void ForwardScalar<T>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ForwardScalar(pre, hPre, hPrev, gates, h, j, hs, default(NoOverride<T>));

    /// <summary>The specification with a hook on each gate value (interventions recompute through it).</summary>
    public static void ForwardScalar<T, TOverride>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h,
        int j, int hs, TOverride unit) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOverride : IUnitOverride<T>
    {
        T ar = pre[j] + hPre[j], az = pre[hs + j] + hPre[hs + j];
        T r = unit.Gate(0, VectorMath.Sigmoid(ar)), z = unit.Gate(1, VectorMath.Sigmoid(az));
        T an = T.FusedMultiplyAdd(r, hPre[2 * hs + j], pre[2 * hs + j]);
        T n = unit.Gate(2, VectorMath.Tanh(an));
        pre[j] = ar; pre[hs + j] = az; pre[2 * hs + j] = an;
        gates[j] = r; gates[hs + j] = z; gates[2 * hs + j] = n;
        h[j] = T.FusedMultiplyAdd(z, hPrev[j] - n, n); // (1 - z)·n + z·h = n + z·(h - n)
    }

    private static void ForwardVector<T>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T rp = ref MemoryMarshal.GetReference(pre);
        ref T rh = ref MemoryMarshal.GetReference(hPre);
        ref T rg = ref MemoryMarshal.GetReference(gates);
        nuint or = (nuint)j, oz = (nuint)(hs + j), on = (nuint)(2 * hs + j);
        var ar = Vector.LoadUnsafe(ref rp, or) + Vector.LoadUnsafe(ref rh, or);
        var az = Vector.LoadUnsafe(ref rp, oz) + Vector.LoadUnsafe(ref rh, oz);
        var r = VectorMath.Sigmoid(ar);
        var z = VectorMath.Sigmoid(az);
        var an = VectorMath.Fma(r, Vector.LoadUnsafe(ref rh, on), Vector.LoadUnsafe(ref rp, on));
        var n = VectorMath.Tanh(an);
        ar.StoreUnsafe(ref rp, or); az.StoreUnsafe(ref rp, oz); an.StoreUnsafe(ref rp, on);
        r.StoreUnsafe(ref rg, or); z.StoreUnsafe(ref rg, oz); n.StoreUnsafe(ref rg, on);
        var hp = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(hPrev), or);
        VectorMath.Fma(z, hp - n, n).StoreUnsafe(ref MemoryMarshal.GetReference(h), or);
    }

    /// <summary>
    /// Backward for one row. dh (H): ∂L/∂h_t. Writes daX (3H, ∂L/∂ input-side arguments), daH (3H, ∂L/∂ hidden-side
    /// arguments: the n row is scaled by r) and dhPrev (H, the direct path z ⊙ dh; the W_hh path is added by the caller).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Backward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = dh.Length;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
            for (; j <= hs - Vector<T>.Count; j += Vector<T>.Count) BackwardVector(gates, hPre, hPrev, dh, daX, daH, dhPrev, j, hs);
        for (; j < hs; j++) BackwardScalar(gates, hPre, hPrev, dh, daX, daH, dhPrev, j, hs);
    }

    public static void BackwardScalar<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev, int j, int hs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T r = gates[j], z = gates[hs + j], n = gates[2 * hs + j], d = dh[j];
        T dan = d * (T.One - z) * (T.One - n * n);
        T daz = d * (hPrev[j] - n) * z * (T.One - z);
        T dar = dan * hPre[2 * hs + j] * r * (T.One - r);
        daX[j] = dar; daX[hs + j] = daz; daX[2 * hs + j] = dan;
        daH[j] = dar; daH[hs + j] = daz; daH[2 * hs + j] = dan * r;
        dhPrev[j] = d * z;
    }

    private static void BackwardVector<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev, int j, int hs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T rg = ref MemoryMarshal.GetReference(gates);
        ref T rx = ref MemoryMarshal.GetReference(daX);
        ref T rhd = ref MemoryMarshal.GetReference(daH);
        nuint or = (nuint)j, oz = (nuint)(hs + j), on = (nuint)(2 * hs + j);
        var one = Vector<T>.One;
        Vector<T> r = Vector.LoadUnsafe(ref rg, or), z = Vector.LoadUnsafe(ref rg, oz), n = Vector.LoadUnsafe(ref rg, on);
        var d = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(dh), or);
        var hp = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(hPrev), or);
        var dan = d * (one - z) * (one - n * n);
        var daz = d * (hp - n) * z * (one - z);
        var dar = dan * Vector.LoadUnsafe(ref MemoryMarshal.GetReference(hPre), on) * r * (one - r);
        dar.StoreUnsafe(ref rx, or); daz.StoreUnsafe(ref rx, oz); dan.StoreUnsafe(ref rx, on);
        dar.StoreUnsafe(ref rhd, or); daz.StoreUnsafe(ref rhd, oz); (dan * r).StoreUnsafe(ref rhd, on);
        (d * z).StoreUnsafe(ref MemoryMarshal.GetReference(dhPrev), or);
    }
}

internal static class RnnKernels
{
    /// <summary>h = tanh(pre); pre holds W_ih x + b_ih + W_hh h + b_hh.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Forward<T>(ReadOnlySpan<T> pre, Span<T> h) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Elementwise.Tanh(pre, h);

    /// <summary>da = dh ⊙ (1 - h²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Backward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> da) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Elementwise.Apply<T, TanhDerivativeOperator<T>>(h, dh, da);
}

/// <summary>(h, dh) ↦ dh·(1 - h²): the tanh derivative expressed through the tanh output.</summary>
internal readonly struct TanhDerivativeOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T h, T dh) => dh * (T.One - h * h);
    public static Vector<T> Invoke(Vector<T> h, Vector<T> dh) => dh * (Vector<T>.One - h * h);
}
