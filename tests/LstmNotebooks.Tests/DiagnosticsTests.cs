using LstmNotebooks.Tasks;

namespace LstmNotebooks.Tests;

public class DiagnosticsTests
{
    private static readonly Sequence<double> Input = Sequence.FromScalars<double>(Enumerable.Range(0, 12).Select(t => Math.Sin(t * 0.5)));

    [Fact]
    public void TraceRecordsEveryGateAndStateAndAgreesWithTheRun()
    {
        var model = Lstm.Create(1, 5).WithLayers(2).WithSeed(3).WithHead(Head.Regression()).Build<double>();
        var trace = model.Trace(Input);
        Assert.Equal(2, trace.Layers.Count);
        var l1 = trace[1];
        foreach (var ch in new[] { TraceChannel.InputGate, TraceChannel.ForgetGate, TraceChannel.InputModulationGate, TraceChannel.OutputGate,
                                   TraceChannel.CellState, TraceChannel.HiddenState, TraceChannel.OutputGatePreActivation })
            Assert.True(l1.Has(ch), ch.ToString());
        for (int t = 0; t < 12; t++)
            for (int u = 0; u < 5; u++)
            {
                // The concept's equations, from the recorded values: sigmoid gates in (0,1), tanh candidate in (-1,1),
                // c_t = f·c_{t-1} + i·g, h_t = o·tanh(c_t), and each gate is σ (or tanh) of its pre-activation.
                double i = l1[TraceChannel.InputGate, t, u], f = l1[TraceChannel.ForgetGate, t, u], g = l1[TraceChannel.InputModulationGate, t, u];
                double o = l1[TraceChannel.OutputGate, t, u], c = l1[TraceChannel.CellState, t, u];
                double cPrev = t == 0 ? 0 : l1[TraceChannel.CellState, t - 1, u];
                Assert.InRange(i, 0, 1); Assert.InRange(f, 0, 1); Assert.InRange(o, 0, 1); Assert.InRange(g, -1, 1);
                Assert.Equal(f * cPrev + i * g, c, 12);
                Assert.Equal(o * Math.Tanh(c), l1[TraceChannel.HiddenState, t, u], 12);
                Assert.Equal(1 / (1 + Math.Exp(-l1[TraceChannel.OutputGatePreActivation, t, u])), o, 12);
                Assert.Equal(Math.Tanh(l1[TraceChannel.InputModulationGatePreActivation, t, u]), g, 12);
            }
        Assert.Equal(model.Predict(Input)[0], trace.Outputs[^1][0], 14);
        Assert.Equal(12, trace.Outputs.Length);
    }

    [Fact]
    public void ClampingTheOutputGateSilencesTheUnitFromThatStepOn()
    {
        var model = Lstm.Create(1, 4).WithSeed(2).WithHead(Head.Regression()).Build<double>();
        var baseline = model.Trace(Input);
        var clamped = model.Trace(Input, Intervention.ClampGate(Gate.Output, unit: 3, value: 0, fromStep: 6));
        for (int t = 0; t < 12; t++)
        {
            if (t < 6) Assert.Equal(baseline[0][TraceChannel.HiddenState, t, 3], clamped[0][TraceChannel.HiddenState, t, 3]);
            else
            {
                Assert.Equal(0.0, clamped[0][TraceChannel.OutputGate, t, 3]);
                Assert.Equal(0.0, clamped[0][TraceChannel.HiddenState, t, 3]);
            }
        }
        Assert.Equal(baseline.Outputs[5], clamped.Outputs[5]);
        Assert.NotEqual(baseline.Outputs[7][0], clamped.Outputs[7][0]);
    }

    [Fact]
    public void EditingTheCellStatePropagatesDownstreamThroughTheForgetGate()
    {
        var model = Lstm.Create(1, 3).WithForgetBias(3).WithSeed(5).Build<double>();
        var baseline = model.Trace(Input);
        var edited = model.Trace(Input, Intervention.SetCellState(unit: 1, step: 4, value: 2.0));
        var b = baseline[0];
        var e = edited[0];
        Assert.Equal(2.0, e[TraceChannel.CellState, 4, 1]);
        Assert.Equal(e[TraceChannel.OutputGate, 4, 1] * Math.Tanh(2.0), e[TraceChannel.HiddenState, 4, 1], 12);
        // The next step starts from the edited memory: c_5 = f·2 + i·g.
        Assert.Equal(e[TraceChannel.ForgetGate, 5, 1] * 2.0 + e[TraceChannel.InputGate, 5, 1] * e[TraceChannel.InputModulationGate, 5, 1],
            e[TraceChannel.CellState, 5, 1], 12);
        Assert.Equal(b[TraceChannel.CellState, 3, 1], e[TraceChannel.CellState, 3, 1]);
        Assert.NotEqual(b[TraceChannel.CellState, 8, 1], e[TraceChannel.CellState, 8, 1]);
    }

