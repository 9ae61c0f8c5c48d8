namespace LstmNotebooks.Tests;

public class ModelBehaviourTests
{
    private static Model<double> SmallLstm(long seed = 1) =>
        Lstm.Create(inputSize: 1, hiddenSize: 8).WithLayers(2).WithForgetBias(1.0).WithSeed(seed).WithHead(Head.Regression(1)).Build<double>();

    [Fact]
    public void WithReturnsNewSpecsAndLeavesTheOriginalUnchanged()
    {
        var spec = Lstm.Create(inputSize: 3, hiddenSize: 5);
        var two = spec.WithLayers(2);
        var seeded = two.WithSeed(9).WithHead(Head.Classification(4).EveryStep());
        Assert.Equal(1, spec.Layers);
        Assert.Equal(2, two.Layers);
        Assert.Equal(0, two.Seed);
        Assert.Equal(HeadKind.None, two.Head.Kind);
        Assert.Equal(HeadOutput.EveryStep, seeded.Head.Output);
        var options = Training.Adam(0.01);
        var longer = options.WithEpochs(50).WithGradientClip(1.0);
        Assert.Equal(10, options.Epochs);
        Assert.Null(options.GradientClip);
        Assert.Equal(50, longer.Epochs);
    }

    [Fact]
    public void TrainingReturnsANewModelAndLeavesTheStartingModelBitIdentical()
    {
        var model = SmallLstm();
        var before = model.Parameters.ToArray();
        var fit = model.Train(TestData.Sine<double>(32, 10, 1), Training.Adam(0.01).WithEpochs(3).WithBatchSize(8));
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.NotEqual(before, fit.Model.Parameters.ToArray());
        Assert.Equal(3, fit.History.Epochs.Count);
    }

    [Fact]
    public void WeightsCannotBeChangedFromOutside()
    {
        var model = SmallLstm();
        var dict = model.StateDict();
        dict["weight_hh_l0"][0] = 123;
        Assert.NotEqual(123, model.Parameter("weight_hh_l0").Span[0]);
        Assert.DoesNotContain(typeof(Model<double>).GetProperties(), p => p.CanWrite && p.SetMethod!.IsPublic);
    }

