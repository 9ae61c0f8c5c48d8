using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// A training run that can be continued: it owns a private copy of the weights and the optimizer's state (Adam's
/// moments, momentum, the learning-rate schedule), so feeding it fresh data round after round — as the long-gap
/// experiments do, counting sequences to a criterion — is the same as one long run. A call may set its own learning
/// rate (<see cref="Train(Dataset{T}, int, double, IProgress{TrainingProgress}?, CancellationToken)"/>) without
/// touching the optimizer's state; otherwise the options' rate, decay or schedule applies. Each call returns a new
/// immutable <see cref="Model{T}"/>; the model the session started from is never changed. Seeded, so runs are
/// bit-reproducible for a given thread count (<see cref="TrainingOptions.Threads"/>). Its scratch memory is sized once
/// and reused, so a training step allocates nothing; <see cref="Dispose"/> returns it to the shared pool. Not
/// thread-safe: one session, one caller.
/// <para>A step that would make a weight non-finite is not applied: the session raises
/// <see cref="TrainingDivergedException"/>, keeps the last finite weights (<see cref="Model"/>) and refuses to train
/// further. A cancelled call stops within a few time steps and keeps the weights of the last completed update.</para>
/// </summary>
public sealed class TrainingSession<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Model<T> _start;
    private readonly TrainingOptions _options;
    private readonly T[] _p;
    private readonly T[] _gradBuffer, _nextBuffer; // rented: longer than the parameters; the first _p.Length are in use
    private readonly Optimizer<T> _optimizer;
    private readonly OptimizerStepJob<T> _stepJob = new();
    // Below this many parameters a step (about 3 ns per weight) costs less than waking a helper thread and waiting for it.
    private const int ParallelStepElements = 1 << 16;
    // Immutable, so every call's result can hold the history so far without copying it (a run of 10⁵ short calls).
    private ImmutableList<EpochRecord> _history = [];
    private readonly Stopwatch _clock = new();
    private readonly Workspace<T> _workspace;
    private Rng _rng;
    private TrainingDivergedException? _diverged;

    // reused: a session the caller keeps (StartTraining) parks its own helper threads; the one inside a single
    // Model.Train call borrows the thread pool's.
    internal TrainingSession(Model<T> start, TrainingOptions options, bool reused = true)
    {
        options.Validate();
        _start = start;
        _options = options;
        _p = start.Parameters.ToArray();
        if (options.TruncationWindow is not null && start.Spec.Directions == 2)
            ThrowHelper.InvalidOperation("Truncated BPTT carries the state forward in time, but a bidirectional layer's reverse direction " +
                                         "reads each whole sequence. Hint: drop WithTruncation, or build the model without WithBidirectional.");
        _gradBuffer = ArrayPool<T>.Shared.Rent(_p.Length);
        _nextBuffer = ArrayPool<T>.Shared.Rent(_p.Length);
        _workspace = new Workspace<T>(start.Network, null, options.Threads, reused);
        _optimizer = Optimizer<T>.Create(options, _p.Length);
        _rng = new Rng(options.Seed);
    }

    public TrainingOptions Options => _options;

    /// <summary>The weights as they are now, as a new immutable model.</summary>
    public Model<T> Model => _start.WithParameterBuffer((T[])_p.Clone());

    /// <summary>Epochs run so far over every call.</summary>
    public int EpochsRun => _history.Count;

    /// <summary>Sequences the weights have been trained on so far (counted once per epoch they appear in).</summary>
    public long SequencesSeen { get; private set; }

    public IReadOnlyList<EpochRecord> History => _history;

    /// <summary>
    /// Trains for <paramref name="epochs"/> more epochs (default: the options' epoch count) on <paramref name="data"/>,
    /// with validation, early stopping and decay as the options say, continuing the optimizer's state.
    /// </summary>
    public TrainingResult<T> Train(Dataset<T> data, int? epochs = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
        => Train(data, epochs ?? _options.Epochs, learningRate: null, progress, cancellationToken);

    /// <summary>
    /// Trains for <paramref name="epochs"/> more epochs at <paramref name="learningRate"/> (instead of the options'
    /// rate, decay or schedule), continuing the optimizer's state: the way to anneal by a measure only the caller
    /// knows, such as the error on a stream of fresh data.
    /// </summary>
    public TrainingResult<T> Train(Dataset<T> data, int epochs, double learningRate, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        TrainingOptions.CheckLearningRate(learningRate, nameof(learningRate));
        return Train(data, epochs, (double?)learningRate, progress, cancellationToken);
    }

    private TrainingResult<T> Train(Dataset<T> data, int count, double? learningRate, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_diverged is not null)
            ThrowHelper.InvalidOperation($"This session cannot train further: {_diverged.Message} " +
                                         "Hint: start a new session (model.StartTraining) with a lower learning rate or a gradient clip.");
        _start.CheckDataset(data);
        ThrowHelper.RequirePositive(count, "epochs", "The number of epochs");
        // Epoch numbers run on past int.MaxValue only in theory, but "train until early stopping" passes int.MaxValue.
        long lastEpoch = Math.Min((long)_history.Count + count, int.MaxValue - 1);
        var (train, validation) = _options.ValidationFraction > 0 ? data.Split(_options.ValidationFraction) : (data, null);
        int batch = Math.Min(_options.BatchSize, train.Count), maxSteps = train.MaxSteps;
        int window = Math.Min(_options.TruncationWindow ?? maxSteps, maxSteps);
        int shards = ThreadPolicy.Choose(_options.Threads, batch, _start.Network.ForwardFlops(batch, window) * 3);
        _start.CheckPassSize((batch + shards - 1) / shards, maxSteps, window, backward: true, nameof(data), shards);
        if (validation is not null) _start.CheckLossSize(validation, nameof(data));
        var order = Enumerable.Range(0, train.Count).ToArray();
        double bestValidation = double.PositiveInfinity;
        T[]? bestParameters = null;
        int firstEpoch = _history.Count + 1, bestEpoch = 0, sinceBest = 0;
        var stop = StopReason.Completed;
        _clock.Start();
        try
        {
            for (int epoch = firstEpoch; epoch <= lastEpoch; epoch++)
            {
                double lr = learningRate ?? _options.LearningRateAt(epoch);
                var (trainLoss, lastBatch) = RunEpoch(train, order, lr, epoch, cancellationToken);
                double? validationLoss = validation is null ? null : _workspace.Loss(_p, validation);
                if (validationLoss is double vl && !double.IsFinite(vl)) throw Diverged("validation loss", vl, epoch, lastBatch);
                var record = new EpochRecord(epoch, trainLoss, validationLoss, lr, _clock.Elapsed);
                _history = _history.Add(record);
                progress?.Report(new TrainingProgress(epoch, firstEpoch + count - 1, trainLoss, validationLoss, lr, _clock.Elapsed));

                if (validationLoss is not double v) continue;
                if (v < bestValidation)
                {
                    (bestValidation, bestEpoch, sinceBest) = (v, epoch, 0);
                    if (_options.EarlyStoppingPatience is not null) bestParameters = (T[])_p.Clone();
                }
                else if (_options.EarlyStoppingPatience is int patience && ++sinceBest >= patience)
                {
                    stop = StopReason.EarlyStopped;
                    break;
                }
            }
        }
        catch (TrainingDivergedException e)
        {
            _diverged = e;
            throw;
        }
        finally { _clock.Stop(); }
        if (stop == StopReason.EarlyStopped && bestParameters is not null) bestParameters.CopyTo(_p, 0);
        if (validation is null) bestEpoch = _history.Count;
        return new TrainingResult<T>(Model, new TrainingHistory(_history, stop, bestEpoch));
    }

    private (double Loss, int LastBatch) RunEpoch(Dataset<T> train, int[] order, double lr, int epoch, CancellationToken cancellationToken)
    {
        // Each epoch's order is a fresh permutation of 0..n-1, so it depends on the generator alone, not on how the
        // epochs were split across calls.
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (_options.Shuffle) _rng.Shuffle<int>(order);
        double lossSum = 0;
        int targetCount = 0, batchIndex = 0;
        for (int s = 0; s < train.Count; s += _options.BatchSize, batchIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(_options.BatchSize, train.Count - s), steps = 0;
            for (int i = s; i < s + count; i++) steps = Math.Max(steps, train[order[i]].Input.Steps);
            int window = _options.TruncationWindow ?? steps;
            var dropout = DropoutContext.For(_start.Spec, _options.Seed, epoch, batchIndex);
            for (int t0 = 0; t0 < steps; t0 += window)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                int t1 = (int)Math.Min((long)t0 + window, steps);
                var (loss, targets) = _workspace.TrainWindow(_p, train.Samples, order, s, count, t0, t1, firstWindow: t0 == 0, _gradBuffer, dropout,
                    cancellation: cancellationToken);
                if (targets == 0) continue;
                if (!double.IsFinite(loss)) throw Diverged("loss", loss, epoch, batchIndex);
                var grad = _gradBuffer.AsSpan(0, _p.Length);
                var next = _nextBuffer.AsSpan(0, _p.Length);
                // A float gradient's norm (its squares summed in double) is finite exactly when every element is, so
                // without clipping the one-chain sum gives way to the vector finite check (it ran alone on one thread:
                // with the loop around it, 3 % of a 2-thread S4 training step, perf); a divergence still reports the norm.
                if (_options.GradientClip is not null || typeof(T) != typeof(float) || ThrowHelper.FirstNonFinite<T>(grad) >= 0)
                {
                    double norm = GradientRecorder.Norm<T>(grad);
                    if (!double.IsFinite(norm)) throw Diverged("gradient norm", norm, epoch, batchIndex);
                    if (_options.GradientClip is double clip && norm > clip) Scale(grad, clip / norm);
                }
                // On the batch's threads when there is enough to share: one Adam step over S4's 330 K weights took
                // 1.1 ms on one thread while the other waited; shared, an S4 step at 2 threads is about 3.5 % faster
                // (Benchmarks README, compare).
                int parts = _p.Length >= ParallelStepElements ? _workspace.LastThreadCount : 1;
                int bad;
                if (parts > 1)
                {
                    _workspace.RunShared(_stepJob.Set(_optimizer, _p, _gradBuffer, _p.Length, lr, _nextBuffer, parts), parts);
                    bad = _stepJob.FirstBad;
                }
                else bad = _optimizer.Step(_p, grad, lr, next);
                if (bad >= 0) throw Diverged($"update of {_start.Layout.ElementName(bad)}", double.CreateTruncating(next[bad]), epoch, batchIndex);
                next.CopyTo(_p);
                lossSum += loss * targets;
                targetCount += targets;
                StepAllocatedBytes += GC.GetAllocatedBytesForCurrentThread() - allocated + _workspace.WorkerAllocatedBytes;
                Steps++;
            }
        }
        SequencesSeen += train.Count;
        return (lossSum / Math.Max(targetCount, 1), batchIndex - 1);
    }

    /// <summary>Optimizer steps taken, and the bytes they allocated (caller and worker threads): 0 in steady state.</summary>
    internal long Steps { get; private set; }
    internal long StepAllocatedBytes { get; set; }

    /// <summary>Returns the session's scratch memory to the shared pool; the session cannot train after this.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _workspace.Dispose();
        _optimizer.Dispose();
        ArrayPool<T>.Shared.Return(_gradBuffer);
        ArrayPool<T>.Shared.Return(_nextBuffer);
    }

    private bool _disposed;

    private static TrainingDivergedException Diverged(string what, double value, int epoch, int batch)
        => new($"Training diverged: the {what} became {value} in epoch {epoch}, batch {batch}. The starting model is unchanged. " +
               "Hint: lower the learning rate, set a gradient clip (WithGradientClip), or scale the inputs.", epoch, batch);

    private static void Scale(Span<T> g, double factor)
    {
        T f = T.CreateTruncating(factor);
        for (int i = 0; i < g.Length; i++) g[i] *= f;
    }
}
