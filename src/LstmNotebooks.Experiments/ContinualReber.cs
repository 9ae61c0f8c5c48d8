using System.Diagnostics;

namespace LstmNotebooks.Experiments;

/// <summary>
/// Settings of the continual embedded Reber experiment (Gers, Schmidhuber &amp; Cummins 2000). Training: one
/// <see cref="TrainingSession{T}"/>, fed calls of <see cref="Streams"/> parallel stream segments of
/// <see cref="SegmentLength"/> symbols each, by truncated BPTT: the state is carried from window to window through a
/// whole segment (hundreds of strings, never reset), the gradient is cut every <see cref="TruncationWindow"/> steps.
/// Test: one never-reset stream of <see cref="TestSymbols"/> symbols from a zero state. Checked when a run starts.
/// </summary>
public sealed record ContinualReberOptions
{
    /// <summary>Cells per network (Gers et al.: 4 blocks of 2 cells).</summary>
    public int HiddenSize { get; init; } = 12;
    public int Streams { get; init; } = 8;
    public int SegmentLength { get; init; } = 5_000;
    /// <summary>About six strings per window: long enough to carry the repeated T|P across one string.</summary>
    public int TruncationWindow { get; init; } = 75;
    /// <summary>Training symbols in all, summed over the parallel streams.</summary>
    public long TrainingSymbols { get; init; } = 2_000_000;
    public double LearningRate { get; init; } = 0.01;
    public double GradientClip { get; init; } = 5.0;
    /// <summary>Both cells start with this input-gate bias (Gers et al.: −0.5 … −2).</summary>
    public double InputGateBias { get; init; } = -1.0;
    /// <summary>The forget-gate cell's initial forget bias (Gers et al.: +0.5 … +2): keep by default, learn when to reset.</summary>
    public double ForgetBias { get; init; } = 1.0;
    /// <summary>Symbols of the test stream; 10⁶ is Gers et al.'s "perfect" criterion.</summary>
    public int TestSymbols { get; init; } = 1_000_000;
    /// <summary>The first test symbols whose cell states and forget gates are recorded.</summary>
    public int TraceSymbols { get; init; } = 5_000;
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>The paper-size run of the command line (10⁶ test symbols).</summary>
    public static ContinualReberOptions Default { get; } = new();

    /// <summary>A notebook's quick run (seconds, not minutes): 4 streams, 800,000 training symbols, a 20,000-symbol test stream.</summary>
    public static ContinualReberOptions Quick { get; } = new() { Streams = 4, SegmentLength = 2_500, TrainingSymbols = 800_000, TestSymbols = 20_000, TraceSymbols = 3_000 };

    public void Validate()
    {
        Require(HiddenSize is >= 1 and <= 4_096, nameof(HiddenSize), HiddenSize, "The hidden size must be in [1, 4096]");
        Require(Streams is >= 1 and <= 4_096, nameof(Streams), Streams, "The number of parallel streams must be in [1, 4096]");
        Require(SegmentLength >= 1, nameof(SegmentLength), SegmentLength, "A training segment needs at least one symbol");
        Require(TruncationWindow >= 1, nameof(TruncationWindow), TruncationWindow, "The truncation window must be at least one step");
        Require(TrainingSymbols >= 1, nameof(TrainingSymbols), TrainingSymbols, "Training needs at least one symbol");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "The learning rate must be a positive finite number");
        Require(GradientClip > 0 && double.IsFinite(GradientClip), nameof(GradientClip), GradientClip, "The gradient clip must be a positive finite norm");
        Require(double.IsFinite(InputGateBias), nameof(InputGateBias), InputGateBias, "The input-gate bias must be finite");
        Require(double.IsFinite(ForgetBias), nameof(ForgetBias), ForgetBias, "The forget bias must be finite");
        Require(TestSymbols >= 1, nameof(TestSymbols), TestSymbols, "The test stream needs at least one symbol (an empty one would score 0/0)");
        Require(TraceSymbols >= 1 && TraceSymbols <= TestSymbols, nameof(TraceSymbols), TraceSymbols, $"The traced symbols must be in [1, TestSymbols = {TestSymbols}]");
        Require(TimeLimit is null || TimeLimit > TimeSpan.Zero, nameof(TimeLimit), TimeLimit!, "The time limit must be positive");
    }

    private static void Require(bool ok, string name, object value, string what)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{what}, but was {value}.");
    }
}

