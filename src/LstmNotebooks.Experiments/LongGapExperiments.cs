using System.Diagnostics;

namespace LstmNotebooks.Experiments;

/// <summary>
/// How a run trains. A network trains online in mini-batches on a stream of fresh sequences, in one
/// <see cref="TrainingSession{T}"/> (one optimizer state) per run: each batch is first scored by the current model,
/// sequence by sequence in stream order (so every sequence is judged before the model has trained on it, as in the
/// paper's online runs), then trained on with one optimizer step. The run stops when the task's criterion holds, or
/// when <see cref="Budget"/> sequences or <see cref="TimeLimit"/> are used up. Checked when a run starts
/// (<see cref="Validate"/>), however the record was made.
/// </summary>
public sealed record ExperimentOptions
{
    /// <summary>Training sequences at most (the paper's "sequences" count).</summary>
    public long Budget { get; init; } = 200_000;
    /// <summary>Sequences drawn from the stream at a time (rounded up to whole batches); progress is reported once per
    /// block. The run does not depend on it.</summary>
    public int ChunkSize { get; init; } = 4_096;
    /// <summary>Small batches: many updates per sequence seen matter more here than GEMM efficiency (measured on adding,
    /// T = 1000: half the stream right after ~8k sequences with batches of 8, after ~25k with 32).</summary>
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 0.01;
    /// <summary>Adam (default) or SGD, the paper's optimizer (online, with <see cref="Momentum"/>).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; }
    public double GradientClip { get; init; } = 1.0;
    /// <summary>Scale the learning rate by clamp((recent stream error rate − the rate the criterion allows) / 10 %, 0.1,
    /// 1), the error rate taken over the last <see cref="AnnealWindow"/> scored sequences: full steps while the model
    /// is far from the criterion, a tenth once it errs on ≤ 1 % more of the stream than the criterion allows (most
    /// criteria allow none). The criteria demand thousands of successive right answers, so the last errors are the
    /// tail of the error distribution, and a smaller step shrinks it.</summary>
    public bool Anneal { get; init; } = true;
    public int AnnealWindow { get; init; } = 1_000;
    /// <summary>The smallest annealing factor (the rate never falls below this fraction of <see cref="LearningRate"/>).</summary>
    public double AnnealFloor { get; init; } = 0.1;
    /// <summary>Fixed test set size (the paper's 2,560); Exp. 1 uses its own 256.</summary>
    public int TestSize { get; init; } = 2_560;
    /// <summary>Check-set criteria (Exp. 3): training sequences between two checks.</summary>
    public int CheckEvery { get; init; } = 500;
    public TimeSpan? TimeLimit { get; init; }
    /// <summary>Sequences the HMMs are trained on by Baum–Welch (at most <see cref="Budget"/>); EM is batch learning.</summary>
    public int HmmTrainingSequences { get; init; } = 1_000;
    /// <summary>A smaller criterion window (or check set) for reduced runs (notebooks, CI); null keeps the paper's.</summary>
    public int? CriterionWindow { get; init; }

    public static ExperimentOptions Default { get; } = new();

    /// <summary>Reduced sizes for notebooks and CI: same code, smaller budget and criterion window.</summary>
    public static ExperimentOptions Quick(long budget = 20_000) => new() { Budget = budget, ChunkSize = 1_024, TestSize = 512, CriterionWindow = 500 };

