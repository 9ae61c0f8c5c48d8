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
        var options = ExperimentOptions.Quick(budget: 1_500) with { ChunkSize = 512, TestSize = 64 };
        var reports = new List<ExperimentProgress>();
        var result = LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Rnn(4), options, seed: 2, new SyncProgress(reports.Add));
        Assert.Equal(1_500, result.SequencesTrained);
        // One report per block of the stream; the last block is cut at the budget.
        Assert.Equal([512L, 1024L, 1500L], reports.Select(r => r.Sequences));
        Assert.Equal(3, result.Curve.Count);
        Assert.Null(result.SequencesToCriterion);
        Assert.Null(result.SequencesBeforeCriterion);
    }

    [Fact]
    public void The_criterion_is_checked_per_sequence_and_both_counts_are_reported()
    {
        // Exp. 2c, q = p = 20: solved within a few thousand sequences; the stream criterion has a 500-sequence window.
        var options = ExperimentOptions.Quick(budget: 20_000) with { TestSize = 128 };
        var r = LongGapExperiments.Run(LongGapTask.LongLagWithDistractors, 20, ModelConfig.Lstm(8), options, seed: 3);
        Assert.True(r.Solved, $"{r.Outcome} after {r.SequencesTrained}");
        Assert.Equal(r.SequencesToCriterion - 500, r.SequencesBeforeCriterion);
        Assert.Equal(r.SequencesToCriterion, r.SequencesTrained);
        Assert.Equal("p=20", r.Setting);
        // One session per run: the optimizer is never restarted, so the count is not tied to any round size.
        var again = LongGapExperiments.Run(LongGapTask.LongLagWithDistractors, 20, ModelConfig.Lstm(8), options with { ChunkSize = 333 }, seed: 3);   // blocks of 336 instead of 1,024
        Assert.Equal(r.SequencesToCriterion, again.SequencesToCriterion);
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
            var solved = new ExperimentResult
            {
                Task = LongGapTask.Adding, Lag = 1000, Model = "LSTM (1997, no forget gate)", Kind = ModelKind.Lstm, Seed = 1, Outcome = RunOutcome.Solved,
                SequencesBeforeCriterion = 121_456, SequencesToCriterion = 123_456, SequencesTrained = 123_456, TestErrorRate = 0.0004,
                TestAccuracy = 0.9996, ChanceAccuracy = 0.1536, TestMeanSquaredError = 1.5e-4, WallTime = TimeSpan.FromSeconds(301.5), Parameters = 1234,
            };
            var failed = solved with
            {
                Model = "RNN", Kind = ModelKind.Rnn, Outcome = RunOutcome.BudgetExhausted, SequencesBeforeCriterion = null, SequencesToCriterion = null,
                TestErrorRate = 0.84, TestMeanSquaredError = double.NaN,
            };
            var guess = solved with { Task = LongGapTask.TwoSequence, Lag = 100, Setting = "N=3", Model = "random guessing", Kind = ModelKind.Guess, Trials = 718, SequencesToFirstStage = 9_000 };
            ResultsFile.Append(path, [solved]);
            ResultsFile.Append(path, [failed, guess]);
            var text = File.ReadAllText(path);
            Assert.StartsWith(ResultsFile.Header, text);
            Assert.Contains("\"not solved within budget\"", text);
            var rows = ResultsFile.Read(path);
            Assert.Equal(3, rows.Count);
            Assert.Equal(ResultsFile.ToRow(solved), rows[0]);
            Assert.Equal("LSTM (1997, no forget gate)", rows[0].Model);
            Assert.Null(rows[1].SequencesToCriterion);
            Assert.True(double.IsNaN(rows[1].TestMeanSquaredError));
            Assert.Equal((718L, 9_000L, "N=3"), (rows[2].Trials!.Value, rows[2].SequencesToFirstStage!.Value, rows[2].Setting));
            Assert.Equal(4, ResultsFile.Charts(rows).Count);   // success and sequences-to-criterion for each task
            Assert.Contains("121,456", ResultsFile.Summary(rows));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_results_file_of_the_first_layout_still_loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lstm-exp-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "task,lag,model,seed,outcome,sequences_to_criterion,sequences_trained,test_error,test_accuracy,chance_accuracy,wall_seconds,parameters\n" +
                "Adding,1000,LSTM,1,Solved,121755,121755,0.000390625,0.999609,0.1536,129.4,1297\n" +
                "Adding,1000,RNN,1,BudgetExhausted,\"not solved within budget\",150000,0.844922,0.155078,0.1536,52.8,337\n");
            var rows = ResultsFile.Read(path);
            Assert.Equal(121_755, rows[0].SequencesToCriterion);
            Assert.Null(rows[0].SequencesBeforeCriterion);   // not recorded then
            Assert.Equal("", rows[0].Setting);
            Assert.Null(rows[1].SequencesToCriterion);
            // Appending to it would mix layouts: refused.
            Assert.Throws<InvalidDataException>(() => ResultsFile.Append(path, []));
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("garbage,x\n", "lacks the columns")]
    [InlineData("HEADER\nAdding,100,,LSTM,1,Solved,1,2,,3,,0.1,0.9,0.15,,1.0\n", "line 2: expected 17 fields")]
    [InlineData("HEADER\nAdding,100,,LSTM,1,Solved,1,2,,3,,zero,0.9,0.15,,1.0,9\n", "line 2, column test_error")]
    [InlineData("HEADER\nAddding,100,,LSTM,1,Solved,1,2,,3,,0.1,0.9,0.15,,1.0,9\n", "column task")]
    [InlineData("HEADER\nAdding,100,,\"LSTM,1,Solved,1,2,,3,,0.1,0.9,0.15,,1.0,9\n", "quoted field is not closed")]
    public void A_corrupt_results_file_is_refused_with_its_line_and_column(string content, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lstm-exp-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, content.Replace("HEADER", ResultsFile.Header));
            var e = Assert.Throws<InvalidDataException>(() => ResultsFile.Read(path));
            Assert.Contains(expected, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Degenerate_settings_are_refused_before_anything_runs()
    {
        var quick = ExperimentOptions.Quick();
        Assert.Contains("0/0", Assert.Throws<ArgumentOutOfRangeException>(() =>
            LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Lstm(4), quick with { TestSize = 0 }, seed: 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Lstm(4), quick with { LearningRate = double.NaN }, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Lstm(4), quick with { CriterionWindow = 0 }, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LongGapExperiments.Run(LongGapTask.Adding, 30, ModelConfig.Lstm(0), quick, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LongGapExperiments.Run(LongGapTask.Adding, 0, ModelConfig.Lstm(4), quick, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContinualReber.Run(ContinualReberOptions.Quick with { TestSymbols = 0 }, forgetGate: true, seed: 1));
        Assert.Throws<InvalidOperationException>(() => new Evaluation([], [], []).ErrorRate);
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
