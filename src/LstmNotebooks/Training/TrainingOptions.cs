namespace LstmNotebooks;

public enum OptimizerKind { Sgd, Adam }

/// <summary>How a training run goes. An immutable record; every <c>With…</c> returns a new value. Each property checks
/// its own rule as it is set (so <c>with { GradientClip = -1 }</c> is refused like <c>WithGradientClip(-1)</c>); rules
/// between properties are checked when the options are used.</summary>
public sealed record TrainingOptions
{
    public OptimizerKind Optimizer { get; init => field = ThrowHelper.RequireDefined(value, nameof(Optimizer)); } = OptimizerKind.Adam;
    public double LearningRate { get; init => field = CheckLearningRate(value, nameof(LearningRate)); } = 1e-3;
    /// <summary>SGD momentum (0 = plain SGD).</summary>
    public double Momentum { get; init => field = ThrowHelper.RequireInHalfOpen(value, 0, 1, nameof(Momentum), "Momentum",
        "at 1 the velocity never decays and the steps grow without bound; 0.9 is usual."); }
    public double Beta1 { get; init => field = ThrowHelper.RequireInHalfOpen(value, 0, 1, nameof(Beta1), "Adam's beta1",
        "at 1 the bias correction divides by zero; 0.9 is usual."); } = 0.9;
    public double Beta2 { get; init => field = ThrowHelper.RequireInHalfOpen(value, 0, 1, nameof(Beta2), "Adam's beta2",
        "at 1 the bias correction divides by zero; 0.999 is usual."); } = 0.999;
    public double Epsilon { get; init => field = ThrowHelper.RequirePositive(value, nameof(Epsilon), "Adam's epsilon"); } = 1e-8;
    public int Epochs { get; init => field = ThrowHelper.RequirePositive(value, nameof(Epochs), "The number of epochs"); } = 10;
    public int BatchSize { get; init => field = ThrowHelper.RequirePositive(value, nameof(BatchSize), "The batch size"); } = 32;
    /// <summary>Rescale the gradient so its global L2 norm is at most this (null: no clipping). A norm of 0 would
    /// train nothing and a negative one would step uphill, so it must be positive.</summary>
    public double? GradientClip { get; init => field = value is double v ? ThrowHelper.RequirePositive(v, nameof(GradientClip), "The gradient clip norm") : null; }
    /// <summary>Fraction of the samples (the last ones, chronologically) held out for validation; 0 for none.</summary>
    public double ValidationFraction { get; init => field = ThrowHelper.RequireInHalfOpen(value, 0, 1, nameof(ValidationFraction), "The validation fraction",
        "0 holds nothing out; 0.2 holds out the last fifth."); }
    /// <summary>Stop after this many epochs without a better validation loss, keeping the best weights (null: never).</summary>
    public int? EarlyStoppingPatience { get; init => field = value is int v ? ThrowHelper.RequirePositive(v, nameof(EarlyStoppingPatience), "The early-stopping patience") : null; }
    /// <summary>Multiply the learning rate by <see cref="DecayFactor"/> every <see cref="DecayEvery"/> epochs (null: constant).</summary>
    public int? DecayEvery { get; init => field = value is int v ? ThrowHelper.RequirePositive(v, nameof(DecayEvery), "The decay interval (epochs)") : null; }
    public double DecayFactor
    {
        get;
        init => field = value > 0 && value <= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(DecayFactor), value, $"The decay factor must be in (0, 1], but was {value}. Hint: 0.5 halves the learning rate at each decay; 0 would stop training.");
    } = 0.5;
    /// <summary>The learning rate of each epoch, by its number (1, 2, … counted over every call of a
    /// <see cref="TrainingSession{T}"/>); replaces <see cref="LearningRate"/> and the step decay when set (null: those).
    /// Every value it returns is checked when it is used.</summary>
    public Func<int, double>? LearningRateSchedule { get; init; }
    /// <summary>Truncated BPTT window k: the state is carried between windows of k steps, the gradient is not, and the
    /// weights are updated after each window (null: full BPTT, one update per batch).</summary>
    public int? TruncationWindow { get; init => field = value is int v ? ThrowHelper.RequirePositive(v, nameof(TruncationWindow), "The truncation window (steps)") : null; }
    /// <summary>Shuffle the training samples every epoch (seeded by <see cref="Seed"/>).</summary>
    public bool Shuffle { get; init; } = true;
    public long Seed { get; init; }

    /// <summary>Threads that share each batch: the batch is cut into this many fixed shards whose gradients are
    /// summed in shard order. The result depends on this number, never on the machine, so runs stay bit-reproducible;
    /// 1 gives exactly the single-threaded arithmetic. Null (the default) chooses by the size of each batch: one thread
    /// for small work, else up to the machine's cores — set it for results that are bit-identical across machines.</summary>
    public int? Threads { get; init => field = value is int n ? ThrowHelper.RequireInRange(n, 1, MaxThreads, nameof(Threads), "Threads") : null; }

    /// <summary>The most threads one batch can be shared by.</summary>
    public const int MaxThreads = 64;

    public TrainingOptions WithThreads(int threads) => this with { Threads = threads };
    public TrainingOptions WithEpochs(int epochs) => this with { Epochs = epochs };
    public TrainingOptions WithBatchSize(int size) => this with { BatchSize = size };
    public TrainingOptions WithLearningRate(double rate) => this with { LearningRate = rate };
    public TrainingOptions WithGradientClip(double maxNorm) => this with { GradientClip = maxNorm };
    public TrainingOptions WithValidationSplit(double fraction)
    {
        if (!(fraction > 0 && fraction < 1)) ThrowHelper.OutOfRange(nameof(fraction), fraction, $"The validation fraction must be in (0, 1), but was {fraction}.");
        return this with { ValidationFraction = fraction };
    }
    public TrainingOptions WithEarlyStopping(int patience) => this with { EarlyStoppingPatience = patience };
    public TrainingOptions WithLearningRateDecay(int everyEpochs, double factor) => this with { DecayEvery = everyEpochs, DecayFactor = factor };
    /// <summary>The learning rate as a function of the epoch number (1-based, counted over a whole session), e.g.
    /// <c>epoch =&gt; 0.01 * Math.Pow(0.99, epoch - 1)</c>. Every value it returns is checked when it is used.</summary>
    public TrainingOptions WithLearningRateSchedule(Func<int, double> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return this with { LearningRateSchedule = schedule };
    }
    public TrainingOptions WithTruncation(int window) => this with { TruncationWindow = window };
    public TrainingOptions WithShuffle(bool shuffle) => this with { Shuffle = shuffle };
    public TrainingOptions WithSeed(long seed) => this with { Seed = seed };
    public TrainingOptions WithMomentum(double momentum) => this with { Momentum = momentum };

    /// <summary>The one rule for a learning rate, wherever it comes from (options, a schedule, a per-call rate).</summary>
    internal static double CheckLearningRate(double rate, string paramName, string what = "The learning rate")
        => ThrowHelper.RequirePositive(rate, paramName, what);

    /// <summary>The rate of epoch <paramref name="epoch"/> (1-based): the schedule's, else the step-decayed base rate.</summary>
    internal double LearningRateAt(int epoch)
    {
        if (LearningRateSchedule is { } schedule)
            return CheckLearningRate(schedule(epoch), nameof(LearningRateSchedule), $"The learning-rate schedule's value for epoch {epoch}");
        return DecayEvery is int every ? LearningRate * Math.Pow(DecayFactor, (epoch - 1) / every) : LearningRate;
    }

    /// <summary>The rules between properties.</summary>
    internal void Validate()
    {
        if (EarlyStoppingPatience is not null && ValidationFraction <= 0)
            ThrowHelper.InvalidOperation("Early stopping watches the validation loss, but no validation split was set. Hint: .WithValidationSplit(0.2).");
        if (Optimizer == OptimizerKind.Adam && Momentum != 0)
            ThrowHelper.InvalidOperation($"Momentum {Momentum} was set, but Adam does not use it (its beta1 plays that role). " +
                                         "Hint: Training.Sgd(learningRate, momentum) for SGD with momentum, or drop WithMomentum.");
    }
}

