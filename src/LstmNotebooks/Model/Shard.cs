using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LstmNotebooks.Kernels;

namespace LstmNotebooks;

/// <summary>Inference keeps only what the next layer and the result read (h per step; the gates, c and the
/// pre-activations of one step or one chunk of steps); history keeps every step for backpropagation and traces.</summary>
internal enum PassMode { Inference, History }

/// <summary>Where a pass's initial state comes from.</summary>
internal enum StateSource { Zero, Given, Learned, Carried }

/// <summary>What one pass of a shard needs: its mode, whether traces read the pre-activations and interventions
/// apply, whether a backward pass follows (and whether it needs ∂L/∂x), the dropout of a training window, and
/// whether the shard keeps its own parameter gradient (several shards) or writes the caller's; a training pass checks
/// its cancellation token at every time step, so a long batch stops soon after the caller cancels.</summary>
internal readonly record struct PassOptions(PassMode Mode, bool KeepPre = false, bool Interventions = false, bool Backward = false,
    bool InputGradient = false, DropoutContext Dropout = default, bool OwnGradient = false, bool Head = false, bool Recorder = false,
    CancellationToken Cancellation = default);

/// <summary>Per-step records of ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖, summed over the batch rows, for the gradient-flow view;
/// rows are units (layer·D + direction), columns are steps in time order.</summary>
internal sealed class GradientRecorder(int units, int steps)
{
    public double[,] Hidden { get; } = new double[units, steps];
    public double[,] Cell { get; } = new double[units, steps];

    /// <summary>The L2 norm, summed in double (also the trainer's global gradient norm for clipping).</summary>
    public static double Norm<T>(ReadOnlySpan<T> v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (var x in v) { double d = double.CreateTruncating(x); s += d * d; }
        return Math.Sqrt(s);
    }
}

