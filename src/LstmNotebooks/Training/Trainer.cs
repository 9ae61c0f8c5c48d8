using System.Diagnostics;
using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// A training run that can be continued: it owns a private copy of the weights and the optimizer's state (Adam's
/// moments, momentum, the learning-rate schedule), so feeding it fresh data round after round — as the long-gap
/// experiments do, counting sequences to a criterion — is the same as one long run. Each call returns a new immutable
/// <see cref="Model{T}"/>; the model the session started from is never changed. Single-threaded and seeded, so runs are
/// bit-reproducible. Not thread-safe: one session, one caller.
/// <para>A step that would make a weight non-finite is not applied: the session raises
/// <see cref="TrainingDivergedException"/>, keeps the last finite weights (<see cref="Model"/>) and refuses to train
/// further. A cancelled call stops within a few time steps and keeps the weights of the last completed update.</para>
/// </summary>
public sealed class TrainingSession<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Model<T> _start;
    private readonly TrainingOptions _options;
    private readonly T[] _p;
    private readonly T[] _grad;
    private readonly T[] _next;
    private readonly Optimizer<T> _optimizer;
    private readonly List<EpochRecord> _history = [];
    private readonly Stopwatch _clock = new();
    private readonly Shard[] _shards;
    private Rng _rng;
    private TrainingDivergedException? _diverged;

    internal TrainingSession(Model<T> start, TrainingOptions options)
    {
        options.Validate();
        _start = start;
        _options = options;
        _p = start.Parameters.ToArray();
        _grad = new T[_p.Length];
        _next = new T[_p.Length];
        _shards = Enumerable.Range(0, options.Threads).Select(_ => new Shard(_p.Length)).ToArray();
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
        if (_diverged is not null)
            ThrowHelper.InvalidOperation($"This session cannot train further: {_diverged.Message} " +
                                         "Hint: start a new session (model.StartTraining) with a lower learning rate or a gradient clip.");
        _start.CheckDataset(data);
        int count = epochs ?? _options.Epochs;
        ThrowHelper.RequirePositive(count, nameof(epochs), "The number of epochs");
        // Epoch numbers run on past int.MaxValue only in theory, but "train until early stopping" passes int.MaxValue.
        long lastEpoch = Math.Min((long)_history.Count + count, int.MaxValue - 1);
        var (train, validation) = _options.ValidationFraction > 0 ? data.Split(_options.ValidationFraction) : (data, null);
        int batch = Math.Min(_options.BatchSize, train.Count), shards = Math.Min(_shards.Length, batch), maxSteps = train.MaxSteps;
        _start.CheckPassSize((batch + shards - 1) / shards, maxSteps, Math.Min(_options.TruncationWindow ?? maxSteps, maxSteps), backward: true, nameof(data));
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
                double lr = LearningRate(epoch);
                var (trainLoss, lastBatch) = RunEpoch(train, order, lr, epoch, cancellationToken);
                double? validationLoss = validation is null ? null : _start.WithParameterBuffer(_p).Loss(validation);
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
        catch (TrainingDivergedException e)
        {
            _diverged = e;
            throw;
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
            var indices = order.AsSpan(s, Math.Min(_options.BatchSize, train.Count - s));
            // Fixed contiguous shards of the batch, one per thread (fewer when the batch is smaller than that).
            int shards = Math.Min(_shards.Length, indices.Length);
            for (int i = 0; i < shards; i++)
            {
                int from = indices.Length * i / shards, to = indices.Length * (i + 1) / shards;
                _shards[i].Start(new PackedBatch<T>(train.Samples, indices[from..to]), cancellationToken);
            }
            int steps = _shards.Take(shards).Max(x => x.Batch!.Steps);
            int window = _options.TruncationWindow ?? steps;
            for (int t0 = 0; t0 < steps; t0 += window)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int t1 = (int)Math.Min((long)t0 + window, steps);
                if (shards == 1) _shards[0].Run(_start, _p, t0, t1);
                else
                {
                    try { Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = shards }, i => _shards[i].Run(_start, _p, t0, t1)); }
                    catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        throw;
                    }
                }
                int targets = 0;
                double loss = 0;
                for (int i = 0; i < shards; i++) { targets += _shards[i].Targets; loss += _shards[i].Loss * _shards[i].Targets; }
                if (targets == 0) continue;
                loss /= targets;
                if (!double.IsFinite(loss)) throw Diverged("loss", loss, epoch, batchIndex);
                // Each shard's gradient is of its own mean loss; weighting by its share of the targets gives the
                // gradient of the batch's mean loss. Summed in shard order, so the bits depend on Threads alone.
                Array.Clear(_grad);
                for (int i = 0; i < shards; i++)
                {
                    if (_shards[i].Targets == 0) continue;
                    var g = _shards[i].Gradient;
                    if (shards == 1) { g.CopyTo(_grad, 0); break; }
                    T w = T.CreateTruncating((double)_shards[i].Targets / targets);
                    for (int j = 0; j < g.Length; j++) _grad[j] = T.FusedMultiplyAdd(w, g[j], _grad[j]);
                }
                double norm = GradientRecorder.Norm<T>(_grad);
                if (!double.IsFinite(norm)) throw Diverged("gradient norm", norm, epoch, batchIndex);
                if (_options.GradientClip is double clip && norm > clip) Scale(_grad, clip / norm);
                int bad = _optimizer.Step(_p, _grad, lr, _next);
                if (bad >= 0) throw Diverged($"update of {_start.Layout.ElementName(bad)}", double.CreateTruncating(_next[bad]), epoch, batchIndex);
                _next.CopyTo(_p, 0);
                lossSum += loss * targets;
                targetCount += targets;
            }
        }
        SequencesSeen += train.Count;
        return (lossSum / Math.Max(targetCount, 1), batchIndex - 1);
    }

    /// <summary>One thread's part of a batch: its rows, its carried state, its gradient and its scratch memory.</summary>
    private sealed class Shard(int parameters)
    {
        private readonly Workspace<T> _workspace = new();
        private T[]? _h, _c;

        public PackedBatch<T>? Batch { get; private set; }
        public T[] Gradient { get; } = new T[parameters];
        public double Loss { get; private set; }
        public int Targets { get; private set; }

        public void Start(PackedBatch<T> batch, CancellationToken cancellationToken)
        {
            (Batch, _h, _c) = (batch, null, null);
            _workspace.Cancellation = cancellationToken;
        }

        public void Run(Model<T> model, T[] p, int t0, int t1)
        {
            Array.Clear(Gradient);
            (Loss, Targets) = (0, 0);
            if (t0 >= Batch!.Steps) return;
            var r = BatchPass.Run(model, p, Batch, t0, Math.Min(t1, Batch.Steps), _h, _c, Gradient, backward: true, workspace: _workspace);
            (_h, _c, Loss, Targets) = (r.FinalHidden, r.FinalCell, r.Loss, r.Targets);
        }
    }

    private static TrainingDivergedException Diverged(string what, double value, int epoch, int batch)
        => new($"Training diverged: the {what} became {value} in epoch {epoch}, batch {batch}. The starting model is unchanged. " +
               "Hint: lower the learning rate, set a gradient clip (WithGradientClip), or scale the inputs.", epoch, batch);

    private static void Scale(Span<T> g, double factor)
    {
        T f = T.CreateTruncating(factor);
        for (int i = 0; i < g.Length; i++) g[i] *= f;
    }
}
