using LstmNotebooks.Tasks;

namespace LstmNotebooks.Tests;

public class RememberFirstTests
{
    [Fact]
    public void TheSequenceIsTheClassSymbolThenDistractorsAndTheTargetIsTheClass()
    {
        var task = new RememberFirst(gap: 12, symbols: 3, distractors: 4);
        var data = task.Generate<double>(300, seed: 2);
        Assert.Equal((7, 3, 13), (task.InputSize, task.Classes, task.SequenceLength));
        foreach (var s in data.Samples)
        {
            Assert.Equal(13, s.Input.Steps);
            int label = (int)s.Target[0, 0];
            Assert.Equal(1.0, s.Input[0, label]);
            for (int t = 1; t <= 12; t++) Assert.Equal(1.0, Enumerable.Range(3, 4).Sum(f => s.Input[t, f]));
        }
        for (int c = 0; c < 3; c++) Assert.InRange(data.Samples.Count(s => (int)s.Target[0, 0] == c), 70, 130);
    }

    [Fact]
    public void AQueryMarkerTakesTheLastStepAndTheDrawOrderIsFixed()
    {
        var task = new RememberFirst(gap: 5, distractors: 3, queryMarker: true);
        Assert.Equal((6, 5), (task.InputSize, task.QueryFeature));
        var rng = new Rng(42);
        var symbols = task.NextSymbols(ref rng, out int label);
        Assert.Equal(label, symbols[0]);
        Assert.Equal(5, symbols[^1]);
        // The class, then one distractor per step 1 … gap − 1: the committed data files depend on this order.
        var replay = new Rng(42);
        int first = replay.NextInt(2);
        Assert.Equal(first, label);
        for (int t = 1; t < 5; t++) Assert.Equal(2 + replay.NextInt(3), symbols[t]);
    }

    [Fact]
    public void EverySizeIsCheckedHoweverTheRecordWasMade()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RememberFirst(gap: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RememberFirst(gap: 3, symbols: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RememberFirst(gap: 3) with { Distractors = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RememberFirst(gap: 3) with { Gap = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RememberFirst(gap: 3).Generate<float>(0, seed: 1));
    }
}

public class MetricsTests
{
    private static Model<double> Classifier() => Lstm.Create(6, 4).WithSeed(3).WithHead(Head.Classification(2)).Build<double>();

    [Fact]
    public void AccuracyIsTheShareOfMostProbableClassesThatAreRight()
    {
        var model = Classifier();
        var data = new RememberFirst(gap: 4).Generate<double>(70, seed: 1);   // more than one batch of 64
        int right = data.Samples.Count(s => Metrics.ArgMax<double>(model.Predict(s.Input)) == (int)s.Target[0, 0]);
        Assert.Equal((double)right / 70, Metrics.Accuracy(model, data), 12);
    }

    [Fact]
    public void EveryStepAndBinaryHeadsAreJudgedPerStepAndPerOutput()
    {
        var rng = new Rng(4);
        var samples = Enumerable.Range(0, 5).Select(_ =>
        {
            var x = Sequence.FromScalars(Enumerable.Range(0, 3 + rng.NextInt(3)).Select(_ => rng.Uniform(-1, 1)));
            var y = Sequence.FromFlat<double>(Enumerable.Range(0, x.Steps * 2).Select(_ => rng.NextDouble() < 0.5 ? 0.0 : 1.0).ToArray(), x.Steps, 2);
            return Sample.PerStep(x, y);
        }).ToList();
        var model = Gru.Create(1, 3).WithSeed(1).WithHead(Head.Binary(2).EveryStep()).Build<double>();
        long right = 0, total = 0;
        foreach (var s in samples)
        {
            var p = model.PredictSteps(s.Input);
            for (int t = 0; t < s.Input.Steps; t++)
                for (int k = 0; k < 2; k++, total++) if (p[t][k] >= 0.5 == s.Target[t, k] >= 0.5) right++;
        }
        Assert.Equal((double)right / total, Metrics.Accuracy(model, Dataset.Create(samples)), 12);
    }

    [Fact]
    public void InterventionsThatCutTheMemoryChangeTheAccuracy()
    {
        var data = new RememberFirst(gap: 6).Generate<double>(200, seed: 5);
        var model = Lstm.Create(6, 8).WithSeed(1).WithHead(Head.Classification(2)).Build<double>()
            .Train(data, Training.Adam(0.03).WithEpochs(20).WithBatchSize(16)).Model;
        Assert.True(Metrics.Accuracy(model, data) > 0.95);
        Assert.Equal(Metrics.Accuracy(model, data), Metrics.Accuracy(model, data, []), 12);
        var wipe = Enumerable.Range(0, 8).Select(u => Intervention.SetCellState(u, step: 3, value: 0.0)).ToArray();
        Assert.InRange(Metrics.Accuracy(model, data, wipe), 0.3, 0.7);
    }

    [Fact]
    public void TiesGoToTheLowestIndexAndBadInputsAreRefused()
    {
        Assert.Equal(1, Metrics.ArgMax<float>([0.1f, 0.7f, 0.7f]));
        Assert.Equal(-1, Metrics.ArgMax<float>([]));
        Assert.Equal(0.5, Metrics.Accuracy<double>([[0.9, 0.1], [0.2, 0.8]], [0, 0]));
        Assert.Contains("0/0", Assert.Throws<ArgumentException>(() => Metrics.Accuracy<double>([], [])).Message);
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy<double>([[1.0, 0.0]], [0, 1]));
        var regression = Lstm.Create(1, 2).WithHead(Head.Regression()).Build<double>();
        var e = Assert.Throws<InvalidOperationException>(() => Metrics.Accuracy(regression, TestData.Sine<double>(4, 3, 1)));
        Assert.Contains("Model.Loss", e.Message);
    }
}

public class OneHotInputTests
{
    private static Sequence<double> Dense(Sequence<double> s) => Sequence.FromFlat(s.Values, s.Steps, s.Features);

