using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LstmNotebooks.Kernels;

// Shape letters: H = hidden units. Gate rows are packed [i|f|g|o] (LSTM), [r|z|n] (GRU), one block per gate.
// Each fused kernel runs one batch row. Its scalar method is the specification and tail loop; the vector loop repeats
// the same operations in the same order, so both give identical bits (tested for every length 0..4·Count+3).

/// <summary>What a cell computes beyond the PyTorch LSTM: peepholes (Gers &amp; Schmidhuber 2000) and the 1997 cell
/// without a forget gate (f ≡ 1).</summary>
internal readonly record struct LstmCellFlags(bool Peepholes, bool ForgetGate);

/// <summary>Where a row of pre-activations holds gate g of unit j (<see cref="GateLayout"/>): at <see cref="At"/>(j) +
/// g·<see cref="Step"/>. The gates, c and h rows the cell writes are always in blocks.</summary>
internal readonly struct GateRow
{
    // The bits of j above a run's lanes (0 in blocks): each whole run before j's holds 3 other gates' runs too.
    private readonly int _runMask;

    /// <summary>The row of a product with <paramref name="layout"/> over a packing of <paramref name="lanes"/> lanes (a
    /// power of two), H = <paramref name="hs"/>.</summary>
    public GateRow(GateLayout layout, int lanes, int hs)
    {
        bool interleaved = layout == GateLayout.Interleaved;
        // Bit masks, not % (a step's cell runs one of these per tile: a division costs as much as a vector of the cell).
        if (interleaved && (lanes <= 0 || !BitOperations.IsPow2(lanes) || (hs & (lanes - 1)) != 0))
            throw new ArgumentException($"Interleaved gate rows need runs of a power-of-two lanes dividing H; got {lanes} lanes, H = {hs}.", nameof(lanes));
        _runMask = interleaved ? ~(lanes - 1) : 0;
        Step = interleaved ? lanes : hs;
    }

    /// <summary>The distance from one gate's argument to the next gate's, for the same unit.</summary>
    public int Step { get; }

    /// <summary>The layout the row was made for.</summary>
    public GateLayout Layout => _runMask != 0 ? GateLayout.Interleaved : GateLayout.Blocks;

    /// <summary>Where gate i's argument for unit j is: (j / v)·4v + j mod v, without a division (runs per step of the cell).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int At(int j) => j + 3 * (j & _runMask);

    /// <summary>Whether the gates lie in runs shorter than H (interleaved with H above the lanes; else as blocks).</summary>
    public bool InRuns(int hs) => _runMask != 0 && Step != hs;
}

/// <summary>How the vector cell finds a unit vector's gate arguments (a type argument, so each compiles to its own
/// loop): in blocks, at j + g·H; in runs of exactly one vector, at 4j + g·Count, whose offsets fold into the loads.</summary>
internal interface IPreRows { static abstract bool Runs { get; } }
internal readonly struct PreInBlocks : IPreRows { public static bool Runs => false; }
internal readonly struct PreInRuns : IPreRows { public static bool Runs => true; }

internal static class LstmKernels
{
    /// <summary>
    /// pre (4H, in/out: peephole terms are added so it ends as the exact gate arguments), cPrev (H), peep (3H rows
    /// i,f,o, or empty) → gates (4H: i, f, g, o after activation), c (H), h (H).
    /// </summary>
    public static void Forward<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Forward(pre, cPrev, peep, flags, gates, c, h, 0, c.Length, Simd.Widest);

