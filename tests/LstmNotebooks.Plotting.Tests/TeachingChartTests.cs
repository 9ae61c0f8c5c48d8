using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

/// <summary>The builders the teaching notebooks draw from a trace: update ranges, the cell-state walk, write events,
/// gate subsets, saturation and an interpretable unit.</summary>
public class TeachingChartTests
{
    [Fact]
    public void UpdateRangeShowsThatSigmoidTimesSigmoidOnlyAdds()
    {
        var fig = Fig.Of(ActivationCharts.UpdateRange(new UpdateRangeOptions().WithInputGateValues(0.5, 1.0).WithRange(-4, 4)));
        Assert.Equal(4, fig.Count);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal("scatter", fig.Type(i)));
        var x = Fig.Doubles(fig.Trace(0)["x"]);
        Assert.Equal(-4, x[0]);
        Assert.Equal(4, x[^1]);
        double[] gates = [0.5, 1.0, 0.5, 1.0];
        for (int k = 0; k < 4; k++)
        {
            var y = Fig.Doubles(fig.Trace(k)["y"]);
            bool tanh = k < 2;
            for (int j = 0; j < x.Length; j++)
                Assert.Equal(gates[k] * (tanh ? Math.Tanh(x[j]) : 1 / (1 + Math.Exp(-x[j]))), y[j], 12);
            // σ·tanh reaches below zero (memory can move down); σ·σ never does.
            Assert.Equal(tanh, y.Min() < 0);
            Assert.Equal(tanh ? "tanh" : "sigmoid", (string)fig.Trace(k)["legendgroup"]!);
        }
        var bands = fig.Shapes.Where(s => (string)s["type"]! == "rect").Select(s => ((double)s["y0"]!, (double)s["y1"]!)).ToArray();
        Assert.Contains((-1.0, 1.0), bands);
        Assert.Contains((0.0, 1.0), bands);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpdateRangeOptions().WithInputGateValues(1.5));
        Assert.Throws<ArgumentException>(() => new UpdateRangeOptions { InputGateValues = [] });
    }

    [Fact]
    public void CellStateWalkTermsAddUpToTheCellState()
    {
        var trace = Models.LstmTrace(steps: 9);
        var fig = Fig.Of(trace.CellStateWalk([0, 2]));
        // per unit: kept bars, written bars, c line
        Assert.Equal(["bar", "bar", "scatter", "bar", "bar", "scatter"], Enumerable.Range(0, 6).Select(fig.Type));
        Assert.Equal("relative", (string)fig.Layout["barmode"]!);
        for (int p = 0; p < 2; p++)
        {
            int unit = p == 0 ? 0 : 2;
            var kept = Fig.Doubles(fig.Trace(3 * p)["y"]);
            var written = Fig.Doubles(fig.Trace(3 * p + 1)["y"]);
            var c = Fig.Doubles(fig.Trace(3 * p + 2)["y"]);
            var f = trace[0].Series(TraceChannel.ForgetGate, unit);
            Assert.Equal(trace[0].Series(TraceChannel.CellState, unit), c);
            Assert.Equal(f[0] * 0.0, kept[0]); // c_{-1} = 0: the trace starts from a zero state
            for (int t = 0; t < 9; t++)
            {
                Assert.Equal(c[t], kept[t] + written[t], 12);
                Assert.Equal(trace[0][TraceChannel.InputGate, t, unit] * trace[0][TraceChannel.InputModulationGate, t, unit], written[t], 15);
            }
            string axis = p == 0 ? "" : "2";
            Assert.All(Enumerable.Range(3 * p, 3), i => Assert.Equal("y" + axis, (string)fig.Trace(i)["yaxis"]!));
        }
        // One legend entry per term, not per unit.
        Assert.Equal(3, fig.Data.Count(t => (bool?)t!["showlegend"] != false));
        Assert.Contains("remember vector", (string)fig.Trace(0)["name"]!);
        Assert.Contains("save vector", (string)fig.Trace(1)["name"]!);
        Assert.Contains("long-term memory", (string)fig.Trace(2)["name"]!);
        Assert.Equal("x", fig.AxisProp("xaxis2", "matches"));

        var lines = Fig.Of(trace.CellStateWalk([1], new CellStateWalkOptions().WithStyle(WalkStyle.Lines)));
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal("scatter", lines.Type(i)));
        Assert.Null(lines.Layout["barmode"]);
        Assert.Equal("group", (string)Fig.Of(trace.CellStateWalk([1], new CellStateWalkOptions { Style = WalkStyle.PairedBars })).Layout["barmode"]!);

        var rnn = Rnn.Create(2, 3).Build<double>().Trace(Models.Input());
        Assert.Contains("Only an LSTM", Assert.Throws<ArgumentException>(() => rnn.CellStateWalk([0])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.CellStateWalk([3]));
    }

    [Fact]
    public void HeatmapsForAChosenSubsetOfChannelsAndUnits()
    {
        var trace = Models.LstmTrace();
        var fig = Fig.Of(trace.GateHeatmaps(new GateHeatmapOptions().WithChannels(TraceChannel.OutputGate, TraceChannel.HiddenState).WithUnits(2, 0)));
        Assert.Equal(2, fig.Count);
        for (int p = 0; p < 2; p++)
        {
            var channel = p == 0 ? TraceChannel.OutputGate : TraceChannel.HiddenState;
            var z = Fig.Matrix(fig.Trace(p)["z"]);
            Assert.Equal([trace[0].Series(channel, 2), trace[0].Series(channel, 0)], z);
            Assert.Equal([2, 0], Fig.Ints(fig.Trace(p)["y"]));
            Assert.Equal("category", fig.AxisProp(p == 0 ? "yaxis" : "yaxis2", "type"));
        }
        Assert.Contains("focus vector", (string)fig.Trace(0)["hovertemplate"]!);
        Assert.Contains("working memory", (string)fig.Trace(1)["hovertemplate"]!);
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.GateHeatmaps(new GateHeatmapOptions().WithUnits(3)));
        Assert.Throws<ArgumentException>(() => new GateHeatmapOptions { Units = [] });
    }

    [Fact]
    public void WriteEventsCompareTheInformativeStepWithTheDistractors()
    {
        var trace = Models.LstmTrace(steps: 8);
        var fig = Fig.Of(trace.WriteEvents([0, 4]));
        Assert.Equal(["heatmap", "bar", "bar"], Enumerable.Range(0, 3).Select(fig.Type));
        var z = Fig.Matrix(fig.Trace(0)["z"]);
        var write = TraceMeasures.WriteMatrix(trace);
        for (int u = 0; u < 3; u++)
            for (int t = 0; t < 8; t++)
                Assert.Equal(trace[0][TraceChannel.InputGate, t, u] * trace[0][TraceChannel.InputModulationGate, t, u], z[u][t], 15);
        Assert.Equal(write[5][1], z[1][5]);
        var summary = TraceMeasures.Writes(trace, [0, 4]);
        for (int u = 0; u < 3; u++)
        {
            Assert.Equal((Math.Abs(write[0][u]) + Math.Abs(write[4][u])) / 2, summary[u].Informative, 15);
            Assert.Equal(new[] { 1, 2, 3, 5, 6, 7 }.Average(t => Math.Abs(write[t][u])), summary[u].Distractors, 15);
        }
        Assert.Equal(summary.Select(s => s.Informative), Fig.Doubles(fig.Trace(1)["y"]));
        Assert.Equal(summary.Select(s => s.Distractors), Fig.Doubles(fig.Trace(2)["y"]));
        Assert.Equal(["unit 0", "unit 1", "unit 2"], Fig.Strings(fig.Trace(1)["x"]));
        Assert.Equal("x2", (string)fig.Trace(1)["xaxis"]!);
        // The informative steps are outlined in the heatmap.
        var outlines = fig.Shapes.Where(s => (string)s["type"]! == "rect").Select(s => ((double)s["x0"]!, (double)s["x1"]!)).ToArray();
        Assert.Equal([(-0.5, 0.5), (3.5, 4.5)], outlines);

        Assert.Throws<ArgumentException>(() => TraceMeasures.Writes(trace, [1], distractorSteps: [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.WriteEvents([8]));
        var gru = Gru.Create(2, 3).WithHead(Head.Regression(1)).Build<double>().Trace(Models.Input());
        Assert.Throws<ArgumentException>(() => gru.WriteEvents([0]));
    }

    [Fact]
    public void SaturationCountsGateValuesNearEitherEnd()
    {
        var traces = new[] { Models.LstmTrace(layers: 2, steps: 5), Models.Lstm(layers: 2).Trace(Models.Input(6)) };
        var measured = TraceMeasures.Saturation(traces, low: 0.3, high: 0.6);
        Assert.Equal(6, measured.Count); // 2 layers × i, f, o
        Assert.Equal([TraceChannel.InputGate, TraceChannel.ForgetGate, TraceChannel.OutputGate], measured.Take(3).Select(m => m.Gate));
        foreach (var m in measured)
        {
            var values = traces.SelectMany(t => t[m.Layer].Values(m.Gate).ToArray()).ToArray();
            Assert.Equal(values.Length, m.Values);
            Assert.Equal(values.Count(v => v < 0.3) / (double)values.Length, m.Closed, 15);
            Assert.Equal(values.Count(v => v > 0.6) / (double)values.Length, m.Open, 15);
        }
        var fig = Fig.Of(GateCharts.Saturation(traces, new GateSaturationOptions().WithThresholds(0.3, 0.6)));
        Assert.Equal(3, fig.Count);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal("bar", fig.Type(i)));
        Assert.Equal("stack", (string)fig.Layout["barmode"]!);
        // Two-level categories: layer, then gate.
        var x = fig.Trace(0)["x"]!.AsArray();
        Assert.Equal(["layer 0", "layer 0", "layer 0", "layer 1", "layer 1", "layer 1"], Fig.Strings(x[0]));
        Assert.Equal(["i", "f", "o", "i", "f", "o"], Fig.Strings(x[1]));
        var closed = Fig.Doubles(fig.Trace(0)["y"]);
        var between = Fig.Doubles(fig.Trace(1)["y"]);
        var open = Fig.Doubles(fig.Trace(2)["y"]);
        for (int k = 0; k < 6; k++)
        {
            Assert.Equal(measured[k].Closed, closed[k]);
            Assert.Equal(measured[k].Open, open[k]);
            Assert.Equal(1.0, closed[k] + between[k] + open[k], 12);
        }
        // Each bar in its gate's color (darker for closed).
        Assert.Equal(GatePalette.Shade(GatePalette.ForgetGate, -0.35), Fig.Strings(fig.Trace(0)["marker"]!["color"])[1]);

        var gru = Gru.Create(2, 3).Build<double>().Trace(Models.Input());
        Assert.Equal([TraceChannel.ResetGate, TraceChannel.UpdateGate], TraceMeasures.Saturation([gru]).Select(m => m.Gate));
        Assert.Throws<ArgumentException>(() => TraceMeasures.Saturation([Rnn.Create(2, 3).Build<double>().Trace(Models.Input())]));
        Assert.Throws<ArgumentException>(() => TraceMeasures.Saturation(new[] { traces[0], gru }));
        Assert.Throws<ArgumentException>(() => GateCharts.Saturation([new GateSaturation(0, TraceChannel.InputGate, 0.7, 0.5, 10)]));
    }

    [Fact]
    public void AUnitAgainstATaskQuantity()
    {
        var trace = Models.LstmTrace(steps: 9);
        double[] depth = [0, 1, 2, 1, 2, 3, 2, 1, 0];
        var fig = Fig.Of(trace.UnitVsQuantity(1, depth, new UnitQuantityOptions().WithQuantityLabel("bracket depth")));
        Assert.Equal(3, fig.Count);
        var c = trace[0].Series(TraceChannel.CellState, 1);
        Assert.Equal(c, Fig.Doubles(fig.Trace(0)["y"]));
        Assert.Equal(depth, Fig.Doubles(fig.Trace(1)["y"]));
        Assert.Equal("hv", (string)fig.Trace(1)["line"]!["shape"]!);
        Assert.Equal("y2", (string)fig.Trace(1)["yaxis"]!);
        Assert.Equal("y", fig.AxisProp("yaxis2", "overlaying"));
        Assert.Equal(depth, Fig.Doubles(fig.Trace(2)["x"]));
        Assert.Equal(c, Fig.Doubles(fig.Trace(2)["y"]));
        Assert.Equal("markers", (string)fig.Trace(2)["mode"]!);
        double r = TraceMeasures.Correlation(c, depth);
        Assert.Contains($"r = {r:F3}", fig.Notes);
        Assert.Equal("bracket depth", fig.AxisTitle("xaxis2"));
        Assert.Throws<ArgumentException>(() => trace.UnitVsQuantity(1, [1.0, 2.0]));
        var rnn = Rnn.Create(2, 3).Build<double>().Trace(Models.Input());
        Assert.Throws<ArgumentException>(() => rnn.UnitVsQuantity(0, new double[7]));
        Assert.Equal(3, Fig.Of(rnn.UnitVsQuantity(0, Enumerable.Range(0, 7).Select(k => (double)k).ToArray(),
            new UnitQuantityOptions { Channel = TraceChannel.HiddenState })).Count);
    }

    [Fact]
    public void CorrelationIsPearson()
    {
        Assert.Equal(1.0, TraceMeasures.Correlation([1, 2, 3], [2, 4, 6]), 15);
        Assert.Equal(-1.0, TraceMeasures.Correlation([1, 2, 3], [3, 2, 1]), 15);
        Assert.True(double.IsNaN(TraceMeasures.Correlation([1, 1, 1], [1, 2, 3])));
        Assert.Throws<ArgumentException>(() => TraceMeasures.Correlation([1, 2], [1]));
    }
}