    /// <summary>Refuses settings that cannot run or would report a meaningless score (0 test sequences: 0/0).</summary>
    public void Validate()
    {
        if (Budget < 1) Fail(nameof(Budget), Budget, $"The budget must be at least one training sequence, but was {Budget}.");
        if (ChunkSize < 1) Fail(nameof(ChunkSize), ChunkSize, $"A block must hold at least one sequence, but ChunkSize was {ChunkSize}.");
        if (BatchSize < 1) Fail(nameof(BatchSize), BatchSize, $"The batch size must be at least 1, but was {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            Fail(nameof(LearningRate), LearningRate, $"The learning rate must be a positive finite number, but was {LearningRate}. Hint: the paper's SGD used 0.1–1, Adam here 0.01.");
        if (!Enum.IsDefined(Optimizer)) Fail(nameof(Optimizer), Optimizer, $"Unknown optimizer {Optimizer}; expected Adam or Sgd.");
        if (!(Momentum >= 0 && Momentum < 1)) Fail(nameof(Momentum), Momentum, $"Momentum must be in [0, 1), but was {Momentum}.");
        if (!(GradientClip > 0) || !double.IsFinite(GradientClip)) Fail(nameof(GradientClip), GradientClip, $"The gradient clip must be a positive finite norm, but was {GradientClip}.");
        if (!(AnnealFloor > 0 && AnnealFloor <= 1)) Fail(nameof(AnnealFloor), AnnealFloor, $"The annealing floor must be in (0, 1], but was {AnnealFloor}.");
        if (AnnealWindow < 1) Fail(nameof(AnnealWindow), AnnealWindow, $"The annealing window must hold at least one sequence, but was {AnnealWindow}.");
        if (TestSize < 1) Fail(nameof(TestSize), TestSize, $"The test set needs at least one sequence (an empty one would score 0/0), but TestSize was {TestSize}.");
        if (CheckEvery < 1) Fail(nameof(CheckEvery), CheckEvery, $"CheckEvery must be at least one sequence, but was {CheckEvery}.");
        if (TimeLimit is TimeSpan limit && limit <= TimeSpan.Zero) Fail(nameof(TimeLimit), limit, $"The time limit must be positive, but was {limit}.");
        if (HmmTrainingSequences < 1) Fail(nameof(HmmTrainingSequences), HmmTrainingSequences, $"The HMMs need at least one training sequence, but HmmTrainingSequences was {HmmTrainingSequences}.");
        if (CriterionWindow is int w && w < 1) Fail(nameof(CriterionWindow), w, $"The criterion window must hold at least one sequence, but was {w}.");
    }

    private static void Fail(string name, object value, string message) => throw new ArgumentOutOfRangeException(name, value, message);
}

public enum RunOutcome
{
    Solved,
    BudgetExhausted,
    TimeLimit,
    /// <summary>The loss became NaN/∞; the run keeps the last finite model.</summary>
    Diverged,
}

/// <summary>After each block of sequences (networks), EM iteration (HMMs) or block of trials (guessing).</summary>
/// <param name="WindowErrors">Errors among the last <paramref name="WindowFilled"/> scored stream sequences.</param>
public sealed record ExperimentProgress(LongGapTask Task, int Lag, string Model, long Seed, long Sequences, long Budget,
    int WindowFilled, int WindowErrors, double TrainLoss, TimeSpan Elapsed);

/// <summary>One point of a learning curve: the stream accuracy of a block of sequences, each scored before the model
/// trained on it, and the mean training loss over the block.</summary>
public sealed record CurvePoint(long Sequences, double StreamAccuracy, double TrainLoss);

/// <summary>
/// One run's result. Two counts, because the papers count differently: <see cref="SequencesBeforeCriterion"/> is the
/// number of training sequences before the criterion began to hold (the stream sequences before the first one of the
/// window over which it held: Exp. 2a's 5,040 is smaller than its own 10,000-sequence window, so the paper counts this
/// way), and <see cref="SequencesToCriterion"/> the total including that window (where a run stops). Both are null when
/// the task was not solved within budget; for fixed-set, check-set and HMM runs (no window) they are equal.
/// <see cref="TestErrorRate"/>: fraction of test sequences failing the paper's per-sequence criterion (e.g. |error| ≥
/// 0.04). <see cref="TestAccuracy"/>: fraction whose decision is right (the most probable class; for regression the
/// criterion), comparable with <see cref="ChanceAccuracy"/>.
/// </summary>
public sealed record ExperimentResult
{
    public required LongGapTask Task { get; init; }
    public required int Lag { get; init; }
    /// <summary>The task's other parameters (<see cref="TaskGenerator.Setting"/>), e.g. "p=1000".</summary>
    public string Setting { get; init; } = "";
    public required string Model { get; init; }
    public required ModelKind Kind { get; init; }
    public required long Seed { get; init; }
    public required RunOutcome Outcome { get; init; }
    public long? SequencesBeforeCriterion { get; init; }
    public long? SequencesToCriterion { get; init; }
    /// <summary>Exp. 3: training sequences until the weaker stop criterion ST1 held (null otherwise or if it never did).</summary>
    public long? SequencesToFirstStage { get; init; }
    public required long SequencesTrained { get; init; }
    /// <summary>Random weight guessing: weight vectors tried.</summary>
    public long? Trials { get; init; }
    public required double TestErrorRate { get; init; }
    public required double TestAccuracy { get; init; }
    public required double ChanceAccuracy { get; init; }
    /// <summary>Mean squared error on the test set for tasks with one real-valued target (Exp. 3, 4, 5); NaN otherwise.</summary>
    public double TestMeanSquaredError { get; init; } = double.NaN;
    public required TimeSpan WallTime { get; init; }
    public required int Parameters { get; init; }
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];