    /// <summary><see cref="Forward{T}(Span{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, LstmCellFlags, Span{T}, Span{T}, Span{T})"/>
    /// for the units [from, to) of the row only (the spans still hold the whole row), with vectors up to
    /// <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Forward<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int from, int to, VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = c.Length;
        CheckForward(pre, cPrev, peep, flags, gates, h, hs);
        if (from < 0 || to > hs) throw new ArgumentOutOfRangeException(nameof(to), $"LSTM cell: units {from}..{to} of {hs}.");
        ForwardUnchecked(pre, cPrev, peep, flags, gates, c, h, from, to, width);
    }

    internal static void CheckForward<T>(ReadOnlySpan<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        ReadOnlySpan<T> gates, ReadOnlySpan<T> h, int hs)
    {
        if (pre.Length < 4 * hs || gates.Length < 4 * hs || cPrev.Length < hs || h.Length < hs || (flags.Peepholes && peep.Length < 3 * hs))
            throw new ArgumentException($"LSTM cell: spans do not fit H = {hs} (pre {pre.Length}, gates {gates.Length}, cPrev {cPrev.Length}, h {h.Length}, peep {peep.Length}).");
    }

    /// <summary>The forward for units [from, to) of spans already checked (<see cref="CheckForward{T}"/>, c.Length = H).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    internal static void ForwardUnchecked<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int from, int to, VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = c.Length, j = from;
        if (width == VectorWidth.Vector512) j = ForwardVectors<T, Simd512<T>, Vector512<T>>(pre, cPrev, peep, flags, gates, c, h, j, to, hs);
        if (width >= VectorWidth.Vector) j = ForwardVectors<T, SimdVector<T>, Vector<T>>(pre, cPrev, peep, flags, gates, c, h, j, to, hs);
        for (; j < to; j++) ForwardScalar(pre, cPrev, peep, flags, gates, c, h, j, hs);
    }

    /// <summary>
    /// The forward of units [from, to) for the rows [row, row + rows) of one step's B×… matrices whose sequence has
    /// not ended (t &lt; length), spans already checked: what the GEMM epilogue runs per register tile, in one call
    /// per width instead of one per row (a call costs about as much as a vector of the cell itself). With
    /// <paramref name="keepGates"/> false the vector lanes do not write the gate values (inference keeps no history and
    /// reads none); the scalar tail still does, into the same buffer. c and h are the same either way.
    /// </summary>
    internal static void ForwardRows<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, ReadOnlySpan<int> lengths, int t, int row, int rows, int from, int to, int hs, VectorWidth width,
        bool keepGates = true, GateRow preRow = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int j = from;
        if (preRow.Step == 0) preRow = new GateRow(GateLayout.Blocks, 0, hs);
        if (!preRow.InRuns(hs))
        {
            if (width == VectorWidth.Vector512)
                j = ForwardRowsVectors<T, Simd512<T>, Vector512<T>, PreInBlocks>(pre, cPrev, peep, flags, gates, c, h, lengths, t, row, rows, j, to, hs, keepGates);
            if (width >= VectorWidth.Vector)
                j = ForwardRowsVectors<T, SimdVector<T>, Vector<T>, PreInBlocks>(pre, cPrev, peep, flags, gates, c, h, lengths, t, row, rows, j, to, hs, keepGates);
        }
        // Runs of one vector each: the tiles' units are whole runs, so no vector crosses one (else the scalar loop below).
        else if (width == VectorWidth.Vector512 && preRow.Step == Simd512<T>.Count)
            j = ForwardRowsVectors<T, Simd512<T>, Vector512<T>, PreInRuns>(pre, cPrev, peep, flags, gates, c, h, lengths, t, row, rows, j, to, hs, keepGates);
        else if (width >= VectorWidth.Vector && preRow.Step == SimdVector<T>.Count)
            j = ForwardRowsVectors<T, SimdVector<T>, Vector<T>, PreInRuns>(pre, cPrev, peep, flags, gates, c, h, lengths, t, row, rows, j, to, hs, keepGates);
        if (j == to) return;
        int gh = 4 * hs;
        for (int b = row; b < row + rows; b++)
        {
            if (t >= lengths[b]) continue;
            Span<T> pb = pre.Slice(b * gh, gh), gb = gates.Slice(b * gh, gh), cb = c.Slice(b * hs, hs), hb = h.Slice(b * hs, hs);
            var cpb = cPrev.Slice(b * hs, hs);
            for (int u = j; u < to; u++) ForwardScalar(pb, cpb, peep, flags, gb, cb, hb, u, hs, default(NoOverride<T>), preRow.At(u), preRow.Step);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // one compiled loop per width (ForwardVectors)
    private static int ForwardRowsVectors<T, TS, TV, TR>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, ReadOnlySpan<int> lengths, int t, int row, int rows, int from, int to, int hs, bool keepGates)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct where TR : IPreRows
    {
        int gh = 4 * hs, next = from + (to - from) / TS.Count * TS.Count;
        for (int b = row; b < row + rows; b++)
        {
            if (t >= lengths[b]) continue;
            Span<T> pb = pre.Slice(b * gh, gh), gb = gates.Slice(b * gh, gh), cb = c.Slice(b * hs, hs), hb = h.Slice(b * hs, hs);
            var cpb = cPrev.Slice(b * hs, hs);
            for (int j = from; j < next; j += TS.Count) ForwardVector<T, TS, TV, TR>(pb, cpb, peep, flags, gb, cb, hb, j, hs, keepGates);
        }
        return next;
    }

    // One compiled loop per width (its own method: inlining five exp trees of both widths into one caller would run
    // the JIT out of locals, and it would then call the vector helpers instead of inlining them). Returns the next j.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int ForwardVectors<T, TS, TV>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int to, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        for (; j <= to - TS.Count; j += TS.Count) ForwardVector<T, TS, TV, PreInBlocks>(pre, cPrev, peep, flags, gates, c, h, j, hs, keepGates: true);
        return j;
    }

    public static void ForwardScalar<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int hs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ForwardScalar(pre, cPrev, peep, flags, gates, c, h, j, hs, default(NoOverride<T>));

    /// <summary>The specification with a hook on each gate value and on c (interventions recompute through it).</summary>
    public static void ForwardScalar<T, TOverride>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int hs, TOverride unit)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOverride : IUnitOverride<T>
        => ForwardScalar(pre, cPrev, peep, flags, gates, c, h, j, hs, unit, j, hs);

    /// <summary>The specification with unit j's four gate arguments at pre[at + g·step] (<see cref="GateRow"/>).</summary>
    internal static void ForwardScalar<T, TOverride>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int hs, TOverride unit, int at, int step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOverride : IUnitOverride<T>
    {
        T cp = cPrev[j];
        T ai = pre[at], af = pre[at + step], ag = pre[at + 2 * step], ao = pre[at + 3 * step];
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
        pre[at] = ai; pre[at + step] = af; pre[at + 3 * step] = ao;
        gates[j] = i; gates[hs + j] = f; gates[2 * hs + j] = g; gates[3 * hs + j] = o;
        c[j] = cn;
        h[j] = o * VectorMath.Tanh(cn);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardVector<T, TS, TV, TR>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        Span<T> gates, Span<T> c, Span<T> h, int j, int hs, bool keepGates)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct where TR : IPreRows
    {
        ref T rp = ref MemoryMarshal.GetReference(pre);
        ref T rg = ref MemoryMarshal.GetReference(gates);
        nuint oi = (nuint)j, of = (nuint)(hs + j), og = (nuint)(2 * hs + j), oo = (nuint)(3 * hs + j);
        nuint v = (nuint)TS.Count, pi = TR.Runs ? 4 * oi : oi;
        nuint pf = TR.Runs ? pi + v : of, pg = TR.Runs ? pi + 2 * v : og, po = TR.Runs ? pi + 3 * v : oo;
        var cp = TS.Load(ref MemoryMarshal.GetReference(cPrev), oi);
        TV ai = TS.Load(ref rp, pi), af = TS.Load(ref rp, pf);
        TV ag = TS.Load(ref rp, pg), ao = TS.Load(ref rp, po);
        ref T rpe = ref MemoryMarshal.GetReference(peep);
        if (flags.Peepholes)
        {
            ai = TS.Fma(TS.Load(ref rpe, oi), cp, ai);
            af = TS.Fma(TS.Load(ref rpe, of), cp, af);
        }
        var i = VectorMath.Sigmoid<T, TS, TV>(ai);
        var g = VectorMath.Tanh<T, TS, TV>(ag);
        var f = flags.ForgetGate ? VectorMath.Sigmoid<T, TS, TV>(af) : TS.Splat(T.One);
        var cn = TS.Fma(f, cp, TS.Multiply(i, g));
        if (flags.Peepholes) ao = TS.Fma(TS.Load(ref rpe, og), cn, ao);
        var o = VectorMath.Sigmoid<T, TS, TV>(ao);
        // pre changes only by the peephole terms; without them it already holds the gate arguments. Skipping those stores
        // and, in inference, the gate stores leaves 2 of 9 stores per vector (c, h): the fused S5 inference step measured
        // 3 % faster (Benchmarks README).
        if (flags.Peepholes) { TS.Store(ai, ref rp, pi); TS.Store(af, ref rp, pf); TS.Store(ao, ref rp, po); }
        if (keepGates) { TS.Store(i, ref rg, oi); TS.Store(f, ref rg, of); TS.Store(g, ref rg, og); TS.Store(o, ref rg, oo); }
        TS.Store(cn, ref MemoryMarshal.GetReference(c), oi);
        TS.Store(TS.Multiply(o, VectorMath.Tanh<T, TS, TV>(cn)), ref MemoryMarshal.GetReference(h), oi);
    }

    /// <summary>
    /// Backward of the forward cell update for one row. dh: ∂L/∂h_t (H); dc (in/out): ∂L/∂c_t arriving from step
    /// t+1 on entry, ∂L/∂c_{t-1} on exit; da (4H) receives ∂L/∂(gate arguments); dPeep (3H) accumulates.
    /// dcTotal (H, or empty) receives the total ∂L/∂c_t, for the gradient-flow diagnostics only. Subnormal values are
    /// flushed to zero where dh and dc enter and where da and dc leave (<see cref="VectorMath.FlushSubnormal{T}(T)"/>).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Backward(gates, cPrev, c, peep, flags, dh, dc, da, dPeep, dcTotal, Simd.Widest);

    /// <summary>The same with vectors up to <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Backward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = c.Length;
        if (gates.Length < 4 * hs || cPrev.Length < hs || dh.Length < hs || dc.Length < hs || da.Length < 4 * hs
            || (flags.Peepholes && (peep.Length < 3 * hs || dPeep.Length < 3 * hs)) || (!dcTotal.IsEmpty && dcTotal.Length < hs))
            throw new ArgumentException($"LSTM cell backward: spans do not fit H = {hs} (gates {gates.Length}, cPrev {cPrev.Length}, dh {dh.Length}, dc {dc.Length}, da {da.Length}, peep {peep.Length}, dPeep {dPeep.Length}).");
        int j = 0;
        if (width == VectorWidth.Vector512) j = BackwardVectors<T, Simd512<T>, Vector512<T>>(gates, cPrev, c, peep, flags, dh, dc, da, dPeep, dcTotal, j, hs);
        if (width >= VectorWidth.Vector) j = BackwardVectors<T, SimdVector<T>, Vector<T>>(gates, cPrev, c, peep, flags, dh, dc, da, dPeep, dcTotal, j, hs);
        for (; j < hs; j++) BackwardScalar(gates, cPrev, c, peep, flags, dh, dc, da, dPeep, dcTotal, j, hs);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // one compiled loop per width (ForwardVectors)
    private static int BackwardVectors<T, TS, TV>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        for (; j <= hs - TS.Count; j += TS.Count) BackwardVector<T, TS, TV>(gates, cPrev, c, peep, flags, dh, dc, da, dPeep, dcTotal, j, hs);
        return j;
    }

    public static void BackwardScalar<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T i = gates[j], f = gates[hs + j], g = gates[2 * hs + j], o = gates[3 * hs + j];
        T cp = cPrev[j], cn = c[j], dhj = VectorMath.FlushSubnormal(dh[j]);
        T tc = VectorMath.Tanh(cn);
        T dao = VectorMath.FlushSubnormal(dhj * tc * o * (T.One - o));
        T dcj = T.FusedMultiplyAdd(dhj * o, T.One - tc * tc, VectorMath.FlushSubnormal(dc[j]));
        if (flags.Peepholes)
        {
            dcj = T.FusedMultiplyAdd(dao, peep[2 * hs + j], dcj);
            dPeep[2 * hs + j] = T.FusedMultiplyAdd(dao, cn, dPeep[2 * hs + j]);
        }
        if (!dcTotal.IsEmpty) dcTotal[j] = dcj;
        T dai = VectorMath.FlushSubnormal(dcj * g * i * (T.One - i));
        T daf = flags.ForgetGate ? VectorMath.FlushSubnormal(dcj * cp * f * (T.One - f)) : T.Zero;
        T dag = VectorMath.FlushSubnormal(dcj * i * (T.One - g * g));
        T dcp = dcj * f;
        if (flags.Peepholes)
        {
            dcp = T.FusedMultiplyAdd(dai, peep[j], dcp);
            dcp = T.FusedMultiplyAdd(daf, peep[hs + j], dcp);
            dPeep[j] = T.FusedMultiplyAdd(dai, cp, dPeep[j]);
            dPeep[hs + j] = T.FusedMultiplyAdd(daf, cp, dPeep[hs + j]);
        }
        da[j] = dai; da[hs + j] = daf; da[2 * hs + j] = dag; da[3 * hs + j] = dao;
        dc[j] = VectorMath.FlushSubnormal(dcp);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardVector<T, TS, TV>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> c, ReadOnlySpan<T> peep,
        LstmCellFlags flags, ReadOnlySpan<T> dh, Span<T> dc, Span<T> da, Span<T> dPeep, Span<T> dcTotal, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        ref T rg = ref MemoryMarshal.GetReference(gates);
        ref T rda = ref MemoryMarshal.GetReference(da);
        ref T rdc = ref MemoryMarshal.GetReference(dc);
        ref T rpe = ref MemoryMarshal.GetReference(peep);
        ref T rdp = ref MemoryMarshal.GetReference(dPeep);
        nuint oi = (nuint)j, of = (nuint)(hs + j), og = (nuint)(2 * hs + j), oo = (nuint)(3 * hs + j);
        var one = TS.Splat(T.One);
        TV i = TS.Load(ref rg, oi), f = TS.Load(ref rg, of);
        TV g = TS.Load(ref rg, og), o = TS.Load(ref rg, oo);
        var cp = TS.Load(ref MemoryMarshal.GetReference(cPrev), oi);
        var cn = TS.Load(ref MemoryMarshal.GetReference(c), oi);
        var dhj = VectorMath.FlushSubnormal<T, TS, TV>(TS.Load(ref MemoryMarshal.GetReference(dh), oi));
        var tc = VectorMath.Tanh<T, TS, TV>(cn);
        var dao = VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(TS.Multiply(TS.Multiply(dhj, tc), o), TS.Subtract(one, o)));
        var dcj = TS.Fma(TS.Multiply(dhj, o), TS.Subtract(one, TS.Multiply(tc, tc)), VectorMath.FlushSubnormal<T, TS, TV>(TS.Load(ref rdc, oi)));
        if (flags.Peepholes)
        {
            dcj = TS.Fma(dao, TS.Load(ref rpe, og), dcj);
            TS.Store(TS.Fma(dao, cn, TS.Load(ref rdp, og)), ref rdp, og);
        }
        if (!dcTotal.IsEmpty) TS.Store(dcj, ref MemoryMarshal.GetReference(dcTotal), oi);
        var dai = VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(TS.Multiply(TS.Multiply(dcj, g), i), TS.Subtract(one, i)));
        var daf = flags.ForgetGate
            ? VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(TS.Multiply(TS.Multiply(dcj, cp), f), TS.Subtract(one, f)))
            : TS.Splat(T.Zero);
        var dag = VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(TS.Multiply(dcj, i), TS.Subtract(one, TS.Multiply(g, g))));
        var dcp = TS.Multiply(dcj, f);
        if (flags.Peepholes)
        {
            dcp = TS.Fma(dai, TS.Load(ref rpe, oi), dcp);
            dcp = TS.Fma(daf, TS.Load(ref rpe, of), dcp);
            TS.Store(TS.Fma(dai, cp, TS.Load(ref rdp, oi)), ref rdp, oi);
            TS.Store(TS.Fma(daf, cp, TS.Load(ref rdp, of)), ref rdp, of);
        }
        TS.Store(dai, ref rda, oi); TS.Store(daf, ref rda, of); TS.Store(dag, ref rda, og); TS.Store(dao, ref rda, oo);
        TS.Store(VectorMath.FlushSubnormal<T, TS, TV>(dcp), ref rdc, oi);
    }
}

