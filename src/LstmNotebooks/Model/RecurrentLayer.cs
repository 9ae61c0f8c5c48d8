using System.Runtime.CompilerServices;
using System.Numerics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks;

// Shape letters: B = batch, T = steps, I = input features, H = hidden units, G = gate blocks (LSTM 4 [i|f|g|o],
// GRU 3 [r|z|n], RNN 1). Inside the stack every tensor is time-major (T, B, ·), so the B rows of one step are
// contiguous for the recurrent GEMM. A row b with t ≥ length[b] is padding: its state is carried unchanged, so the
// state at step T-1 is each sequence's final state, and gradients pass through padding untouched.

/// <summary>What one layer's forward pass keeps for its backward pass and for traces.</summary>
internal sealed class LayerCache<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public LayerCache(int layer, int batch, int steps, int input, int hidden, int gates, bool cell, bool hiddenPre, T[] x, int[] lengths,
        Workspace<T>? workspace)
    {
        B = batch; Steps = steps; I = input; H = hidden; GH = gates * hidden;
        X = x; Lengths = lengths;
        // Every element of these is written before it is read (padding rows by the carry, gates only read where
        // valid), so reused arrays need no zeroing; Gates stays zeroed because traces show padding rows.
        T[] Rent(string role, int length, bool zeroed = false) => Workspace<T>.Rent(workspace, $"{role}{layer}", length, zeroed);
        Pre = Rent("pre", steps * batch * GH);
        Gates = gates > 1 ? Rent("gates", steps * batch * GH, zeroed: true) : [];
        HPre = hiddenPre ? Rent("hpre", steps * batch * GH) : [];
        C = cell ? Rent("c", steps * batch * hidden) : [];
        Hs = Rent("h", steps * batch * hidden);
        H0 = new T[batch * hidden];
        C0 = cell ? new T[batch * hidden] : [];
        Cancellation = workspace?.Cancellation ?? default;
    }

    public CancellationToken Cancellation { get; }

    public int B { get; }
    public int Steps { get; }
    public int I { get; }
    public int H { get; }
    public int GH { get; }
    public T[] X { get; }           // (T, B, I)
    public int[] Lengths { get; }   // valid steps per row, 0..T
    public T[] Pre { get; }         // (T, B, GH): the exact arguments of the gate nonlinearities
    public T[] Gates { get; }       // (T, B, GH): gate values after their nonlinearity (LSTM, GRU)
    public T[] HPre { get; }        // (T, B, GH): GRU hidden-side W_hh·h + b_hh
    public T[] C { get; }           // (T, B, H): LSTM cell state
    public T[] Hs { get; }          // (T, B, H): hidden state
    public T[] H0 { get; }          // (B, H)
    public T[] C0 { get; }          // (B, H)

    public Span<T> StepRows(T[] a, int t, int width) => a.AsSpan(t * B * width, B * width);
    public ReadOnlySpan<T> HPrev(int t) => t == 0 ? H0 : Hs.AsSpan((t - 1) * B * H, B * H);
    public ReadOnlySpan<T> CPrev(int t) => t == 0 ? C0 : C.AsSpan((t - 1) * B * H, B * H);
}

/// <summary>Per-step records of ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖, summed over the batch rows, for the gradient-flow view.</summary>
internal sealed class GradientRecorder(int layers, int steps)
{
    public double[,] Hidden { get; } = new double[layers, steps];
    public double[,] Cell { get; } = new double[layers, steps];

    /// <summary>The L2 norm, summed in double (also the trainer's global gradient norm for clipping).</summary>
    public static double Norm<T>(ReadOnlySpan<T> v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (var x in v) { double d = double.CreateTruncating(x); s += d * d; }
        return Math.Sqrt(s);
    }
}