    public bool Solved => Outcome == RunOutcome.Solved;
}

/// <summary>Per sequence: the paper's criterion, whether the decision is right, and |output − target| (NaN for symbols).</summary>
public sealed record Evaluation(bool[] Criterion, bool[] Decision, double[] AbsoluteError)
{
    public int Count => Criterion.Length;
    public double ErrorRate => Rate(Criterion, wrong: true);
    public double Accuracy => Rate(Decision, wrong: false);
    public double MeanAbsoluteError => AbsoluteError.Length == 0 ? double.NaN : AbsoluteError.Average();
    public double MeanSquaredError => AbsoluteError.Length == 0 ? double.NaN : AbsoluteError.Average(e => e * e);

    private static double Rate(bool[] flags, bool wrong)
    {
        if (flags.Length == 0) throw new InvalidOperationException("A rate over no sequences is undefined (0/0). Hint: score at least one sequence.");
        int n = flags.Count(f => f != wrong);
        return (double)n / flags.Length;
    }
}

/// <summary>
/// Runs one task × lag × model × seed. The same code serves the command line (paper sizes) and the notebooks
/// (<see cref="ExperimentOptions.Quick"/>): <c>LongGapExperiments.Run(LongGapTask.Adding, 100, ModelConfig.Lstm(), ExperimentOptions.Quick(), seed: 1)</c>.
/// </summary>
public static class LongGapExperiments
{
    // Distinct streams per purpose, so the test and check sets never overlap the training stream of the same seed.
    private const long TestStream = 0x7E57_5E7L, TrainStream = 0x5EED_0001L, CheckStream = 0xC4EC_0000L;

    public static ExperimentResult Run(LongGapTask task, int lag, ModelConfig model, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, int? alphabet = null)
        => Run(TaskGenerators.Create(task, lag, alphabet), model, options, seed, progress, cancellationToken);

    public static ExperimentResult Run(TaskGenerator task, ModelConfig model, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        model.Validate();
        if (task is ContinualReberTask)
            throw new NotSupportedException("The continual Reber stream is never cut into sequences; run it with ContinualReber.Run (CLI: continual-reber).");
        return model.Kind switch
        {
            ModelKind.Hmm or ModelKind.HmmClassifier => HmmRunner.Run(task, model, options, seed, progress, cancellationToken),
            ModelKind.Guess => WeightGuessing.Run(task, model, options, seed, progress, cancellationToken),
            _ when task.Criterion.Kind == CriterionKind.FixedSet => RunFixedSet((EmbeddedReberTask)task, model, options, seed, progress, cancellationToken),
            _ => RunStream(task, model, options, seed, progress, cancellationToken),
        };
    }

    /// <summary>The fixed test set of a task for a seed (Exp. 1: 256 strings).</summary>
    public static List<TaskSequence> TestSet(TaskGenerator task, ExperimentOptions options, long seed)
    {
        var rng = new Rng(seed ^ TestStream);
        return task.Generate(task is EmbeddedReberTask r ? r.TrainingSetSize : options.TestSize, ref rng);
    }

    /// <summary>The check set of a check-set criterion (Exp. 3: 256 sequences), separate from the test set.</summary>
    public static List<TaskSequence> CheckSet(TaskGenerator task, ExperimentOptions options, long seed)
    {
        var rng = new Rng(seed ^ CheckStream);
        return task.Generate(EffectiveCriterion(task, options).Window, ref rng);
    }