    private static Dataset<double> Data(bool oneHot)
    {
        var rng = new Rng(12);
        var samples = new List<Sample<double>>();
        for (int i = 0; i < 24; i++)
        {
            var symbols = Enumerable.Range(0, 5 + rng.NextInt(6)).Select(_ => rng.NextInt(9)).ToArray();   // lengths differ: padding
            var input = Sequence.OneHot<double>(symbols, 9);
            samples.Add(Sample.Class(oneHot ? input : Dense(input), symbols[0] % 2));
        }
        return Dataset.Create(samples);
    }

    [Fact]
    public void AOneHotSequenceKeepsItsSymbolsAndReadsAsTheDenseRows()
    {
        var s = Sequence.OneHot<float>([2, 0, 3], 4);
        Assert.True(s.IsOneHot);
        Assert.Equal([2, 0, 3], s.Symbols.ToArray());
        Assert.Equal([0f, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1], s.Values.ToArray());
        Assert.Equal(1f, s[2, 3]);
        Assert.Equal(0f, s[2, 2]);
        Assert.False(Dense(Sequence.OneHot<double>([1], 2)).IsOneHot);
        Assert.True(Sequence.Convert<float, double>(s).IsOneHot);
    }

    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Gru, false)]
    [InlineData(CellKind.Rnn, false)]
    [InlineData(CellKind.Lstm, true)]
    [InlineData(CellKind.Gru, true)]
    public void TheColumnLookupGivesTheGemmsBitsInRunsTracesAndTraining(CellKind cell, bool bidirectional)
    {
        var spec = new ModelSpec(cell, 9, 5).WithLayers(2).WithBidirectional(bidirectional).WithSeed(4).WithHead(Head.Classification(2));
        var model = spec.Build<double>();
        var (hot, dense) = (Data(oneHot: true), Data(oneHot: false));
        var inputs = hot.Samples.Select(x => x.Input).ToArray();
        var a = model.Run(SequenceBatch.FromVariableLength(inputs));
        var b = model.Run(SequenceBatch.FromVariableLength(inputs.Select(Dense).ToArray()));
        AssertSame("head outputs", b.HeadOutputs, a.HeadOutputs);
        AssertSame("outputs", b.Output, a.Output);
        AssertSame("trace h", model.Trace(Dense(inputs[3])).Layers[0].Values(TraceChannel.HiddenState), model.Trace(inputs[3]).Layers[0].Values(TraceChannel.HiddenState));
        // Gradients of one full-BPTT batch, on one thread and cut into shards (row offsets), with poisoned scratch:
        // the one-hot path must neither read X nor leave a buffer unwritten.
        foreach (int threads in new[] { 1, 3 })
        {
            var (denseLoss, denseGrad) = model.TrainingGradient(dense, threads: threads, poison: true);
            var (hotLoss, hotGrad) = model.TrainingGradient(hot, threads: threads, poison: true);
            Assert.Equal(denseLoss, hotLoss);
            AssertSame($"dL/dθ ({threads} threads)", denseGrad, hotGrad);
            Assert.Contains(hotGrad, g => g != 0);
        }
        var options = Training.Adam(0.02).WithEpochs(3).WithBatchSize(8).WithSeed(1);
        if (!bidirectional) options = options.WithTruncation(4);   // the reverse direction reads whole sequences
        AssertSame("trained weights", model.Train(dense, options).Model.Parameters, model.Train(hot, options).Model.Parameters);
        Assert.Equal(model.Loss(dense), model.Loss(hot));
    }

    [Fact]
    public void BackpropagatingArbitraryGradientsGivesTheDenseInputAndWeightGradients()
    {
        var model = new ModelSpec(CellKind.Lstm, 9, 4).WithSeed(8).Build<float>();
        var inputs = Data(oneHot: true).Samples.Take(5).Select(x => Sequence.Convert<double, float>(x.Input)).ToArray();
        var hot = SequenceBatch.FromVariableLength(inputs);
        var dense = SequenceBatch.FromVariableLength(inputs.Select(x => Sequence.FromFlat(x.Values, x.Steps, x.Features)).ToArray());
        var rng = new Rng(3);
        var dOut = Enumerable.Range(0, hot.Batch * hot.Steps * 4).Select(_ => (float)rng.NextGaussian()).ToArray();
        var g1 = model.Backpropagate(dense, null, dOut, default, default);
        var g2 = model.Backpropagate(hot, null, dOut, default, default);
        AssertSame("dL/dθ", g1.Parameters, g2.Parameters);
        AssertSame("dL/dx", g1.Input, g2.Input);
        AssertSame("dL/dW_ih", g1.Parameter("weight_ih_l0"), g2.Parameter("weight_ih_l0"));
    }

    /// <summary>Equal element by element (the tensor and the largest difference in the message).</summary>
    private static void AssertSame<T>(string tensor, ReadOnlySpan<T> expected, ReadOnlySpan<T> actual) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(double.CreateTruncating(expected[i] - actual[i])));
        Assert.True(max == 0, $"{tensor}: one-hot and dense paths differ by up to {max:G3}");
    }
}