/// <summary>
/// One recurrent layer: the parts every cell shares (input-side GEMM over all steps, the time loop, padding, weight
/// gradients as two large GEMMs after the loop). The cell-specific step is in the subclasses.
/// </summary>
internal abstract class RecurrentLayer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected RecurrentLayer(int index, LayerOffsets offsets, int hidden, int gates)
    {
        Index = index;
        O = offsets;
        H = hidden;
        G = gates;
        GH = gates * hidden;
    }

    public int Index { get; }
    protected LayerOffsets O { get; }
    protected int H { get; }
    protected int G { get; }
    protected int GH { get; }
    public int InputSize => O.InputSize;
    public abstract bool HasCell { get; }
    protected virtual bool HasHiddenPre => false;

    public static RecurrentLayer<T> Create(ModelSpec spec, int index, LayerOffsets offsets) => spec.Cell switch
    {
        CellKind.Lstm => new LstmLayer<T>(index, offsets, spec.HiddenSize, new LstmCellFlags(spec.Peepholes, spec.ForgetGate)),
        CellKind.Gru => new GruLayer<T>(index, offsets, spec.HiddenSize),
        _ => new RnnLayer<T>(index, offsets, spec.HiddenSize),
    };

    public LayerCache<T> NewCache(int batch, int steps, T[] x, int[] lengths, Workspace<T>? workspace = null)
        => new(Index, batch, steps, O.InputSize, H, G, HasCell, HasHiddenPre, x, lengths, workspace);

    /// <summary>Runs the layer over all steps; the caller has filled cache.X, H0 and C0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public void Forward(ReadOnlySpan<T> p, LayerCache<T> k, IReadOnlyList<Intervention>? interventions)
    {
        int rows = k.Steps * k.B;
        var wihT = new T[O.InputSize * GH];
        Gemm.Transpose(p.Slice(O.WeightIh, GH * O.InputSize), wihT, GH, O.InputSize);
        var whhT = new T[H * GH];
        Gemm.Transpose(p.Slice(O.WeightHh, GH * H), whhT, GH, H);
        Gemm.SetRows(p.Slice(O.BiasIh, GH), k.Pre, rows, GH);
        Gemm.MultiplyAdd<T>(k.X, wihT, k.Pre, rows, O.InputSize, GH);
        for (int t = 0; t < k.Steps; t++)
        {
            k.Cancellation.ThrowIfCancellationRequested();
            Step(p, k, t, whhT);
            CarryPadding(k, t);
            if (interventions is { Count: > 0 }) Intervene(p, k, t, interventions);
        }
    }

    /// <summary>The hidden-side GEMM and the fused cell update of step t for every row with t &lt; length.</summary>
    protected abstract void Step(ReadOnlySpan<T> p, LayerCache<T> k, int t, T[] whhT);

    /// <summary>Applies the interventions active at step t (scalar, after the fused update; traces only).</summary>
    protected abstract void Intervene(ReadOnlySpan<T> p, LayerCache<T> k, int t, IReadOnlyList<Intervention> interventions);

    private void CarryPadding(LayerCache<T> k, int t)
    {
        for (int b = 0; b < k.B; b++)
        {
            if (t < k.Lengths[b]) continue;
            k.HPrev(t).Slice(b * H, H).CopyTo(k.Hs.AsSpan((t * k.B + b) * H, H));
            if (HasCell) k.CPrev(t).Slice(b * H, H).CopyTo(k.C.AsSpan((t * k.B + b) * H, H));
        }
    }

    /// <summary>
    /// Backpropagation through time. dHs (T, B, H; or empty): ∂L/∂ outputs. dh (B, H): ∂L/∂h_N on entry, ∂L/∂h_0 on
    /// exit; dc likewise for the cell state (LSTM; empty otherwise). Parameter gradients are added into grad; dX
    /// (T, B, I), if not empty, receives ∂L/∂ input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public void Backward(ReadOnlySpan<T> p, Span<T> grad, LayerCache<T> k, ReadOnlySpan<T> dHs, Span<T> dh, Span<T> dc,
        Span<T> dX, GradientRecorder? recorder, Workspace<T>? workspace = null)
    {
        int rows = k.Steps * k.B;
        var dAX = Workspace<T>.Rent(workspace, $"dax{Index}", rows * GH);
        var dAH = HasHiddenPre ? Workspace<T>.Rent(workspace, $"dah{Index}", rows * GH) : dAX;
        var dhNew = new T[k.B * H];
        var wHh = p.Slice(O.WeightHh, GH * H);
        var dcTotal = recorder is not null && HasCell ? new T[k.B * H] : null;
        for (int t = k.Steps - 1; t >= 0; t--)
        {
            k.Cancellation.ThrowIfCancellationRequested();
            if (!dHs.IsEmpty) Elementwise.Add<T>(dh, dHs.Slice(t * k.B * H, k.B * H), dh);
            dhNew.AsSpan().Clear();
            StepBackward(p, grad, k, t, dh, dc, k.StepRows(dAX, t, GH), k.StepRows(dAH, t, GH), dhNew, dcTotal);
            Gemm.MultiplyAdd<T>(k.StepRows(dAH, t, GH), wHh, dhNew, k.B, GH, H);
            for (int b = 0; b < k.B; b++)
                if (t >= k.Lengths[b]) dh.Slice(b * H, H).CopyTo(dhNew.AsSpan(b * H, H));
            if (recorder is not null)
            {
                recorder.Hidden[Index, t] += GradientRecorder.Norm<T>(dh);
                if (dcTotal is not null) recorder.Cell[Index, t] += GradientRecorder.Norm<T>(dcTotal);
            }
            dhNew.CopyTo(dh);
        }

        // Weight gradients over all steps at once: dW_hh += dA_hᵀ · [h_0, h_1 … h_{T-1}], dW_ih += dA_xᵀ · X.
        var hPrevAll = Workspace<T>.Rent(workspace, $"hprev{Index}", rows * H, zeroed: false);
        k.H0.CopyTo(hPrevAll, 0);
        k.Hs.AsSpan(0, (k.Steps - 1) * k.B * H).CopyTo(hPrevAll.AsSpan(k.B * H));
        Gemm.MultiplyAddTransposedA<T>(dAH, hPrevAll, grad.Slice(O.WeightHh, GH * H), GH, rows, H);
        Gemm.AddColumnSums<T>(dAH, grad.Slice(O.BiasHh, GH), rows, GH);
        // dW_ih is accumulated transposed, (I × GH) += Xᵀ·dA_x, so the vector lanes run along the 4H gate rows rather
        // than along I, which is often 1 or 2 (a product's operands commute, so the bits are those of dA_xᵀ·X).
        var dWihT = new T[O.InputSize * GH];
        var dWih = grad.Slice(O.WeightIh, GH * O.InputSize);
        Gemm.Transpose<T>(dWih, dWihT, GH, O.InputSize);
        Gemm.MultiplyAddTransposedA<T>(k.X, dAX, dWihT, O.InputSize, rows, GH);
        Gemm.Transpose<T>(dWihT, dWih, O.InputSize, GH);
        Gemm.AddColumnSums<T>(dAX, grad.Slice(O.BiasIh, GH), rows, GH);
        if (!dX.IsEmpty) Gemm.MultiplyAdd<T>(dAX, p.Slice(O.WeightIh, GH * O.InputSize), dX, rows, GH, O.InputSize);
    }

    /// <summary>
    /// Step t backward for the valid rows: fills dAX_t (∂L/∂ input-side arguments) and dAH_t (hidden-side; the same
    /// array except for GRU), adds any direct ∂L/∂h_{t-1} path into dhPrev, and turns dc into ∂L/∂c_{t-1}.
    /// Padding rows must leave dA zero.
    /// </summary>
    protected abstract void StepBackward(ReadOnlySpan<T> p, Span<T> grad, LayerCache<T> k, int t, Span<T> dh, Span<T> dc,
        Span<T> dAX, Span<T> dAH, Span<T> dhPrev, T[]? dcTotal);
}

