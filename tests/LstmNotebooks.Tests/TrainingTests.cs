using LstmNotebooks.Tasks;

namespace LstmNotebooks.Tests;

public class TrainingTests
{
    private static Model<double> Model1() => Lstm.Create(1, 6).WithSeed(2).WithHead(Head.Regression()).Build<double>();

    [Fact]
    public void ProgressIsReportedEveryEpochWithLossesAndElapsedTime()
    {
        var reports = new List<TrainingProgress>();
        var fit = Model1().Train(TestData.Sine<double>(40, 8, 1), Training.Adam(0.01).WithEpochs(4).WithValidationSplit(0.25),
            new SynchronousProgress<TrainingProgress>(reports.Add));
        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Epoch));
        Assert.All(reports, r => { Assert.True(r.TrainLoss > 0); Assert.NotNull(r.ValidationLoss); Assert.True(r.Elapsed > TimeSpan.Zero); });
        Assert.Equal(fit.History.TrainLoss, reports.Select(r => r.TrainLoss));
    }

    [Fact]
    public void CancellationStopsTrainingAndLeavesTheModelAlone()
    {
        using var cts = new CancellationTokenSource();
        var model = Model1();
        var before = model.Parameters.ToArray();
        var progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            model.Train(TestData.Sine<double>(40, 8, 1), Training.Adam(0.01).WithEpochs(100), progress, cts.Token));
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void EarlyStoppingKeepsTheBestValidationWeights()
    {
        // A tiny, noisy training set and a large learning rate: validation loss stops improving quickly.
        var rng = new Rng(3);
        var samples = Enumerable.Range(0, 30).Select(_ =>
            Sample.Create(Sequence.FromScalars(Enumerable.Range(0, 5).Select(_ => rng.Uniform(-1, 1))), rng.Uniform(-1, 1))).ToList();
        var data = Dataset.Create(samples);
        var fit = Lstm.Create(1, 16).WithSeed(1).WithHead(Head.Regression()).Build<double>()
            .Train(data, Training.Adam(0.05).WithEpochs(200).WithValidationSplit(0.3).WithEarlyStopping(3).WithShuffle(false));
        Assert.Equal(StopReason.EarlyStopped, fit.History.StopReason);
        Assert.True(fit.History.Epochs.Count < 200);
        Assert.Equal(fit.History.Epochs.Count - 3, fit.History.BestEpoch);
        var (_, validation) = data.Split(0.3);
        Assert.Equal(fit.History.Epochs[fit.History.BestEpoch - 1].ValidationLoss!.Value, fit.Model.Loss(validation), 12);
    }

    [Fact]
    public void ASessionContinuedOverSeveralCallsEqualsOneLongRun()
    {
        var data = TestData.Sine<double>(48, 8, 4);
        var options = Training.Adam(0.01).WithEpochs(5).WithBatchSize(16).WithSeed(3).WithLearningRateDecay(2, 0.5);
        var model = Model1();
        var once = model.Train(data, options);
        var session = model.StartTraining(options);
        session.Train(data, epochs: 2);
        var continued = session.Train(data, epochs: 3);
        Assert.True(once.Model.Parameters.SequenceEqual(continued.Model.Parameters));
        Assert.Equal(once.History.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.LearningRate)),
            continued.History.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.LearningRate)));
        Assert.Equal(5 * 48, session.SequencesSeen);
        // A fresh Train call restarts the optimizer, so it is not the same as continuing.
        var restarted = model.Train(data, options.WithEpochs(2)).Model.Train(data, options.WithEpochs(3)).Model;
        Assert.False(restarted.Parameters.SequenceEqual(continued.Model.Parameters));
    }

    [Fact]
    public void APerCallLearningRateKeepsTheOptimizerStateAndAScheduleIsReadPerEpoch()
    {
        var data = TestData.Sine<double>(32, 8, 6);
        var options = Training.Adam(0.01).WithEpochs(4).WithBatchSize(8).WithSeed(2);
        // A per-call rate equal to the options' rate is the same run as the options alone: Adam's moments persist.
        var session = Model1().StartTraining(options);
        for (int e = 0; e < 4; e++) session.Train(data, epochs: 1, learningRate: 0.01);
        Assert.True(Model1().Train(data, options).Model.Parameters.SequenceEqual(session.Model.Parameters));
        Assert.Equal([0.01, 0.01, 0.01, 0.01], session.History.Select(r => r.LearningRate));
        // The per-call rate is what the step uses and what the history records.
        var halved = Model1().StartTraining(options);
        halved.Train(data, epochs: 2, learningRate: 0.005);
        Assert.Equal([0.005, 0.005], halved.History.Select(r => r.LearningRate));
        Assert.False(halved.Model.Parameters.SequenceEqual(Model1().Train(data, options.WithEpochs(2)).Model.Parameters));
        // A schedule that reproduces the step decay gives the step decay's weights, bit for bit, across calls.
        var decayed = Model1().Train(data, options.WithLearningRateDecay(2, 0.5));
        var scheduled = Model1().StartTraining(options.WithLearningRateSchedule(epoch => 0.01 * Math.Pow(0.5, (epoch - 1) / 2)));
        scheduled.Train(data, epochs: 3);
        var last = scheduled.Train(data, epochs: 1);
        Assert.True(decayed.Model.Parameters.SequenceEqual(last.Model.Parameters));
        Assert.Equal(decayed.History.Epochs.Select(e => e.LearningRate), last.History.Epochs.Select(e => e.LearningRate));
    }

    [Fact]
    public void BadLearningRatesAreRefusedWhereverTheyComeFrom()
    {
        var data = TestData.Sine<double>(8, 4, 1);
        var session = Model1().StartTraining(Training.Adam(0.01));
        foreach (var rate in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity })
            Assert.Throws<ArgumentOutOfRangeException>(() => session.Train(data, epochs: 1, learningRate: rate));
        var bad = Model1().StartTraining(Training.Adam(0.01).WithLearningRateSchedule(epoch => epoch == 2 ? double.NaN : 0.01));
        bad.Train(data, epochs: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => bad.Train(data, epochs: 1));
        Assert.Contains("epoch 2", e.Message);
        Assert.Throws<ArgumentNullException>(() => Training.Adam().WithLearningRateSchedule(null!));
        Assert.Equal(1, bad.EpochsRun);
    }

    [Fact]
    public void ThreadsShareABatchDeterministicallyAndAgreeWithOneThread()
    {
        // Variable lengths and truncation: shards carry their own state across windows.
        var rng = new Rng(8);
        var data = Dataset.Create(Enumerable.Range(0, 45).Select(i =>
        {
            int len = 5 + i % 11;
            return Sample.PerStep(Sequence.FromScalars(Enumerable.Range(0, len).Select(_ => rng.Uniform(-1, 1))),
                Sequence.FromScalars(Enumerable.Range(0, len).Select(_ => rng.Uniform(-1, 1))));
        }));
        var model = Lstm.Create(1, 8).WithLayers(2).WithSeed(1).WithHead(Head.Regression().EveryStep()).Build<double>();
        var options = Training.Sgd(0.05).WithEpochs(3).WithBatchSize(16).WithTruncation(4).WithSeed(2);
        var one = model.Train(data, options).Model;
        var two = model.Train(data, options.WithThreads(2)).Model;
        var twoAgain = model.Train(data, options.WithThreads(2)).Model;
        var three = model.Train(data, options.WithThreads(3)).Model;
        Assert.True(two.Parameters.SequenceEqual(twoAgain.Parameters), "same thread count, same bits");
        for (int i = 0; i < one.ParameterCount; i++)
        {
            Assert.Equal(one.Parameters[i], two.Parameters[i], 1e-12);
            Assert.Equal(one.Parameters[i], three.Parameters[i], 1e-12);
        }
    }

    [Fact]
    public void StepDecayHalvesTheLearningRate()
    {
        var fit = Model1().Train(TestData.Sine<double>(16, 6, 1), Training.Sgd(0.1).WithEpochs(5).WithLearningRateDecay(2, 0.5));
        Assert.Equal([0.1, 0.1, 0.05, 0.05, 0.025], fit.History.Epochs.Select(e => e.LearningRate));
    }

    [Fact]
    public void TruncatedBpttTrainsAndDiffersFromFullBptt()
    {
        var data = TestData.Sine<double>(64, 30, 2);
        var model = Lstm.Create(1, 8).WithSeed(1).WithHead(Head.Regression().EveryStep()).Build<double>();
        var perStep = Dataset.Create(data.Samples.Select(s =>
        {
            var next = s.Input.Values[1..].ToArray().Append(s.Target.Values[0]).ToArray();
            return Sample.PerStep(s.Input, Sequence.FromScalars(next));
        }));
        var options = Training.Adam(0.01).WithEpochs(20).WithBatchSize(16).WithSeed(1);
        var full = model.Train(perStep, options);
        var truncated = model.Train(perStep, options.WithTruncation(5));
        Assert.False(full.Model.Parameters.SequenceEqual(truncated.Model.Parameters));
        Assert.True(truncated.Model.Loss(perStep) < model.Loss(perStep) / 10, "truncated BPTT should still learn next-step prediction");
        // A window as long as the sequence is exactly full BPTT.
        var same = model.Train(perStep, options.WithTruncation(30));
        Assert.True(full.Model.Parameters.SequenceEqual(same.Model.Parameters));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFloatGradientThatOverflowsIsReportedAsTheGradientNorm(bool clip)
    {
        // The loss (in double) stays finite while ∂L/∂y = 2(y − 3e38) overflows float: with or without clipping (which
        // decide whether the norm is summed at all) the step stops at the gradient, not at a later update.
        var data = Dataset.Create([Sample.Create(Sequence.FromScalars<float>([0.5f, -0.5f, 0.25f]), 3e38f)]);
        var model = Lstm.Create(1, 4).WithSeed(1).WithHead(Head.Regression()).Build<float>();
        var options = Training.Sgd(0.1).WithEpochs(1);
        if (clip) options = options.WithGradientClip(1.0);
        var e = Assert.Throws<TrainingDivergedException>(() => model.Train(data, options));
        Assert.Matches(@"the gradient norm became (NaN|∞|Infinity) in epoch \d+, batch \d+", e.Message);
    }

    [Fact]
    public void DivergenceStopsWithAClearErrorAndTheStartingModelUnaffected()
    {
        var data = Dataset.Create([Sample.Create(Sequence.FromScalars<double>([1e150, -1e150, 1e150]), 1e150)]);
        var model = Lstm.Create(1, 4).WithSeed(1).WithHead(Head.Regression()).Build<double>();
        var before = model.Parameters.ToArray();
        var e = Assert.Throws<TrainingDivergedException>(() => model.Train(data, Training.Sgd(1e10).WithEpochs(5)));
        Assert.Contains("diverged", e.Message);
        Assert.Matches(@"epoch \d+, batch \d+", e.Message);
        Assert.Contains("starting model is unchanged", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void ClassificationAndBinaryHeadsTrain()
    {
        var data = new RememberFirst(gap: 3).Generate<double>(64, seed: 1);
        var cls = Lstm.Create(6, 8).WithSeed(1).WithHead(Head.Classification(2)).Build<double>()
            .Train(data, Training.Adam(0.02).WithEpochs(25).WithBatchSize(16));
        Assert.True(Metrics.Accuracy(cls.Model, data) > 0.95);
        var binary = Dataset.Create(data.Samples.Select(s => Sample.Create(s.Input, s.Target.Values[0])));
        var bin = Gru.Create(6, 8).WithSeed(1).WithHead(Head.Binary()).Build<double>()
            .Train(binary, Training.Adam(0.02).WithEpochs(25).WithBatchSize(16));
        double right = binary.Samples.Count(s => (bin.Model.Predict(s.Input)[0] > 0.5 ? 1.0 : 0.0) == s.Target.Values[0]);
        Assert.True(right / binary.Count > 0.95);
    }
}

/// <summary>IProgress that calls back on the training thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
