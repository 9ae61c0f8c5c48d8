using System.Numerics;
using System.Runtime.CompilerServices;
using LstmNotebooks.Kernels;

namespace LstmNotebooks;

// Shape letters: B = batch rows (of one shard), T = steps, I = input features, H = hidden units (cell width),
// Hout = width of h (the projection size of a projected LSTM, else H), D = directions (1 or 2), L = layers,
// G = gate blocks (LSTM 4 [i|f|g|o], GRU 3 [r|z|n], RNN 1; see CellDefinition), GH = G·H, In_k = I for layer 0 and
// D·Hout above. A "unit" is one direction of one layer, index u = layer·D + direction. Inside a pass every tensor is
// time-major (T, B, ·), so the B rows of one step are contiguous for the recurrent GEMM. A unit runs in its processing
// order: the reverse direction reads each row reversed within its own length (as pack_padded_sequence does), so both
// directions share one loop. A row b with step ≥ length[b] is padding: its state is carried unchanged, so the state
// at step T-1 is each sequence's final state, and gradients pass through padding untouched.

/// <summary>
/// The immutable structure of a model's recurrent stack and head: sizes, each unit's parameter offsets, and the cell's
/// step operations. Holds no buffers and no weights; one per <see cref="Model{T}"/>, shared by every workspace.
/// </summary>
internal sealed class Network<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Network(ModelSpec spec, ParameterLayout layout)
    {
        Spec = spec;
        Layout = layout;
        Cell = CellDefinition.Of(spec.Cell);
        L = spec.Layers;
        D = spec.Directions;
        I = spec.InputSize;
        H = spec.HiddenSize;
        Hout = spec.OutputSize;
        G = Cell.Blocks.Count;
        GH = G * H;
        Units = layout.Units;
        Ops = spec.Cell switch
        {
            CellKind.Lstm => new LstmOps<T>(new LstmCellFlags(spec.Peepholes, spec.ForgetGate)),
            CellKind.Gru => new GruOps<T>(),
            _ => new RnnOps<T>(),
        };
        HeadOutputs = spec.Head.Kind == HeadKind.None ? 0 : spec.Head.Outputs;
        int w = 0;
        WeightOffsets = new int[Units.Length * 3];
        for (int u = 0; u < Units.Length; u++)
        {
            WeightOffsets[3 * u] = w; w += Units[u].InputSize * GH;
            WeightOffsets[3 * u + 1] = w; w += Hout * GH;
            WeightOffsets[3 * u + 2] = w; if (Projected) w += H * Hout;
        }
        HeadOffset = w;
        w += OutputWidth * HeadOutputs;
        PreparedLength = w;
    }

    public ModelSpec Spec { get; }
    public ParameterLayout Layout { get; }
    public CellDefinition Cell { get; }
    public CellOps<T> Ops { get; }
    public LayerOffsets[] Units { get; }
    public int L { get; }
    public int D { get; }
    public int I { get; }
    public int H { get; }
    public int Hout { get; }
    public int G { get; }
    public int GH { get; }
    public bool HasCell => Cell.HasCellState;
    public bool Projected => Hout != H;
    public int HeadOutputs { get; }
    public bool HasHead => HeadOutputs > 0;

    /// <summary>Width of the top layer's output and of the head's input: D·Hout.</summary>
    public int OutputWidth => D * Hout;

    public int InputWidth(int layer) => layer == 0 ? I : D * Hout;

    // ---- weights in the forms the forward GEMMs read --------------------------------------------------------------

    private int[] WeightOffsets { get; }

    /// <summary>Length of the buffer <see cref="PrepareWeights"/> fills.</summary>
    public int PreparedLength { get; }

    /// <summary>W_ihᵀ (In×GH), W_hhᵀ (Hout×GH) and W_hrᵀ (H×Hout) of every unit and the head's Wᵀ (D·Hout×O): the B
    /// operands of the forward products, rebuilt once per call because a training session's weights change between
    /// calls.</summary>
    public void PrepareWeights(ReadOnlySpan<T> p, Span<T> prepared)
    {
        for (int u = 0; u < Units.Length; u++)
        {
            var o = Units[u];
            Gemm.Transpose(p.Slice(o.WeightIh, GH * o.InputSize), prepared.Slice(WeightOffsets[3 * u], o.InputSize * GH), GH, o.InputSize);
            Gemm.Transpose(p.Slice(o.WeightHh, GH * Hout), prepared.Slice(WeightOffsets[3 * u + 1], Hout * GH), GH, Hout);
            if (Projected) Gemm.Transpose(p.Slice(o.Projection, Hout * H), prepared.Slice(WeightOffsets[3 * u + 2], H * Hout), Hout, H);
        }
        if (HasHead) Gemm.Transpose(p.Slice(Layout.HeadWeight, HeadOutputs * OutputWidth), prepared.Slice(HeadOffset, OutputWidth * HeadOutputs), HeadOutputs, OutputWidth);
    }

    public ReadOnlySpan<T> WihT(ReadOnlySpan<T> prepared, int u) => prepared.Slice(WeightOffsets[3 * u], Units[u].InputSize * GH);
    public ReadOnlySpan<T> WhhT(ReadOnlySpan<T> prepared, int u) => prepared.Slice(WeightOffsets[3 * u + 1], Hout * GH);
    public ReadOnlySpan<T> WhrT(ReadOnlySpan<T> prepared, int u) => prepared.Slice(WeightOffsets[3 * u + 2], Projected ? H * Hout : 0);
    public ReadOnlySpan<T> HeadWT(ReadOnlySpan<T> prepared) => prepared.Slice(HeadOffset, OutputWidth * HeadOutputs);

    private int HeadOffset { get; }

    /// <summary>Forward multiply-adds of one call (the input-side and recurrent GEMMs): what the thread policy weighs.</summary>
    public double ForwardFlops(int batch, int steps)
    {
        double perRow = 0;
        for (int l = 0; l < L; l++) perRow += D * 2.0 * GH * (InputWidth(l) + Hout + (Projected ? H * (double)Hout / GH : 0));
        return perRow * batch * steps;
    }
}