    [Fact]
    public void GruAndRnnTracesAndInterventions()
    {
        var gru = Gru.Create(1, 3).WithSeed(1).Build<double>();
        var t = gru.Trace(Input, Intervention.ClampGate(Gate.Update, 0, 1.0, fromStep: 2));
        for (int s = 2; s < 12; s++) Assert.Equal(t[0][TraceChannel.HiddenState, 1, 0], t[0][TraceChannel.HiddenState, s, 0]); // z = 1 keeps h
        var rnn = Rnn.Create(1, 3).WithSeed(1).Build<double>();
        var r = rnn.Trace(Input, Intervention.SetHiddenState(2, 5, 0.75));
        Assert.Equal(0.75, r[0][TraceChannel.HiddenState, 5, 2]);
        Assert.True(r[0].Has(TraceChannel.HiddenPreActivation));
    }

    [Fact]
    public void GradientFlowShowsTheLstmCarryingTheErrorFurtherBackThanTheRnn()
    {
        var data = new RememberFirst(gap: 60).Generate<double>(1, seed: 9);
        var lstm = Lstm.Create(6, 16).WithForgetBias(3).WithSeed(1).WithHead(Head.Classification(2)).Build<double>();
        var rnn = Rnn.Create(6, 16).WithSeed(1).WithHead(Head.Classification(2)).Build<double>();
        var lf = lstm.GradientFlow(data[0]);
        var rf = rnn.GradientFlow(data[0]);
        Assert.Equal(61, lf.Steps);
        Assert.True(lf.HasCellState && !rf.HasCellState);
        double lstmRatio = lf.CellNorms()[0] / lf.CellNorms()[^1];
        double rnnRatio = rf.HiddenNorms()[0] / rf.HiddenNorms()[^1];
        Assert.True(lstmRatio > 1e-3, $"LSTM ‖∂L/∂c_0‖/‖∂L/∂c_T‖ = {lstmRatio:E2}");
        Assert.True(rnnRatio < 1e-8, $"RNN ‖∂L/∂h_0‖/‖∂L/∂h_T‖ = {rnnRatio:E2}");
        // Every recorded norm is a number: nothing over- or underflowed along the 61 steps.
        Assert.True(lf.HiddenNorms().All(double.IsFinite));
    }

    [Fact]
    public void EveryTraceChannelHasItsWordsAndEveryDefaultChannelIsRecorded()
    {
        foreach (var channel in Enum.GetValues<TraceChannel>())
        {
            Assert.False(string.IsNullOrWhiteSpace(GateVocabulary.Symbol(channel)));
            Assert.False(string.IsNullOrWhiteSpace(GateVocabulary.Name(channel)));
        }
        Assert.Equal("forget gate f (remember vector)", GateVocabulary.Describe(TraceChannel.ForgetGate));
        Assert.Equal("cell state c (long-term memory)", GateVocabulary.Describe(TraceChannel.CellState));
        foreach (var cell in Enum.GetValues<CellKind>())
        {
            var trace = new ModelSpec(cell, 1, 2).Build<double>().Trace(Input);
            Assert.All(GateVocabulary.DefaultChannels(cell), ch => Assert.True(trace[0].Has(ch), $"{cell} trace lacks {ch}"));
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Lstm, true)]
    [InlineData(CellKind.Gru, false)]
    public void AnInterventionThatWritesBackTheValueItFoundChangesNoBit(CellKind kind, bool peepholes)
    {
        // Interventions recompute through the kernels' scalar specification: forcing a gate (or c) to exactly the
        // value the run produced must reproduce the run bit for bit, downstream included.
        var spec = new ModelSpec(kind, 1, 5).WithLayers(2).WithSeed(8).WithHead(Head.Regression());
        if (peepholes) spec = spec.WithPeepholes();
        var model = spec.Build<double>();
        if (peepholes)
        {
            var rng = new Rng(4);
            model = model.WithParameters(model.ParameterInfos.Where(p => p.Name.Contains("peephole"))
                .ToDictionary(p => p.Name, p => Enumerable.Range(0, p.Length).Select(_ => rng.Uniform(-0.5, 0.5)).ToArray()));
        }
        var baseline = model.Trace(Input);
        var cell = CellDefinition.Of(kind);
        foreach (var gate in cell.Gates)
            foreach (int layer in new[] { 0, 1 })
            {
                double found = baseline[layer][gate.Channel!.Value, 6, 2];
                var same = model.Trace(Input, Intervention.ClampGate(gate.Gate!.Value, unit: 2, value: found, fromStep: 6, toStep: 6, layer: layer));
                AssertSameTrace(baseline, same, $"{kind} {gate.Gate} layer {layer}");
            }
        if (cell.HasCellState)
        {
            var same = model.Trace(Input, Intervention.SetCellState(unit: 1, step: 4, value: baseline[0][TraceChannel.CellState, 4, 1]));
            AssertSameTrace(baseline, same, "cell state");
        }
    }

