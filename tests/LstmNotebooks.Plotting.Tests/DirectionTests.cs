using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

/// <summary>A bidirectional trace's reverse pass is charted wherever a chart reads a trace: the options' Direction
/// picks it, heatmaps show both passes by default, and a reverse pass of a unidirectional trace is refused.</summary>
public class DirectionTests
{
    private static Model<double> BiLstm(int layers = 1)
        => LstmNotebooks.Lstm.Create(2, 3).WithLayers(layers).WithBidirectional().WithHead(Head.Regression(1)).WithSeed(11).Build<double>();

    private static Trace<double> BiTrace(int layers = 1, int steps = 7) => BiLstm(layers).Trace(Models.Input(steps));

    [Fact]
    public void HeatmapsShowBothPassesOfEachLayer()
    {
        var trace = BiTrace(layers: 2);
        var fig = Fig.Of(trace.GateHeatmaps());
        var channels = GateVocabulary.DefaultChannels(CellKind.Lstm);
        Assert.Equal(2 * 2 * channels.Count, fig.Count);
        int p = 0;
        foreach (int layer in new[] { 0, 1 })
            foreach (var direction in new[] { Direction.Forward, Direction.Reverse })
                foreach (var channel in channels)
                {
                    var expected = trace.Layer(layer, direction).UnitByStep(channel);
                    Assert.Equal(expected, Fig.Matrix(fig.Trace(p)["z"]));
                    Assert.Contains($"layer {layer} {(direction == Direction.Forward ? "forward" : "reverse")}, unit %{{y}}", (string)fig.Trace(p)["hovertemplate"]!);
                    p++;
                }
        Assert.EndsWith("(2 layers, forward and reverse)", fig.Title);
        // The reverse pass differs from the forward one, so the panels are not copies.
        Assert.NotEqual(Fig.Matrix(fig.Trace(0)["z"]), Fig.Matrix(fig.Trace(channels.Count)["z"]));
    }

    [Fact]
    public void OneDirectionOnRequest()
    {
        var trace = BiTrace();
        var fig = Fig.Of(trace.GateHeatmaps(new GateHeatmapOptions().WithDirection(Direction.Reverse).WithChannels(TraceChannel.ForgetGate)));
        Assert.Equal(1, fig.Count);
        Assert.Equal(trace.Layer(0, Direction.Reverse).UnitByStep(TraceChannel.ForgetGate), Fig.Matrix(fig.Trace(0)["z"]));
        Assert.EndsWith("(layer 0 reverse)", fig.Title);
        // A unidirectional trace keeps its words: no direction where there is only one.
        Assert.EndsWith("(layer 0)", Fig.Of(Models.LstmTrace().GateHeatmaps()).Title);
    }

    [Fact]
    public void AReversePassOfAUnidirectionalTraceIsRefused()
    {
        var trace = Models.LstmTrace();
        var e = Assert.Throws<ArgumentException>(() => trace.GateHeatmaps(new GateHeatmapOptions { Direction = Direction.Reverse }));
        Assert.Contains("Direction Reverse does not exist: this trace is of a unidirectional model", e.Message);
        Assert.Contains("Hint: Direction.Forward, or trace a model built WithBidirectional().", e.Message);
        Assert.Throws<ArgumentException>(() => trace.StateLines([0], new StateLineOptions().WithDirection(Direction.Reverse)));
        Assert.Throws<ArgumentException>(() => TraceMeasures.WriteMatrix(trace, direction: Direction.Reverse));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StateLineOptions { Direction = (Direction)7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GateHeatmapOptions().WithDirection((Direction)2));
    }

