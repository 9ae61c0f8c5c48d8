namespace LstmNotebooks;

public enum OptimizerKind { Sgd, Adam }

/// <summary>How a training run goes. An immutable record; every <c>With…</c> returns a new value.</summary>
public sealed record TrainingOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>SGD momentum (0 = plain SGD).</summary>
    public double Momentum { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 32;
    /// <summary>Rescale the gradient so its global L2 norm is at most this (null: no clipping).</summary>
    public double? GradientClip { get; init; }
    /// <summary>Fraction of the samples (the last ones, chronologically) held out for validation; 0 for none.</summary>
    public double ValidationFraction { get; init; }
    /// <summary>Stop after this many epochs without a better validation loss, keeping the best weights (null: never).</summary>
    public int? EarlyStoppingPatience { get; init; }
    /// <summary>Multiply the learning rate by <see cref="DecayFactor"/> every <see cref="DecayEvery"/> epochs (null: constant).</summary>
    public int? DecayEvery { get; init; }
    public double DecayFactor { get; init; } = 0.5;
    /// <summary>The learning rate of each epoch, by its number (1, 2, … counted over every call of a
    /// <see cref="TrainingSession{T}"/>); replaces <see cref="LearningRate"/> and the step decay when set (null: those).</summary>
    public Func<int, double>? LearningRateSchedule { get; init; }
    /// <summary>Truncated BPTT window k: the state is carried between windows of k steps, the gradient is not, and the
    /// weights are updated after each window (null: full BPTT, one update per batch).</summary>
    public int? TruncationWindow { get; init; }
    /// <summary>Shuffle the training samples every epoch (seeded by <see cref="Seed"/>).</summary>
    public bool Shuffle { get; init; } = true;
    public long Seed { get; init; }

    /// <summary>Threads that share each batch: the batch is cut into this many fixed shards whose gradients are
    /// summed in shard order. The result depends on this number, never on the machine, so runs stay bit-reproducible;
    /// 1 (the default) gives exactly the single-threaded arithmetic.</summary>
    public int Threads { get; init; } = 1;

    public TrainingOptions WithThreads(int threads)
    {
        if (threads < 1 || threads > 64) ThrowHelper.OutOfRange(nameof(threads), threads, $"Threads must be in [1, 64], but was {threads}.");
        return this with { Threads = threads };
    }

    public TrainingOptions WithEpochs(int epochs) { ThrowHelper.RequirePositive(epochs, nameof(epochs), "The number of epochs"); return this with { Epochs = epochs }; }
    public TrainingOptions WithBatchSize(int size) { ThrowHelper.RequirePositive(size, nameof(size), "The batch size"); return this with { BatchSize = size }; }
    public TrainingOptions WithLearningRate(double rate) { CheckLearningRate(rate, nameof(rate)); return this with { LearningRate = rate }; }
    public TrainingOptions WithGradientClip(double maxNorm) { ThrowHelper.RequirePositive(maxNorm, nameof(maxNorm), "The gradient clip norm"); return this with { GradientClip = maxNorm }; }
    public TrainingOptions WithValidationSplit(double fraction)
    {
        if (!(fraction > 0 && fraction < 1)) ThrowHelper.OutOfRange(nameof(fraction), fraction, $"The validation fraction must be in (0, 1), but was {fraction}.");
        return this with { ValidationFraction = fraction };
    }
    public TrainingOptions WithEarlyStopping(int patience) { ThrowHelper.RequirePositive(patience, nameof(patience), "The early-stopping patience"); return this with { EarlyStoppingPatience = patience }; }
    public TrainingOptions WithLearningRateDecay(int everyEpochs, double factor)
    {
        ThrowHelper.RequirePositive(everyEpochs, nameof(everyEpochs), "The decay interval");
        if (!(factor > 0 && factor <= 1)) ThrowHelper.OutOfRange(nameof(factor), factor, $"The decay factor must be in (0, 1], but was {factor}.");
        return this with { DecayEvery = everyEpochs, DecayFactor = factor };
    }
    /// <summary>The learning rate as a function of the epoch number (1-based, counted over a whole session), e.g.
    /// <c>epoch =&gt; 0.01 * Math.Pow(0.99, epoch - 1)</c>. Every value it returns is checked when it is used.</summary>
    public TrainingOptions WithLearningRateSchedule(Func<int, double> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return this with { LearningRateSchedule = schedule };
    }
    public TrainingOptions WithTruncation(int window) { ThrowHelper.RequirePositive(window, nameof(window), "The truncation window"); return this with { TruncationWindow = window }; }
    public TrainingOptions WithShuffle(bool shuffle) => this with { Shuffle = shuffle };
    public TrainingOptions WithSeed(long seed) => this with { Seed = seed };
    public TrainingOptions WithMomentum(double momentum)
    {
        if (!(momentum >= 0 && momentum < 1)) ThrowHelper.OutOfRange(nameof(momentum), momentum, $"Momentum must be in [0, 1), but was {momentum}.");
        return this with { Momentum = momentum };
    }

    /// <summary>The one rule for a learning rate, wherever it comes from (options, a schedule, a per-call rate).</summary>
    internal static void CheckLearningRate(double rate, string paramName, string what = "The learning rate")
        => ThrowHelper.RequirePositive(rate, paramName, what);

    /// <summary>The rate of epoch <paramref name="epoch"/> (1-based): the schedule's, else the step-decayed base rate.</summary>
    internal double LearningRateAt(int epoch)
    {
        if (LearningRateSchedule is { } schedule)
        {
            double rate = schedule(epoch);
            CheckLearningRate(rate, nameof(LearningRateSchedule), $"The learning-rate schedule's value for epoch {epoch}");
            return rate;
        }
        return DecayEvery is int every ? LearningRate * Math.Pow(DecayFactor, (epoch - 1) / every) : LearningRate;
    }

    internal void Validate()
    {
        CheckLearningRate(LearningRate, nameof(LearningRate));
        ThrowHelper.RequirePositive(Epochs, nameof(Epochs), "The number of epochs");
        ThrowHelper.RequirePositive(BatchSize, nameof(BatchSize), "The batch size");
        if (EarlyStoppingPatience is not null && ValidationFraction <= 0)
            ThrowHelper.InvalidOperation("Early stopping watches the validation loss, but no validation split was set. Hint: .WithValidationSplit(0.2).");
    }
}