/// <summary>
/// One thread's part of a call: a contiguous range of the batch's rows, run through the whole stack, with every buffer
/// it needs carved out of one 64-byte-aligned slab (pinned in a kept workspace, rented from the shared array pool in a
/// one-shot call) and sized once for the largest call it has seen.
/// The buffers whose size depends only on the rows (initial and final states, recurrent masks) come first, so a
/// truncated-BPTT window can start from the state the previous window left even when its plan is shorter.
/// </summary>
internal sealed class Shard<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Network<T> _net;
    private readonly bool _poison;
    private readonly bool _pinned;
    private AlignedArray<T> _slab;
    private int[] _ints = [];
    private readonly UnitPlan[] _units;
    private readonly LayerPlan[] _layers;

    // pinned: the slab on the pinned-object heap (a kept workspace's), so it never moves off its 64-byte alignment;
    // otherwise rented.
    public Shard(Network<T> net, bool poison, bool pinned)
    {
        _net = net;
        _poison = poison;
        _pinned = pinned;
        _units = new UnitPlan[net.L * net.D];
        _layers = new LayerPlan[net.L];
    }

    // ---- the plan of one call ---------------------------------------------------------------------------------------

    private struct UnitPlan
    {
        public int H0, C0, FinalH, FinalC, Mask;                         // B rows only: stable across windows
        public int Pre, PreSteps, Product, Gates, GateSteps, HPre, HPreSteps, C, CSteps, M, MSteps, Hs, HIn;
        public StateSource Source;
    }

    private struct LayerPlan { public int RevX, Out, In, DropMask; }

    private int _xAt, _dAxAt, _dAhAt, _dHTotAt, _dhNewAt, _dRecAt, _dmAt, _dcTotalAt, _dWTAt, _dXDirAt, _dXaAt, _dXbAt, _dHsDirAt, _dhAt, _dcAt, _dTopAt, _dhNRevAt;
    private int _headRowsAt, _targetsAt, _yAt, _dyAt, _dRowsAt, _gradAt, _gradLength;
    private int _lengthsAt, _wholeAt, _rowAtAt, _sampleAt, _targetRowAt, _symbolsAt, _revSymbolsAt;
    // One-hot input (set by the gather): layer 0 reads (T, B) symbols instead of X, −1 at padding; X is not filled.
    private bool _oneHot;

    public int Rows { get; private set; }
    public int Steps { get; private set; }
    /// <summary>This shard's first row in the whole batch.</summary>
    public int RowOffset { get; private set; }
    /// <summary>The sequence step the pass starts at (a truncated-BPTT window's t0; 0 otherwise).</summary>
    public int WindowStart { get; private set; }
    public PassOptions Options { get; private set; }
    // Interleaved where the pass alone reads its pre-activations (every pass but a trace's or an intervention's).
    private GateLayout _preLayout;
    internal GateLayout PreLayout => _preLayout;
    public int HeadRowCount { get; private set; }
    public double Loss { get; private set; }

    /// <summary>Bytes this shard's thread allocated during its last pass (tests hold it at 0 in steady state).</summary>
    public long AllocatedBytes { get; set; }

    /// <summary>Lays out the buffers of a pass of <paramref name="rows"/> × <paramref name="steps"/> and makes sure the
    /// slab holds them. Keeps the rows-only prefix when the slab grows.</summary>
    public void Plan(int rows, int steps, int rowOffset, in PassOptions o)
    {
        var (at, stable) = Layout(rows, steps, rowOffset, o);
        if (_slab.Length < at)
        {
            // Half as much again as before, at least: calls that grow a little each time (longer sequences in a
            // notebook loop) then reallocate a few times, not on every call, as the pool's power-of-two sizes did.
            long more = _slab.Length + _slab.Length / 2L;
            var grown = AlignedArray<T>.Allocate(more > at && more <= AlignedArray<T>.MaxLength ? (int)more : at, _pinned);
            _slab.Span[..Math.Min(stable, _slab.Length)].CopyTo(grown.Span);
            Release();
            _slab = grown;
        }
        if (_poison) _slab.Span[stable..at].Fill(T.NaN);
    }

    /// <summary>Computes the offsets of every buffer; returns the elements they take and the length of the rows-only
    /// prefix.</summary>
    internal (int Elements, int Stable) Layout(int rows, int steps, int rowOffset, in PassOptions o)
    {
        try { return LayoutChecked(rows, steps, rowOffset, o); }
        catch (OverflowException)
        {
            ThrowHelper.InvalidOperation($"A call of {rows} rows × {steps} steps needs more scratch memory than one array can hold. " +
                                         "Hint: split the batch (or use truncated BPTT for training).");
            throw;
        }
    }

    private (int Elements, int Stable) LayoutChecked(int rows, int steps, int rowOffset, in PassOptions o)
    {
        checked
        {
            var n = _net;
            (Rows, Steps, RowOffset, Options, HeadRowCount, Loss) = (rows, steps, rowOffset, o, 0, 0);
            int B = rows, TB = steps * rows, units = n.L * n.D, W = n.OutputWidth;
            bool history = o.Mode == PassMode.History;
            bool training = o.Dropout.Any;
            _preLayout = n.Interleaves && !o.KeepPre && !o.Interventions ? GateLayout.Interleaved : GateLayout.Blocks;
            int at = 0;
            int Take(int length) { int r = at; at += AlignedArray<T>.RoundUp(length); return r; }
            int TakeIf(bool need, int length) => need ? Take(length) : -1;

            for (int u = 0; u < units; u++)
            {
                ref var p = ref _units[u];
                p.H0 = Take(B * n.Hout);
                p.C0 = TakeIf(n.HasCell, B * n.H);
                p.FinalH = Take(B * n.Hout);
                p.FinalC = TakeIf(n.HasCell, B * n.H);
                p.Mask = TakeIf(training && o.Dropout.RecurrentRate > 0, B * n.Hout);
            }
            int stable = at;

            // Inference runs the input-side GEMM over chunks of steps: enough rows (≈512) to keep the GEMM efficient,
            // few enough that the pre-activations never hold the whole sequence.
            int chunk = history ? steps : Math.Clamp((512 + B - 1) / B, 1, steps);
            int sharedPre = -1, sharedGates = -1, sharedHPre = -1, sharedC = -1, sharedM = -1;
            if (!history || !o.KeepPre) sharedPre = Take(chunk * B * n.GH);
            if (!history)
            {
                sharedGates = TakeIf(n.G > 1, B * n.GH);
                sharedHPre = TakeIf(n.Ops.SeparateHiddenProduct, B * n.GH);
                sharedC = TakeIf(n.HasCell, 2 * B * n.H);
                sharedM = TakeIf(n.Projected, B * n.H);
            }
            // Inference keeps two layers' outputs at a time (layer l reads l-1 and writes its own slot, l mod 2).
            int slots = history ? n.L : Math.Min(n.L, 2);
            for (int l = 0; l < n.L; l++)
            {
                int slot = history ? l : l % 2;
                for (int d = 0; d < n.D; d++)
                {
                    ref var p = ref _units[l * n.D + d];
                    if (l < slots) p.Hs = Take(TB * n.Hout);
                    else p.Hs = _units[slot * n.D + d].Hs;
                    p.PreSteps = chunk;
                    p.Pre = history && o.KeepPre ? Take(TB * n.GH) : sharedPre;
                    p.Product = TakeIf(o.Interventions, TB * n.GH);
                    p.GateSteps = history ? steps : 1;
                    p.Gates = n.G == 1 ? -1 : history ? Take(TB * n.GH) : sharedGates;
                    p.HPreSteps = p.GateSteps;
                    p.HPre = !n.Ops.SeparateHiddenProduct ? -1 : history ? Take(TB * n.GH) : sharedHPre;
                    p.CSteps = history ? steps : 2;
                    p.C = !n.HasCell ? -1 : history ? Take(TB * n.H) : sharedC;
                    p.MSteps = p.GateSteps;
                    p.M = !n.Projected ? -1 : history ? Take(TB * n.H) : sharedM;
                    p.HIn = TakeIf(p.Mask >= 0, TB * n.Hout);
                }
                ref var lp = ref _layers[l];
                int width = n.InputWidth(l);
                lp.RevX = n.D == 2 ? (l < slots ? Take(TB * width) : _layers[slot].RevX) : -1;
                lp.Out = n.D == 2 ? (l < slots ? Take(TB * W) : _layers[slot].Out) : _units[l * n.D].Hs;
                lp.DropMask = TakeIf(l > 0 && training && o.Dropout.BetweenRate > 0, TB * W);
                lp.In = l == 0 ? -1 : lp.DropMask >= 0 ? Take(TB * W) : _layers[l - 1].Out;
            }
            _xAt = Take(TB * n.I);
            _layers[0].In = _xAt;

            int maxIn = Math.Max(n.I, W);
            _dAxAt = _dAhAt = _dHTotAt = _dhNewAt = _dRecAt = _dmAt = _dcTotalAt = _dWTAt = _dXDirAt = _dXaAt = _dXbAt = _dHsDirAt = _dhAt = _dcAt = _dTopAt = _dhNRevAt = -1;
            if (o.Backward)
            {
                _dAxAt = Take(TB * n.GH);
                _dAhAt = n.Ops.SeparateHiddenProduct ? Take(TB * n.GH) : _dAxAt;
                _dHTotAt = TakeIf(n.Projected, TB * n.Hout);
                _dhNewAt = Take(B * n.Hout);
                _dRecAt = TakeIf(training && o.Dropout.RecurrentRate > 0, B * n.Hout);
                _dmAt = TakeIf(n.Projected, B * n.H);
                _dcTotalAt = TakeIf(o.Recorder && n.HasCell, B * n.H);
                _dWTAt = Take(Math.Max(maxIn, n.Hout) * n.GH);
                _dXDirAt = TakeIf(n.D == 2, TB * maxIn);
                _dXaAt = Take(TB * maxIn);
                _dXbAt = TakeIf(n.L > 1, TB * maxIn);
                _dHsDirAt = TakeIf(n.D == 2, TB * n.Hout);
                _dhAt = Take(B * n.Hout);
                _dcAt = TakeIf(n.HasCell, B * n.H);
                _dTopAt = Take(TB * W);
                _dhNRevAt = TakeIf(n.D == 2, B * n.Hout);
            }
            _headRowsAt = _targetsAt = _yAt = _dyAt = _dRowsAt = -1;
            int headRows = n.Spec.Head.Output == HeadOutput.EveryStep ? TB : B;
            if (n.HasHead)
            {
                _headRowsAt = Take(headRows * W);
                _yAt = Take(headRows * n.HeadOutputs);
                if (o.Head)
                {
                    _targetsAt = Take(headRows * n.Spec.Head.TargetWidth);
                    _dyAt = Take(headRows * n.HeadOutputs);
                    _dRowsAt = TakeIf(o.Backward, headRows * W);
                }
            }
            _gradLength = o.OwnGradient ? n.Layout.Count : 0;
            _gradAt = TakeIf(o.OwnGradient, _gradLength);

            int ints = 0;
            _lengthsAt = ints; ints += B;
            _wholeAt = ints; ints += B;
            _rowAtAt = ints; ints += TB;
            _sampleAt = ints; ints += TB;
            _targetRowAt = ints; ints += TB;
            _symbolsAt = ints; ints += TB;
            _revSymbolsAt = ints; if (n.D == 2) ints += TB;
            if (_ints.Length < ints) _ints = new int[Math.Max(ints, 2 * _ints.Length)];
            return (at, stable);
        }
    }

    private void Release()
    {
        _slab.Return();
        _slab = default;
    }

    public void Dispose() => Release();

    /// <summary>All of the scratch memory (tests check its alignment).</summary>
    internal ReadOnlySpan<T> Slab => _slab.Span;

    private Span<T> Region(int offset, int length) => _slab.Span.Slice(offset, length);
    private Span<T> StepRows(int offset, int slot, int width) => _slab.Span.Slice(offset + slot * Rows * width, Rows * width);
    public Span<int> Lengths => _ints.AsSpan(_lengthsAt, Rows);
    /// <summary>Each row's whole sequence length (a window may hold only part of it).</summary>
    private Span<int> WholeLengths => _ints.AsSpan(_wholeAt, Rows);
    public Span<T> Gradient => Region(_gradAt, _gradLength);
    private Span<int> InputSymbols => _ints.AsSpan(_symbolsAt, Steps * Rows);
    private Span<int> ReversedSymbols => _ints.AsSpan(_revSymbolsAt, Steps * Rows);

    /// <summary>h and c of unit u after the last step (each row's state after its last valid step).</summary>
    public Span<T> FinalHidden(int u) => Region(_units[u].FinalH, Rows * _net.Hout);
    public Span<T> FinalCell(int u) => _net.HasCell ? Region(_units[u].FinalC, Rows * _net.H) : default;

    /// <summary>The top layer's output (T, B, D·Hout), time-major; rows past a sequence's length hold no meaning.</summary>
    public Span<T> TopOutput => Region(_layers[_net.L - 1].Out, Steps * Rows * _net.OutputWidth);

    // ---- inputs and initial state -----------------------------------------------------------------------------------

    /// <summary>Rows [b0, b0 + Rows) of a batch-first batch, steps [0, Steps), as time-major X; padding zeroed.</summary>
    public void GatherBatch(SequenceBatch<T> batch)
    {
        WindowStart = 0;
        int I = _net.I, B = Rows;
        var lengths = Lengths;
        if (_oneHot = batch.Symbols is not null)
        {
            var symbols = InputSymbols;
            for (int b = 0; b < B; b++)
            {
                int len = lengths[b] = WholeLengths[b] = Math.Min(batch.Lengths[RowOffset + b], Steps);
                for (int t = 0; t < Steps; t++) symbols[t * B + b] = t < len ? batch.Symbols![(RowOffset + b) * batch.Steps + t] : -1;
            }
            return;
        }
        var x = Region(_xAt, Steps * B * I);
        var values = batch.Values;
        for (int b = 0; b < B; b++)
        {
            int len = lengths[b] = WholeLengths[b] = Math.Min(batch.Lengths[RowOffset + b], Steps);
            for (int t = 0; t < len; t++) values.Slice(((RowOffset + b) * batch.Steps + t) * I, I).CopyTo(x.Slice((t * B + b) * I, I));
            for (int t = len; t < Steps; t++) x.Slice((t * B + b) * I, I).Clear();
        }
    }

    /// <summary>Samples indices[b0 …] at steps [t0, t0 + Steps) as time-major X; lengths are what is left of each
    /// sequence in the window (0 when it ended before it).</summary>
    public void GatherSamples(IReadOnlyList<Sample<T>> samples, ReadOnlySpan<int> indices, int t0)
    {
        WindowStart = t0;
        int I = _net.I, B = Rows;
        var lengths = Lengths;
        _oneHot = true;
        for (int b = 0; b < B && _oneHot; b++) _oneHot = samples[indices[b]].Input.IsOneHot;
        if (_oneHot)
        {
            var symbols = InputSymbols;
            for (int b = 0; b < B; b++)
            {
                var input = samples[indices[b]].Input;
                WholeLengths[b] = input.Steps;
                int len = lengths[b] = Math.Clamp(input.Steps - t0, 0, Steps);
                var own = input.Symbols;
                for (int t = 0; t < Steps; t++) symbols[t * B + b] = t < len ? own[t0 + t] : -1;
            }
            return;
        }
        var x = Region(_xAt, Steps * B * I);
        for (int b = 0; b < B; b++)
        {
            var input = samples[indices[b]].Input;
            WholeLengths[b] = input.Steps;
            int len = lengths[b] = Math.Clamp(input.Steps - t0, 0, Steps);
            var values = input.Values;
            for (int t = 0; t < len; t++) values.Slice((t0 + t) * I, I).CopyTo(x.Slice((t * B + b) * I, I));
            for (int t = len; t < Steps; t++) x.Slice((t * B + b) * I, I).Clear();
        }
    }

    /// <summary>Sets every unit's h0 (and c0): from <paramref name="given"/> (rows u·batchRows + RowOffset + b), from
    /// the learned h0/c0 parameters, from the previous window's final state, or zeros.</summary>
    public void SetInitialState(ReadOnlySpan<T> p, StateSource source, RecurrentState<T>? given, int batchRows)
    {
        var n = _net;
        int B = Rows;
        for (int u = 0; u < _units.Length; u++)
        {
            ref var up = ref _units[u];
            up.Source = source;
            var h0 = Region(up.H0, B * n.Hout);
            var c0 = n.HasCell ? Region(up.C0, B * n.H) : default;
            switch (source)
            {
                case StateSource.Given:
                    given!.Hidden.Slice((u * batchRows + RowOffset) * n.Hout, B * n.Hout).CopyTo(h0);
                    if (n.HasCell) given.Cell.Slice((u * batchRows + RowOffset) * n.H, B * n.H).CopyTo(c0);
                    break;
                case StateSource.Learned:
                    for (int b = 0; b < B; b++)
                    {
                        p.Slice(n.Layout.InitialHidden + u * n.Hout, n.Hout).CopyTo(h0.Slice(b * n.Hout));
                        if (n.HasCell) p.Slice(n.Layout.InitialCell + u * n.H, n.H).CopyTo(c0.Slice(b * n.H));
                    }
                    break;
                case StateSource.Carried:
                    FinalHidden(u).CopyTo(h0);
                    if (n.HasCell) FinalCell(u).CopyTo(c0);
                    break;
                default:
                    h0.Clear();
                    c0.Clear();
                    break;
            }
        }
    }

    // ---- forward ----------------------------------------------------------------------------------------------------

    /// <summary>Runs every layer and direction over X; the caller has gathered X and set the initial state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public void Forward(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, IReadOnlyList<Intervention>? interventions)
    {
        var n = _net;
        int TB = Steps * Rows, W = n.OutputWidth;
        var dropout = Options.Dropout;
        for (int l = 0; l < n.L; l++)
        {
            ref var lp = ref _layers[l];
            int width = n.InputWidth(l);
            var input = Region(lp.In, TB * width);
            var symbols = l == 0 && _oneHot ? InputSymbols : default;
            RunUnit(p, prepared, l, 0, input, symbols, interventions);
            if (n.D == 2)
            {
                var reversed = Region(lp.RevX, TB * width);
                if (symbols.IsEmpty) Reverse(input, reversed, width);
                else ReverseSymbols(symbols, ReversedSymbols);
                RunUnit(p, prepared, l, 1, reversed, symbols.IsEmpty ? default : ReversedSymbols, interventions);
                Assemble(l);
            }
            if (l + 1 < n.L && _layers[l + 1].DropMask >= 0)
            {
                ref var next = ref _layers[l + 1];
                var mask = Region(next.DropMask, TB * W);
                var output = Region(lp.Out, TB * W);
                var masked = Region(next.In, TB * W);
                for (int t = 0; t < Steps; t++)
                    for (int b = 0; b < Rows; b++)
                    {
                        int row = (t * Rows + b) * W;
                        for (int j = 0; j < W; j++) mask[row + j] = dropout.Between<T>(l, RowOffset + b, WindowStart + t, j);
                    }
                for (int i = 0; i < TB * W; i++) masked[i] = mask[i] * output[i];
            }
        }
    }

    /// <summary>Each row's valid steps reversed in place of order (row b's step s reads step length[b]−1−s); padding zeroed.</summary>
    private void Reverse(ReadOnlySpan<T> src, Span<T> dst, int width)
    {
        var lengths = Lengths;
        for (int b = 0; b < Rows; b++)
        {
            int len = lengths[b];
            for (int s = 0; s < len; s++) src.Slice(((len - 1 - s) * Rows + b) * width, width).CopyTo(dst.Slice((s * Rows + b) * width, width));
            for (int s = len; s < Steps; s++) dst.Slice((s * Rows + b) * width, width).Clear();
        }
    }

    /// <summary><see cref="Reverse"/> for one-hot symbols: row b's step s reads step length[b]−1−s; padding −1.</summary>
    private void ReverseSymbols(ReadOnlySpan<int> src, Span<int> dst)
    {
        var lengths = Lengths;
        for (int b = 0; b < Rows; b++)
        {
            int len = lengths[b];
            for (int s = 0; s < Steps; s++) dst[s * Rows + b] = s < len ? src[(len - 1 - s) * Rows + b] : -1;
        }
    }

    /// <summary>Layer l's output in time order: [forward h_t, reverse h_t] per row and step; padding zeroed.</summary>
    private void Assemble(int l)
    {
        var n = _net;
        int TB = Steps * Rows, W = n.OutputWidth, hout = n.Hout;
        var output = Region(_layers[l].Out, TB * W);
        var fwd = Region(_units[l * 2].Hs, TB * hout);
        var rev = Region(_units[l * 2 + 1].Hs, TB * hout);
        var lengths = Lengths;
        for (int b = 0; b < Rows; b++)
        {
            int len = lengths[b];
            for (int t = 0; t < len; t++)
            {
                var row = output.Slice((t * Rows + b) * W, W);
                fwd.Slice((t * Rows + b) * hout, hout).CopyTo(row);
                rev.Slice(((len - 1 - t) * Rows + b) * hout, hout).CopyTo(row.Slice(hout));
            }
            for (int t = len; t < Steps; t++) output.Slice((t * Rows + b) * W, W).Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private void RunUnit(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, int l, int d, ReadOnlySpan<T> input, ReadOnlySpan<int> symbols,
        IReadOnlyList<Intervention>? interventions)
    {
        var n = _net;
        int u = l * n.D + d, B = Rows, H = n.H, hout = n.Hout, GH = n.GH;
        ref var up = ref _units[u];
        var o = n.Units[u];
        int width = o.InputSize;
        var wih = n.Wih(prepared, u, out var wihLayout);
        var whh = n.Whh(prepared, u, out var whhLayout);
        var whrT = n.WhrT(prepared, u);
        var lengths = Lengths;
        var h0 = Region(up.H0, B * hout);
        var c0 = n.HasCell ? Region(up.C0, B * H) : default;
        var hs = Region(up.Hs, Steps * B * hout);
        if (up.Mask >= 0)
        {
            var mask = Region(up.Mask, B * hout);
            for (int b = 0; b < B; b++)
                for (int j = 0; j < hout; j++) mask[b * hout + j] = Options.Dropout.Recurrent<T>(u, RowOffset + b, j);
        }
        bool intervene = interventions is { Count: > 0 };
        var bias = n.InputBias(prepared, u, _preLayout);
        var preRow = new GateRow(_preLayout, n.GateLanes(u), H);
        var cancellation = Options.Cancellation;
        for (int t = 0; t < Steps; t++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (t % up.PreSteps == 0)
            {
                int count = Math.Min(up.PreSteps, Steps - t);
                var chunk = Region(up.Pre, count * B * GH);
                if (symbols.IsEmpty) Gemm.SetAndMultiplyAdd(bias, input.Slice(t * B * width, count * B * width), wih, wihLayout, chunk, count * B, _preLayout);
                else
                {
                    Gemm.SetRows(bias, chunk, count * B, GH);
                    AddColumns(n.WihT(prepared, u), symbols.Slice(t * B, count * B), chunk, GH, H, preRow);
                }
            }
            var s = new StepSpans<T>
            {
                B = B, Step = t, Lengths = lengths,
                Pre = StepRows(up.Pre, t % up.PreSteps, GH), PreRow = preRow,
                HPre = up.HPre >= 0 ? StepRows(up.HPre, t % up.HPreSteps, GH) : default,
                Gates = up.Gates >= 0 ? StepRows(up.Gates, t % up.GateSteps, GH) : default,
                CPrev = !n.HasCell ? default : t == 0 ? c0 : StepRows(up.C, (t - 1) % up.CSteps, H),
                C = n.HasCell ? StepRows(up.C, t % up.CSteps, H) : default,
                HPrev = t == 0 ? h0 : hs.Slice((t - 1) * B * hout, B * hout),
                M = up.M >= 0 ? StepRows(up.M, t % up.MSteps, H) : default,
                H = hs.Slice(t * B * hout, B * hout),
                KeepGates = Options.Mode == PassMode.History,
            };
            s.HIn = s.HPrev;
            if (up.HIn >= 0)
            {
                var hin = StepRows(up.HIn, t, hout);
                var mask = Region(up.Mask, B * hout);
                for (int i = 0; i < hin.Length; i++) hin[i] = mask[i] * s.HPrev[i];
                s.HIn = hin;
            }
            if (intervene)
            {
                // The recompute starts from the product's result, so it is kept before the update overwrites it.
                n.Ops.Product(p, o, whh, whhLayout, ref s, GH);
                s.Pre.CopyTo(StepRows(up.Product, t, GH));
                n.Ops.Update(p, o, ref s, H);
            }
            else n.Ops.Step(p, o, whh, whhLayout, ref s, H, GH);
            if (n.Projected)
            {
                s.H.Clear();
                Gemm.MultiplyAdd<T>(s.M, whrT, s.H, B, H, hout);
            }
            Carry(ref s, Options.Mode == PassMode.History);
            if (intervene) Intervene(p, whrT, l, d, ref s, up.Product, interventions!);
        }
        hs.Slice((Steps - 1) * B * hout, B * hout).CopyTo(FinalHidden(u));
        if (n.HasCell) StepRows(up.C, (Steps - 1) % up.CSteps, H).CopyTo(FinalCell(u));
    }

    /// <summary>Padding rows keep their state; in history mode their gates and cell output read as zero.</summary>
    private void Carry(ref StepSpans<T> s, bool history)
    {
        var n = _net;
        int H = n.H, hout = n.Hout;
        for (int b = 0; b < s.B; b++)
        {
            if (s.Step < s.Lengths[b]) continue;
            s.HPrev.Slice(b * hout, hout).CopyTo(s.H.Slice(b * hout, hout));
            if (n.HasCell) s.CPrev.Slice(b * H, H).CopyTo(s.C.Slice(b * H, H));
            if (!history) continue;
            if (!s.Gates.IsEmpty) s.Gates.Slice(b * n.GH, n.GH).Clear();
            if (!s.M.IsEmpty) s.M.Slice(b * H, H).Clear();
        }
    }

    /// <summary>
    /// The interventions active at this step of this unit (traces only): each touched unit is recomputed from the
    /// GEMMs' arguments by the cell kernel's scalar specification, with every clamped gate and an edited c passed
    /// through its hook; a projected LSTM's h row is recomputed from the new m; then hidden-state edits are written.
    /// Steps are in time order, so the reverse direction meets step t at its processing step length−1−t.
    /// </summary>
    private void Intervene(ReadOnlySpan<T> p, ReadOnlySpan<T> whrT, int l, int d, ref StepSpans<T> s, int productOffset,
        IReadOnlyList<Intervention> interventions)
    {
        var n = _net;
        int H = n.H, hout = n.Hout, GH = n.GH;
        var o = n.Units[l * n.D + d];
        var direction = (Direction)d;
        for (int b = 0; b < s.B; b++)
        {
            if (s.Step >= s.Lengths[b]) continue;
            int time = d == 0 ? s.Step : s.Lengths[b] - 1 - s.Step;
            bool recomputed = false;
            var product = StepRows(productOffset, s.Step, GH).Slice(b * GH, GH);
            var pre = s.Pre.Slice(b * GH, GH);
            for (int k = 0; k < interventions.Count; k++)
            {
                var iv = interventions[k];
                if (!iv.Applies(l, direction, time) || iv.Kind == InterventionKind.SetHiddenState) continue;
                // Every intervention on this unit at this step acts at once, in one recompute (done at its first).
                bool first = true;
                for (int e = 0; e < k; e++)
                    if (interventions[e].Applies(l, direction, time) && interventions[e].Kind != InterventionKind.SetHiddenState && interventions[e].Unit == iv.Unit)
                        first = false;
                if (!first) continue;
                var unit = new UnitClamp<T>();
                foreach (var other in interventions)
                {
                    if (!other.Applies(l, direction, time) || other.Unit != iv.Unit) continue;
                    if (other.Kind == InterventionKind.ClampGate) unit.ClampGate(n.Cell.Find(other.Gate)!.Block, T.CreateChecked(other.Value));
                    else if (other.Kind == InterventionKind.SetCellState) unit.SetCell(T.CreateChecked(other.Value));
                }
                for (int g = 0; g < n.G; g++) pre[g * H + iv.Unit] = product[g * H + iv.Unit];
                n.Ops.Recompute(p, o, ref s, b, iv.Unit, H, unit);
                recomputed = true;
            }
            var h = s.H.Slice(b * hout, hout);
            if (recomputed && n.Projected)
            {
                h.Clear();
                Gemm.MultiplyAddScalar(s.M.Slice(b * H, H), whrT, h, 1, H, hout);
            }
            foreach (var iv in interventions)
                if (iv.Applies(l, direction, time) && iv.Kind == InterventionKind.SetHiddenState) h[iv.Unit] = T.CreateChecked(iv.Value);
        }
    }

    // ---- head and loss ----------------------------------------------------------------------------------------------

    /// <summary>The head's input for each row it reads: the top output at a step (every-step head), or each sequence's
    /// summary (last-step head): the forward direction's final h and, if bidirectional, the reverse direction's final
    /// h — the concatenation PyTorch users build from h_n.</summary>
    private void GatherHeadRows(bool everyStep, int t0)
    {
        var n = _net;
        int W = n.OutputWidth, hout = n.Hout, m = 0;
        var rows = _slab.Span[_headRowsAt..];
        var top = TopOutput;
        var rowAt = _ints.AsSpan(_rowAtAt);
        var targetRow = _ints.AsSpan(_targetRowAt);
        var sample = _ints.AsSpan(_sampleAt);
        var lengths = Lengths;
        var whole = WholeLengths;
        int topUnit = (n.L - 1) * n.D;
        for (int t = 0; t < Steps; t++)
            for (int b = 0; b < Rows; b++)
            {
                if (t >= lengths[b]) continue;
                int abs = t0 + t;
                if (everyStep)
                {
                    top.Slice((t * Rows + b) * W, W).CopyTo(rows.Slice(m * W, W));
                    (rowAt[m], sample[m], targetRow[m]) = (t * Rows + b, b, abs);
                    m++;
                }
                else if (abs == whole[b] - 1)
                {
                    var row = rows.Slice(m * W, W);
                    FinalHidden(topUnit).Slice(b * hout, hout).CopyTo(row);
                    if (n.D == 2) FinalHidden(topUnit + 1).Slice(b * hout, hout).CopyTo(row.Slice(hout));
                    (rowAt[m], sample[m], targetRow[m]) = (t * Rows + b, b, 0);
                    m++;
                }
            }
        HeadRowCount = m;
    }

    private void HeadForward(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, int m)
    {
        var n = _net;
        var headWT = n.HeadWT(prepared);
        int W = n.OutputWidth, O = n.HeadOutputs;
        var y = Region(_yAt, m * O);
        Gemm.SetRows(p.Slice(n.Layout.HeadBias, O), y, m, O);
        Gemm.MultiplyAdd(Region(_headRowsAt, m * W), headWT, y, m, W, O);
    }

    /// <summary>Forward, head and loss (and, when planned, backward) of a training or loss window: returns the mean
    /// loss over the head's rows in this shard and their count. A last-step head reads a sequence only in the window
    /// that holds its last step.</summary>
    public (double Loss, int _targetsAt) TrainingPass(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared,
        IReadOnlyList<Sample<T>> samples, ReadOnlySpan<int> indices, int t0, Span<T> grad, GradientRecorder? recorder)
    {
        var n = _net;
        Forward(p, prepared, null);
        var spec = n.Spec;
        bool every = spec.Head.Output == HeadOutput.EveryStep;
        GatherHeadRows(every, t0);
        int m = HeadRowCount;
        if (m == 0) return (0, 0);
        int width = spec.Head.TargetWidth, W = n.OutputWidth, O = n.HeadOutputs;
        var targets = Region(_targetsAt, m * width);
        var rowAt = _ints.AsSpan(_rowAtAt, m);
        var sample = _ints.AsSpan(_sampleAt, m);
        var targetRow = _ints.AsSpan(_targetRowAt, m);
        for (int r = 0; r < m; r++)
            samples[indices[sample[r]]].Target.Values.Slice(targetRow[r] * width, width).CopyTo(targets.Slice(r * width, width));
        HeadForward(p, prepared, m);
        var y = Region(_yAt, m * O);
        var dy = Region(_dyAt, m * O);
        double loss = Losses.Compute<T>(spec.Head, y, targets, dy, m);
        Loss = loss;
        if (!Options.Backward) return (loss, m);

        var g = Options.OwnGradient ? Gradient : grad;
        var rows = Region(_headRowsAt, m * W);
        Gemm.MultiplyAddTransposedA<T>(dy, rows, g.Slice(n.Layout.HeadWeight, O * W), O, m, W);
        Gemm.AddColumnSums<T>(dy, g.Slice(n.Layout.HeadBias, O), m, O);
        var dRows = Region(_dRowsAt, m * W);
        dRows.Clear();
        Gemm.MultiplyAdd<T>(dy, p.Slice(n.Layout.HeadWeight, O * W), dRows, m, O, W);
        var dTop = Region(_dTopAt, Steps * Rows * W);
        dTop.Clear();
        if (n.D == 2) Region(_dhNRevAt, Rows * n.Hout).Clear();
        for (int r = 0; r < m; r++)
        {
            var dRow = dRows.Slice(r * W, W);
            if (every || n.D == 1) dRow.CopyTo(dTop.Slice(rowAt[r] * W, W));
            else
            {
                // A last-step head read [forward final h, reverse final h]: the first half enters at the sequence's
                // last step, the second is ∂L/∂h_n of the top reverse direction.
                dRow.Slice(0, n.Hout).CopyTo(dTop.Slice(rowAt[r] * W, n.Hout));
                dRow.Slice(n.Hout).CopyTo(Region(_dhNRevAt, Rows * n.Hout).Slice(sample[r] * n.Hout, n.Hout));
            }
        }
        Backward(p, prepared, g, dTop, default, default, 0, default, default, recorder);
        return (loss, m);
    }

    /// <summary>The head's outputs for a run: last-step rows (B × O) or every step (T·B × O, time-major), activated.</summary>
    public ReadOnlySpan<T> RunHead(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, out bool everyStep)
    {
        var n = _net;
        everyStep = n.Spec.Head.Output == HeadOutput.EveryStep;
        GatherHeadRows(everyStep, 0);
        int m = HeadRowCount;
        HeadForward(p, prepared, m);
        var y = Region(_yAt, m * n.HeadOutputs);
        Losses.Activate<T>(n.Spec.Head.Kind, y, m, n.HeadOutputs);
        return y;
    }

    /// <summary>For a run's head outputs: row r of <see cref="RunHead"/> is (step, row) = (RowAt / B, RowAt % B).</summary>
    public ReadOnlySpan<int> HeadRowPositions => _ints.AsSpan(_rowAtAt, HeadRowCount);

    // ---- backward ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Backpropagation through time over the whole stack. dTop (T, B, D·Hout; or empty): ∂L/∂ top outputs, time
    /// order. dhN/dcN: ∂L/∂h_n and ∂L/∂c_n as the caller's (L·D, batchRows, ·) arrays (or empty; a last-step head's
    /// reverse half arrives in DhNRev instead). Parameter gradients are added into grad. dh0/dc0, if not empty, receive
    /// ∂L/∂h0 and ∂L/∂c0 at this shard's rows of (L·D, batchRows, ·); ∂L/∂x lands in <see cref="InputGradient"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public void Backward(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, Span<T> grad, ReadOnlySpan<T> dTop, ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN, int batchRows,
        Span<T> dh0, Span<T> dc0, GradientRecorder? recorder)
    {
        var n = _net;
        int TB = Steps * Rows, W = n.OutputWidth, B = Rows, hout = n.Hout, H = n.H;
        ReadOnlySpan<T> dOut = dTop;
        for (int l = n.L - 1; l >= 0; l--)
        {
            bool needDx = l > 0 || Options.InputGradient;
            int width = n.InputWidth(l);
            var dX = needDx ? Region(l % 2 == 0 ? _dXaAt : _dXbAt, TB * width) : default;
            for (int d = 0; d < n.D; d++)
            {
                int u = l * n.D + d;
                ref var up = ref _units[u];
                ReadOnlySpan<T> dHs = default;
                if (!dOut.IsEmpty)
                {
                    if (n.D == 1) dHs = dOut;
                    else
                    {
                        var split = Region(_dHsDirAt, TB * hout);
                        var lengths = Lengths;
                        for (int b = 0; b < B; b++)
                        {
                            int len = lengths[b];
                            for (int s = 0; s < len; s++)
                            {
                                int t = d == 0 ? s : len - 1 - s;
                                dOut.Slice((t * B + b) * W + d * hout, hout).CopyTo(split.Slice((s * B + b) * hout, hout));
                            }
                            for (int s = len; s < Steps; s++) split.Slice((s * B + b) * hout, hout).Clear();
                        }
                        dHs = split;
                    }
                }
                var dh = Region(_dhAt, B * hout);
                var dc = n.HasCell ? Region(_dcAt, B * H) : default;
                if (!dhN.IsEmpty) dhN.Slice((u * batchRows + RowOffset) * hout, B * hout).CopyTo(dh);
                else if (n.D == 2 && l == n.L - 1 && d == 1 && Options.Head) Region(_dhNRevAt, B * hout).CopyTo(dh);
                else dh.Clear();
                if (n.HasCell)
                {
                    if (!dcN.IsEmpty) dcN.Slice((u * batchRows + RowOffset) * H, B * H).CopyTo(dc);
                    else dc.Clear();
                }
                var input = d == 0 ? Region(_layers[l].In, TB * width) : Region(_layers[l].RevX, TB * width);
                var symbols = l > 0 || !_oneHot ? default : d == 0 ? InputSymbols : ReversedSymbols;
                var dXUnit = !needDx ? default : d == 0 ? dX : Region(_dXDirAt, TB * width);
                UnitBackward(p, prepared, grad, l, d, dHs, dh, dc, input, symbols, dXUnit, recorder);
                if (needDx && d == 1)
                {
                    var lengths = Lengths;
                    for (int b = 0; b < B; b++)
                        for (int t = 0; t < lengths[b]; t++)
                            Elementwise.Add<T>(dX.Slice((t * B + b) * width, width), dXUnit.Slice(((lengths[b] - 1 - t) * B + b) * width, width),
                                dX.Slice((t * B + b) * width, width));
                }
                if (!dh0.IsEmpty)
                {
                    dh.CopyTo(dh0.Slice((u * batchRows + RowOffset) * hout, B * hout));
                    if (n.HasCell) dc.CopyTo(dc0.Slice((u * batchRows + RowOffset) * H, B * H));
                }
                if (up.Source == StateSource.Learned)
                {
                    var gh0 = grad.Slice(n.Layout.InitialHidden + u * hout, hout);
                    for (int b = 0; b < B; b++) Elementwise.Add<T>(gh0, dh.Slice(b * hout, hout), gh0);
                    if (n.HasCell)
                    {
                        var gc0 = grad.Slice(n.Layout.InitialCell + u * H, H);
                        for (int b = 0; b < B; b++) Elementwise.Add<T>(gc0, dc.Slice(b * H, H), gc0);
                    }
                }
            }
            if (l == 0) break;
            // ∂L/∂(layer l−1's output) is ∂L/∂(this layer's input), through the dropout mask when there is one.
            var mask = _layers[l].DropMask;
            if (mask >= 0)
            {
                var m = Region(mask, TB * W);
                for (int i = 0; i < TB * W; i++) dX[i] *= m[i];
            }
            dOut = dX;
        }
    }

    /// <summary>Backward from the caller's batch-first ∂L/∂output (B, T, D·Hout; this shard's rows are converted to
    /// time order) and whole-batch ∂L/∂h_n, ∂L/∂c_n.</summary>
    public void BackwardFromBatchFirst(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, Span<T> grad, ReadOnlySpan<T> dOutput, ReadOnlySpan<T> dhN, ReadOnlySpan<T> dcN,
        int batchRows, int batchSteps, Span<T> dh0, Span<T> dc0)
    {
        int W = _net.OutputWidth, B = Rows;
        ReadOnlySpan<T> dTop = default;
        if (!dOutput.IsEmpty)
        {
            var top = Region(_dTopAt, Steps * B * W);
            for (int b = 0; b < B; b++)
                for (int t = 0; t < Steps; t++)
                    dOutput.Slice(((RowOffset + b) * batchSteps + t) * W, W).CopyTo(top.Slice((t * B + b) * W, W));
            dTop = top;
        }
        Backward(p, prepared, grad, dTop, dhN, dcN, batchRows, dh0, dc0, null);
    }

    /// <summary>A training window in which none of this shard's sequences has steps left: no loss, no gradient.</summary>
    public void SkipWindow() => (HeadRowCount, Loss) = (0, 0);

    /// <summary>∂L/∂x (T, B, I), time-major, after a backward pass planned with InputGradient.</summary>
    public ReadOnlySpan<T> InputGradient => Region(_dXaAt, Steps * Rows * _net.I);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private void UnitBackward(ReadOnlySpan<T> p, ReadOnlySpan<T> prepared, Span<T> grad, int l, int d, ReadOnlySpan<T> dHs, Span<T> dh, Span<T> dc,
        ReadOnlySpan<T> input, ReadOnlySpan<int> symbols, Span<T> dX, GradientRecorder? recorder)
    {
        var n = _net;
        int u = l * n.D + d, B = Rows, H = n.H, hout = n.Hout, GH = n.GH, TB = Steps * B;
        ref var up = ref _units[u];
        var o = n.Units[u];
        int width = o.InputSize;
        var dAX = Region(_dAxAt, TB * GH);
        var dAH = Region(_dAhAt, TB * GH);
        var dhNew = Region(_dhNewAt, B * hout);
        var wHh = n.WhhBackward(prepared, u, out var wHhLayout);
        var wHr = n.Projected ? p.Slice(o.Projection, hout * H) : default;
        var hs = Region(up.Hs, TB * hout);
        var h0 = Region(up.H0, B * hout);
        var c0 = n.HasCell ? Region(up.C0, B * H) : default;
        var dcTotal = _dcTotalAt >= 0 ? Region(_dcTotalAt, B * H) : default;
        var dPeep = o.Peephole >= 0 ? grad.Slice(o.Peephole, 3 * H) : default;
        var lengths = Lengths;
        var mask = up.Mask >= 0 ? Region(up.Mask, B * hout) : default;
        var cancellation = Options.Cancellation;
        for (int t = Steps - 1; t >= 0; t--)
        {
            cancellation.ThrowIfCancellationRequested();
            if (!dHs.IsEmpty) Elementwise.Add<T>(dh, dHs.Slice(t * B * hout, B * hout), dh);
            ReadOnlySpan<T> cellDh = dh;
            if (n.Projected)
            {
                // h = W_hr·m: ∂L/∂m = ∂L/∂h·W_hr; ∂L/∂h_t of valid rows is kept for dW_hr after the loop.
                var dHt = StepRows(_dHTotAt, t, hout);
                dh.CopyTo(dHt);
                for (int b = 0; b < B; b++) if (t >= lengths[b]) dHt.Slice(b * hout, hout).Clear();
                var dm = Region(_dmAt, B * H);
                dm.Clear();
                Gemm.MultiplyAdd<T>(dh, wHr, dm, B, hout, H);
                cellDh = dm;
            }
            dhNew.Clear();
            var s = new BackSpans<T>
            {
                B = B, Step = t, Lengths = lengths,
                Gates = up.Gates >= 0 ? StepRows(up.Gates, t, GH) : default,
                HPre = up.HPre >= 0 ? StepRows(up.HPre, t, GH) : default,
                CPrev = !n.HasCell ? default : t == 0 ? c0 : StepRows(up.C, t - 1, H),
                C = n.HasCell ? StepRows(up.C, t, H) : default,
                HPrev = t == 0 ? h0 : hs.Slice((t - 1) * B * hout, B * hout),
                H = hs.Slice(t * B * hout, B * hout),
                DH = cellDh, DC = dc,
                DAX = StepRows(_dAxAt, t, GH), DAH = StepRows(_dAhAt, t, GH),
                DHDirect = dhNew, DCTotal = dcTotal, DPeep = dPeep,
            };
            n.Ops.Backward(p, o, ref s, H, GH);
            if (mask.IsEmpty) Gemm.MultiplyAdd(s.DAH, wHh, wHhLayout, dhNew, B);
            else
            {
                // Recurrent dropout: W_hh read mask ⊙ h_{t−1}, so its gradient reaches h_{t−1} through the mask.
                var dRec = Region(_dRecAt, B * hout);
                dRec.Clear();
                Gemm.MultiplyAdd(s.DAH, wHh, wHhLayout, dRec, B);
                for (int i = 0; i < dRec.Length; i++) dhNew[i] = T.FusedMultiplyAdd(mask[i], dRec[i], dhNew[i]);
            }
            for (int b = 0; b < B; b++)
                if (t >= lengths[b]) dh.Slice(b * hout, hout).CopyTo(dhNew.Slice(b * hout, hout));
            if (recorder is not null)
            {
                int time = d == 0 ? t : Steps - 1 - t;
                recorder.Hidden[u, time] += GradientRecorder.Norm<T>(dh);
                if (!dcTotal.IsEmpty) recorder.Cell[u, time] += GradientRecorder.Norm<T>(dcTotal);
            }
            dhNew.CopyTo(dh);
        }

        // Weight gradients over all steps at once: dW_hh += dA_hᵀ · [h_0, h_1 … h_{T-1}] (masked under recurrent
        // dropout), dW_ih += dA_xᵀ · X, dW_hr += dHᵀ · M.
        // Both are accumulated transposed, (Hout × GH) += [h_0 … h_{T-1}]ᵀ·dA_h and (I × GH) += Xᵀ·dA_x: the operand
        // packed into 6-row panels is then the narrow one (h or x) and the 4H-wide dA streams into the B panels in
        // whole vectors, and the vector lanes run along the gate rows rather than along I, which is often 1 or 2. A
        // product's operands commute, so the bits are those of dA_hᵀ·H. The rows of h_{t−1} are h_0 then the first
        // T−1 steps of hs: two products over consecutive ranges of k, which continue one accumulation in k order.
        var dWT = Region(_dWTAt, Math.Max(width, hout) * GH);
        var dWhhT = dWT.Slice(0, hout * GH);
        var dWhh = grad.Slice(o.WeightHh, GH * hout);
        Gemm.Transpose<T>(dWhh, dWhhT, GH, hout);
        if (up.HIn >= 0) Gemm.MultiplyAddTransposedA<T>(Region(up.HIn, TB * hout), dAH, dWhhT, hout, TB, GH);
        else
        {
            Gemm.MultiplyAddTransposedA<T>(h0, dAH.Slice(0, B * GH), dWhhT, hout, B, GH);
            if (Steps > 1) Gemm.MultiplyAddTransposedA<T>(hs.Slice(0, (Steps - 1) * B * hout), dAH.Slice(B * GH), dWhhT, hout, TB - B, GH);
        }
        Gemm.Transpose<T>(dWhhT, dWhh, hout, GH);
        // An LSTM's dA_x is dA_h (one buffer), so b_ih's gradient is b_hh's whenever both start equal (zero, in every
        // pass): copied afterwards rather than summed again over all TB rows (1.4 % of an S3 training call).
        var dBhh = grad.Slice(o.BiasHh, GH);
        var dBih = grad.Slice(o.BiasIh, GH);
        bool sameBiasGradient = dAX == dAH && MemoryMarshal.AsBytes(dBih).SequenceEqual(MemoryMarshal.AsBytes(dBhh)); // bit for bit
        Gemm.AddColumnSums<T>(dAH, dBhh, TB, GH);
        var dWihT = dWT.Slice(0, width * GH);
        var dWih = grad.Slice(o.WeightIh, GH * width);
        Gemm.Transpose<T>(dWih, dWihT, GH, width);
        if (symbols.IsEmpty) Gemm.MultiplyAddTransposedA<T>(input, dAX, dWihT, width, TB, GH);
        else AddToColumns(dAX, symbols, dWihT, GH);
        Gemm.Transpose<T>(dWihT, dWih, width, GH);
        if (sameBiasGradient) dBhh.CopyTo(dBih);
        else Gemm.AddColumnSums<T>(dAX, dBih, TB, GH);
        if (n.Projected)
            Gemm.MultiplyAddTransposedA<T>(Region(_dHTotAt, TB * hout), Region(up.M, TB * H), grad.Slice(o.Projection, hout * H), hout, TB, H);
        if (!dX.IsEmpty)
        {
            dX.Clear();
            Gemm.MultiplyAdd<T>(dAX, p.Slice(o.WeightIh, GH * width), dX, TB, GH, width);
        }
    }

    // ---- one-hot input ------------------------------------------------------------------------------------------------
    // A one-hot row x (a 1 at symbol k) times W_ihᵀ is row k of W_ihᵀ. The GEMM computes fma(1, w, c) at k and
    // fma(0, w', c) = c elsewhere, in k order, so adding the row gives the same bits without the I-wide product (for
    // Exp. 2c's 1,004 symbols, most of a step's work). Backward, Xᵀ·dA_x adds each row's dA_x to its symbol's row in
    // row order, the order the GEMM accumulates them. OneHotInputTests compare both paths on values and gradients.

    /// <summary>pre[r] += wihT[symbols[r]] for every row with a symbol (≥ 0).</summary>
    private static void AddColumns(ReadOnlySpan<T> wihT, ReadOnlySpan<int> symbols, Span<T> pre, int GH, int H, GateRow rows)
    {
        for (int r = 0; r < symbols.Length; r++)
        {
            if (symbols[r] < 0) continue;
            var dst = pre.Slice(r * GH, GH);
            var src = wihT.Slice(symbols[r] * GH, GH);
            if (!rows.InRuns(H)) { Elementwise.Add<T>(dst, src, dst); continue; }
            for (int j = 0; j < H; j += rows.Step)
                for (int g = 0; g < 4; g++)
                {
                    var d = dst.Slice(rows.At(j) + g * rows.Step, rows.Step);
                    Elementwise.Add<T>(d, src.Slice(g * H + j, rows.Step), d);
                }
        }
    }

    /// <summary>dWihT[symbols[r]] += dAX[r] for every row with a symbol, in row order.</summary>
    private static void AddToColumns(ReadOnlySpan<T> dAX, ReadOnlySpan<int> symbols, Span<T> dWihT, int GH)
    {
        for (int r = 0; r < symbols.Length; r++)
            if (symbols[r] >= 0) Elementwise.Add<T>(dWihT.Slice(symbols[r] * GH, GH), dAX.Slice(r * GH, GH), dWihT.Slice(symbols[r] * GH, GH));
    }

    // ---- what traces read -------------------------------------------------------------------------------------------

    /// <summary>One block of a unit's history in time order: (T × H) values of gate block g from Gates or Pre.</summary>
    public T[] TraceBlock(int u, bool preActivation, int block)
    {
        var n = _net;
        ref var up = ref _units[u];
        int H = n.H, GH = n.GH;
        var src = Region(preActivation ? up.Pre : up.Gates, Steps * Rows * GH);
        var dst = new T[Steps * H];
        for (int t = 0; t < Steps; t++) src.Slice(t * GH + block * H, H).CopyTo(dst.AsSpan(TimeIndex(u, t) * H));
        return dst;
    }

    /// <summary>A unit's c, m or h history in time order (row 0 of the shard).</summary>
    public T[] TraceState(int u, TraceChannel channel)
    {
        var n = _net;
        ref var up = ref _units[u];
        (int offset, int width) = channel switch
        {
            TraceChannel.CellState => (up.C, n.H),
            TraceChannel.CellOutput => (up.M, n.H),
            _ => (up.Hs, n.Hout),
        };
        var src = Region(offset, Steps * Rows * width);
        var dst = new T[Steps * width];
        for (int t = 0; t < Steps; t++) src.Slice(t * width, width).CopyTo(dst.AsSpan(TimeIndex(u, t) * width));
        return dst;
    }

    private int TimeIndex(int u, int step) => u % _net.D == 0 ? step : Steps - 1 - step;
}