    [Fact]
    public void StateLinesAndUnitChartsReadTheChosenPass()
    {
        var trace = BiTrace();
        var reverse = trace.Layer(0, Direction.Reverse);
        var lines = Fig.Of(trace.StateLines([1], new StateLineOptions().WithDirection(Direction.Reverse)));
        Assert.Equal(reverse.Series(TraceChannel.CellState, 1), Fig.Doubles(lines.Trace(0)["y"]));
        Assert.Equal(reverse.Series(TraceChannel.HiddenState, 1), Fig.Doubles(lines.Trace(1)["y"]));
        Assert.EndsWith("layer 0 reverse", lines.Title);
        var forward = Fig.Of(trace.StateLines([1]));
        Assert.Equal(trace.Layer(0).Series(TraceChannel.CellState, 1), Fig.Doubles(forward.Trace(0)["y"]));

        var quantity = Enumerable.Range(0, trace.Steps).Select(t => (double)t).ToArray();
        var unit = Fig.Of(trace.UnitVsQuantity(2, quantity, new UnitQuantityOptions().WithDirection(Direction.Reverse)));
        Assert.Equal(reverse.Series(TraceChannel.CellState, 2), Fig.Doubles(unit.Trace(0)["y"]));
        Assert.Contains("(layer 0 reverse)", unit.Title);

        var series = NamedSeries.FromCellState("reverse", trace, direction: Direction.Reverse);
        Assert.Equal(TraceMeasures.CellMagnitudes(trace, 0, CellMagnitude.MaxOverUnits, Direction.Reverse), series.Values);
        Assert.Equal(Enumerable.Range(0, trace.Steps).Select(t => Enumerable.Range(0, 3).Max(u => Math.Abs(reverse[TraceChannel.CellState, t, u]))),
            series.Values);
    }

    [Fact]
    public void TheReverseWalkKeepsWhatTheLaterStepHeld()
    {
        // The reverse pass runs T−1 → 0: c_t = f_t·c_{t+1} + i_t·g_t, with c_T = 0.
        var trace = BiTrace(steps: 8);
        var reverse = trace.Layer(0, Direction.Reverse);
        var fig = Fig.Of(trace.CellStateWalk([0], new CellStateWalkOptions().WithDirection(Direction.Reverse)));
        var kept = Fig.Doubles(fig.Trace(0)["y"]);
        var written = Fig.Doubles(fig.Trace(1)["y"]);
        var c = Fig.Doubles(fig.Trace(2)["y"]);
        var f = reverse.Series(TraceChannel.ForgetGate, 0);
        Assert.Equal(reverse.Series(TraceChannel.CellState, 0), c);
        Assert.Equal(0.0, kept[^1]);
        for (int t = 0; t < c.Length; t++)
        {
            Assert.Equal(t == c.Length - 1 ? 0.0 : f[t] * c[t + 1], kept[t]);
            Assert.Equal(c[t], kept[t] + written[t], 12);
        }
        Assert.Contains("layer 0 reverse", fig.Title);
    }

    [Fact]
    public void WritesAndCarriersPerDirection()
    {
        var trace = BiTrace();
        var reverse = trace.Layer(0, Direction.Reverse);
        var write = TraceMeasures.WriteMatrix(trace, direction: Direction.Reverse);
        for (int t = 0; t < trace.Steps; t++)
            for (int u = 0; u < 3; u++)
                Assert.Equal(reverse[TraceChannel.InputGate, t, u] * reverse[TraceChannel.InputModulationGate, t, u], write[t][u]);
        var fig = Fig.Of(trace.WriteEvents([0], new WriteEventOptions().WithDirection(Direction.Reverse)));
        Assert.Equal(Enumerable.Range(0, 3).Select(u => Enumerable.Range(0, trace.Steps).Select(t => write[t][u]).ToArray()), Fig.Matrix(fig.Trace(0)["z"]));
        Assert.EndsWith("(layer 0 reverse)", fig.Title);

        // The reverse pass has read every step by step 0: rank its units there.
        var model = BiLstm();
        var traces = Enumerable.Range(0, 4).Select(k => model.Trace(Sequence.FromFlat<double>(
            Enumerable.Range(0, 10).Select(i => Math.Sin(0.3 * (i + 3 * k))).ToArray(), 5, 2))).ToArray();
        var quantity = new[] { 0.0, 1, 0, 1 };
        var carriers = TraceMeasures.Carriers(traces, quantity, 0, direction: Direction.Reverse);
        Assert.Equal(3, carriers.Count);
        var best = carriers[0].Unit;
        var values = traces.Select(tr => tr.Layer(0, Direction.Reverse)[TraceChannel.CellState, 0, best]).ToArray();
        Assert.Equal(TraceMeasures.Correlation(values, quantity), carriers[0].Correlation, 12);
    }

