using System.Numerics;

namespace LstmNotebooks.Tests;

/// <summary>Bidirectional layers, projections, dropout and the learned initial state, beyond what the libtorch
/// fixtures hold: variable lengths (pack_padded_sequence semantics), heads, traces, interventions, gradient flow,
/// files and bad specs.</summary>
public class ArchitectureTests
{
    private static readonly Sequence<double> Input = Sequence.FromFlat<double>(
        Enumerable.Range(0, 9 * 2).Select(i => Math.Sin(0.7 * i) * 0.8).ToArray(), 9, 2);

    private static Sequence<double> Seq(int steps, int features, long seed)
    {
        var rng = new Rng(seed);
        return Sequence.FromFlat<double>(Enumerable.Range(0, steps * features).Select(_ => rng.Uniform(-1, 1)).ToArray(), steps, features);
    }

    private static double[] Random(int n, long seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => rng.Uniform(-1, 1)).ToArray();
    }

    public static TheoryData<CellKind, bool> Bidirectional()
    {
        var data = new TheoryData<CellKind, bool>();
        foreach (var cell in Enum.GetValues<CellKind>()) data.Add(cell, false);
        data.Add(CellKind.Lstm, true);
        return data;
    }

    private static Model<double> BiModel(CellKind cell, bool projection, HeadSpec? head = null)
    {
        var spec = new ModelSpec(cell, 2, 5).WithLayers(2).WithBidirectional().WithSeed(6);
        if (projection) spec = spec.WithProjection(3);
        if (head is not null) spec = spec.WithHead(head);
        return spec.Build<double>();
    }

    [Theory, MemberData(nameof(Bidirectional))]
    public void AVariableLengthBidirectionalBatchEqualsEachSequenceAlone(CellKind cell, bool projection)
    {
        // pack_padded_sequence: the reverse direction starts at each sequence's own last step, so a padded batch must
        // give every sequence exactly what it gets alone — outputs, final states and their gradients, bit for bit.
        var model = BiModel(cell, projection);
        int hout = model.Spec.OutputSize, w = 2 * hout, units = 4, h = model.Spec.HiddenSize;
        var sequences = new[] { Seq(6, 2, 1), Seq(2, 2, 2), Seq(4, 2, 3) };
        var batch = SequenceBatch.FromVariableLength(sequences);
        var run = model.Run(batch);
        bool lstm = cell == CellKind.Lstm;
        var dOut = Random(3 * 6 * w, 4);
        var dh = Random(units * 3 * hout, 5);
        var dc = lstm ? Random(units * 3 * h, 6) : [];
        var grads = model.Backpropagate(batch, null, dOut, dh, dc);
        var paramSum = new double[model.ParameterCount];
        for (int b = 0; b < 3; b++)
        {
            int len = sequences[b].Steps;
            var alone = model.Run(SequenceBatch.Create([sequences[b]]));
            Assert.True(alone.Output.SequenceEqual(run.Output.Slice(b * 6 * w, len * w)), $"row {b}: outputs differ");
            Assert.All(run.Output.Slice((b * 6 + len) * w, (6 - len) * w).ToArray(), v => Assert.Equal(0.0, v));
            for (int u = 0; u < units; u++)
            {
                Assert.True(alone.FinalState.HiddenOf(u, 0).SequenceEqual(run.FinalState.HiddenOf(u, b)), $"row {b}: h_n[{u}] differs");
                if (lstm) Assert.True(alone.FinalState.CellOf(u, 0).SequenceEqual(run.FinalState.CellOf(u, b)), $"row {b}: c_n[{u}] differs");
            }
            // The same upstream gradients, restricted to this row.
            var dOutB = dOut.AsSpan(b * 6 * w, len * w).ToArray();
            var dhB = Enumerable.Range(0, units).SelectMany(u => dh.AsSpan((u * 3 + b) * hout, hout).ToArray()).ToArray();
            var dcB = lstm ? Enumerable.Range(0, units).SelectMany(u => dc.AsSpan((u * 3 + b) * h, h).ToArray()).ToArray() : [];
            var g = model.Backpropagate(SequenceBatch.Create([sequences[b]]), null, dOutB, dhB, dcB);
            Assert.True(g.Input.SequenceEqual(grads.Input.Slice(b * 6 * 2, len * 2)), $"row {b}: ∂L/∂x differs");
            Assert.All(grads.Input.Slice((b * 6 + len) * 2, (6 - len) * 2).ToArray(), v => Assert.Equal(0.0, v));
            for (int u = 0; u < units; u++)
                Assert.True(g.InitialState.HiddenOf(u, 0).SequenceEqual(grads.InitialState.HiddenOf(u, b)), $"row {b}: ∂L/∂h0[{u}] differs");
            for (int i = 0; i < paramSum.Length; i++) paramSum[i] += g.Parameters[i];
        }
        for (int i = 0; i < paramSum.Length; i++) Assert.Equal(paramSum[i], grads.Parameters[i], 1e-12);
    }

    [Fact]
    public void ABidirectionalHeadReadsBothDirectionsFinalStates()
    {
        var model = BiModel(CellKind.Lstm, projection: true, Head.Regression(2));
        Assert.Equal(new[] { 2, 6 }, model.ParameterInfos.Single(p => p.Name == "head.weight").Shape);
        var run = model.Run(SequenceBatch.Create([Input]));
        // [h_n forward, h_n reverse] of the top layer: rows 2 and 3 of h_n.
        var summary = run.FinalState.HiddenOf(2, 0).ToArray().Concat(run.FinalState.HiddenOf(3, 0).ToArray()).ToArray();
        var w = model.Parameter("head.weight").Span;
        var bias = model.Parameter("head.bias").Span;
        var predicted = model.Predict(Input);
        for (int o = 0; o < 2; o++)
        {
            double y = bias[o];
            for (int j = 0; j < 6; j++) y = Math.FusedMultiplyAdd(summary[j], w[o * 6 + j], y);
            Assert.Equal(y, predicted[o], 14);
        }
        // The reverse h_n is the reverse half of the output at step 0; the forward h_n the forward half at the end.
        Assert.True(run.Output.Slice(3, 3).SequenceEqual(run.FinalState.HiddenOf(3, 0)));
        Assert.True(run.Output.Slice(8 * 6, 3).SequenceEqual(run.FinalState.HiddenOf(2, 0)));
        var headless = BiModel(CellKind.Lstm, projection: true);
        var r = headless.Run(SequenceBatch.Create([Input]));
        Assert.Equal(r.FinalState.HiddenOf(2, 0).ToArray().Concat(r.FinalState.HiddenOf(3, 0).ToArray()), headless.Predict(Input));
    }

    [Fact]
    public void TracesInterventionsAndGradientFlowWorkPerDirection()
    {
        var model = BiModel(CellKind.Lstm, projection: false, Head.Regression());
        var run = model.Run(SequenceBatch.Create([Input]));
        var trace = model.Trace(Input);
        Assert.True(trace.IsBidirectional);
        Assert.Equal(2, trace.ReverseLayers.Count);
        var rev = trace.Layer(1, Direction.Reverse);
        Assert.Equal(Direction.Reverse, rev.Direction);
        // Steps are in time order for both directions: the reverse h at step t is the output's reverse half at t.
        for (int t = 0; t < 9; t++)
            for (int u = 0; u < 5; u++)
            {
                Assert.Equal(run.Output[t * 10 + 5 + u], rev[TraceChannel.HiddenState, t, u]);
                Assert.Equal(run.Output[t * 10 + u], trace[1][TraceChannel.HiddenState, t, u]);
            }
        // An edit of the reverse direction at step 5 reaches its steps 4..0, never its later steps or the forward
        // direction of the same layer; the layer above sees it at every step.
        var edited = model.Trace(Input, Intervention.SetCellState(unit: 2, step: 5, value: 1.5, layer: 0, direction: Direction.Reverse));
        var before = trace.Layer(0, Direction.Reverse);
        var after = edited.Layer(0, Direction.Reverse);
        Assert.Equal(1.5, after[TraceChannel.CellState, 5, 2]);
        for (int t = 6; t < 9; t++) Assert.Equal(before[TraceChannel.HiddenState, t, 2], after[TraceChannel.HiddenState, t, 2]);
        Assert.NotEqual(before[TraceChannel.HiddenState, 3, 2], after[TraceChannel.HiddenState, 3, 2]);
        Assert.True(trace[0].Values(TraceChannel.HiddenState).SequenceEqual(edited[0].Values(TraceChannel.HiddenState)));
        Assert.NotEqual(trace[1][TraceChannel.HiddenState, 8, 0], edited[1][TraceChannel.HiddenState, 8, 0]);
        Assert.Throws<ArgumentException>(() => Lstm.Create(2, 5).Build<double>().Trace(Input, Intervention.SetHiddenState(0, 1, 0, direction: Direction.Reverse)));

        var flow = model.GradientFlow(Sample.Create(Input, 0.5));
        Assert.Equal(2, flow.Directions);
        Assert.Equal(2, flow.Layers);
        var reverseNorms = flow.CellNorms(0, Direction.Reverse);
        Assert.Equal(9, reverseNorms.Length);
        Assert.True(reverseNorms.All(double.IsFinite) && reverseNorms.Any(v => v > 0));
        Assert.True(flow.HiddenNorms(1, Direction.Forward).All(double.IsFinite));
    }

    [Fact]
    public void AProjectedLstmMapsTheCellOutputThroughWeightHr()
    {
        var model = Lstm.Create(2, 6).WithProjection(4).WithLayers(2).WithSeed(3).Build<double>();
        var names = model.ParameterInfos.Select(p => $"{p.Name}:{string.Join("x", p.Shape)}").ToArray();
        Assert.Equal(new[]
        {
            "weight_ih_l0:24x2", "weight_hh_l0:24x4", "bias_ih_l0:24", "bias_hh_l0:24", "weight_hr_l0:4x6",
            "weight_ih_l1:24x4", "weight_hh_l1:24x4", "bias_ih_l1:24", "bias_hh_l1:24", "weight_hr_l1:4x6",
        }, names);
        var trace = model.Trace(Input);
        var l0 = trace[0];
        Assert.Equal(6, l0.Units);
        Assert.Equal(4, l0.UnitsOf(TraceChannel.HiddenState));
        Assert.Equal(6, l0.UnitsOf(TraceChannel.CellOutput));
        Assert.Null(l0.Range(TraceChannel.HiddenState));
        var whr = model.Parameter("weight_hr_l0").Span;
        for (int t = 0; t < 9; t++)
        {
            for (int j = 0; j < 6; j++)
                Assert.Equal(l0[TraceChannel.OutputGate, t, j] * Math.Tanh(l0[TraceChannel.CellState, t, j]), l0[TraceChannel.CellOutput, t, j], 13);
            for (int k = 0; k < 4; k++)
            {
                double h = 0;
                for (int j = 0; j < 6; j++) h += whr[k * 6 + j] * l0[TraceChannel.CellOutput, t, j];
                Assert.Equal(h, l0[TraceChannel.HiddenState, t, k], 13);
            }
        }
        // Clamping o to 0 silences m, so h = W_hr·0 = 0 for every projected unit when all of o is clamped.
        var silenced = model.Trace(Input, Enumerable.Range(0, 6).Select(j => Intervention.ClampGate(Gate.Output, j, 0, fromStep: 4)).ToArray());
        for (int t = 4; t < 9; t++)
            for (int k = 0; k < 4; k++) Assert.Equal(0.0, silenced[0][TraceChannel.HiddenState, t, k]);
        Assert.Contains("units 0..3", Assert.Throws<ArgumentOutOfRangeException>(() => model.Trace(Input, Intervention.SetHiddenState(5, 1, 0))).Message);
        var run = model.Run(SequenceBatch.Create([Input]));
        Assert.Equal(4, run.FinalState.HiddenSize);
        Assert.Equal(6, run.FinalState.CellSize);
    }

    [Fact]
    public void SpecsThatCannotWorkAreRefused()
    {
        Assert.Contains("smaller than the hidden size (4)", Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.Create(2, 4).WithProjection(4)).Message);
        Assert.Contains("LSTM cells only", Assert.Throws<InvalidOperationException>(() => Gru.Create(2, 4).WithProjection(2)).Message);
        Assert.Contains("[0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.Create(2, 4).WithDropout(1.0)).Message);
        Assert.Contains("[0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.Create(2, 4).WithRecurrentDropout(-0.1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.Create(2, 4) with { Dropout = double.NaN });
        Assert.Contains("at least 2 layers", Assert.Throws<InvalidOperationException>(() => Lstm.Create(2, 4).WithDropout(0.2).Build()).Message);
        Assert.Contains("smaller than the hidden size", Assert.Throws<ArgumentOutOfRangeException>(() => (Lstm.Create(2, 4) with { ProjectionSize = 9 }).Build()).Message);
        var bi = Lstm.Create(1, 4).WithBidirectional().WithHead(Head.Regression()).Build<double>();
        Assert.Contains("reverse direction", Assert.Throws<InvalidOperationException>(() => bi.StartTraining(Training.Adam().WithTruncation(5))).Message);
        var e = Assert.Throws<ArgumentException>(() => bi.Run(SequenceBatch.Create([Sequence.FromScalars<double>([1.0, 2.0])]), RecurrentState<double>.Zeros(1, 1, 4, true)));
        Assert.Contains("layers × 2 directions", e.Message);
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void EveryNewSpecFieldRoundTripsThroughTheModelFileBitExactly(CellKind cell)
    {
        var spec = new ModelSpec(cell, 3, 6).WithLayers(2).WithBidirectional().WithDropout(0.25).WithRecurrentDropout(0.1)
            .WithLearnedInitialState().WithSeed(12).WithHead(Head.Binary(2).EveryStep());
        if (cell == CellKind.Lstm) spec = spec.WithProjection(5).WithPeepholes().WithForgetBias(1);
        var model = spec.Build<float>();
        var rng = new Rng(2);
        model = model.WithParameters(model.ParameterInfos.ToDictionary(p => p.Name, p => Enumerable.Range(0, p.Length).Select(_ => (float)rng.Uniform(-1, 1)).ToArray()));
        using var ms = new MemoryStream();
        model.Save(ms);
        ms.Position = 0;
        var back = Model.Load<float>(ms);
        Assert.Equal(model.Spec, back.Spec);
        Assert.True(model.Parameters.SequenceEqual(back.Parameters));
        var seq = Sequence.Convert<double, float>(Seq(5, 3, 9));
        Assert.Equal(model.PredictSteps(seq), back.PredictSteps(seq));
    }

    [Fact]
    public void FilesOfTheFirstFormatVersionStillLoad()
    {
        // Written by the library before format version 2 (commit 5522ac8): a 2-layer peephole LSTM with a head.
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "model-format-v1.lstmnb");
        var model = Model.Load<double>(path);
        Assert.Equal(Lstm.Create(3, 5).WithLayers(2).WithPeepholes().WithForgetBias(2).WithSeed(11).WithHead(Head.Classification(3).EveryStep()), model.Spec);
        var fresh = model.Spec.Build<double>();
        Assert.True(fresh.Parameters.SequenceEqual(model.Parameters), "the v1 file holds the seeded initial weights");
        using var ms = new MemoryStream();
        model.Save(ms);
        Assert.Equal(ModelFile.FormatVersion, BitConverter.ToUInt16(ms.ToArray(), 8));
    }

    private static Dataset<double> PerStepData(int count, int steps, long seed)
    {
        var rng = new Rng(seed);
        return Dataset.Create(Enumerable.Range(0, count).Select(i =>
        {
            int len = steps - i % 4;
            return Sample.PerStep(Sequence.FromFlat<double>(Enumerable.Range(0, len * 2).Select(_ => rng.Uniform(-1, 1)).ToArray(), len, 2),
                Sequence.FromScalars(Enumerable.Range(0, len).Select(_ => rng.Uniform(-1, 1))));
        }));
    }

    [Fact]
    public void DropoutActsInTrainingOnlyAndIsFixedByTheSeed()
    {
        var plain = Lstm.Create(2, 8).WithLayers(2).WithSeed(4).WithHead(Head.Regression().EveryStep());
        var dropped = plain.WithDropout(0.4).WithRecurrentDropout(0.3);
        var a = plain.Build<double>();
        var b = dropped.Build<double>();
        Assert.True(a.Parameters.SequenceEqual(b.Parameters), "dropout does not change the initial weights");
        // Off at inference: runs, traces and losses are those of the same weights without dropout.
        var batch = SequenceBatch.FromVariableLength([Seq(7, 2, 1), Seq(4, 2, 2)]);
        Assert.True(a.Run(batch).HeadOutputs.SequenceEqual(b.Run(batch).HeadOutputs));
        Assert.True(a.Trace(Seq(5, 2, 3))[1].Values(TraceChannel.HiddenState).SequenceEqual(b.Trace(Seq(5, 2, 3))[1].Values(TraceChannel.HiddenState)));
        var data = PerStepData(24, 9, 5);
        Assert.Equal(a.Loss(data), b.Loss(data));

        var options = Training.Sgd(0.1).WithEpochs(2).WithBatchSize(8).WithSeed(7);
        var once = b.Train(data, options).Model;
        var again = b.Train(data, options).Model;
        Assert.True(once.Parameters.SequenceEqual(again.Parameters), "same seed, same thread count: same bits");
        Assert.False(once.Parameters.SequenceEqual(b.Train(data, options.WithSeed(8)).Model.Parameters), "another seed draws other masks");
        Assert.False(once.Parameters.SequenceEqual(a.Train(data, options).Model.Parameters), "dropout changes training");
        // Masks belong to rows of the batch, not to threads: two threads differ from one only by the order of sums.
        var one = b.Train(data, options.WithThreads(1)).Model;
        var two = b.Train(data, options.WithThreads(2)).Model;
        Assert.True(two.Parameters.SequenceEqual(b.Train(data, options.WithThreads(2)).Model.Parameters));
        for (int i = 0; i < one.ParameterCount; i++) Assert.Equal(one.Parameters[i], two.Parameters[i], 1e-12);
        // A session continued over calls is one long run, masks included.
        using var session = b.StartTraining(options);
        session.Train(data, epochs: 1);
        Assert.True(once.Parameters.SequenceEqual(session.Train(data, epochs: 1).Model.Parameters));
    }

    [Fact]
    public void DropoutMasksZeroTheirShareAndScaleTheRest()
    {
        var context = DropoutContext.For(Lstm.Create(1, 2).WithLayers(2).WithDropout(0.3).WithRecurrentDropout(0.6), seed: 3, epoch: 2, batch: 5);
        int n = 0, zeros = 0, recurrentZeros = 0;
        for (int row = 0; row < 40; row++)
            for (int step = 0; step < 50; step++)
                for (int unit = 0; unit < 10; unit++)
                {
                    double m = context.Between<double>(0, row, step, unit);
                    Assert.True(m == 0 || m == 1 / 0.7, $"mask value {m}");
                    zeros += m == 0 ? 1 : 0;
                    n++;
                }
        for (int row = 0; row < 200; row++)
            for (int unit = 0; unit < 100; unit++)
            {
                double m = context.Recurrent<double>(1, row, unit);
                Assert.True(m == 0 || m == 1 / 0.4, $"recurrent mask value {m}");
                recurrentZeros += m == 0 ? 1 : 0;
            }
        // 20,000 draws each: the share of zeros within 4 standard deviations of p.
        Assert.InRange(zeros / (double)n, 0.3 - 4 * Math.Sqrt(0.3 * 0.7 / n), 0.3 + 4 * Math.Sqrt(0.3 * 0.7 / n));
        Assert.InRange(recurrentZeros / 20000.0, 0.6 - 4 * Math.Sqrt(0.6 * 0.4 / 20000), 0.6 + 4 * Math.Sqrt(0.6 * 0.4 / 20000));
        var other = DropoutContext.For(Lstm.Create(1, 2).WithLayers(2).WithDropout(0.3), seed: 3, epoch: 2, batch: 6);
        int differ = 0;
        for (int unit = 0; unit < 200; unit++) differ += context.Between<double>(0, 0, 0, unit) != other.Between<double>(0, 0, 0, unit) ? 1 : 0;
        Assert.True(differ > 40, "another batch draws other masks");
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void ALearnedInitialStateIsTrainedUsedAndOverridable(CellKind cell)
    {
        var spec = new ModelSpec(cell, 2, 4).WithLayers(2).WithBidirectional().WithLearnedInitialState().WithSeed(2).WithHead(Head.Regression().EveryStep());
        var model = spec.Build<double>();
        bool lstm = cell == CellKind.Lstm;
        Assert.Contains("h0", model.StateDict().Keys);
        Assert.Equal(lstm, model.StateDict().ContainsKey("c0"));
        Assert.Equal(new[] { 4, 4 }, model.ParameterInfos.Single(p => p.Name == "h0").Shape);
        Assert.All(model.Parameter("h0").ToArray(), v => Assert.Equal(0.0, v)); // a fresh model is the zero-state model
        var trained = model.Train(PerStepData(24, 6, 3), Training.Adam(0.05).WithEpochs(3).WithBatchSize(8)).Model;
        Assert.Contains(trained.Parameter("h0").ToArray(), v => v != 0);
        // A run without a state starts every sequence from h0/c0; an explicit state replaces them.
        var h0 = trained.Parameter("h0").ToArray();
        var c0 = lstm ? trained.Parameter("c0").ToArray() : [];
        var sequences = new[] { Seq(5, 2, 8), Seq(3, 2, 9) };
        var batch = SequenceBatch.FromVariableLength(sequences);
        var learned = trained.Run(batch);
        var broadcast = RecurrentState<double>.Create(Broadcast(h0, 4, 2), lstm ? Broadcast(c0, 4, 2) : [], 4, 2, 4, lstm);
        Assert.True(learned.Output.SequenceEqual(trained.Run(batch, broadcast).Output));
        Assert.False(learned.Output.SequenceEqual(trained.Run(batch, RecurrentState<double>.Zeros(4, 2, 4, lstm)).Output));
        // ∂L/∂h0 of the parameter is the sum over the batch of ∂L/∂h0 per sequence.
        var dOut = Random(2 * 5 * 8, 11);
        var g = trained.Backpropagate(batch, null, dOut, default, default);
        for (int u = 0; u < 4; u++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(g.InitialState.HiddenOf(u, 0)[j] + g.InitialState.HiddenOf(u, 1)[j], g.Parameter("h0")[u * 4 + j], 14);
        Assert.All(trained.Backpropagate(batch, broadcast, dOut, default, default).Parameter("h0").ToArray(), v => Assert.Equal(0.0, v));

        static double[] Broadcast(double[] rows, int units, int batch)
        {
            int width = rows.Length / units;
            var result = new double[units * batch * width];
            for (int u = 0; u < units; u++)
                for (int b = 0; b < batch; b++) rows.AsSpan(u * width, width).CopyTo(result.AsSpan((u * batch + b) * width));
            return result;
        }
    }

    [Fact]
    public void TruncatedWindowsSeeTheMasksAndStatesOfOneLongPass()
    {
        // Masks are keyed by the absolute step, and a window starts from the state the previous one left: the
        // per-step losses of windows [0, 5) and [5, 10) are those of one pass over [0, 10).
        var model = Lstm.Create(2, 6).WithLayers(2).WithDropout(0.5).WithRecurrentDropout(0.4).WithSeed(3)
            .WithHead(Head.Regression().EveryStep()).Build<double>();
        var rng = new Rng(4);
        var data = Dataset.Create(Enumerable.Range(0, 4).Select(_ => Sample.PerStep(Seq(10, 2, rng.NextInt(1000)),
            Sequence.FromScalars(Enumerable.Range(0, 10).Select(_ => rng.Uniform(-1, 1))))));
        var dropout = DropoutContext.For(model.Spec, seed: 5, epoch: 1, batch: 0);
        int[] all = [0, 1, 2, 3];
        var grad = new double[model.ParameterCount];
        using var ws = model.CreateWorkspace(threads: 2);
        var (whole, n) = ws.TrainWindow(model.ParameterArray, data.Samples, all, 0, 4, 0, 10, firstWindow: true, grad, dropout);
        var (first, n1) = ws.TrainWindow(model.ParameterArray, data.Samples, all, 0, 4, 0, 5, firstWindow: true, grad, dropout);
        var (second, n2) = ws.TrainWindow(model.ParameterArray, data.Samples, all, 0, 4, 5, 10, firstWindow: false, grad, dropout);
        Assert.Equal(n, n1 + n2);
        Assert.Equal(whole, (first * n1 + second * n2) / n, 14);
        var (other, _) = ws.TrainWindow(model.ParameterArray, data.Samples, all, 0, 4, 0, 10, firstWindow: true, grad,
            DropoutContext.For(model.Spec, seed: 5, epoch: 1, batch: 1));
        Assert.NotEqual(whole, other);
    }
}
