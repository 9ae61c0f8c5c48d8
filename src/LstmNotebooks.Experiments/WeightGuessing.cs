using System.Diagnostics;

namespace LstmNotebooks.Experiments;

/// <summary>
/// Random weight guessing (Hochreiter &amp; Schmidhuber 1996, "Bridging long time lags by weight guessing and LSTM"):
/// draw every weight of a small vanilla RNN from U[−range, range] and keep the first draw that meets the task's
/// criterion — no gradient, no learning. The 1997 paper notes that it solves Exp. 3a faster than any gradient method:
/// a saturated tanh unit with a strong self-connection latches the sign of the first inputs, and such weight vectors
/// are common. A task that guessing solves therefore says little about long-lag <em>learning</em>; Exp. 3c, whose
/// real-valued targets need precise outputs, is the one guessing fails.
/// </summary>
/// <remarks>
/// Each trial is screened on a few fresh stream sequences (most draws fail the first one, so a trial usually costs
/// one short batch); a draw that passes is judged by the task's own criterion — the check set (Exp. 3) or a window of
/// fresh stream sequences. <see cref="ExperimentResult.SequencesTrained"/> counts every sequence a trial ran (the
/// budget applies to it), <see cref="ExperimentResult.Trials"/> the weight vectors drawn.
/// </remarks>
public static class WeightGuessing
{
    /// <summary>Sequences a trial must get right before its full check.</summary>
    public const int ScreenSize = 16;

    public static ExperimentResult Run(TaskGenerator task, ModelConfig config, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        config.Validate();
        if (task.Criterion.Kind == CriterionKind.FixedSet)
            throw new NotSupportedException($"{task.Task} trains on a fixed set; random guessing is defined here for stream and check-set tasks.");
        var clock = Stopwatch.StartNew();
        var criterion = LongGapExperiments.EffectiveCriterion(task, options);
        bool checkSet = criterion.Kind == CriterionKind.CheckSet;
        var check = checkSet ? LongGapExperiments.CheckSet(task, options, seed) : null;
        var template = config.ToSpec(task, seed)!.Build();
        var weights = new Rng(seed ^ 0x6E55_0000L);
        var stream = LongGapExperiments.TrainingStream(seed);
        long evaluated = 0, trials = 0;
        long? firstStage = null;
        Model<float> model = template, best = template;
        double bestScreen = -1;
        var outcome = RunOutcome.BudgetExhausted;
        bool solved = false;
        while (evaluated < options.Budget)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.TimeLimit is TimeSpan limit && clock.Elapsed > limit) { outcome = RunOutcome.TimeLimit; break; }
            model = Draw(template, config.GuessRange, ref weights);
            trials++;
            var screen = task.Generate(ScreenSize, ref stream);
            var screened = LongGapExperiments.Evaluate(model, task, screen);
            evaluated += screen.Count;
            double right = 1 - screened.ErrorRate;
            if (right > bestScreen) (bestScreen, best) = (right, model);
            if (right < 1) { Report(); continue; }
            if (checkSet)
            {
                var (first, full) = LongGapExperiments.MeetsCheck(criterion, LongGapExperiments.Evaluate(model, task, check!));
                evaluated += check!.Count;
                if (first) firstStage ??= evaluated;
                solved = full;
            }
            else
            {
                var window = task.Generate(criterion.Window, ref stream);
                var flags = LongGapExperiments.Evaluate(model, task, window).Criterion;
                evaluated += window.Count;
                solved = flags.Count(f => !f) <= criterion.AllowedFailures;
            }
            Report();
            if (solved) { best = model; break; }
        }
        if (solved) outcome = RunOutcome.Solved;
        // Unsolved: the test reports the best screened draw, the most favourable reading of the search.
        var test = LongGapExperiments.EvaluateTestSet(best, task, options, seed);
        clock.Stop();
        return new ExperimentResult
        {
            Task = task.Task, Lag = task.Lag, Setting = task.Setting, Model = config.Name, Kind = config.Kind, Seed = seed, Outcome = outcome,
            SequencesBeforeCriterion = solved ? evaluated : null, SequencesToCriterion = solved ? evaluated : null,
            SequencesToFirstStage = checkSet ? firstStage : null, SequencesTrained = evaluated, Trials = trials,
            TestErrorRate = test.ErrorRate, TestAccuracy = test.Accuracy, ChanceAccuracy = task.ChanceAccuracy,
            TestMeanSquaredError = test.MeanSquaredError, WallTime = clock.Elapsed, Parameters = template.ParameterCount,
        };

        void Report()
        {
            if (progress is not null && trials % 1_000 == 0)
                progress.Report(new ExperimentProgress(task.Task, task.Lag, $"{config.Name} (trial {trials:N0})", seed, evaluated, options.Budget,
                    ScreenSize, (int)Math.Round((1 - bestScreen) * ScreenSize), double.NaN, clock.Elapsed));
        }
    }

    /// <summary>A model with every weight drawn from U[−range, range].</summary>
    public static Model<float> Draw(Model<float> template, double range, ref Rng rng)
    {
        ArgumentNullException.ThrowIfNull(template);
        var tensors = new Dictionary<string, float[]>();
        foreach (var info in template.ParameterInfos)
        {
            var values = new float[info.Length];
            for (int i = 0; i < values.Length; i++) values[i] = (float)rng.Uniform(-range, range);
            tensors[info.Name] = values;
        }
        return template.WithParameters(tensors);
    }
}