    [Fact]
    public void SaturationIsMeasuredPerLayerAndDirection()
    {
        var trace = BiTrace(layers: 2);
        var measured = TraceMeasures.Saturation([trace]);
        Assert.Equal(2 * 2 * 3, measured.Count); // layers × directions × (i, f, o)
        Assert.Equal([Direction.Forward, Direction.Forward, Direction.Forward, Direction.Reverse, Direction.Reverse, Direction.Reverse],
            measured.Take(6).Select(m => m.Direction));
        var f = measured.Single(m => m is { Layer: 1, Direction: Direction.Reverse, Gate: TraceChannel.ForgetGate });
        var values = trace.Layer(1, Direction.Reverse).Values(TraceChannel.ForgetGate).ToArray();
        Assert.Equal(values.Count(v => v < 0.1) / (double)values.Length, f.Closed);
        Assert.Equal(values.Count(v => v > 0.9) / (double)values.Length, f.Open);
        var fig = Fig.Of(trace.GateSaturation());
        Assert.Contains("layer 1 reverse", Fig.Strings(fig.Trace(0)["x"]![0]));
        Assert.DoesNotContain(TraceMeasures.Saturation([Models.LstmTrace()]), m => m.Direction == Direction.Reverse);
    }

    [Fact]
    public void GradientFlowOfTheReversePassCountsLagFromStepZero()
    {
        var sample = Sample.Create(Sequence.FromScalars(Enumerable.Range(0, 10).Select(t => Math.Cos(0.5 * t))), 0.3);
        var flow = LstmNotebooks.Lstm.Create(1, 4).WithBidirectional().WithHead(Head.Regression(1)).WithSeed(1).Build<double>().GradientFlow(sample);
        var fig = Fig.Of(GradientCharts.FlowVsLag([new NamedGradientFlow("BiLSTM", flow)], new GradientFlowOptions().WithDirection(Direction.Reverse)));
        var norms = flow.CellNorms(0, Direction.Reverse);
        Assert.Equal(norms.Where(v => v > 0).ToArray(), Fig.NullableDoubles(fig.Trace(0)["y"]).Where(v => v is not null).Select(v => v!.Value).ToArray());
        Assert.Equal(norms[0], Fig.NullableDoubles(fig.Trace(0)["y"])[0]);
        Assert.Equal(Enumerable.Range(0, 10), Fig.Ints(fig.Trace(0)["customdata"]));
        Assert.Contains("reverse", fig.Title);
        var forward = Fig.Of(GradientCharts.FlowVsLag([new NamedGradientFlow("BiLSTM", flow)]));
        Assert.Equal(flow.CellNorms(0)[^1], Fig.NullableDoubles(forward.Trace(0)["y"])[0]);

        // Why the lag counts from step 0 going back: there the last-step head reads the reverse h_n, so a vanilla RNN's
        // reverse signal fades with t, its forward signal with T−1−t.
        var rnn = Rnn.Create(1, 4).WithBidirectional().WithHead(Head.Regression(1)).WithSeed(1).Build<double>().GradientFlow(sample);
        var back = rnn.HiddenNorms(0, Direction.Reverse);
        var ahead = rnn.HiddenNorms(0);
        Assert.True(back[0] > 10 * back[^1], $"reverse ‖∂L/∂h‖ at step 0 {back[0]:E2}, at the last step {back[^1]:E2}");
        Assert.True(ahead[^1] > 10 * ahead[0], $"forward ‖∂L/∂h‖ at the last step {ahead[^1]:E2}, at step 0 {ahead[0]:E2}");

        var uni = LstmNotebooks.Lstm.Create(1, 4).WithHead(Head.Regression(1)).Build<double>().GradientFlow(sample);
        var e = Assert.Throws<ArgumentException>(() => GradientCharts.FlowVsLag([new NamedGradientFlow("LSTM", uni)], new GradientFlowOptions { Direction = Direction.Reverse }));
        Assert.Contains("'LSTM' is unidirectional", e.Message);
        Assert.Contains("Hint:", e.Message);
    }

    [Fact]
    public void ThePaletteReadsTheCoresGateTable()
    {
        // Every channel takes its palette key's color (the table decides which key), and every gate its value channel's.
        foreach (var channel in Enum.GetValues<TraceChannel>())
            Assert.Equal(GatePalette.Color(ChannelDefinitions.Of(channel).PaletteKey), GatePalette.Color(channel));
        foreach (var cell in CellDefinition.All)
            foreach (var block in cell.Gates)
                Assert.Equal(GatePalette.Color(block.Channel!.Value), GatePalette.Color(block.Gate!.Value));
        Assert.Equal(GatePalette.HiddenState, GatePalette.Color(TraceChannel.CellOutput));
        Assert.Equal(GatePalette.HiddenState, GatePalette.Color(TraceChannel.HiddenPreActivation));
        Assert.Throws<ArgumentOutOfRangeException>(() => GatePalette.Color((Gate)99));
    }
}
