using System.Diagnostics;

namespace LstmNotebooks.Experiments;

/// <summary>
/// How a run trains. The networks train in rounds: each round draws fresh sequences (see <see cref="ChunkSize"/>),
/// first scores them with the current model (so every sequence is judged before the model has trained on it, as in
/// the paper's online runs), then trains one epoch of mini-batch Adam (or SGD) on them. The run stops when the task's
/// criterion holds on the stream, or when <see cref="Budget"/> sequences or <see cref="TimeLimit"/> are used up.
/// </summary>
public sealed record ExperimentOptions
{
    /// <summary>Training sequences at most (the paper's "sequences" count).</summary>
    public long Budget { get; init; } = 200_000;
    /// <summary>Fresh sequences per round, at most. Rounds start at <see cref="InitialChunkSize"/> and double up to
    /// this: the criterion is checked per sequence, but a model is frozen for a round, so small early rounds resolve
    /// fast learners; each round is one <c>Model.Train</c> call, which starts Adam's moment estimates afresh, so later
    /// rounds are large.</summary>
    public int ChunkSize { get; init; } = 4_096;
    public int InitialChunkSize { get; init; } = 256;
    /// <summary>Caps a round's dense inputs (steps × features × 4 bytes per sequence); wide one-hot tasks (2c with
    /// p = 1000) get smaller rounds instead of running out of memory.</summary>
    public long MaxChunkBytes { get; init; } = 1L << 30;
    /// <summary>Small batches: many updates per sequence seen matter more here than GEMM efficiency (measured on adding,
    /// T = 1000: half the stream right after ~8k sequences with batches of 8, after ~25k with 32).</summary>
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 0.01;
    /// <summary>Adam (default) or SGD, the paper's optimizer (online, with <see cref="Momentum"/>).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; }
    public double GradientClip { get; init; } = 1.0;
    /// <summary>Scale the learning rate by clamp(round error rate / 10 %, 0.1, 1): full steps while the model is far
    /// from the criterion, a tenth once it errs on ≤ 1 % of the stream. The criteria demand thousands of successive
    /// right answers, so the last errors are the tail of the error distribution, and a smaller step shrinks it.</summary>
    public bool Anneal { get; init; } = true;
    /// <summary>Fixed test set size (the paper's 2,560); Exp. 1 uses its own 256.</summary>
    public int TestSize { get; init; } = 2_560;
    public TimeSpan? TimeLimit { get; init; }
    /// <summary>Sequences the HMMs are trained on by Baum–Welch (at most <see cref="Budget"/>); EM is batch learning.</summary>
    public int HmmTrainingSequences { get; init; } = 1_000;
    /// <summary>A smaller criterion window for reduced runs (notebooks, CI); null keeps the paper's.</summary>
    public int? CriterionWindow { get; init; }

    public static ExperimentOptions Default { get; } = new();

    /// <summary>Reduced sizes for notebooks and CI: same code, smaller budget and criterion window.</summary>
    public static ExperimentOptions Quick(long budget = 20_000) => new() { Budget = budget, ChunkSize = 1_024, TestSize = 512, CriterionWindow = 500 };
}

public enum RunOutcome
{
    Solved,
    BudgetExhausted,
    TimeLimit,
    /// <summary>The loss became NaN/∞; the run keeps the last finite model.</summary>
    Diverged,
}

/// <summary>After each round (networks) or EM iteration (HMMs).</summary>
/// <param name="WindowErrors">Errors among the last <paramref name="WindowFilled"/> scored stream sequences.</param>
public sealed record ExperimentProgress(LongGapTask Task, int Lag, string Model, long Seed, long Sequences, long Budget,
    int WindowFilled, int WindowErrors, double TrainLoss, TimeSpan Elapsed);

/// <summary>One point of a learning curve: the stream accuracy of the round scored just before training on it.</summary>
public sealed record CurvePoint(long Sequences, double StreamAccuracy, double TrainLoss);