/// <summary>The spans one step of one unit works on, for the B rows of a shard (see the shape letters above).</summary>
internal ref struct StepSpans<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public int B;
    public int Step;
    public ReadOnlySpan<int> Lengths;
    public Span<T> Pre;           // B×GH: in, W_ih·x + b_ih; out, the exact arguments of the gate nonlinearities
    public Span<T> HPre;          // B×GH: GRU's W_hh·h + b_hh
    public Span<T> Gates;         // B×GH: gate values (LSTM, GRU)
    public ReadOnlySpan<T> CPrev; // B×H
    public Span<T> C;             // B×H
    public ReadOnlySpan<T> HPrev; // B×Hout: h_{t-1}
    public ReadOnlySpan<T> HIn;   // B×Hout: what W_hh multiplies (h_{t-1}, masked under recurrent dropout)
    public Span<T> M;             // B×H: a projected LSTM's o ⊙ tanh(c)
    public Span<T> H;             // B×Hout: h_t
}

/// <summary>The spans one backward step works on. dH arrives as ∂L/∂(cell's own output): ∂L/∂h, or ∂L/∂m for a
/// projected LSTM.</summary>
internal ref struct BackSpans<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public int B;
    public int Step;
    public ReadOnlySpan<int> Lengths;
    public ReadOnlySpan<T> Gates;
    public ReadOnlySpan<T> HPre;
    public ReadOnlySpan<T> CPrev;
    public ReadOnlySpan<T> C;
    public ReadOnlySpan<T> HPrev;
    public ReadOnlySpan<T> H;
    public ReadOnlySpan<T> DH;      // B×(H or Hout)
    public Span<T> DC;              // B×H, in ∂L/∂c_t, out ∂L/∂c_{t-1}
    public Span<T> DAX;             // B×GH: ∂L/∂ input-side arguments
    public Span<T> DAH;             // B×GH: ∂L/∂ hidden-side arguments (the same span except for GRU)
    public Span<T> DHDirect;        // B×Hout: the direct ∂L/∂h_{t-1} path (GRU), added to
    public Span<T> DCTotal;         // B×H or empty: total ∂L/∂c_t, for gradient flow
    public Span<T> DPeep;           // 3H or empty
}

/// <summary>
/// One cell kind's step, for the B rows of a shard: the recurrent product, the fused update (a kernel per valid row),
/// its backward, and one unit's recompute through the kernel's scalar specification for interventions.
/// </summary>
internal abstract class CellOps<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>True when the hidden-side arguments are kept apart from the input side (GRU: r multiplies them).</summary>
    public virtual bool SeparateHiddenProduct => false;

    /// <summary>The recurrent GEMM: adds b_hh and W_hh·HIn to the input side's arguments (GRU keeps them apart, in HPre).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public virtual void Product(ReadOnlySpan<T> p, in LayerOffsets o, ReadOnlySpan<T> whhT, ref StepSpans<T> s, int gh, int hout)
    {
        Gemm.AddRowVector(p.Slice(o.BiasHh, gh), s.Pre, s.B, gh);
        Gemm.MultiplyAdd(s.HIn, whhT, s.Pre, s.B, hout, gh);
    }

    /// <summary>The fused update of every valid row: gates, c, and h (or m, for a projected LSTM).</summary>
    public abstract void Update(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int h);

    /// <summary>Unit j of row b through the kernel's scalar specification, the override applied.</summary>
    public abstract void Recompute(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int b, int j, int h, UnitClamp<T> unit);

    /// <summary>Step backward for the valid rows; padding rows get dA = 0.</summary>
    public abstract void Backward(ReadOnlySpan<T> p, in LayerOffsets o, ref BackSpans<T> s, int h, int gh);

    protected static bool Valid(ReadOnlySpan<int> lengths, int b, int t) => t < lengths[b];
}