    /// <summary>The training stream's generator for a seed.</summary>
    public static Rng TrainingStream(long seed) => new(seed ^ TrainStream);

    /// <summary>The task's criterion, its window (or check set) shrunk to <see cref="ExperimentOptions.CriterionWindow"/>.</summary>
    public static Criterion EffectiveCriterion(TaskGenerator task, ExperimentOptions options)
    {
        var c = task.Criterion;
        if (options.CriterionWindow is not int window || c.FixedSet) return c;
        // Scale the allowed failures with the window, so e.g. Exp. 5's 139 of 2,000 stays 7 %.
        return c with { Window = window, AllowedFailures = (int)Math.Floor((double)c.AllowedFailures * window / c.Window) };
    }

    /// <summary>Whether a check set meets a check-set criterion: ST1 (few enough wrong) and, if asked, ST2 (mean error).</summary>
    internal static (bool First, bool Full) MeetsCheck(Criterion criterion, Evaluation check)
    {
        bool first = check.Criterion.Count(c => !c) <= criterion.AllowedFailures;
        bool full = first && (criterion.MeanAbsoluteErrorBelow is not double bound || check.MeanAbsoluteError < bound);
        return (first, full);
    }

    private static ExperimentResult RunStream(TaskGenerator task, ModelConfig config, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var criterion = EffectiveCriterion(task, options);
        bool checkSet = criterion.Kind == CriterionKind.CheckSet;
        var check = checkSet ? CheckSet(task, options, seed) : null;
        var model = config.ToSpec(task, seed)!.Build();
        var session = model.StartTraining(TrainingFor(options).WithSeed(seed));
        var rng = TrainingStream(seed);
        var window = new RollingWindow(checkSet ? 1 : criterion.Window);
        var recent = new RollingWindow(options.AnnealWindow);
        // Annealing reads the error the criterion does not allow: Exp. 5's n_seq = 140 lets 7 % of the stream be wrong,
        // so its steps shrink as the error nears 7 %, not 0 % (a model that meets the criterion on a lucky stretch
        // with large steps fails it on the test set).
        double allowedRate = (double)criterion.AllowedFailures / criterion.Window;
        var curve = new List<CurvePoint>();
        long seen = 0, nextCheck = 0;
        long? solvedAt = null, firstStageAt = null;
        // Whole batches per block, so the batches (and the run) never depend on how often progress is reported.
        int blockSize = (int)Math.Min(int.MaxValue, (options.ChunkSize + (long)options.BatchSize - 1) / options.BatchSize * options.BatchSize);
        var outcome = RunOutcome.BudgetExhausted;
        while (seen < options.Budget && outcome == RunOutcome.BudgetExhausted && solvedAt is null)
        {
            var block = task.Generate((int)Math.Min(blockSize, options.Budget - seen), ref rng);
            int blockRight = 0, blockScored = 0;
            double lossSum = 0;
            for (int start = 0; start < block.Count; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (options.TimeLimit is TimeSpan limit && clock.Elapsed > limit) { outcome = RunOutcome.TimeLimit; break; }
                if (checkSet && seen >= nextCheck)
                {
                    var (first, full) = MeetsCheck(criterion, Evaluate(model, task, check!));
                    if (first) firstStageAt ??= seen;
                    if (full) { solvedAt = seen; break; }
                    nextCheck = seen + options.CheckEvery;
                }
                var batch = block.GetRange(start, Math.Min(options.BatchSize, block.Count - start));
                var samples = batch.Select(s => s.Sample).ToArray();
                var scored = Evaluate(model, task, batch, samples);
                for (int i = 0; i < batch.Count; i++)
                {
                    bool right = scored.Criterion[i];
                    blockRight += right ? 1 : 0;
                    blockScored++;
                    recent.Push(right);
                    if (checkSet) continue;
                    window.Push(right);
                    if (window.Full && window.Errors <= criterion.AllowedFailures) { solvedAt = seen + i + 1; break; }
                }
                // The model that scored these sequences met the criterion; the paper stops there too.
                if (solvedAt is not null) break;
                double rate = options.Anneal ? options.LearningRate * Math.Clamp((recent.ErrorRate - allowedRate) / 0.1, options.AnnealFloor, 1) : options.LearningRate;
                try
                {
                    var fit = session.Train(Dataset.Create(samples), epochs: 1, learningRate: rate, cancellationToken: cancellationToken);
                    model = fit.Model;
                    lossSum += fit.History.Epochs[^1].TrainLoss * batch.Count;
                }
                catch (TrainingDivergedException)
                {
                    outcome = RunOutcome.Diverged;
                    seen += batch.Count;
                    break;
                }
                seen += batch.Count;
            }
            if (blockScored > 0)
                curve.Add(new CurvePoint(solvedAt ?? seen, (double)blockRight / blockScored, lossSum / Math.Max(1, blockScored)));
            progress?.Report(new ExperimentProgress(task.Task, task.Lag, config.Name, seed, solvedAt ?? seen, options.Budget,
                checkSet ? recent.Count : window.Count, checkSet ? recent.Errors : window.Errors, lossSum / Math.Max(1, blockScored), clock.Elapsed));
        }
        if (solvedAt is null && checkSet && outcome == RunOutcome.BudgetExhausted)
        {
            // The last check, after the final update.
            var (first, full) = MeetsCheck(criterion, Evaluate(model, task, check!));
            if (first) firstStageAt ??= seen;
            if (full) solvedAt = seen;
        }
        if (solvedAt is not null) { outcome = RunOutcome.Solved; seen = solvedAt.Value; }
        var test = EvaluateTestSet(model, task, options, seed);
        clock.Stop();
        return new ExperimentResult
        {
            Task = task.Task, Lag = task.Lag, Setting = task.Setting, Model = config.Name, Kind = config.Kind, Seed = seed, Outcome = outcome,
            SequencesBeforeCriterion = solvedAt is long s ? (checkSet ? s : s - criterion.Window) : null,
            SequencesToCriterion = solvedAt,
            SequencesToFirstStage = checkSet ? firstStageAt : null,
            SequencesTrained = seen,
            TestErrorRate = test.ErrorRate, TestAccuracy = test.Accuracy, ChanceAccuracy = task.ChanceAccuracy,
            TestMeanSquaredError = test.MeanSquaredError, WallTime = clock.Elapsed, Parameters = model.ParameterCount, Curve = curve,
        };
    }

