using LstmNotebooks.Kernels;
using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// The compute object behind a <see cref="Model{T}"/>: it owns every buffer a call needs, sized once for the largest
/// call it has seen and reused after that, so repeated calls of one shape allocate nothing. A call splits the batch
/// into contiguous row ranges, one per thread, that run the whole stack independently (<see cref="Threads"/>: null
/// chooses by size). Results returned by a workspace are its own buffers: valid until its next call. Outputs, states
/// and input gradients do not depend on the thread count at all; parameter gradients are summed over the row ranges
/// in a fixed order, so they depend on the thread count and on nothing else. Not thread-safe: one caller at a time;
/// <see cref="Dispose"/> returns the scratch memory to the shared array pool.
/// </summary>
public sealed class Workspace<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Network<T> _net;
    private readonly Model<T>? _model;
    private readonly bool _poison;
    private readonly ForkJoin _forkJoin;
    private readonly Job _job;
    private readonly AlignedArray<T> _prepared;
    private readonly bool _reused;
    private Shard<T>[] _shards = [];
    private int _parts;
    private bool _disposed;

    // The call being run (read by the parts on their threads).
    private Call _call;
    private T[] _p = [];
    private SequenceBatch<T>? _batch;
    private RecurrentState<T>? _state;
    private StateSource _source;
    private IReadOnlyList<Sample<T>>? _samples;
    private int[] _indices = [];
    private int _indexOffset, _rows, _steps, _t0;
    private bool _firstWindow;
    private DropoutContext _dropout;
    private T[] _gradOut = [];
    private GradientRecorder? _recorder;
    private CancellationToken _cancellation;

    // Results, owned and reused.
    private readonly RunResult<T> _run;
    private readonly Gradients<T> _gradients;
    private T[] _output = [], _hN = [], _cN = [], _head = [], _grad = [], _dx = [], _dh0 = [], _dc0 = [], _dOut = [], _dhN = [], _dcN = [];
    private int[] _lengths = [], _lossIndices = [];

    private enum Call { None, Run, Backpropagate, Train, Loss, Reduce }

    // reused: a workspace kept across calls (a caller's, a session's) keeps parked helper threads, so a call allocates
    // nothing; a one-shot workspace borrows thread-pool threads instead.
    internal Workspace(Network<T> network, Model<T>? model, int? threads, bool reused, bool poison = false)
    {
        if (threads is int n && (n < 1 || n > 64))
            ThrowHelper.OutOfRange(nameof(threads), n, $"Threads must be in [1, 64] (or null to choose by size), but was {n}.");
        _forkJoin = new ForkJoin(dedicated: reused);
        _reused = reused;
        _net = network;
        _model = model;
        Threads = threads;
        _poison = poison;
        _job = new Job(this);
        // Rented by a one-shot call (model.Run), which then reuses the last call's memory; pinned in a kept workspace, so
        // it stays aligned (as the shards' slabs).
        _prepared = AlignedArray<T>.Allocate(network.PreparedLength, pinned: reused);
        _run = new RunResult<T>();
        _gradients = new Gradients<T>(network.Layout);
    }

    /// <summary>The thread count asked for: null chooses by the size of each call.</summary>
    public int? Threads { get; }

    /// <summary>How many threads (row ranges) the last call used.</summary>
    public int LastThreadCount => _parts;

    /// <summary>Bytes allocated by the worker threads in the last call (the caller's own are measured by the caller).</summary>
    internal long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 1; i < _parts; i++) sum += _shards[i].AllocatedBytes;
            return sum;
        }
    }

    private Model<T> Model => _model ?? throw new InvalidOperationException("This workspace belongs to a training session.");

    // ---- public calls -----------------------------------------------------------------------------------------------

    /// <summary>Runs a batch from the given state (zeros, or the learned initial state, when null): outputs, final state
    /// and head outputs, as <see cref="Model{T}.Run"/>, into this workspace's buffers.</summary>
    public RunResult<T> Run(SequenceBatch<T> batch, RecurrentState<T>? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var model = Model;
        model.CheckInput(batch.Features, "The batch");
        model.CheckState(initialState, batch.Batch);
        CheckPassSize(model, batch.Batch, batch.Steps, backward: false, nameof(batch));
        ThrowIfDisposed();
        int bsz = batch.Batch, steps = batch.Steps, W = _net.OutputWidth, units = _net.L * _net.D;
        Grow(ref _output, bsz * steps * W);
        Grow(ref _hN, units * bsz * _net.Hout);
        if (_net.HasCell) Grow(ref _cN, units * bsz * _net.H);
        int o = _net.HeadOutputs;
        if (_net.HasHead) Grow(ref _head, (_net.Spec.Head.Output == HeadOutput.EveryStep ? bsz * steps : bsz) * o);
        GrowInts(ref _lengths, bsz);
        batch.Lengths.CopyTo(_lengths);
        Begin(Call.Run, model.ParameterArray, bsz, steps);
        (_batch, _state, _source) = (batch, initialState, SourceOf(initialState));
        Execute();
        _run.Set(_output, _hN, _net.HasCell ? _cN : null, _net.HasHead ? _head : null, _lengths, bsz, steps, _net);
        End();
        return _run;
    }

    /// <summary>
    /// Backpropagates upstream gradients through the recurrent stack (no head), as <see cref="Model{T}.Backpropagate"/>:
    /// ∂L/∂outputs (B, T, D·Hout), ∂L/∂h_n (L·D, B, Hout) and ∂L/∂c_n (L·D, B, H); each may be empty. Returns ∂L/∂
    /// every parameter, the input and the initial state, in this workspace's buffers.
    /// </summary>
    public Gradients<T> Backpropagate(SequenceBatch<T> batch, RecurrentState<T>? initialState, ReadOnlySpan<T> dOutput,
        ReadOnlySpan<T> dHiddenN, ReadOnlySpan<T> dCellN)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var model = Model;
        model.CheckInput(batch.Features, "The batch");
        model.CheckState(initialState, batch.Batch);
        ThrowIfDisposed();
        var n = _net;
        int bsz = batch.Batch, steps = batch.Steps, units = n.L * n.D, hLen = units * bsz * n.Hout, cLen = units * bsz * n.H;
        if (!dOutput.IsEmpty && dOutput.Length != bsz * steps * n.OutputWidth)
            ThrowHelper.Argument(nameof(dOutput), $"∂L/∂output needs (B, T, {(n.D == 2 ? "2·" : "")}H) = ({bsz}, {steps}, {n.OutputWidth}) values, but got {dOutput.Length}.");
        if (!dHiddenN.IsEmpty && dHiddenN.Length != hLen)
            ThrowHelper.Argument(nameof(dHiddenN), $"∂L/∂h_n needs (L·D, B, H) = {hLen} values, but got {dHiddenN.Length}.");
        if (!dCellN.IsEmpty && (dCellN.Length != cLen || !n.HasCell))
            ThrowHelper.Argument(nameof(dCellN), $"∂L/∂c_n needs {cLen} values for an LSTM (and none otherwise), but got {dCellN.Length}.");
        ThrowHelper.RequireAllFinite(dOutput, nameof(dOutput), "∂L/∂output");
        ThrowHelper.RequireAllFinite(dHiddenN, nameof(dHiddenN), "∂L/∂h_n");
        ThrowHelper.RequireAllFinite(dCellN, nameof(dCellN), "∂L/∂c_n");
        CheckPassSize(model, bsz, steps, backward: true, nameof(batch));
        Grow(ref _dOut, dOutput.Length);
        dOutput.CopyTo(_dOut);
        Grow(ref _dhN, dHiddenN.Length);
        dHiddenN.CopyTo(_dhN);
        Grow(ref _dcN, dCellN.Length);
        dCellN.CopyTo(_dcN);
        (_dOutLength, _dhNLength, _dcNLength) = (dOutput.Length, dHiddenN.Length, dCellN.Length);
        Grow(ref _grad, n.Layout.Count);
        Grow(ref _dx, bsz * steps * n.I);
        Grow(ref _dh0, hLen);
        if (n.HasCell) Grow(ref _dc0, cLen);
        Begin(Call.Backpropagate, model.ParameterArray, bsz, steps);
        (_batch, _state, _source) = (batch, initialState, SourceOf(initialState));
        _gradOut = _grad;
        Execute();
        ReduceGradients(_grad, weighted: false, 0);
        _gradients.Set(_grad, _dx, bsz * steps * n.I, _dh0, n.HasCell ? _dc0 : null, units, bsz, n.Hout, n.H);
        End();
        return _gradients;
    }

    private int _dOutLength, _dhNLength, _dcNLength;

    // The parts a call will use, each with its share of the rows (as Begin chooses them). A call no larger than one
    // already checked needs no new memory, and asking again would allocate (the question builds its words).
    private void CheckPassSize(Model<T> model, int rows, int steps, bool backward, string paramName)
    {
        ref var seen = ref backward ? ref _checkedBackward : ref _checkedForward;
        if (rows <= seen.Rows && steps <= seen.Steps) return;
        int parts = ThreadPolicy.Choose(Threads, rows, _net.ForwardFlops(rows, steps) * (backward ? 3 : 1));
        model.CheckPassSize((rows + parts - 1) / parts, steps, steps, backward, paramName, parts);
        seen = (rows, steps);
    }

    private (int Rows, int Steps) _checkedForward, _checkedBackward;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _forkJoin.Dispose();
        foreach (var s in _shards) s.Dispose();
        _prepared.Return();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The weights in the forms the kernels read, as the last call prepared them (tests check their alignment).</summary>
    internal ReadOnlySpan<T> PreparedWeights => _prepared.Span;

    // ---- internal calls (training, loss, traces) -------------------------------------------------------------------

    /// <summary>
    /// One window [t0, t1) of a training batch (samples <paramref name="indices"/>): forward, head, loss, backward.
    /// The first window of a batch chooses the row ranges and starts from the initial state; later windows continue
    /// from the state the previous one left. Writes the gradient of the batch's mean loss into
    /// <paramref name="gradient"/> and returns the mean loss over the window's targets and their count.
    /// </summary>
    internal (double Loss, int Targets) TrainWindow(T[] parameters, IReadOnlyList<Sample<T>> samples, int[] indices, int offset, int count,
        int t0, int t1, bool firstWindow, T[] gradient, DropoutContext dropout, GradientRecorder? recorder = null,
        CancellationToken cancellation = default)
    {
        ThrowIfDisposed();
        (_samples, _indices, _indexOffset, _t0, _firstWindow, _dropout, _recorder) = (samples, indices, offset, t0, firstWindow, dropout, recorder);
        _cancellation = cancellation;
        int steps = t1 - t0;
        if (firstWindow)
        {
            int longest = 0;
            for (int i = 0; i < count; i++) longest = Math.Max(longest, samples[indices[offset + i]].Input.Steps);
            _parts = ThreadPolicy.Choose(Threads, count, _net.ForwardFlops(count, longest) * 3);
        }
        Begin(Call.Train, parameters, count, steps);
        _source = _net.Spec.LearnedInitialState ? StateSource.Learned : StateSource.Zero;
        _gradOut = gradient;
        Array.Clear(gradient);
        Execute();
        double loss = 0;
        int targets = 0;
        for (int i = 0; i < _parts; i++) { targets += _shards[i].HeadRowCount; loss += _shards[i].Loss * _shards[i].HeadRowCount; }
        if (targets > 0 && _parts > 1) ReduceGradients(gradient, weighted: true, targets);
        End();
        return (targets == 0 ? 0 : loss / targets, targets);
    }

    /// <summary>The mean loss of the head over a dataset, in chunks of 64 samples, without gradients or history.</summary>
    internal double Loss(T[] parameters, Dataset<T> data)
    {
        ThrowIfDisposed();
        const int chunk = 64;
        GrowInts(ref _lossIndices, data.Count);
        for (int i = 0; i < data.Count; i++) _lossIndices[i] = i;
        _indices = _lossIndices;
        double total = 0;
        int count = 0;
        for (int s = 0; s < data.Count; s += chunk)
        {
            int rows = Math.Min(chunk, data.Count - s), longest = 0;
            for (int i = 0; i < rows; i++) longest = Math.Max(longest, data[s + i].Input.Steps);
            (_samples, _indexOffset, _t0, _firstWindow, _dropout, _recorder) = (data.Samples, s, 0, true, default, null);
            Begin(Call.Loss, parameters, rows, longest);
            _source = _net.Spec.LearnedInitialState ? StateSource.Learned : StateSource.Zero;
            Execute();
            for (int i = 0; i < _parts; i++) { total += _shards[i].Loss * _shards[i].HeadRowCount; count += _shards[i].HeadRowCount; }
            End();
        }
        return total / count;
    }

    /// <summary>One sequence with every step's gates, pre-activations and states kept, interventions applied.</summary>
    internal Trace<T> Trace(T[] parameters, Sequence<T> sequence, Intervention[] interventions)
    {
        ThrowIfDisposed();
        var n = _net;
        var shard = ShardAt(0);
        _parts = 1;
        Prepare(parameters, backward: false);
        shard.Plan(1, sequence.Steps, 0, new PassOptions(PassMode.History, KeepPre: true, Interventions: interventions.Length > 0));
        shard.GatherBatch(SequenceBatch.Create([sequence]));
        shard.SetInitialState(parameters, n.Spec.LearnedInitialState ? StateSource.Learned : StateSource.Zero, null, 1);
        shard.Forward(parameters, _prepared.Span, interventions.Length > 0 ? interventions : null);
        return LstmNotebooks.Trace<T>.From(n, shard, parameters, _prepared.Span, interventions);
    }

    // ---- running the parts ------------------------------------------------------------------------------------------

    // A training batch keeps the row ranges its first window chose (TrainWindow sets them).
    private void Begin(Call call, T[] parameters, int rows, int steps)
    {
        (_call, _p, _rows, _steps) = (call, parameters, rows, steps);
        if (call != Call.Train) _parts = ThreadPolicy.Choose(Threads, rows, _net.ForwardFlops(rows, steps) * (call == Call.Backpropagate ? 3 : 1));
        for (int i = 0; i < _parts; i++) ShardAt(i);
        Prepare(parameters, backward: call is Call.Backpropagate or Call.Train);
    }

    // The weights packed for the products. A model's parameters never change (a Model is immutable and its array is
    // never handed out for writing), so a model's workspace packs them once and reuses the packing on every later call;
    // a training session's parameters change in place between calls, so they are packed on every call. Packing was
    // 9 % of a batch-1, T = 100, H = 32 inference call (perf profile, Benchmarks README).
    private T[]? _preparedFor;
    private bool _preparedBackward;

    private void Prepare(T[] parameters, bool backward)
    {
        bool immutable = _model is not null && ReferenceEquals(parameters, _model.ParameterArray);
        if (immutable && ReferenceEquals(parameters, _preparedFor) && (_preparedBackward || !backward)) return;
        _net.PrepareWeights(parameters, _prepared.Span, backward);
        (_preparedFor, _preparedBackward) = immutable ? (parameters, backward) : (null, false);
    }

    private void End()
    {
        (_batch, _state, _samples, _recorder, _cancellation) = (null, null, null, null, default);
        _call = Call.None;
    }

    private void Execute() => _forkJoin.Run(_job, _parts);

    /// <summary>Other work of a call shared out on this workspace's threads (a training session's optimizer step).</summary>
    internal void RunShared(IPartitionedWork work, int parts) => _forkJoin.Run(work, parts);

    private Shard<T> ShardAt(int i)
    {
        if (_shards.Length <= i) Array.Resize(ref _shards, i + 1);
        return _shards[i] ??= new Shard<T>(_net, _poison, pinned: _reused);
    }

    private static StateSource SourceOf(RecurrentState<T>? given) => given is null ? StateSource.Zero : StateSource.Given;

    private sealed class Job(Workspace<T> owner) : IPartitionedWork
    {
        public void RunPart(int index) => owner.RunPart(index);
    }

    private void RunPart(int part)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var shard = _shards[part];
        int b0 = _rows * part / _parts, b1 = _rows * (part + 1) / _parts, rows = b1 - b0;
        var n = _net;
        var p = _p;
        switch (_call)
        {
            case Call.Run:
            {
                shard.Plan(rows, _steps, b0, new PassOptions(PassMode.Inference, Head: false));
                shard.GatherBatch(_batch!);
                shard.SetInitialState(p, Resolve(_source), _state, _rows);
                shard.Forward(p, _prepared.Span, null);
                WriteRun(shard);
                break;
            }
            case Call.Backpropagate:
            {
                bool own = _parts > 1;
                shard.Plan(rows, _steps, b0, new PassOptions(PassMode.History, Backward: true, InputGradient: true, OwnGradient: own));
                shard.GatherBatch(_batch!);
                shard.SetInitialState(p, Resolve(_source), _state, _rows);
                shard.Forward(p, _prepared.Span, null);
                var grad = own ? shard.Gradient : _gradOut.AsSpan(0, n.Layout.Count);
                grad.Clear();
                shard.BackwardFromBatchFirst(p, _prepared.Span, grad, _dOut.AsSpan(0, _dOutLength), _dhN.AsSpan(0, _dhNLength), _dcN.AsSpan(0, _dcNLength),
                    _rows, _steps, _dh0, n.HasCell ? _dc0 : default);
                WriteInputGradient(shard);
                break;
            }
            case Call.Train:
            case Call.Loss:
            {
                bool train = _call == Call.Train, own = train && _parts > 1;
                var indices = _indices.AsSpan(_indexOffset + b0, rows);
                int steps = 0;
                foreach (int i in indices) steps = Math.Max(steps, Math.Min(_samples![i].Input.Steps - _t0, _steps));
                if (steps <= 0)
                {
                    // This range's sequences all ended in earlier windows: nothing to run, nothing to learn.
                    shard.SkipWindow();
                    break;
                }
                // The rows-only part of the plan (states, masks) must not move between windows, so it is planned the same way.
                shard.Plan(rows, steps, b0, new PassOptions(train ? PassMode.History : PassMode.Inference, Backward: train, Head: true,
                    OwnGradient: own, Dropout: train ? _dropout : default, Recorder: _recorder is not null, Cancellation: _cancellation));
                shard.GatherSamples(_samples!, indices, _t0);
                shard.SetInitialState(p, _firstWindow ? _source : StateSource.Carried, null, _rows);
                var grad = own ? shard.Gradient : train ? _gradOut.AsSpan(0, n.Layout.Count) : default;
                if (own) grad.Clear();
                shard.TrainingPass(p, _prepared.Span, _samples!, indices, _t0, grad, _recorder);
                break;
            }
            case Call.Reduce:
                ReducePart(part);
                break;
        }
        shard.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private StateSource Resolve(StateSource source)
        => source == StateSource.Zero && _net.Spec.LearnedInitialState ? StateSource.Learned : source;

    // ---- results ----------------------------------------------------------------------------------------------------

    private void WriteRun(Shard<T> shard)
    {
        var n = _net;
        int B = shard.Rows, T0 = shard.RowOffset, steps = _steps, W = n.OutputWidth, units = n.L * n.D;
        var top = shard.TopOutput;
        var lengths = shard.Lengths;
        var output = _output.AsSpan(0, _rows * steps * W);
        for (int b = 0; b < B; b++)
        {
            var rowOut = output.Slice((T0 + b) * steps * W, steps * W);
            for (int t = 0; t < lengths[b]; t++) top.Slice((t * B + b) * W, W).CopyTo(rowOut.Slice(t * W, W));
            rowOut.Slice(lengths[b] * W).Clear();
        }
        for (int u = 0; u < units; u++)
        {
            shard.FinalHidden(u).CopyTo(_hN.AsSpan((u * _rows + T0) * n.Hout));
            if (n.HasCell) shard.FinalCell(u).CopyTo(_cN.AsSpan((u * _rows + T0) * n.H));
        }
        if (!n.HasHead) return;
        int o = n.HeadOutputs;
        var y = shard.RunHead(_p, _prepared.Span, out bool everyStep);
        var at = shard.HeadRowPositions;
        if (!everyStep)
        {
            // Rows come in step order; each is one sequence's summary.
            for (int r = 0; r < at.Length; r++) y.Slice(r * o, o).CopyTo(_head.AsSpan((T0 + at[r] % B) * o, o));
            return;
        }
        var head = _head.AsSpan(T0 * steps * o, B * steps * o);
        head.Clear();
        for (int r = 0; r < at.Length; r++)
        {
            int t = at[r] / B, b = at[r] % B;
            y.Slice(r * o, o).CopyTo(head.Slice((b * steps + t) * o, o));
        }
    }

    private void WriteInputGradient(Shard<T> shard)
    {
        int B = shard.Rows, I = _net.I, steps = _steps;
        var dx = shard.InputGradient;
        for (int b = 0; b < B; b++)
            for (int t = 0; t < steps; t++)
                dx.Slice((t * B + b) * I, I).CopyTo(_dx.AsSpan(((shard.RowOffset + b) * steps + t) * I, I));
    }

    // Several row ranges each hold their own parameter gradient; they are summed in range order, the sum itself split
    // across the same threads by parameter index (each index is still summed in range order, so the bits are fixed).
    private T[] _reduceTarget = [];
    private bool _reduceWeighted;
    private int _reduceTargets;

    private void ReduceGradients(T[] target, bool weighted, int targets)
    {
        if (_parts <= 1) return;
        (_reduceTarget, _reduceWeighted, _reduceTargets) = (target, weighted, targets);
        var call = _call;
        _call = Call.Reduce;
        Execute();
        _call = call;
    }

    private void ReducePart(int part)
    {
        int count = _net.Layout.Count, from = (int)((long)count * part / _parts), to = (int)((long)count * (part + 1) / _parts);
        var target = _reduceTarget.AsSpan(from, to - from);
        target.Clear();
        for (int i = 0; i < _parts; i++)
        {
            var shard = _shards[i];
            if (!_reduceWeighted)
            {
                Kernels.Elementwise.Add<T>(target, shard.Gradient.Slice(from, to - from), target);
                continue;
            }
            // Each range's gradient is of its own mean loss; weighting by its share of the targets gives the
            // gradient of the batch's mean loss.
            if (shard.HeadRowCount == 0) continue;
            var g = shard.Gradient.Slice(from, to - from);
            T w = T.CreateTruncating((double)shard.HeadRowCount / _reduceTargets);
            for (int j = 0; j < g.Length; j++) target[j] = T.FusedMultiplyAdd(w, g[j], target[j]);
        }
    }

    private static void Grow(ref T[] array, int length)
    {
        if (array.Length < length) array = new T[length];
    }

    private static void GrowInts(ref int[] array, int length)
    {
        if (array.Length < length) array = new int[length];
    }
}