    private static void AssertSameTrace(Trace<double> expected, Trace<double> actual, string what)
    {
        for (int l = 0; l < expected.Layers.Count; l++)
            foreach (var ch in expected[l].Channels)
                Assert.True(expected[l].Values(ch).SequenceEqual(actual[l].Values(ch)), $"{what}: layer {l} {ch} changed");
        for (int t = 0; t < expected.Steps; t++) Assert.Equal(expected.Outputs[t], actual.Outputs[t]);
    }

    [Fact]
    public void EachCellsTableDrivesInterventionsTracesAndWords()
    {
        foreach (var cell in CellDefinition.All)
        {
            var model = new ModelSpec(cell.Kind, 1, 3).WithSeed(2).Build<double>();
            Assert.Equal(cell.Blocks.Count, model.Spec.GateCount);
            var trace = model.Trace(Input);
            Assert.Equal(cell.RecordedChannels(projection: false), trace[0].Channels);
            foreach (var block in cell.Blocks)
            {
                // A block's pre-activation through its activation is its value; clamping the gate named in the table
                // moves exactly that channel.
                var pre = trace[0].Values(block.PreActivationChannel).ToArray();
                Assert.True(GateVocabulary.IsPreActivation(block.PreActivationChannel));
                if (block.Channel is not { } value) continue;
                var expected = pre.Select(a => block.Activation == GateActivation.Sigmoid ? 1 / (1 + Math.Exp(-a)) : Math.Tanh(a)).ToArray();
                var actual = trace[0].Values(value).ToArray();
                for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 14);
                Assert.Equal(value, GateVocabulary.GateOf(block.PreActivationChannel));
                Assert.Equal(block.Activation == GateActivation.Sigmoid ? (0.0, 1.0) : (-1.0, 1.0), GateVocabulary.Range(value));
                var clamped = model.Trace(Input, Intervention.ClampGate(block.Gate!.Value, unit: 1, value: 0.25));
                Assert.All(clamped[0].Series(value, 1), v => Assert.Equal(0.25, v));
            }
        }
        Assert.Equal("a_f", GateVocabulary.Symbol(TraceChannel.ForgetGatePreActivation));
        Assert.Equal("forget gate pre-activation", GateVocabulary.Name(TraceChannel.ForgetGatePreActivation));
        Assert.Equal(TraceChannel.HiddenState, GateVocabulary.GateOf(TraceChannel.HiddenPreActivation));
    }

    [Fact]
    public void AClampPassesThroughTheKernelsScalarSpecification()
    {
        // One LSTM unit with peepholes: f clamped to 0.25 and c then fixed by the same arithmetic; o reads the new c.
        var pre = new[] { 0.3, -0.2, 0.5, 0.1 };   // a_i, a_f, a_g, a_o for hs = 1
        var peep = new[] { 0.2, -0.1, 0.4 };
        double cPrev = 0.7;
        var gates = new double[4];
        var c = new double[1];
        var h = new double[1];
        var unit = new Kernels.UnitClamp<double>();
        unit.ClampGate(1, 0.25);
        Kernels.LstmKernels.ForwardScalar<double, Kernels.UnitClamp<double>>(pre, [cPrev], peep, new Kernels.LstmCellFlags(true, true), gates, c, h, 0, 1, unit);
        double i = 1 / (1 + Math.Exp(-(0.3 + 0.2 * cPrev))), g = Math.Tanh(0.5);
        Assert.Equal(0.25, gates[1]);
        Assert.Equal(i, gates[0], 15);
        Assert.Equal(0.25 * cPrev + i * g, c[0], 15);
        Assert.Equal(1 / (1 + Math.Exp(-(0.1 + 0.4 * c[0]))), gates[3], 15);
        Assert.Equal(gates[3] * Math.Tanh(c[0]), h[0], 15);
        var cell = new Kernels.UnitClamp<double>();
        cell.SetCell(2.0);
        Kernels.LstmKernels.ForwardScalar<double, Kernels.UnitClamp<double>>([0.3, -0.2, 0.5, 0.1], [cPrev], peep, new Kernels.LstmCellFlags(true, true), gates, c, h, 0, 1, cell);
        Assert.Equal(2.0, c[0]);
        Assert.Equal(1 / (1 + Math.Exp(-(0.1 + 0.4 * 2.0))), gates[3], 15);
    }
}
