using LstmNotebooks.Experiments;

namespace LstmNotebooks.Experiments.Tests;

public class ExperimentTests
{
    private static readonly ExperimentOptions Reduced = ExperimentOptions.Quick(budget: 24_000) with { ChunkSize = 1_024, TestSize = 256 };

    [Fact]
    public void At_lag_50_the_LSTM_meets_the_criterion_and_the_vanilla_RNN_does_not()
    {
        // Exp. 2c with q = p = 50, the paper's smallest 2c setting, with a 500-sequence criterion window.
        var lstm = LongGapExperiments.Run(LongGapTask.LongLagWithDistractors, 50, ModelConfig.Lstm(8), Reduced, seed: 1);
        var rnn = LongGapExperiments.Run(LongGapTask.LongLagWithDistractors, 50, ModelConfig.Rnn(8), Reduced, seed: 1);

        Assert.True(lstm.Solved, $"LSTM: {lstm.Outcome} after {lstm.SequencesTrained} sequences, test error {lstm.TestErrorRate:P1}");
        Assert.NotNull(lstm.SequencesToCriterion);
        Assert.True(lstm.TestErrorRate < 0.02, $"LSTM test error {lstm.TestErrorRate:P1}");
        Assert.True(lstm.SequencesToCriterion < 12_000, $"LSTM needed {lstm.SequencesToCriterion} sequences");

        Assert.False(rnn.Solved, $"RNN solved after {rnn.SequencesToCriterion} sequences");
        Assert.Null(rnn.SequencesToCriterion);
        Assert.Equal(Reduced.Budget, rnn.SequencesTrained);
        Assert.InRange(rnn.TestAccuracy, 0.4, 0.6);   // chance is 50 %
    }

    [Fact]
    public void The_predictive_HMM_stays_at_chance_at_lag_50()
    {
        var options = Reduced with { HmmTrainingSequences = 300 };
        var hmm = LongGapExperiments.Run(LongGapTask.RememberFirst, 50, ModelConfig.HmmPredictor(states: 8), options, seed: 1);
        Assert.False(hmm.Solved);
        Assert.InRange(hmm.TestAccuracy, 0.4, 0.6);
    }

    [Fact]
    public void The_predictive_HMM_learns_a_short_symbolic_task_so_its_failure_at_long_lags_is_not_a_bug()
    {
        // Lag 1: the class is the symbol right before the answer; one EM run on 300 sequences must find that.
        var options = Reduced with { HmmTrainingSequences = 300 };
        var hmm = LongGapExperiments.Run(LongGapTask.RememberFirst, 1, ModelConfig.HmmPredictor(states: 8), options, seed: 1);
        Assert.True(hmm.TestErrorRate < 0.05, $"HMM test error at lag 1: {hmm.TestErrorRate:P1}");
        Assert.True(hmm.Solved);
    }