/// <summary>One run's result. <see cref="SequencesToCriterion"/> is null when the task was not solved within budget.
/// <see cref="TestErrorRate"/>: fraction of test sequences failing the paper's per-sequence criterion (e.g. |error| ≥ 0.04).
/// <see cref="TestAccuracy"/>: fraction whose decision is right (the most probable class; for regression the criterion),
/// comparable with <see cref="ChanceAccuracy"/>.</summary>
public sealed record ExperimentResult(
    LongGapTask Task, int Lag, string Model, ModelKind Kind, long Seed, RunOutcome Outcome, long? SequencesToCriterion,
    long SequencesTrained, double TestErrorRate, double TestAccuracy, double ChanceAccuracy, TimeSpan WallTime, int Parameters,
    IReadOnlyList<CurvePoint> Curve)
{
    public bool Solved => Outcome == RunOutcome.Solved;
}

/// <summary>
/// Runs one task × lag × model × seed. The same code serves the command line (paper sizes) and the notebooks
/// (<see cref="ExperimentOptions.Quick"/>): <c>LongGapExperiments.Run(LongGapTask.Adding, 100, ModelConfig.Lstm(), ExperimentOptions.Quick(), seed: 1)</c>.
/// </summary>
public static class LongGapExperiments
{
    // Distinct streams per purpose, so the test set never overlaps the training stream of the same seed.
    private const long TestStream = 0x7E57_5E7L, TrainStream = 0x5EED_0001L;

    public static ExperimentResult Run(LongGapTask task, int lag, ModelConfig model, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, int? alphabet = null)
        => Run(TaskGenerators.Create(task, lag, alphabet), model, options, seed, progress, cancellationToken);