/// <summary>
/// The LSTM cell update of step t as the epilogue of the recurrent GEMM (weights packed in
/// <see cref="PackOrder.LstmGates"/> order): as soon as a register tile — some rows × 16 units × all four gates — has
/// its final pre-activations, those units become gates, c and h while the tile is still in L1. Rows whose sequence
/// has ended (t ≥ length) are left alone, as in the unfused loop; the arithmetic per element is the same, so the
/// bits are too. Spans are step t's rows: pre (B×4H, rows as preRow says; blocks by default) and gates (B×4H), cPrev, c,
/// h (B×H).
/// </summary>
internal ref struct LstmStepEpilogue<T>(Span<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
    Span<T> gates, Span<T> c, Span<T> h, ReadOnlySpan<int> lengths, int t, bool keepGates = true, GateRow preRow = default) : ITileEpilogue
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Span<T> _pre = pre, _gates = gates, _c = c, _h = h;
    private readonly ReadOnlySpan<T> _cPrev = cPrev, _peep = peep;
    private readonly ReadOnlySpan<int> _lengths = lengths;

    private readonly int _hs = CheckedUnits(pre, cPrev, peep, flags, gates, c, h, lengths);

    // Every row's spans are checked once here, so the per-tile calls skip the checks.
    private static int CheckedUnits(ReadOnlySpan<T> pre, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> peep, LstmCellFlags flags,
        ReadOnlySpan<T> gates, ReadOnlySpan<T> c, ReadOnlySpan<T> h, ReadOnlySpan<int> lengths)
    {
        int b = lengths.Length, hs = b == 0 ? 0 : c.Length / b;
        if (b > 0 && (c.Length != b * hs || pre.Length < b * 4 * hs || gates.Length < b * 4 * hs || cPrev.Length < b * hs || h.Length < b * hs
            || (flags.Peepholes && peep.Length < 3 * hs)))
            throw new ArgumentException($"LSTM step: spans do not fit {b} rows of H = {hs}.");
        return hs;
    }

    public readonly void Apply(int row, int rows, int unit, int units)
        => LstmKernels.ForwardRows(_pre, _cPrev, _peep, flags, _gates, _c, _h, _lengths, t, row, rows, unit, unit + units, _hs, Simd.Widest, keepGates, preRow);
}