    [Fact]
    public void Runs_are_deterministic_for_a_seed()
    {
        var options = ExperimentOptions.Quick(budget: 2_048) with { ChunkSize = 512, TestSize = 128 };
        var a = LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Lstm(4), options, seed: 3);
        var b = LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Lstm(4), options, seed: 3);
        Assert.Equal(a.TestErrorRate, b.TestErrorRate);
        Assert.Equal(a.Curve.Select(p => p.TrainLoss), b.Curve.Select(p => p.TrainLoss));
    }

    [Fact]
    public void Progress_is_reported_and_the_budget_is_respected()
    {
        var options = ExperimentOptions.Quick(budget: 1_500) with { ChunkSize = 512, InitialChunkSize = 256, TestSize = 64 };
        var reports = new List<ExperimentProgress>();
        var result = LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Rnn(4), options, seed: 2, new SyncProgress(reports.Add));
        Assert.Equal(1_500, result.SequencesTrained);
        // Rounds double from the initial size up to the chunk size, and the last one is cut at the budget.
        Assert.Equal([256L, 768L, 1280L, 1500L], reports.Take(4).Select(r => r.Sequences));
        Assert.Equal(4, result.Curve.Count);
    }

    [Fact]
    public void Real_valued_tasks_are_refused_by_the_HMM_with_a_reason()
    {
        var e = Assert.Throws<NotSupportedException>(() =>
            LongGapExperiments.Run(LongGapTask.Adding, 100, ModelConfig.HmmPredictor(), ExperimentOptions.Quick(), seed: 1));
        Assert.Contains("symbolic tasks only", e.Message);
    }

    [Fact]
    public void Gradient_flow_reaches_step_0_for_the_1997_cell_and_vanishes_for_the_RNN()
    {
        var points = GradientFlowStudy.Measure(LongGapTask.RememberFirst, [100], GradientFlowStudy.DefaultModels(8), seed: 1, samples: 2);
        var cec = points.Single(p => p.Model == "LSTM");
        var rnn = points.Single(p => p.Model == "RNN");
        Assert.True(cec.Ratio > 0.1, $"1997 cell: ‖∂L/∂c_0‖/‖∂L/∂c_T‖ = {cec.Ratio}");
        Assert.True(rnn.Ratio < 1e-6, $"RNN: ‖∂L/∂h_0‖/‖∂L/∂h_T‖ = {rnn.Ratio}");
        Assert.Equal(101, cec.Norms.Length);
    }

    [Fact]
    public void Results_round_trip_through_the_csv_and_unsolved_runs_say_so()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lstm-exp-{Guid.NewGuid():N}.csv");
        try
        {
            var solved = new ExperimentResult(LongGapTask.Adding, 1000, "LSTM (1997, no forget gate)", ModelKind.Lstm, 1, RunOutcome.Solved, 123_456, 123_456,
                0.0004, 0.9996, 0.1536, TimeSpan.FromSeconds(301.5), 1234, []);
            var failed = solved with { Model = "RNN", Kind = ModelKind.Rnn, Outcome = RunOutcome.BudgetExhausted, SequencesToCriterion = null, TestErrorRate = 0.84 };
            ResultsFile.Append(path, [solved]);
            ResultsFile.Append(path, [failed]);
            var text = File.ReadAllText(path);
            Assert.StartsWith(ResultsFile.Header, text);
            Assert.Contains("\"not solved within budget\"", text);
            var rows = ResultsFile.Read(path);
            Assert.Equal(2, rows.Count);
            Assert.Equal(123_456, rows[0].SequencesToCriterion);
            Assert.Equal("LSTM (1997, no forget gate)", rows[0].Model);
            Assert.Null(rows[1].SequencesToCriterion);
            Assert.Equal(2, ResultsFile.Charts(rows).Count);   // success and sequences-to-criterion for the task
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_rolling_window_counts_errors_of_the_last_N()
    {
        var w = new RollingWindow(3);
        foreach (var c in new[] { false, true, true }) w.Push(c);
        Assert.True(w.Full);
        Assert.Equal(1, w.Errors);
        w.Push(true);
        Assert.Equal(0, w.Errors);
        w.Push(false);
        Assert.Equal(1, w.Errors);
    }

    private sealed class SyncProgress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value) => report(value);
    }
}

public class HmmBaselineTests
{
    [Fact]
    public void One_HMM_per_class_separates_Exp_2a_by_its_first_symbol_without_any_memory()
    {
        // The generative classifier scores whole sequences: the class symbol at step 0 decides the likelihood ratio,
        // whatever the lag. The comparison that tests memory is the predictive HMM.
        var options = ExperimentOptions.Quick() with { HmmTrainingSequences = 100, TestSize = 200 };
        var r = LongGapExperiments.Run(LongGapTask.NoiseFreeLongLag, 30, ModelConfig.HmmClassifierPerClass(states: 2), options, seed: 1);
        Assert.True(r.Solved);
        Assert.Equal(1.0, r.TestAccuracy);
    }
}