/// <summary>Entry points: <c>Training.Adam(learningRate: 0.01).WithEpochs(30)</c>.</summary>
public static class Training
{
    public static TrainingOptions Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999)
        => new() { Optimizer = OptimizerKind.Adam, LearningRate = learningRate, Beta1 = beta1, Beta2 = beta2 };

    public static TrainingOptions Sgd(double learningRate = 0.1, double momentum = 0.0)
        => new() { Optimizer = OptimizerKind.Sgd, LearningRate = learningRate, Momentum = momentum };
}

/// <summary>Reported after each epoch through <see cref="IProgress{T}"/>.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, double TrainLoss, double? ValidationLoss, double LearningRate, TimeSpan Elapsed);

public sealed record EpochRecord(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, TimeSpan Elapsed);

public enum StopReason { Completed, EarlyStopped }

/// <summary>Loss per epoch and why the run ended.</summary>
public sealed record TrainingHistory(IReadOnlyList<EpochRecord> Epochs, StopReason StopReason, int BestEpoch)
{
    public IReadOnlyList<EpochRecord> Epochs { get; init => field = ThrowHelper.RequireNotNull(value, nameof(Epochs), "The list of epochs"); }
        = ThrowHelper.RequireNotNull(Epochs, nameof(Epochs), "The list of epochs");

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