/// <summary>
/// One LSTM step — the recurrent product with the fused cell update of <see cref="LstmStepEpilogue{T}"/> — shared out
/// in <c>parts</c> by micro-panels, i.e. by blocks of 16 hidden units: each thread computes all four
/// gates, c and h of its own units, so any thread count gives the same bits. Set, then <c>forkJoin.Run(job, parts)</c>; reusable.
/// Operands as <see cref="LstmStepEpilogue{T}"/>; hPrev (B×H) is the A of the product, whh packed in
/// <see cref="PackOrder.LstmGates"/> order.
/// </summary>
internal sealed class LstmStepJob<T> : IPartitionedWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private ReadOnlyMemory<T> _hPrev, _whh, _cPrev, _peep;
    private Memory<T> _pre, _gates, _c, _h;
    private ReadOnlyMemory<int> _lengths;
    private PackedLayout<T> _layout;
    private LstmCellFlags _flags;
    private int _t, _parts;

    public LstmStepJob<T> Set(ReadOnlyMemory<T> hPrev, ReadOnlyMemory<T> whh, in PackedLayout<T> layout, Memory<T> pre, ReadOnlyMemory<T> cPrev,
        ReadOnlyMemory<T> peep, LstmCellFlags flags, Memory<T> gates, Memory<T> c, Memory<T> h, ReadOnlyMemory<int> lengths, int t, int parts)
    {
        if (layout.Order != PackOrder.LstmGates) throw new ArgumentException("The recurrent weights must be packed in LSTM gate order.", nameof(layout));
        _hPrev = hPrev; _whh = whh; _layout = layout; _pre = pre; _cPrev = cPrev; _peep = peep; _flags = flags;
        _gates = gates; _c = c; _h = h; _lengths = lengths; _t = t; _parts = parts;
        return this;
    }

    public void RunPart(int part)
    {
        var (q0, q1) = ThreadPolicy.Share(_layout.MicroPanels, part, _parts);
        var cell = new LstmStepEpilogue<T>(_pre.Span, _cPrev.Span, _peep.Span, _flags, _gates.Span, _c.Span, _h.Span, _lengths.Span, _t);
        Gemm.MultiplyAddPanels(_hPrev.Span, _whh.Span, _layout, _pre.Span, _lengths.Length, q0, q1, ref cell, reverse: (_t & 1) == 1);
    }
}