/// <summary>
/// One trained cell on the never-reset test stream. <see cref="MaxAbsCellState"/>[t] is max over units |c_t| for the
/// first <see cref="ContinualReberOptions.TraceSymbols"/> test steps; <see cref="CellStates"/> the same per unit (units ×
/// steps). Accuracy is per step ("legal successors most active"); <see cref="RepeatAccuracy"/> only at the steps that
/// predict a string's repeated T|P — the long-lag prediction, at chance (50 %) for a cell that cannot keep one
/// string's memory apart from the last one's.
/// </summary>
public sealed record ContinualReberRun
{
    public required string Model { get; init; }
    public required bool ForgetGate { get; init; }
    public required long Seed { get; init; }
    public required long TrainingSymbols { get; init; }
    public required double StepAccuracy { get; init; }
    public required double RepeatAccuracy { get; init; }
    /// <summary>Test symbols predicted right before the first error (all of them if none).</summary>
    public required long SymbolsUntilFirstError { get; init; }
    public required int TestSymbols { get; init; }
    public required float[] MaxAbsCellState { get; init; }
    public required float[][] CellStates { get; init; }
    /// <summary>The forget gate of <see cref="ResettingUnit"/>, averaged over the traced steps that read a string's final
    /// E and over every other traced step (NaN for the cell without a forget gate): a cell that learned to reset itself
    /// closes that unit's gate at the string ends and keeps it open elsewhere.</summary>
    public required double ForgetGateAtStringEnds { get; init; }
    public required double ForgetGateElsewhere { get; init; }
    /// <summary>The unit whose forget gate drops most at string ends (−1 without a forget gate).</summary>
    public required int ResettingUnit { get; init; }
    public required TimeSpan WallTime { get; init; }
    public required Model<float> Trained { get; init; }

    /// <summary>Every test symbol right: with 10⁶ of them, Gers et al.'s "perfect" solution.</summary>
    public bool Perfect => SymbolsUntilFirstError == TestSymbols;
    public double PeakAbsCellState => MaxAbsCellState.Max();
    /// <summary>max over the traced steps of |c| for each unit: a cell can let unused units grow while the ones that
    /// carry the memory stay bounded.</summary>
    public double[] UnitPeakAbsCellState => CellStates.Select(u => u.Max(v => (double)Math.Abs(v))).ToArray();
    /// <summary>max |c| over the last tenth of the traced steps: where a growing state ends up.</summary>
    public double LateAbsCellState => MaxAbsCellState.Skip(MaxAbsCellState.Length * 9 / 10).Max();

    /// <summary>The run as a results-file row: solved when the whole test stream is right; the counts are symbols.</summary>
    public ExperimentResult ToResult() => new()
    {
        Task = LongGapTask.ContinualReber, Lag = 9, Setting = $"test={TestSymbols}", Model = Model, Kind = ModelKind.Lstm, Seed = Seed,
        Outcome = Perfect ? RunOutcome.Solved : RunOutcome.BudgetExhausted,
        SequencesBeforeCriterion = Perfect ? TrainingSymbols : null, SequencesToCriterion = Perfect ? TrainingSymbols : null,
        SequencesTrained = TrainingSymbols, TestErrorRate = 1 - StepAccuracy, TestAccuracy = RepeatAccuracy, ChanceAccuracy = 0.5,
        WallTime = WallTime, Parameters = Trained.ParameterCount,
    };
}

/// <summary>Both cells on the same streams: the 1997 cell (no forget gate) and the forget-gate cell.</summary>
public sealed record ContinualReberComparison(ContinualReberRun NoForgetGate, ContinualReberRun ForgetGate);

/// <summary>
/// Gers, Schmidhuber &amp; Cummins (2000), "Learning to forget": embedded Reber strings in one stream that nothing
/// resets. The 1997 cell's state c_t = c_{t−1} + i·g can only accumulate, so |c| grows with the stream, tanh(c)
/// saturates and the cell can no longer tell this string's T|P from the ones before; a forget gate learns to reset
/// the cell at the end of each string and its |c| stays bounded. For a notebook:
/// <code>
/// var r = ContinualReber.Compare(ContinualReberOptions.Quick, seed: 1);
/// // r.NoForgetGate.LateAbsCellState ≫ r.ForgetGate.PeakAbsCellState; r.ForgetGate.RepeatAccuracy ≈ 1, r.NoForgetGate's ≈ 0.5
/// </code>
/// </summary>
public static class ContinualReber
{
    private const long TrainStream = 0x5EB0_0001L, TestStream = 0x5EB0_7E57L;

    /// <summary>Both cells, same seed, same streams.</summary>
    public static ContinualReberComparison Compare(ContinualReberOptions options, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
        => new(Run(options, forgetGate: false, seed, progress, cancellationToken), Run(options, forgetGate: true, seed, progress, cancellationToken));

    /// <summary>The model config of each cell: the 1997 cell, or a forget gate with the options' initial bias.</summary>
    public static ModelConfig Config(ContinualReberOptions options, bool forgetGate)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ModelConfig.Lstm(options.HiddenSize, forgetGate ? LstmVariant.ForgetBias1 : LstmVariant.NoForgetGate1997) with { InputGateBias = options.InputGateBias };
    }

