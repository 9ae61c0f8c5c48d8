using System.Buffers;
using System.Diagnostics;
using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// A training run that can be continued: it owns a private copy of the weights and the optimizer's state (Adam's
/// moments, momentum, the learning-rate schedule), so feeding it fresh data round after round — as the long-gap
/// experiments do, counting sequences to a criterion — is the same as one long run. Each call returns a new immutable
/// <see cref="Model{T}"/>; the model the session started from is never changed. Seeded, so runs are bit-reproducible
/// for a given thread count (<see cref="TrainingOptions.Threads"/>). Its scratch memory is sized once and reused, so a
/// training step allocates nothing; <see cref="Dispose"/> returns it to the shared pool. Not thread-safe: one session,
/// one caller.
/// </summary>
public sealed class TrainingSession<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Model<T> _start;
    private readonly TrainingOptions _options;
    private readonly T[] _p;
    private readonly T[] _gradBuffer; // rented: longer than the parameters; Grad is the part in use
    private readonly Optimizer<T> _optimizer;
    private readonly List<EpochRecord> _history = [];
    private readonly Stopwatch _clock = new();
    private readonly Workspace<T> _workspace;
    private Rng _rng;

    // reused: a session the caller keeps (StartTraining) parks its own helper threads; the one inside a single
    // Model.Train call borrows the thread pool's.
    internal TrainingSession(Model<T> start, TrainingOptions options, bool reused = true)
    {
        options.Validate();
        _start = start;
        _options = options;
        _p = start.Parameters.ToArray();
        _gradBuffer = ArrayPool<T>.Shared.Rent(_p.Length);
        if (options.TruncationWindow is not null && start.Spec.Directions == 2)
            ThrowHelper.InvalidOperation("Truncated BPTT carries the state forward in time, but a bidirectional layer's reverse direction " +
                                         "reads each whole sequence. Hint: drop WithTruncation, or build the model without WithBidirectional.");
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
    {
        ArgumentNullException.ThrowIfNull(data);
        _start.CheckDataset(data);
        int count = epochs ?? _options.Epochs;
        ThrowHelper.RequirePositive(count, nameof(epochs), "The number of epochs");
        var (train, validation) = _options.ValidationFraction > 0 ? data.Split(_options.ValidationFraction) : (data, null);
        var order = Enumerable.Range(0, train.Count).ToArray();
        double bestValidation = double.PositiveInfinity;
        T[]? bestParameters = null;
        int firstEpoch = _history.Count + 1, bestEpoch = 0, sinceBest = 0;
        var stop = StopReason.Completed;
        _clock.Start();
        try
        {
            for (int epoch = firstEpoch; epoch < firstEpoch + count; epoch++)
            {
                double lr = LearningRate(epoch);
                var (trainLoss, lastBatch) = RunEpoch(train, order, lr, epoch, cancellationToken);
                double? validationLoss = validation is null ? null : _workspace.Loss(_p, validation);
                if (validationLoss is double vl && !double.IsFinite(vl)) throw Diverged("validation loss", vl, epoch, lastBatch);
                var record = new EpochRecord(epoch, trainLoss, validationLoss, lr, _clock.Elapsed);
                _history.Add(record);
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
        finally { _clock.Stop(); }
        if (stop == StopReason.EarlyStopped && bestParameters is not null) bestParameters.CopyTo(_p, 0);
        if (validation is null) bestEpoch = _history.Count;
        return new TrainingResult<T>(Model, new TrainingHistory(_history.ToArray(), stop, bestEpoch));
    }

    private double LearningRate(int epoch)
        => _options.DecayEvery is int every ? _options.LearningRate * Math.Pow(_options.DecayFactor, (epoch - 1) / every) : _options.LearningRate;

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
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                int t1 = Math.Min(t0 + window, steps);
                var (loss, targets) = _workspace.TrainWindow(_p, train.Samples, order, s, count, t0, t1, firstWindow: t0 == 0, _gradBuffer, dropout);
                if (targets == 0) continue;
                if (!double.IsFinite(loss)) throw Diverged("loss", loss, epoch, batchIndex);
                var grad = _gradBuffer.AsSpan(0, _p.Length);
                double norm = GradientRecorder.Norm<T>(grad);
                if (!double.IsFinite(norm)) throw Diverged("gradient norm", norm, epoch, batchIndex);
                if (_options.GradientClip is double clip && norm > clip) Scale(grad, clip / norm);
                _optimizer.Step(_p, grad, lr);
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