internal static class GruKernels
{
    /// <summary>
    /// pre (3H, in/out): input-side arguments W_i·x + b_i on entry; on exit r and z rows hold the full gate arguments
    /// and the n row holds W_in x + b_in + r ⊙ (W_hn h + b_hn). hPre (3H): W_h·h + b_h. → gates (3H: r, z, n), h (H).
    /// </summary>
    public static void Forward<T>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Forward(pre, hPre, hPrev, gates, h, Simd.Widest);

    /// <summary>The same with vectors up to <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Forward<T>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h, VectorWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = h.Length;
        if (pre.Length < 3 * hs || hPre.Length < 3 * hs || hPrev.Length < hs || gates.Length < 3 * hs)
            throw new ArgumentException($"GRU cell: spans do not fit H = {hs} (pre {pre.Length}, hPre {hPre.Length}, hPrev {hPrev.Length}, gates {gates.Length}).");
        int j = 0;
        if (width == VectorWidth.Vector512) j = ForwardVectors<T, Simd512<T>, Vector512<T>>(pre, hPre, hPrev, gates, h, j, hs);
        if (width >= VectorWidth.Vector) j = ForwardVectors<T, SimdVector<T>, Vector<T>>(pre, hPre, hPrev, gates, h, j, hs);
        for (; j < hs; j++) ForwardScalar(pre, hPre, hPrev, gates, h, j, hs);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // one compiled loop per width (LstmKernels)
    private static int ForwardVectors<T, TS, TV>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        for (; j <= hs - TS.Count; j += TS.Count) ForwardVector<T, TS, TV>(pre, hPre, hPrev, gates, h, j, hs);
        return j;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardVector<T, TS, TV>(Span<T> pre, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, Span<T> gates, Span<T> h, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        ref T rp = ref MemoryMarshal.GetReference(pre);
        ref T rh = ref MemoryMarshal.GetReference(hPre);
        ref T rg = ref MemoryMarshal.GetReference(gates);
        nuint or = (nuint)j, oz = (nuint)(hs + j), on = (nuint)(2 * hs + j);
        var ar = TS.Add(TS.Load(ref rp, or), TS.Load(ref rh, or));
        var az = TS.Add(TS.Load(ref rp, oz), TS.Load(ref rh, oz));
        var r = VectorMath.Sigmoid<T, TS, TV>(ar);
        var z = VectorMath.Sigmoid<T, TS, TV>(az);
        var an = TS.Fma(r, TS.Load(ref rh, on), TS.Load(ref rp, on));
        var n = VectorMath.Tanh<T, TS, TV>(an);
        TS.Store(ar, ref rp, or); TS.Store(az, ref rp, oz); TS.Store(an, ref rp, on);
        TS.Store(r, ref rg, or); TS.Store(z, ref rg, oz); TS.Store(n, ref rg, on);
        var hp = TS.Load(ref MemoryMarshal.GetReference(hPrev), or);
        TS.Store(TS.Fma(z, TS.Subtract(hp, n), n), ref MemoryMarshal.GetReference(h), or);
    }