    public static ContinualReberRun Run(ContinualReberOptions options, bool forgetGate, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var task = new ContinualReberTask(options.SegmentLength);
        var spec = Config(options, forgetGate).ToSpec(task, seed)!;
        if (forgetGate) spec = spec.WithForgetBias(options.ForgetBias);
        string name = forgetGate ? $"LSTM (forget gate, bias {options.ForgetBias:0.#})" : "LSTM (1997, no forget gate)";
        var model = spec.Build();
        var session = model.StartTraining(Training.Adam(options.LearningRate).WithBatchSize(options.Streams).WithEpochs(1)
            .WithGradientClip(options.GradientClip).WithTruncation(options.TruncationWindow).WithShuffle(false).WithSeed(seed));
        var rng = new Rng(seed ^ TrainStream);
        long trained = 0;
        while (trained < options.TrainingSymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.TimeLimit is TimeSpan limit && clock.Elapsed > limit) break;
            var segments = new Sample<float>[options.Streams];
            for (int s = 0; s < segments.Length; s++)
            {
                var (symbols, legal, _) = ReberGrammar.Continual(options.SegmentLength, ref rng);
                segments[s] = ReberGrammar.ToSample(symbols, legal);
            }
            try
            {
                var fit = session.Train(Dataset.Create(segments), epochs: 1, cancellationToken: cancellationToken);
                model = fit.Model;
                trained += (long)options.Streams * options.SegmentLength;
                progress?.Report(new ExperimentProgress(LongGapTask.ContinualReber, 9, name, seed, trained, options.TrainingSymbols, 0, 0,
                    fit.History.Epochs[^1].TrainLoss, clock.Elapsed));
            }
            catch (TrainingDivergedException) { break; }
        }
        var run = Test(model, options, seed, cancellationToken);
        clock.Stop();
        return run with { Model = name, ForgetGate = forgetGate, Seed = seed, TrainingSymbols = trained, WallTime = clock.Elapsed };
    }

    /// <summary>A trained model on the seed's never-reset test stream, read in chunks with the state carried.</summary>
    public static ContinualReberRun Test(Model<float> model, ContinualReberOptions options, long seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var rng = new Rng(seed ^ TestStream);
        var (symbols, legal, repeat) = ReberGrammar.Continual(options.TestSymbols, ref rng);
        const int chunk = 10_000;
        RecurrentState<float>? state = null;
        long right = 0, repeats = 0, repeatsRight = 0;
        long firstError = -1;
        for (int from = 0; from < symbols.Length; from += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(chunk, symbols.Length - from);
            var input = Sequence.OneHot<float>(new ArraySegment<int>(symbols, from, n), ReberGrammar.Symbols);
            var result = model.Run(SequenceBatch.Create([input]), state);
            state = result.FinalState;
            var outputs = result.HeadOutputs;
            for (int t = 0; t < n; t++)
            {
                bool ok = ReberGrammar.LegalMostActive(outputs.Slice(t * ReberGrammar.Symbols, ReberGrammar.Symbols), legal[from + t]);
                if (ok) right++;
                else if (firstError < 0) firstError = from + t;
                if (!repeat[from + t]) continue;
                repeats++;
                if (ok) repeatsRight++;
            }
        }

        // The trace starts from the same zero state, so its steps are the test stream's first ones.
        var layer = model.Trace(Sequence.OneHot<float>(new ArraySegment<int>(symbols, 0, options.TraceSymbols), ReberGrammar.Symbols)).Layers[0];
        var cells = layer.UnitByStep(TraceChannel.CellState);
        var maxAbs = new float[options.TraceSymbols];
        for (int t = 0; t < maxAbs.Length; t++)
            for (int u = 0; u < cells.Length; u++) maxAbs[t] = Math.Max(maxAbs[t], Math.Abs(cells[u][t]));
        double atEnds = double.NaN, elsewhere = double.NaN;
        int resetting = -1;
        if (model.Spec.ForgetGate)
        {
            // The outer E is the string's last symbol (the inner grammar's E is followed by the repeat). A cell that
            // resets itself closes a forget gate there and keeps it open elsewhere: the unit whose gate drops most.
            var forget = layer.Values(TraceChannel.ForgetGate);
            var ends = new double[layer.Units];
            var other = new double[layer.Units];
            int endCount = 0, otherCount = 0;
            for (int t = 0; t < options.TraceSymbols; t++)
            {
                bool end = symbols[t] == ReberGrammar.E && t + 1 < symbols.Length && symbols[t + 1] == ReberGrammar.B;
                var sums = end ? ends : other;
                for (int u = 0; u < layer.Units; u++) sums[u] += forget[t * layer.Units + u];
                if (end) endCount++; else otherCount++;
            }
            if (endCount > 0 && otherCount > 0)
            {
                resetting = Enumerable.Range(0, layer.Units).MaxBy(u => other[u] / otherCount - ends[u] / endCount);
                (atEnds, elsewhere) = (ends[resetting] / endCount, other[resetting] / otherCount);
            }
        }
        return new ContinualReberRun
        {
            Model = model.ToString(), ForgetGate = model.Spec.ForgetGate, Seed = seed, TrainingSymbols = 0,
            StepAccuracy = (double)right / symbols.Length, RepeatAccuracy = repeats == 0 ? double.NaN : (double)repeatsRight / repeats,
            SymbolsUntilFirstError = firstError < 0 ? symbols.Length : firstError, TestSymbols = symbols.Length,
            MaxAbsCellState = maxAbs, CellStates = cells, ForgetGateAtStringEnds = atEnds, ForgetGateElsewhere = elsewhere, ResettingUnit = resetting,
            WallTime = TimeSpan.Zero, Trained = model,
        };
    }
}
