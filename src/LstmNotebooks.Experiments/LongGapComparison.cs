using System.Diagnostics;
using Plotly.NET;

namespace LstmNotebooks.Experiments;

/// <summary>
/// The notebooks' long-gap comparison: every model on one task at every lag, each run with the same stream budget,
/// at reduced sizes (a smaller criterion window and test set, a lighter Baum–Welch). <see cref="Quick"/> fits a CI
/// smoke run, <see cref="Full"/> a reader's sitting; both use the paper's per-sequence criteria. Checked when run.
/// </summary>
public sealed record LongGapComparisonOptions
{
    /// <summary>Exp. 2c by default: symbolic, so the HMM can take part, and one-hot input of width q + 4.</summary>
    public LongGapTask Task { get; init; } = LongGapTask.LongLagWithDistractors;
    public IReadOnlyList<int> Lags { get; init; } = [10, 100, 1000];
    public IReadOnlyList<ModelConfig> Models { get; init; } = [ModelConfig.Lstm(), ModelConfig.Rnn(), LightHmm];
    /// <summary>Every network run's stream, criterion window and test set (the HMM trains on
    /// <see cref="ExperimentOptions.HmmTrainingSequences"/> of the same stream).</summary>
    public ExperimentOptions Experiment { get; init; } = ExperimentOptions.Quick(budget: 6_000) with { TestSize = 256, HmmTrainingSequences = 150 };
    /// <summary>Exp. 2c's p (null: p = q as the paper's main table).</summary>
    public int? Alphabet { get; init; }
    public IReadOnlyList<long> Seeds { get; init; } = [1];

    /// <summary>The predictive HMM at notebook size: 8 states, 1 start, 15 EM iterations.</summary>
    public static ModelConfig LightHmm { get; } = ModelConfig.HmmPredictor(states: 8) with { Hmm = new HmmTrainingOptions(States: 8, MaxIterations: 15, Restarts: 1) };

    /// <summary>Lags 10, 100, 1000; window 500; stream budget 6,000 sequences per network run.</summary>
    public static LongGapComparisonOptions Full { get; } = new();

    /// <summary>For CI and quick mode: lags 10, 100, 1000 with a window of 200 and 2,500 sequences per network run.</summary>
    public static LongGapComparisonOptions Quick { get; } = new()
    {
        Experiment = ExperimentOptions.Quick(budget: 2_500) with { CriterionWindow = 200, TestSize = 128, HmmTrainingSequences = 60, ChunkSize = 500 },
        Models = [ModelConfig.Lstm(8), ModelConfig.Rnn(8), LightHmm with { Hmm = new HmmTrainingOptions(States: 6, MaxIterations: 8, Restarts: 1) }],
    };

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Lags);
        ArgumentNullException.ThrowIfNull(Models);
        ArgumentNullException.ThrowIfNull(Experiment);
        ArgumentNullException.ThrowIfNull(Seeds);
        if (Lags.Count == 0) throw new ArgumentException("The comparison needs at least one lag, but Lags is empty.", nameof(Lags));
        if (Models.Count == 0) throw new ArgumentException("The comparison needs at least one model, but Models is empty.", nameof(Models));
        if (Seeds.Count == 0) throw new ArgumentException("The comparison needs at least one seed, but Seeds is empty.", nameof(Seeds));
        Experiment.Validate();
        foreach (var m in Models) (m ?? throw new ArgumentException("Models contains null.", nameof(Models))).Validate();
        foreach (int lag in Lags) TaskGenerators.Create(Task, lag, Alphabet);   // refuses lags the task cannot take
    }
}

/// <summary>One comparison: every run, and the views a notebook shows.</summary>
public sealed record LongGapComparisonResult(IReadOnlyList<ExperimentResult> Runs, TimeSpan WallTime)
{
    /// <summary>The run of a model (by <see cref="ModelConfig.Name"/>) at a lag, first seed.</summary>
    public ExperimentResult this[string model, int lag] => Runs.First(r => r.Model == model && r.Lag == lag);

    /// <summary>Success and sequences before the criterion held, against lag, one series per model.</summary>
    public IReadOnlyList<GenericChart> Charts => ResultsFile.Charts(Runs);

    /// <summary>The Markdown table of <see cref="ResultsFile.Summary"/>.</summary>
    public string Summary => ResultsFile.Summary(Runs.Select(ResultsFile.ToRow));
}

/// <summary>
/// LSTM against the vanilla RNN and the predictive HMM at growing lags, for notebooks:
/// <code>
/// var r = LongGapComparison.Run(quick ? LongGapComparisonOptions.Quick : LongGapComparisonOptions.Full);
/// foreach (var chart in r.Charts) display(chart);
/// // r["LSTM", 1000].Solved; r["RNN", 1000].TestAccuracy ≈ 0.5
/// </code>
/// </summary>
public static class LongGapComparison
{
    public static LongGapComparisonResult Run(LongGapComparisonOptions options, IProgress<ExperimentProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var runs = new List<ExperimentResult>();
        foreach (int lag in options.Lags)
        {
            var task = TaskGenerators.Create(options.Task, lag, options.Alphabet);
            foreach (var model in options.Models)
                foreach (long seed in options.Seeds)
                    runs.Add(LongGapExperiments.Run(task, model, options.Experiment, seed, progress, cancellationToken));
        }
        return new LongGapComparisonResult(runs, clock.Elapsed);
    }
}