    /// <summary>
    /// Backward for one row. dh (H): ∂L/∂h_t. Writes daX (3H, ∂L/∂ input-side arguments), daH (3H, ∂L/∂ hidden-side
    /// arguments: the n row is scaled by r) and dhPrev (H, the direct path z ⊙ dh; the W_hh path is added by the caller).
    /// Subnormals are flushed to zero on dh and on every output (<see cref="VectorMath.FlushSubnormal{T}(T)"/>).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Backward(gates, hPre, hPrev, dh, daX, daH, dhPrev, Simd.Widest);

    /// <summary>The same with vectors up to <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public static void Backward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev, VectorWidth width) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int hs = dh.Length;
        if (gates.Length < 3 * hs || hPre.Length < 3 * hs || hPrev.Length < hs || daX.Length < 3 * hs || daH.Length < 3 * hs || dhPrev.Length < hs)
            throw new ArgumentException($"GRU cell backward: spans do not fit H = {hs} (gates {gates.Length}, hPre {hPre.Length}, hPrev {hPrev.Length}, daX {daX.Length}, daH {daH.Length}, dhPrev {dhPrev.Length}).");
        int j = 0;
        if (width == VectorWidth.Vector512) j = BackwardVectors<T, Simd512<T>, Vector512<T>>(gates, hPre, hPrev, dh, daX, daH, dhPrev, j, hs);
        if (width >= VectorWidth.Vector) j = BackwardVectors<T, SimdVector<T>, Vector<T>>(gates, hPre, hPrev, dh, daX, daH, dhPrev, j, hs);
        for (; j < hs; j++) BackwardScalar(gates, hPre, hPrev, dh, daX, daH, dhPrev, j, hs);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // one compiled loop per width (LstmKernels)
    private static int BackwardVectors<T, TS, TV>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        for (; j <= hs - TS.Count; j += TS.Count) BackwardVector<T, TS, TV>(gates, hPre, hPrev, dh, daX, daH, dhPrev, j, hs);
        return j;
    }

    public static void BackwardScalar<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev, int j, int hs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T r = gates[j], z = gates[hs + j], n = gates[2 * hs + j], d = VectorMath.FlushSubnormal(dh[j]);
        T dan = VectorMath.FlushSubnormal(d * (T.One - z) * (T.One - n * n));
        T daz = VectorMath.FlushSubnormal(d * (hPrev[j] - n) * z * (T.One - z));
        T dar = VectorMath.FlushSubnormal(dan * hPre[2 * hs + j] * r * (T.One - r));
        daX[j] = dar; daX[hs + j] = daz; daX[2 * hs + j] = dan;
        daH[j] = dar; daH[hs + j] = daz; daH[2 * hs + j] = VectorMath.FlushSubnormal(dan * r);
        dhPrev[j] = VectorMath.FlushSubnormal(d * z);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardVector<T, TS, TV>(ReadOnlySpan<T> gates, ReadOnlySpan<T> hPre, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> daX, Span<T> daH, Span<T> dhPrev, int j, int hs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TS : ISimd<T, TV> where TV : struct
    {
        ref T rg = ref MemoryMarshal.GetReference(gates);
        ref T rx = ref MemoryMarshal.GetReference(daX);
        ref T rhd = ref MemoryMarshal.GetReference(daH);
        nuint or = (nuint)j, oz = (nuint)(hs + j), on = (nuint)(2 * hs + j);
        var one = TS.Splat(T.One);
        TV r = TS.Load(ref rg, or), z = TS.Load(ref rg, oz), n = TS.Load(ref rg, on);
        var d = VectorMath.FlushSubnormal<T, TS, TV>(TS.Load(ref MemoryMarshal.GetReference(dh), or));
        var hp = TS.Load(ref MemoryMarshal.GetReference(hPrev), or);
        var dan = VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(TS.Multiply(d, TS.Subtract(one, z)), TS.Subtract(one, TS.Multiply(n, n))));
        var daz = VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(TS.Multiply(TS.Multiply(d, TS.Subtract(hp, n)), z), TS.Subtract(one, z)));
        var dar = VectorMath.FlushSubnormal<T, TS, TV>(
            TS.Multiply(TS.Multiply(TS.Multiply(dan, TS.Load(ref MemoryMarshal.GetReference(hPre), on)), r), TS.Subtract(one, r)));
        TS.Store(dar, ref rx, or); TS.Store(daz, ref rx, oz); TS.Store(dan, ref rx, on);
        TS.Store(dar, ref rhd, or); TS.Store(daz, ref rhd, oz); TS.Store(VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(dan, r)), ref rhd, on);
        TS.Store(VectorMath.FlushSubnormal<T, TS, TV>(TS.Multiply(d, z)), ref MemoryMarshal.GetReference(dhPrev), or);
    }
}

internal static class RnnKernels
{
    /// <summary>h = tanh(pre); pre holds W_ih x + b_ih + W_hh h + b_hh.</summary>
    public static void Forward<T>(ReadOnlySpan<T> pre, Span<T> h) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Elementwise.Tanh(pre, h);

    /// <summary>da = dh ⊙ (1 - h²).</summary>
    public static void Backward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> da) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Elementwise.Apply<T, TanhDerivativeOperator<T>>(h, dh, da);
}

/// <summary>(h, dh) ↦ dh·(1 - h²): the tanh derivative expressed through the tanh output (subnormals flushed, as in
/// every backward carry: see <see cref="VectorMath.FlushSubnormal{T}(T)"/>).</summary>
internal readonly struct TanhDerivativeOperator<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T h, T dh) => VectorMath.FlushSubnormal(VectorMath.FlushSubnormal(dh) * (T.One - h * h));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TS, TV>(TV h, TV dh) where TS : ISimd<T, TV> where TV : struct
        => VectorMath.FlushSubnormal<T, TS, TV>(
            TS.Multiply(VectorMath.FlushSubnormal<T, TS, TV>(dh), TS.Subtract(TS.Splat(T.One), TS.Multiply(h, h))));
}