    public static ExperimentResult Run(TaskGenerator task, ModelConfig model, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Budget < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Budget, "The budget must be at least one sequence.");
        return model.Kind switch
        {
            ModelKind.Hmm or ModelKind.HmmClassifier => HmmRunner.Run(task, model, options, seed, progress, cancellationToken),
            _ when task is EmbeddedReberTask reber => RunFixedSet(reber, model, options, seed, progress, cancellationToken),
            _ => RunStream(task, model, options, seed, progress, cancellationToken),
        };
    }

    /// <summary>The fixed test set of a task for a seed (Exp. 1: 256 strings).</summary>
    public static List<TaskSequence> TestSet(TaskGenerator task, ExperimentOptions options, long seed)
    {
        var rng = new Rng(seed ^ TestStream);
        return task.Generate(task is EmbeddedReberTask r ? r.TrainingSetSize : options.TestSize, ref rng);
    }

    /// <summary>The training stream's generator for a seed.</summary>
    public static Rng TrainingStream(long seed) => new(seed ^ TrainStream);

    internal static Criterion EffectiveCriterion(TaskGenerator task, ExperimentOptions options)
    {
        var c = task.Criterion;
        if (options.CriterionWindow is not int window || c.FixedSet) return c;
        // Scale the allowed failures with the window, so e.g. Exp. 5's 140 of 2,000 stays 7 %.
        return c with { Window = window, AllowedFailures = (int)Math.Floor((double)c.AllowedFailures * window / c.Window) };
    }

    private static ExperimentResult RunStream(TaskGenerator task, ModelConfig config, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var criterion = EffectiveCriterion(task, options);
        var model = config.ToSpec(task, seed)!.Build();
        var rng = TrainingStream(seed);
        var window = new RollingWindow(criterion.Window);
        var curve = new List<CurvePoint>();
        int memoryCap = MemoryCap(task, options, seed);
        long seen = 0;
        long? solvedAt = null;
        var outcome = RunOutcome.BudgetExhausted;
        var training = TrainingFor(options);
        for (int round = 0; seen < options.Budget; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.TimeLimit is TimeSpan limit && clock.Elapsed > limit) { outcome = RunOutcome.TimeLimit; break; }
            int n = (int)Math.Min(Math.Min(ChunkFor(options, round), memoryCap), options.Budget - seen);
            var chunk = task.Generate(n, ref rng);
            var correct = Score(model, task, chunk);
            int chunkCorrect = 0;
            for (int i = 0; i < n; i++)
            {
                if (correct[i]) chunkCorrect++;
                window.Push(correct[i]);
                if (solvedAt is null && window.Full && window.Errors <= criterion.AllowedFailures) solvedAt = seen + i + 1;
            }
            if (solvedAt is not null)
            {
                // The model that scored these sequences met the criterion; the paper stops there too.
                curve.Add(new CurvePoint(seen + n, (double)chunkCorrect / n, double.NaN));
                seen = solvedAt.Value;
                outcome = RunOutcome.Solved;
                break;
            }
            double loss;
            double rate = options.Anneal ? options.LearningRate * Math.Clamp((1 - (double)chunkCorrect / n) / 0.1, 0.1, 1) : options.LearningRate;
            try
            {
                var fit = model.Train(Dataset.Create(chunk.Select(s => s.Sample)), training.WithLearningRate(rate).WithSeed(seed * 1_000_003 + round), null, cancellationToken);
                model = fit.Model;
                loss = fit.History.TrainLoss[^1];
            }
            catch (TrainingDivergedException)
            {
                outcome = RunOutcome.Diverged;
                seen += n;
                break;
            }
            seen += n;
            curve.Add(new CurvePoint(seen, (double)chunkCorrect / n, loss));
            progress?.Report(new ExperimentProgress(task.Task, task.Lag, config.Name, seed, seen, options.Budget, window.Count, window.Errors, loss, clock.Elapsed));
        }
        var (testCriterion, testDecision) = EvaluateTestSet(model, task, options, seed);
        clock.Stop();
        var result = new ExperimentResult(task.Task, task.Lag, config.Name, config.Kind, seed, outcome, solvedAt, seen, ErrorRate(testCriterion),
            1 - ErrorRate(testDecision), task.ChanceAccuracy, clock.Elapsed, model.ParameterCount, curve);
        progress?.Report(new ExperimentProgress(task.Task, task.Lag, config.Name, seed, seen, options.Budget, window.Count, window.Errors, double.NaN, clock.Elapsed));
        return result;
    }

    /// <summary>Sequences per round that fit <see cref="ExperimentOptions.MaxChunkBytes"/>, from a probe draw (on a
    /// stream of its own, so the training stream is untouched), with room for longer-than-typical sequences.</summary>
    internal static int MemoryCap(TaskGenerator task, ExperimentOptions options, long seed)
    {
        var probe = new Rng(seed ^ 0x0BE5_0000L);
        double bytes = 1.5 * task.Next(ref probe).Steps * task.InputSize * sizeof(float);
        return (int)Math.Clamp(options.MaxChunkBytes / bytes, Math.Max(1, options.BatchSize), int.MaxValue);
    }

    /// <summary>The fixed test set of a seed, scored. Symbolic sequences stay symbols until <see cref="Evaluate"/> builds
    /// one batch of dense samples at a time, so wide tasks never hold 2,560 dense samples at once.</summary>
    public static (bool[] Criterion, bool[] Decision) EvaluateTestSet(Model<float> model, TaskGenerator task, ExperimentOptions options, long seed)
    {
        var test = TestSet(task, options, seed);
        return Evaluate(model, task, test);
    }

    internal static int ChunkFor(ExperimentOptions options, int round)
    {
        int max = Math.Max(1, options.ChunkSize);
        long size = Math.Max(1, Math.Min(options.InitialChunkSize, max));
        for (int r = 0; r < round && size < max; r++) size *= 2;
        return (int)Math.Min(size, max);
    }

    private static TrainingOptions TrainingFor(ExperimentOptions options)
        => (options.Optimizer == OptimizerKind.Sgd ? Training.Sgd(options.LearningRate, options.Momentum) : Training.Adam(options.LearningRate))
            .WithEpochs(1).WithBatchSize(options.BatchSize).WithGradientClip(options.GradientClip);

    /// <summary>Exp. 1: a fixed training set of 256 strings, one epoch per round, solved when every training and test
    /// string is predicted right.</summary>
    private static ExperimentResult RunFixedSet(EmbeddedReberTask task, ModelConfig config, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var model = config.ToSpec(task, seed)!.Build();
        var rng = TrainingStream(seed);
        var trainSet = task.Generate(task.TrainingSetSize, ref rng);
        var test = TestSet(task, options, seed);
        var data = Dataset.Create(trainSet.Select(s => s.Sample));
        var training = TrainingFor(options);
        var curve = new List<CurvePoint>();
        long seen = 0;
        long? solvedAt = null;
        var outcome = RunOutcome.BudgetExhausted;
        double testError = 1, testAccuracy = 0;
        for (int round = 0; ; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var trainCorrect = Score(model, task, trainSet);
            var (testCorrect, testDecision) = Evaluate(model, task, test);
            testError = ErrorRate(testCorrect);
            testAccuracy = 1 - ErrorRate(testDecision);
            int errors = trainCorrect.Count(c => !c);
            if (errors == 0 && testError == 0) { solvedAt = seen; outcome = RunOutcome.Solved; break; }
            if (seen >= options.Budget) break;
            if (options.TimeLimit is TimeSpan limit && clock.Elapsed > limit) { outcome = RunOutcome.TimeLimit; break; }
            double loss;
            try
            {
                var fit = model.Train(data, training.WithSeed(seed * 1_000_003 + round), null, cancellationToken);
                model = fit.Model;
                loss = fit.History.TrainLoss[^1];
            }
            catch (TrainingDivergedException) { outcome = RunOutcome.Diverged; break; }
            seen += trainSet.Count;
            curve.Add(new CurvePoint(seen, 1 - (double)errors / trainSet.Count, loss));
            progress?.Report(new ExperimentProgress(task.Task, task.Lag, config.Name, seed, seen, options.Budget, trainSet.Count, errors, loss, clock.Elapsed));
        }
        clock.Stop();
        return new ExperimentResult(task.Task, task.Lag, config.Name, config.Kind, seed, outcome, solvedAt, seen, testError,
            testAccuracy, task.ChanceAccuracy, clock.Elapsed, model.ParameterCount, curve);
    }

    /// <summary>Whether the model gets each sequence right by the task's per-sequence criterion.</summary>
    public static bool[] Score(Model<float> model, TaskGenerator task, IReadOnlyList<TaskSequence> sequences) => Evaluate(model, task, sequences).Criterion;

    /// <summary>Per sequence: the paper's criterion, and whether the decision (most probable class) is right.</summary>
    public static (bool[] Criterion, bool[] Decision) Evaluate(Model<float> model, TaskGenerator task, IReadOnlyList<TaskSequence> sequences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(sequences);
        const int batch = 64;
        var correct = new bool[sequences.Count];
        var decision = new bool[sequences.Count];
        for (int s = 0; s < sequences.Count; s += batch)
        {
            int n = Math.Min(batch, sequences.Count - s);
            var inputs = new List<Sequence<float>>(n);
            for (int b = 0; b < n; b++) inputs.Add(sequences[s + b].Sample.Input);
            var run = model.Run(SequenceBatch.FromVariableLength(inputs));
            for (int b = 0; b < n; b++)
            {
                ReadOnlySpan<float> outputs = run.HeadMode == HeadOutput.EveryStep
                    ? run.HeadOutputs.Slice(b * run.Steps * run.Outputs, inputs[b].Steps * run.Outputs)
                    : run.LastOutputs(b);
                correct[s + b] = task.IsCorrect(outputs, sequences[s + b]);
                decision[s + b] = task.IsDecisionRight(outputs, sequences[s + b]);
            }
        }
        return (correct, decision);
    }

    internal static double ErrorRate(bool[] correct) => correct.Length == 0 ? 0 : (double)correct.Count(c => !c) / correct.Length;
}

/// <summary>Correct/incorrect flags of the most recent sequences.</summary>
internal sealed class RollingWindow(int size)
{
    private readonly bool[] _flags = new bool[size];
    private int _next;

    public int Count { get; private set; }
    public int Errors { get; private set; }
    public bool Full => Count == _flags.Length;

    public void Push(bool correct)
    {
        if (Full && !_flags[_next]) Errors--;
        _flags[_next] = correct;
        if (!correct) Errors++;
        _next = (_next + 1) % _flags.Length;
        if (!Full) Count++;
    }
}