    /// <summary>The fixed test set of a seed, scored. Symbolic sequences stay symbols until evaluation builds
    /// one batch of dense samples at a time, so wide tasks never hold 2,560 dense samples at once.</summary>
    public static Evaluation EvaluateTestSet(Model<float> model, TaskGenerator task, ExperimentOptions options, long seed)
        => Evaluate(model, task, TestSet(task, options, seed));

    internal static TrainingOptions TrainingFor(ExperimentOptions options)
        => (options.Optimizer == OptimizerKind.Sgd ? Training.Sgd(options.LearningRate, options.Momentum) : Training.Adam(options.LearningRate))
            .WithEpochs(1).WithBatchSize(options.BatchSize).WithGradientClip(options.GradientClip);

    /// <summary>Exp. 1: a fixed training set of 256 strings, one epoch per round in one session, solved when every
    /// training and test string is predicted right (checked before each epoch).</summary>
    private static ExperimentResult RunFixedSet(EmbeddedReberTask task, ModelConfig config, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var model = config.ToSpec(task, seed)!.Build();
        var session = model.StartTraining(TrainingFor(options).WithSeed(seed));
        var rng = TrainingStream(seed);
        var trainSet = task.Generate(task.TrainingSetSize, ref rng);
        var test = TestSet(task, options, seed);
        var data = Dataset.Create(trainSet.Select(s => s.Sample));
        var curve = new List<CurvePoint>();
        long seen = 0;
        long? solvedAt = null;
        var outcome = RunOutcome.BudgetExhausted;
        Evaluation testScore;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int errors = Evaluate(model, task, trainSet).Criterion.Count(c => !c);
            testScore = Evaluate(model, task, test);
            if (errors == 0 && testScore.ErrorRate == 0) { solvedAt = seen; outcome = RunOutcome.Solved; break; }
            if (seen >= options.Budget) break;
            if (options.TimeLimit is TimeSpan limit && clock.Elapsed > limit) { outcome = RunOutcome.TimeLimit; break; }
            double loss;
            try
            {
                var fit = session.Train(data, epochs: 1, cancellationToken: cancellationToken);
                model = fit.Model;
                loss = fit.History.Epochs[^1].TrainLoss;
            }
            catch (TrainingDivergedException) { outcome = RunOutcome.Diverged; break; }
            seen += trainSet.Count;
            curve.Add(new CurvePoint(seen, 1 - (double)errors / trainSet.Count, loss));
            progress?.Report(new ExperimentProgress(task.Task, task.Lag, config.Name, seed, seen, options.Budget, trainSet.Count, errors, loss, clock.Elapsed));
        }
        clock.Stop();
        return new ExperimentResult
        {
            Task = task.Task, Lag = task.Lag, Setting = task.Setting, Model = config.Name, Kind = config.Kind, Seed = seed, Outcome = outcome,
            SequencesBeforeCriterion = solvedAt, SequencesToCriterion = solvedAt, SequencesTrained = seen,
            TestErrorRate = testScore.ErrorRate, TestAccuracy = testScore.Accuracy, ChanceAccuracy = task.ChanceAccuracy,
            WallTime = clock.Elapsed, Parameters = model.ParameterCount, Curve = curve,
        };
    }

    /// <summary>Whether the model gets each sequence right by the task's per-sequence criterion.</summary>
    public static bool[] Score(Model<float> model, TaskGenerator task, IReadOnlyList<TaskSequence> sequences) => Evaluate(model, task, sequences).Criterion;

    /// <summary>Per sequence: the paper's criterion, whether the decision (most probable class) is right, and the
    /// absolute error of a real-valued output.</summary>
    public static Evaluation Evaluate(Model<float> model, TaskGenerator task, IReadOnlyList<TaskSequence> sequences)
        => Evaluate(model, task, sequences, null);

    private static Evaluation Evaluate(Model<float> model, TaskGenerator task, IReadOnlyList<TaskSequence> sequences, Sample<float>[]? samples)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(sequences);
        const int batch = 64;
        var correct = new bool[sequences.Count];
        var decision = new bool[sequences.Count];
        var error = new double[sequences.Count];
        for (int s = 0; s < sequences.Count; s += batch)
        {
            int n = Math.Min(batch, sequences.Count - s);
            var inputs = new List<Sequence<float>>(n);
            for (int b = 0; b < n; b++) inputs.Add((samples?[s + b] ?? sequences[s + b].Sample).Input);
            var run = model.Run(SequenceBatch.FromVariableLength(inputs));
            for (int b = 0; b < n; b++)
            {
                ReadOnlySpan<float> outputs = run.HeadMode == HeadOutput.EveryStep
                    ? run.HeadOutputs.Slice(b * run.Steps * run.Outputs, inputs[b].Steps * run.Outputs)
                    : run.LastOutputs(b);
                correct[s + b] = task.IsCorrect(outputs, sequences[s + b]);
                decision[s + b] = task.IsDecisionRight(outputs, sequences[s + b]);
                error[s + b] = task.AbsoluteError(outputs, sequences[s + b]);
            }
        }
        return new Evaluation(correct, decision, error.Any(double.IsNaN) ? [] : error);
    }
}

/// <summary>Correct/incorrect flags of the most recent sequences.</summary>
internal sealed class RollingWindow(int size)
{
    private readonly bool[] _flags = new bool[size];
    private int _next;

    public int Count { get; private set; }
    public int Errors { get; private set; }
    public bool Full => Count == _flags.Length;
    public double ErrorRate => Count == 0 ? 1 : (double)Errors / Count;

    public void Push(bool correct)
    {
        if (Full && !_flags[_next]) Errors--;
        _flags[_next] = correct;
        if (!correct) Errors++;
        _next = (_next + 1) % _flags.Length;
        if (!Full) Count++;
    }
}