    [Fact]
    public void SameSeedAndDataGiveBitIdenticalWeights()
    {
        var data = TestData.Sine<float>(48, 12, 5);
        var options = Training.Sgd(0.05, momentum: 0.9).WithEpochs(3).WithBatchSize(16).WithSeed(4).WithGradientClip(1);
        var a = Gru.Create(1, 6).WithLayers(2).WithSeed(2).WithHead(Head.Regression()).Build().Train(data, options).Model;
        var b = Gru.Create(1, 6).WithLayers(2).WithSeed(2).WithHead(Head.Regression()).Build().Train(data, options).Model;
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        var c = Gru.Create(1, 6).WithLayers(2).WithSeed(3).WithHead(Head.Regression()).Build().Train(data, options).Model;
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void SaveAndLoadRoundTripBitExactly(CellKind cell)
    {
        var spec = new ModelSpec(cell, 3, 5).WithLayers(2).WithSeed(11).WithHead(Head.Classification(3).EveryStep());
        if (cell == CellKind.Lstm) spec = spec.WithPeepholes().WithForgetBias(2.0);
        var f = spec.Build<float>();
        var d = spec.Build<double>();
        using (var ms = new MemoryStream())
        {
            f.Save(ms);
            ms.Position = 0;
            var back = Model.Load<float>(ms);
            Assert.Equal(f.Spec, back.Spec);
            Assert.True(f.Parameters.SequenceEqual(back.Parameters));
        }
        var path = Path.Combine(Path.GetTempPath(), $"lstmnb-{Guid.NewGuid():N}.model");
        try
        {
            d.Save(path);
            var back = Model.Load<double>(path);
            Assert.Equal(d.Spec, back.Spec);
            Assert.True(d.Parameters.SequenceEqual(back.Parameters));
            var seq = Sequence.FromFlat<double>([0.1, 0.2, 0.3, -0.1, 0.5, 0.9], 2, 3);
            Assert.Equal(d.Predict(seq), back.Predict(seq));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void EightThreadsShareOneModelAndGetIdenticalResults()
    {
        var model = SmallLstm();
        var data = TestData.Sine<double>(40, 15, 8);
        var expected = data.Samples.Select(s => model.Predict(s.Input)[0]).ToArray();
        var results = new double[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var mine = new double[data.Count];
            for (int round = 0; round < 5; round++)
                for (int s = 0; s < data.Count; s++) mine[s] = model.Predict(data[s].Input)[0];
            results[i] = mine;
        });
        foreach (var r in results) Assert.Equal(expected, r);
    }

    [Fact]
    public void FinalStateContinuesARunExactly()
    {
        var model = Lstm.Create(2, 4).WithLayers(2).WithSeed(3).Build<double>();
        var rng = new Rng(1);
        var whole = Sequence.FromFlat<double>(Enumerable.Range(0, 20).Select(_ => rng.Uniform(-1, 1)).ToArray(), 10, 2);
        var first = Sequence.FromFlat<double>(whole.Values[..12], 6, 2);
        var second = Sequence.FromFlat<double>(whole.Values[12..], 4, 2);
        var all = model.Run(SequenceBatch.Create([whole]));
        var a = model.Run(SequenceBatch.Create([first]));
        var b = model.Run(SequenceBatch.Create([second]), a.FinalState);
        Assert.True(all.FinalState.Hidden.SequenceEqual(b.FinalState.Hidden));
        Assert.True(all.FinalState.Cell.SequenceEqual(b.FinalState.Cell));
    }

    [Fact]
    public void VariableLengthBatchMatchesSeparateRuns()
    {
        var model = Gru.Create(1, 5).WithLayers(2).WithSeed(4).WithHead(Head.Regression(2)).Build<double>();
        var s1 = Sequence.FromScalars<double>([0.1, 0.5, -0.3, 0.8, 0.2]);
        var s2 = Sequence.FromScalars<double>([0.7, -0.2]);
        var batch = model.Run(SequenceBatch.FromVariableLength([s1, s2]));
        Assert.Equal(model.Predict(s1), batch.LastOutputs(0));
        Assert.Equal(model.Predict(s2), batch.LastOutputs(1));
        var alone = model.Run(SequenceBatch.Create([s2]));
        Assert.True(alone.FinalState.Hidden.ToArray().SequenceEqual(
            Enumerable.Range(0, 2).SelectMany(l => batch.FinalState.HiddenOf(l, 1).ToArray())));
        // Padded steps of the output are zero, as PyTorch's pad_packed_sequence gives them.
        Assert.All(batch.Output.Slice((1 * 5 + 2) * 5, 3 * 5).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void BatchedPredictEqualsOneByOne()
    {
        var model = Lstm.Create(1, 6).WithLayers(2).WithSeed(2).WithHead(Head.Classification(3)).Build<double>();
        var rng = new Rng(5);
        var sequences = Enumerable.Range(0, 70).Select(i => Sequence.FromScalars(Enumerable.Range(0, 1 + i % 9).Select(_ => rng.Uniform(-1, 1)))).ToArray();
        var batched = model.Predict(sequences, batchSize: 16);
        for (int i = 0; i < sequences.Length; i++) Assert.Equal(model.Predict(sequences[i]), batched[i]);
    }

    [Fact]
    public void ConvertToKeepsTheModelAndPrecisionFollows()
    {
        var d = SmallLstm();
        var f = d.ConvertTo<float>();
        var seq = Sequence.FromScalars<double>([0.1, 0.2, 0.3]);
        Assert.Equal(d.Predict(seq)[0], f.Predict(Sequence.Convert<double, float>(seq))[0], 5);
    }

    [Fact]
    public void StateDictUsesPyTorchNamesAndShapes()
    {
        var model = Lstm.Create(3, 4).WithLayers(2).WithHead(Head.Regression(2)).Build();
        var names = model.ParameterInfos.Select(p => $"{p.Name}:{string.Join("x", p.Shape)}").ToArray();
        Assert.Equal(new[]
        {
            "weight_ih_l0:16x3", "weight_hh_l0:16x4", "bias_ih_l0:16", "bias_hh_l0:16",
            "weight_ih_l1:16x4", "weight_hh_l1:16x4", "bias_ih_l1:16", "bias_hh_l1:16",
            "head.weight:2x4", "head.bias:2",
        }, names);
        var fb = Lstm.Create(1, 3).WithForgetBias(1.5).Build<double>();
        Assert.Equal(new[] { 1.5, 1.5, 1.5 }, fb.Parameter("bias_ih_l0").Span.Slice(3, 3).ToArray());
        Assert.Equal(new[] { 0.0, 0.0, 0.0 }, fb.Parameter("bias_hh_l0").Span.Slice(3, 3).ToArray());
    }
}
