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
        // Forward weights packed for the kernels' micro-panels (an LSTM's W_hh in gate order, so the cell update runs
        // as the recurrent product's epilogue); W_hh as stored, packed, for the per-step backward product.
        var hhOrder = spec.Cell == CellKind.Lstm ? PackOrder.LstmGates : PackOrder.Columns;
        // When every micro-panel is whole, W_ih is packed in gate order too, so both products can put their rows
        // interleaved (GateLayout); the packing computes the same elements in either layout.
        Interleaves = spec.Cell == CellKind.Lstm && Gemm.CanInterleave(PackedLayout<T>.Create(Hout, GH, PackOrder.LstmGates));
        var ihOrder = Interleaves ? PackOrder.LstmGates : PackOrder.Columns;
        int w = 0;
        _weights = new UnitWeights[Units.Length];
        for (int u = 0; u < Units.Length; u++)
        {
            ref var uw = ref _weights[u];
            uw.Ih = PackedLayout<T>.Create(Units[u].InputSize, GH, ihOrder);
            uw.Hh = PackedLayout<T>.Create(Hout, GH, hhOrder);
            uw.HhBack = PackedLayout<T>.Create(GH, Hout, PackOrder.Columns);
            // Every part starts a cache line of the workspace's aligned buffer (AlignedArray), so no vector load straddles two.
            uw.IhAt = w; w += Line(uw.Ih.Length);
            uw.HhAt = w; w += Line(uw.Hh.Length);
            uw.HrAt = w; if (Projected) w += Line(H * Hout);
            // Layer 0 also keeps W_ihᵀ as rows: a one-hot input adds row x_t of it (a column lookup, no product).
            uw.IhTAt = w; if (u < D) w += Line(Units[u].InputSize * GH);
            uw.BiasAt = w; w += Line(GH);
            uw.BiasRunsAt = w; if (Interleaves) w += Line(GH);
        }
        HeadOffset = w;
        w += Line(OutputWidth * HeadOutputs);
        for (int u = 0; u < Units.Length; u++)
        {
            _weights[u].HhBackAt = w;
            w += Line(_weights[u].HhBack.Length);
        }
        PreparedLength = w;
        static int Line(int n) => AlignedArray<T>.RoundUp(n);
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

    /// <summary>Whether a pass may keep its pre-activations <see cref="GateLayout.Interleaved"/> (an LSTM whose H is a
    /// multiple of the packing's lanes): the input-side and recurrent products then write and read them that way.</summary>
    public bool Interleaves { get; }

    /// <summary>Lanes of the recurrent packing: the width of one gate's run in an interleaved row.</summary>
    public int GateLanes(int u) => _weights[u].Hh.Lanes;

    /// <summary>Width of the top layer's output and of the head's input: D·Hout.</summary>
    public int OutputWidth => D * Hout;

    public int InputWidth(int layer) => layer == 0 ? I : D * Hout;

    // ---- weights in the forms the GEMMs read ------------------------------------------------------------------------

    private struct UnitWeights
    {
        public PackedLayout<T> Ih, Hh, HhBack;
        public int IhAt, HhAt, HrAt, IhTAt, HhBackAt, BiasAt, BiasRunsAt;
    }

    private readonly UnitWeights[] _weights;

    /// <summary>Length of the buffer <see cref="PrepareWeights"/> fills (the backward packings last).</summary>
    public int PreparedLength { get; }

    /// <summary>W_ih and W_hh of every unit packed for the products (<see cref="PackedLayout{T}"/>), W_hrᵀ (H×Hout),
    /// layer 0's W_ihᵀ (I×GH, for one-hot inputs) and the head's Wᵀ (D·Hout×O), and with <paramref name="backward"/> W_hh as stored, packed (∂L/∂h_{t−1} = dA·W_hh):
    /// rebuilt once per call because a training session's weights change between calls.</summary>
    public void PrepareWeights(ReadOnlySpan<T> p, Span<T> prepared, bool backward = false)
    {
        for (int u = 0; u < Units.Length; u++)
        {
            var o = Units[u];
            ref var uw = ref _weights[u];
            Gemm.Pack(p.Slice(o.WeightIh, GH * o.InputSize), transposed: true, uw.Ih, prepared.Slice(uw.IhAt, uw.Ih.Length));
            Gemm.Pack(p.Slice(o.WeightHh, GH * Hout), transposed: true, uw.Hh, prepared.Slice(uw.HhAt, uw.Hh.Length));
            if (Projected) Gemm.Transpose(p.Slice(o.Projection, Hout * H), prepared.Slice(uw.HrAt, H * Hout), Hout, H);
            if (u < D) Gemm.Transpose(p.Slice(o.WeightIh, GH * o.InputSize), prepared.Slice(uw.IhTAt, o.InputSize * GH), GH, o.InputSize);
            if (backward) Gemm.Pack(p.Slice(o.WeightHh, GH * Hout), transposed: false, uw.HhBack, prepared.Slice(uw.HhBackAt, uw.HhBack.Length));
            var bias = prepared.Slice(uw.BiasAt, GH);
            p.Slice(o.BiasIh, GH).CopyTo(bias);
            if (!Ops.SeparateHiddenProduct) Elementwise.Add(bias, p.Slice(o.BiasHh, GH), bias);
            if (Interleaves)
            {
                var runs = new GateRow(GateLayout.Interleaved, uw.Hh.Lanes, H);
                var interleaved = prepared.Slice(uw.BiasRunsAt, GH);
                for (int g = 0; g < 4; g++)
                    for (int j = 0; j < H; j++) interleaved[runs.At(j) + g * runs.Step] = bias[g * H + j];
            }
        }
        if (HasHead) Gemm.Transpose(p.Slice(Layout.HeadWeight, HeadOutputs * OutputWidth), prepared.Slice(HeadOffset, OutputWidth * HeadOutputs), HeadOutputs, OutputWidth);
    }

    /// <summary>
    /// What unit u's pre-activations start from before x·W_ihᵀ is accumulated: b_ih + b_hh (LSTM, RNN), or b_ih alone
    /// (GRU, whose b_hh sits inside r ⊙ (W_hh·h + b_hh)). Adding both biases once per call, instead of b_hh to every
    /// step's B×GH pre-activations, saves a pass over them per step (3 % of a B = 32, H = 128 inference call).
    /// </summary>
    public ReadOnlySpan<T> InputBias(ReadOnlySpan<T> prepared, int u, GateLayout layout = GateLayout.Blocks)
        => prepared.Slice(layout == GateLayout.Interleaved ? _weights[u].BiasRunsAt : _weights[u].BiasAt, GH);

    /// <summary>Unit u's W_ih packed as the B (In×GH) of x·W_ihᵀ.</summary>
    public ReadOnlySpan<T> Wih(ReadOnlySpan<T> prepared, int u, out PackedLayout<T> layout)
    {
        layout = _weights[u].Ih;
        return prepared.Slice(_weights[u].IhAt, layout.Length);
    }

    /// <summary>Unit u's W_hh packed as the B (Hout×GH) of h·W_hhᵀ (LSTM: in gate order, for the fused cell).</summary>
    public ReadOnlySpan<T> Whh(ReadOnlySpan<T> prepared, int u, out PackedLayout<T> layout)
    {
        layout = _weights[u].Hh;
        return prepared.Slice(_weights[u].HhAt, layout.Length);
    }

    /// <summary>Unit u's W_hh packed as the B (GH×Hout) of dA·W_hh (prepared with backward only).</summary>
    public ReadOnlySpan<T> WhhBackward(ReadOnlySpan<T> prepared, int u, out PackedLayout<T> layout)
    {
        layout = _weights[u].HhBack;
        return prepared.Slice(_weights[u].HhBackAt, layout.Length);
    }

    /// <summary>A layer-0 unit's W_ihᵀ (I×GH), row-major: the rows a one-hot input selects.</summary>
    public ReadOnlySpan<T> WihT(ReadOnlySpan<T> prepared, int u) => prepared.Slice(_weights[u].IhTAt, u < D ? Units[u].InputSize * GH : 0);

    public ReadOnlySpan<T> WhrT(ReadOnlySpan<T> prepared, int u) => prepared.Slice(_weights[u].HrAt, Projected ? H * Hout : 0);
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
    public Span<T> Pre;           // B×GH: in, W_ih·x + b_ih; out, the exact arguments of the gate nonlinearities (PreRow)
    public GateRow PreRow;        // how Pre's rows hold the gates (LSTM: interleaved only where nothing reads Pre later);
                                  // set once per pass: its checks would cost a B = 1 step 1 %
    public Span<T> HPre;          // B×GH: GRU's W_hh·h + b_hh
    public Span<T> Gates;         // B×GH: gate values (LSTM, GRU)
    public ReadOnlySpan<T> CPrev; // B×H
    public Span<T> C;             // B×H
    public ReadOnlySpan<T> HPrev; // B×Hout: h_{t-1}
    public ReadOnlySpan<T> HIn;   // B×Hout: what W_hh multiplies (h_{t-1}, masked under recurrent dropout)
    public Span<T> M;             // B×H: a projected LSTM's o ⊙ tanh(c)
    public Span<T> H;             // B×Hout: h_t
    public bool KeepGates;        // the gate values are read later (a pass with history); inference reads none
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

    /// <summary>The recurrent GEMM: adds W_hh·HIn to the input side's arguments, which already hold b_hh
    /// (<see cref="Network{T}.InputBias"/>; GRU keeps the hidden side apart, in HPre). whh is packed as
    /// <see cref="Network{T}.Whh"/> gives it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public virtual void Product(ReadOnlySpan<T> p, in LayerOffsets o, ReadOnlySpan<T> whh, in PackedLayout<T> layout, ref StepSpans<T> s, int gh)
        => Gemm.MultiplyAdd(s.HIn, whh, layout, s.Pre, s.B, s.PreRow.Layout);

    /// <summary>The fused update of every valid row: gates, c, and h (or m, for a projected LSTM).</summary>
    public abstract void Update(ReadOnlySpan<T> p, in LayerOffsets o, ref StepSpans<T> s, int h);

    /// <summary>One whole step, <see cref="Product"/> then <see cref="Update"/>, with the same bits; a cell may fuse the
    /// two (LSTM: the update as the product's epilogue). Interventions need the product apart (they keep it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public virtual void Step(ReadOnlySpan<T> p, in LayerOffsets o, ReadOnlySpan<T> whh, in PackedLayout<T> layout, ref StepSpans<T> s, int h, int gh)
    {
        Product(p, o, whh, layout, ref s, gh);
        Update(p, o, ref s, h);
    }

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
        if (s.PreRow.Layout != GateLayout.Blocks) throw new InvalidOperationException("The unfused LSTM update reads pre-activations in blocks; this pass keeps them interleaved.");
        var peep = Peep(p, o, h);
        var output = o.Projection >= 0 ? s.M : s.H;
        for (int b = 0; b < s.B; b++)
        {
            if (!Valid(s.Lengths, b, s.Step)) continue;
            LstmKernels.Forward(s.Pre.Slice(b * gh, gh), s.CPrev.Slice(b * h, h), peep, flags,
                s.Gates.Slice(b * gh, gh), s.C.Slice(b * h, h), output.Slice(b * h, h));
        }
    }

    // The cell update of each register tile as soon as its pre-activations are final (weights in gate order), while the
    // tile is in L1; the micro-panels run last to first on odd steps, so the weights the last step read last (still in
    // L1) are read first. Same operations per element as Product + Update.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override void Step(ReadOnlySpan<T> p, in LayerOffsets o, ReadOnlySpan<T> whh, in PackedLayout<T> layout, ref StepSpans<T> s, int h, int gh)
    {
        var cell = new LstmStepEpilogue<T>(s.Pre, s.CPrev, Peep(p, o, h), flags, s.Gates, s.C, o.Projection >= 0 ? s.M : s.H, s.Lengths, s.Step,
            s.KeepGates, s.PreRow);
        Gemm.MultiplyAdd(s.HIn, whh, layout, s.Pre, s.B, ref cell, reverse: (s.Step & 1) == 1, s.PreRow.Layout);
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
    public override void Product(ReadOnlySpan<T> p, in LayerOffsets o, ReadOnlySpan<T> whh, in PackedLayout<T> layout, ref StepSpans<T> s, int gh)
    {
        Gemm.SetRows(p.Slice(o.BiasHh, gh), s.HPre, s.B, gh);
        Gemm.MultiplyAdd(s.HIn, whh, layout, s.HPre, s.B);
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