/// <summary>Entry points: <c>Training.Adam(learningRate: 0.01).WithEpochs(30)</c>.</summary>
public static class Training
{
    public static TrainingOptions Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999)
    {
        TrainingOptions.CheckLearningRate(learningRate, nameof(learningRate));
        ThrowHelper.RequireInRange(beta1, 0, 0.999999, nameof(beta1), "beta1");
        ThrowHelper.RequireInRange(beta2, 0, 0.999999999, nameof(beta2), "beta2");
        return new TrainingOptions { Optimizer = OptimizerKind.Adam, LearningRate = learningRate, Beta1 = beta1, Beta2 = beta2 };
    }

    public static TrainingOptions Sgd(double learningRate = 0.1, double momentum = 0.0)
        => new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = learningRate }.WithLearningRate(learningRate).WithMomentum(momentum);
}

/// <summary>Reported after each epoch through <see cref="IProgress{T}"/>.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, double TrainLoss, double? ValidationLoss, double LearningRate, TimeSpan Elapsed);

public sealed record EpochRecord(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, TimeSpan Elapsed);

public enum StopReason { Completed, EarlyStopped }

/// <summary>Loss per epoch and why the run ended.</summary>
public sealed record TrainingHistory(IReadOnlyList<EpochRecord> Epochs, StopReason StopReason, int BestEpoch)
{
    public double[] TrainLoss => Epochs.Select(e => e.TrainLoss).ToArray();
    public double?[] ValidationLoss => Epochs.Select(e => e.ValidationLoss).ToArray();
}

/// <summary>The trained model (a new value) and its history.</summary>
public sealed record TrainingResult<T>(Model<T> Model, TrainingHistory History)
    where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>;

/// <summary>Thrown when the loss or the gradient stops being finite. The model training started from is unchanged.</summary>
public sealed class TrainingDivergedException(string message, int epoch, int batch) : Exception(message)
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
}