internal sealed class LstmOps<T>(LstmCellFlags flags) : CellOps<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private static ReadOnlySpan<T> Peep(ReadOnlySpan<T> p, in LayerOffsets o, int h) => o.Peephole >= 0 ? p.Slice(o.Peephole, 3 * h) : default;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Update(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int h)
    {
        int gh = 4 * h;
        var peep = Peep(p, o, h);
        var output = o.Projection >= 0 ? s.M : s.H;
        for (int b = 0; b < s.B; b++)
        {
            if (!Valid(s.Lengths, b, s.Step)) continue;
            LstmKernels.Forward(s.Pre.Slice(b * gh, gh), s.CPrev.Slice(b * h, h), peep, flags,
                s.Gates.Slice(b * gh, gh), s.C.Slice(b * h, h), output.Slice(b * h, h));
        }
    }

    public override void Recompute(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int b, int j, int h, UnitClamp<T> unit)
    {
        int gh = 4 * h;
        var output = o.Projection >= 0 ? s.M : s.H;
        LstmKernels.ForwardScalar(s.Pre.Slice(b * gh, gh), s.CPrev.Slice(b * h, h), Peep(p, o, h), flags,
            s.Gates.Slice(b * gh, gh), s.C.Slice(b * h, h), output.Slice(b * h, h), j, h, unit);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Backward(ReadOnlySpan<T> p, in LayerOffsets o, ref BackSpans<T> s, int h, int gh)
    {
        var peep = Peep(p, o, h);
        for (int b = 0; b < s.B; b++)
        {
            if (!Valid(s.Lengths, b, s.Step))
            {
                s.DAX.Slice(b * gh, gh).Clear();
                if (!s.DCTotal.IsEmpty) s.DC.Slice(b * h, h).CopyTo(s.DCTotal.Slice(b * h, h));
                continue;
            }
            LstmKernels.Backward<T>(s.Gates.Slice(b * gh, gh), s.CPrev.Slice(b * h, h), s.C.Slice(b * h, h), peep, flags,
                s.DH.Slice(b * h, h), s.DC.Slice(b * h, h), s.DAX.Slice(b * gh, gh), s.DPeep,
                s.DCTotal.IsEmpty ? default : s.DCTotal.Slice(b * h, h));
        }
    }
}

internal sealed class GruOps<T> : CellOps<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override bool SeparateHiddenProduct => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Product(ReadOnlySpan<T> p, in LayerOffsets o, ReadOnlySpan<T> whhT, ref StepSpans<T> s, int gh, int hout)
    {
        Gemm.SetRows(p.Slice(o.BiasHh, gh), s.HPre, s.B, gh);
        Gemm.MultiplyAdd(s.HIn, whhT, s.HPre, s.B, hout, gh);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Update(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int h)
    {
        int gh = 3 * h;
        for (int b = 0; b < s.B; b++)
        {
            if (!Valid(s.Lengths, b, s.Step)) continue;
            GruKernels.Forward(s.Pre.Slice(b * gh, gh), s.HPre.Slice(b * gh, gh), s.HPrev.Slice(b * h, h),
                s.Gates.Slice(b * gh, gh), s.H.Slice(b * h, h));
        }
    }

    public override void Recompute(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int b, int j, int h, UnitClamp<T> unit)
    {
        int gh = 3 * h;
        GruKernels.ForwardScalar(s.Pre.Slice(b * gh, gh), s.HPre.Slice(b * gh, gh), s.HPrev.Slice(b * h, h),
            s.Gates.Slice(b * gh, gh), s.H.Slice(b * h, h), j, h, unit);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Backward(ReadOnlySpan<T> p, in LayerOffsets o, ref BackSpans<T> s, int h, int gh)
    {
        for (int b = 0; b < s.B; b++)
        {
            if (!Valid(s.Lengths, b, s.Step))
            {
                s.DAX.Slice(b * gh, gh).Clear();
                s.DAH.Slice(b * gh, gh).Clear();
                continue;
            }
            GruKernels.Backward<T>(s.Gates.Slice(b * gh, gh), s.HPre.Slice(b * gh, gh), s.HPrev.Slice(b * h, h), s.DH.Slice(b * h, h),
                s.DAX.Slice(b * gh, gh), s.DAH.Slice(b * gh, gh), s.DHDirect.Slice(b * h, h));
        }
    }
}

internal sealed class RnnOps<T> : CellOps<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Update(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int h)
    {
        for (int b = 0; b < s.B; b++)
            if (Valid(s.Lengths, b, s.Step)) RnnKernels.Forward<T>(s.Pre.Slice(b * h, h), s.H.Slice(b * h, h));
    }

    // A vanilla RNN has no gates and no cell state: only hidden-state edits apply, and they need no recompute.
    public override void Recompute(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int b, int j, int h, UnitClamp<T> unit) { }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Backward(ReadOnlySpan<T> p, in LayerOffsets o, ref BackSpans<T> s, int h, int gh)
    {
        for (int b = 0; b < s.B; b++)
        {
            if (Valid(s.Lengths, b, s.Step)) RnnKernels.Backward<T>(s.H.Slice(b * h, h), s.DH.Slice(b * h, h), s.DAX.Slice(b * h, h));
            else s.DAX.Slice(b * h, h).Clear();
        }
    }
}