internal sealed class LstmLayer<T>(int index, LayerOffsets offsets, int hidden, LstmCellFlags flags)
    : RecurrentLayer<T>(index, offsets, hidden, 4) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override bool HasCell => true;

    private ReadOnlySpan<T> Peep(ReadOnlySpan<T> p) => O.Peephole >= 0 ? p.Slice(O.Peephole, 3 * H) : default;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    protected override void Step(ReadOnlySpan<T> p, LayerCache<T> k, int t, T[] whhT)
    {
        var pre = k.StepRows(k.Pre, t, GH);
        Gemm.AddRowVector(p.Slice(O.BiasHh, GH), pre, k.B, GH);
        Gemm.MultiplyAdd(k.HPrev(t), whhT, pre, k.B, H, GH);
        var gates = k.StepRows(k.Gates, t, GH);
        var c = k.StepRows(k.C, t, H);
        var h = k.StepRows(k.Hs, t, H);
        var cPrev = k.CPrev(t);
        var peep = Peep(p);
        for (int b = 0; b < k.B; b++)
        {
            if (t >= k.Lengths[b]) continue;
            LstmKernels.Forward(pre.Slice(b * GH, GH), cPrev.Slice(b * H, H), peep, flags,
                gates.Slice(b * GH, GH), c.Slice(b * H, H), h.Slice(b * H, H));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    protected override void StepBackward(ReadOnlySpan<T> p, Span<T> grad, LayerCache<T> k, int t, Span<T> dh, Span<T> dc,
        Span<T> dAX, Span<T> dAH, Span<T> dhPrev, T[]? dcTotal)
    {
        var gates = k.StepRows(k.Gates, t, GH);
        var c = k.StepRows(k.C, t, H);
        var cPrev = k.CPrev(t);
        var peep = Peep(p);
        var dPeep = O.Peephole >= 0 ? grad.Slice(O.Peephole, 3 * H) : default;
        for (int b = 0; b < k.B; b++)
        {
            if (t >= k.Lengths[b])
            {
                if (dcTotal is not null) dc.Slice(b * H, H).CopyTo(dcTotal.AsSpan(b * H, H));
                continue;
            }
            LstmKernels.Backward<T>(gates.Slice(b * GH, GH), cPrev.Slice(b * H, H), c.Slice(b * H, H), peep, flags,
                dh.Slice(b * H, H), dc.Slice(b * H, H), dAX.Slice(b * GH, GH), dPeep,
                dcTotal is null ? default : dcTotal.AsSpan(b * H, H));
        }
    }

    protected override void Intervene(ReadOnlySpan<T> p, LayerCache<T> k, int t, IReadOnlyList<Intervention> interventions)
    {
        var peep = Peep(p);
        for (int b = 0; b < k.B; b++)
        {
            if (t >= k.Lengths[b]) continue;
            var pre = k.Pre.AsSpan((t * k.B + b) * GH, GH);
            var gates = k.Gates.AsSpan((t * k.B + b) * GH, GH);
            var c = k.C.AsSpan((t * k.B + b) * H, H);
            var h = k.Hs.AsSpan((t * k.B + b) * H, H);
            var cPrev = k.CPrev(t).Slice(b * H, H);
            foreach (var iv in interventions)
            {
                if (!iv.Applies(Index, t) || iv.Kind == InterventionKind.SetHiddenState) continue;
                int j = iv.Unit;
                bool clampO = false;
                if (iv.Kind == InterventionKind.ClampGate)
                {
                    int block = Intervention.GateBlock(CellKind.Lstm, iv.Gate);
                    gates[block * H + j] = T.CreateChecked(iv.Value);
                    clampO = block == 3;
                }
                // Recompute this unit from its (possibly clamped) gates: c, then o (its peephole reads c), then h.
                T cOld = c[j];
                T cNew = iv.Kind == InterventionKind.SetCellState
                    ? T.CreateChecked(iv.Value)
                    : T.FusedMultiplyAdd(flags.ForgetGate ? gates[H + j] : T.One, cPrev[j], gates[j] * gates[2 * H + j]);
                c[j] = cNew;
                if (!peep.IsEmpty) pre[3 * H + j] += peep[2 * H + j] * (cNew - cOld);
                if (!clampO && !peep.IsEmpty) gates[3 * H + j] = VectorMath.Sigmoid(pre[3 * H + j]);
                h[j] = gates[3 * H + j] * VectorMath.Tanh(cNew);
            }
            foreach (var iv in interventions)
                if (iv.Applies(Index, t) && iv.Kind == InterventionKind.SetHiddenState) h[iv.Unit] = T.CreateChecked(iv.Value);
        }
    }
}

internal sealed class GruLayer<T>(int index, LayerOffsets offsets, int hidden)
    : RecurrentLayer<T>(index, offsets, hidden, 3) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override bool HasCell => false;
    protected override bool HasHiddenPre => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    protected override void Step(ReadOnlySpan<T> p, LayerCache<T> k, int t, T[] whhT)
    {
        var hPre = k.StepRows(k.HPre, t, GH);
        Gemm.SetRows(p.Slice(O.BiasHh, GH), hPre, k.B, GH);
        Gemm.MultiplyAdd(k.HPrev(t), whhT, hPre, k.B, H, GH);
        var pre = k.StepRows(k.Pre, t, GH);
        var gates = k.StepRows(k.Gates, t, GH);
        var h = k.StepRows(k.Hs, t, H);
        var hPrev = k.HPrev(t);
        for (int b = 0; b < k.B; b++)
        {
            if (t >= k.Lengths[b]) continue;
            GruKernels.Forward(pre.Slice(b * GH, GH), hPre.Slice(b * GH, GH), hPrev.Slice(b * H, H), gates.Slice(b * GH, GH), h.Slice(b * H, H));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    protected override void StepBackward(ReadOnlySpan<T> p, Span<T> grad, LayerCache<T> k, int t, Span<T> dh, Span<T> dc,
        Span<T> dAX, Span<T> dAH, Span<T> dhPrev, T[]? dcTotal)
    {
        var gates = k.StepRows(k.Gates, t, GH);
        var hPre = k.StepRows(k.HPre, t, GH);
        var hPrev = k.HPrev(t);
        for (int b = 0; b < k.B; b++)
        {
            if (t >= k.Lengths[b]) continue;
            GruKernels.Backward<T>(gates.Slice(b * GH, GH), hPre.Slice(b * GH, GH), hPrev.Slice(b * H, H), dh.Slice(b * H, H),
                dAX.Slice(b * GH, GH), dAH.Slice(b * GH, GH), dhPrev.Slice(b * H, H));
        }
    }

    protected override void Intervene(ReadOnlySpan<T> p, LayerCache<T> k, int t, IReadOnlyList<Intervention> interventions)
    {
        for (int b = 0; b < k.B; b++)
        {
            if (t >= k.Lengths[b]) continue;
            var pre = k.Pre.AsSpan((t * k.B + b) * GH, GH);
            var hPre = k.HPre.AsSpan((t * k.B + b) * GH, GH);
            var gates = k.Gates.AsSpan((t * k.B + b) * GH, GH);
            var h = k.Hs.AsSpan((t * k.B + b) * H, H);
            var hPrev = k.HPrev(t).Slice(b * H, H);
            foreach (var iv in interventions)
            {
                if (!iv.Applies(Index, t) || iv.Kind != InterventionKind.ClampGate) continue;
                int j = iv.Unit, block = Intervention.GateBlock(CellKind.Gru, iv.Gate);
                T value = T.CreateChecked(iv.Value);
                if (block == 0)
                {
                    // n reads r: move its argument from the old r to the clamped one, then refresh n.
                    pre[2 * H + j] += (value - gates[j]) * hPre[2 * H + j];
                    gates[2 * H + j] = VectorMath.Tanh(pre[2 * H + j]);
                }
                gates[block * H + j] = value;
                T n = gates[2 * H + j];
                h[j] = T.FusedMultiplyAdd(gates[H + j], hPrev[j] - n, n);
            }
            foreach (var iv in interventions)
                if (iv.Applies(Index, t) && iv.Kind == InterventionKind.SetHiddenState) h[iv.Unit] = T.CreateChecked(iv.Value);
        }
    }
}

internal sealed class RnnLayer<T>(int index, LayerOffsets offsets, int hidden)
    : RecurrentLayer<T>(index, offsets, hidden, 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override bool HasCell => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    protected override void Step(ReadOnlySpan<T> p, LayerCache<T> k, int t, T[] whhT)
    {
        var pre = k.StepRows(k.Pre, t, H);
        Gemm.AddRowVector(p.Slice(O.BiasHh, H), pre, k.B, H);
        Gemm.MultiplyAdd(k.HPrev(t), whhT, pre, k.B, H, H);
        var h = k.StepRows(k.Hs, t, H);
        for (int b = 0; b < k.B; b++)
            if (t < k.Lengths[b]) RnnKernels.Forward<T>(pre.Slice(b * H, H), h.Slice(b * H, H));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    protected override void StepBackward(ReadOnlySpan<T> p, Span<T> grad, LayerCache<T> k, int t, Span<T> dh, Span<T> dc,
        Span<T> dAX, Span<T> dAH, Span<T> dhPrev, T[]? dcTotal)
    {
        var h = k.StepRows(k.Hs, t, H);
        for (int b = 0; b < k.B; b++)
            if (t < k.Lengths[b]) RnnKernels.Backward<T>(h.Slice(b * H, H), dh.Slice(b * H, H), dAX.Slice(b * H, H));
    }

    protected override void Intervene(ReadOnlySpan<T> p, LayerCache<T> k, int t, IReadOnlyList<Intervention> interventions)
    {
        for (int b = 0; b < k.B; b++)
        {
            if (t >= k.Lengths[b]) continue;
            foreach (var iv in interventions)
                if (iv.Applies(Index, t) && iv.Kind == InterventionKind.SetHiddenState)
                    k.Hs[(t * k.B + b) * H + iv.Unit] = T.CreateChecked(iv.Value);
        }
    }
}
