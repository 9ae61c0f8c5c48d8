using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

public class GateChartTests
{
    private static readonly TraceChannel[] LstmOrder =
        [TraceChannel.InputGate, TraceChannel.ForgetGate, TraceChannel.InputModulationGate, TraceChannel.OutputGate, TraceChannel.CellState, TraceChannel.HiddenState];

    [Fact]
    public void OneHeatmapPerChannelWithTheTraceValues()
    {
        var trace = Models.LstmTrace();
        var fig = Fig.Of(trace.GateHeatmaps());
        Assert.Equal(6, fig.Count);
        for (int p = 0; p < 6; p++)
        {
            var t = fig.Trace(p);
            var channel = LstmOrder[p];
            Assert.Equal("heatmap", fig.Type(p));
            var z = Fig.Matrix(t["z"]);
            var expected = trace[0].UnitByStep(channel);
            Assert.Equal(3, z.Length);
            for (int u = 0; u < 3; u++) Assert.Equal(expected[u], z[u]);
            Assert.Equal(Enumerable.Range(0, 7), Fig.Ints(t["x"]));
            Assert.Equal(Enumerable.Range(0, 3), Fig.Ints(t["y"]));
            Assert.Equal(p == 0 ? "x" : $"x{p + 1}", (string)t["xaxis"]!);
            Assert.Equal(p == 0 ? "y" : $"y{p + 1}", (string)t["yaxis"]!);
            string hover = (string)t["hovertemplate"]!;
            Assert.Contains(GateVocabulary.Describe(channel), hover);
            Assert.Contains("unit %{y}", hover);
            Assert.Contains("step %{x}", hover);
            Assert.Contains("%{z:.4f}", hover);
            // The colour scale ends in the gate's palette colour.
            var scale = t["colorscale"]!.AsArray();
            Assert.Equal(GatePalette.Color(channel), (string)scale[^1]![1]!);
        }
    }

    [Fact]
    public void NicknamesAppearInHoverAndPanelTitles()
    {
        var fig = Fig.Of(GateCharts.GateHeatmaps(Models.LstmTrace()));
        string hovers = string.Join("\n", fig.Data.Select(t => (string)t!["hovertemplate"]!));
        string notes = string.Join("\n", fig.Layout["annotations"]!.AsArray().Select(a => (string)a!["text"]!));
        foreach (var words in new[] { "remember vector", "save vector", "focus vector", "tanh candidate", "long-term memory", "working memory" })
        {
            Assert.Contains(words, hovers);
            Assert.Contains(words, notes);
        }
    }

    [Fact]
    public void ColorRangesFollowTheMath()
    {
        var trace = Models.LstmTrace();
        var fig = Fig.Of(trace.GateHeatmaps());
        Assert.Equal((0.0, 1.0), ((double)fig.Trace(1)["zmin"]!, (double)fig.Trace(1)["zmax"]!)); // f: sigmoid
        Assert.Equal((-1.0, 1.0), ((double)fig.Trace(2)["zmin"]!, (double)fig.Trace(2)["zmax"]!)); // g: tanh
        double maxC = Math.Max(1, trace[0].Values(TraceChannel.CellState).ToArray().Max(Math.Abs));
        Assert.Equal(-maxC, (double)fig.Trace(4)["zmin"]!);
        Assert.Equal(maxC, (double)fig.Trace(4)["zmax"]!);
    }

    [Fact]
    public void XAxesAreLinkedAndTitled()
    {
        var fig = Fig.Of(Models.LstmTrace().GateHeatmaps());
        Assert.Null(fig.AxisProp("xaxis", "matches"));
        for (int k = 2; k <= 6; k++) Assert.Equal("x", fig.AxisProp($"xaxis{k}", "matches"));
        Assert.Equal("time step", fig.AxisTitle("xaxis6"));
        Assert.Equal("f · unit", fig.AxisTitle("yaxis2"));
        Assert.Equal("c · unit", fig.AxisTitle("yaxis5"));
        // The title names the cell kind and the layer; a given title replaces it as is.
        Assert.Contains(GateVocabulary.CellName(CellKind.Lstm), fig.Title);
        Assert.Contains("layer 0", fig.Title);
        Assert.Equal("my own title", Fig.Of(Models.LstmTrace().GateHeatmaps(new GateHeatmapOptions().WithTitle("my own title"))).Title);
        // Panels are stacked without overlapping.
        var domains = Enumerable.Range(1, 6).Select(k => Fig.Doubles(fig.Layout[k == 1 ? "yaxis" : $"yaxis{k}"]!["domain"])).ToArray();
        for (int k = 1; k < 6; k++) Assert.True(domains[k][1] <= domains[k - 1][0]);
    }

    [Fact]
    public void AllLayersOrOneLayer()
    {
        var trace = Models.LstmTrace(layers: 2);
        var all = Fig.Of(trace.GateHeatmaps());
        Assert.Equal(12, all.Count);
        Assert.Equal(trace[1].UnitByStep(TraceChannel.OutputGate)[2], Fig.Matrix(all.Trace(9)["z"])[2]);
        Assert.Contains("layer 1", (string)all.Trace(9)["hovertemplate"]!);
        var one = Fig.Of(trace.GateHeatmaps(new GateHeatmapOptions { Layer = 1, Channels = [TraceChannel.ForgetGate, TraceChannel.CellState] }));
        Assert.Equal(2, one.Count);
        Assert.Equal(trace[1].UnitByStep(TraceChannel.CellState)[0], Fig.Matrix(one.Trace(1)["z"])[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.GateHeatmaps(new GateHeatmapOptions { Layer = 2 }));
    }

    [Fact]
    public void StepLabelsBecomeTicksAndHover()
    {
        var labels = new[] { "A", "x", "y", "x", "y", "x", "?" };
        var fig = Fig.Of(Models.LstmTrace().GateHeatmaps(new GateHeatmapOptions { StepLabels = labels }));
        Assert.Equal(labels, Fig.Strings(fig.Layout["xaxis6"]!["ticktext"]));
        Assert.Contains("%{customdata}", (string)fig.Trace(0)["hovertemplate"]!);
        Assert.Throws<ArgumentException>(() => Models.LstmTrace().GateHeatmaps(new GateHeatmapOptions { StepLabels = ["A"] }));
    }

    [Fact]
    public void GruAndRnnTracesUseTheirOwnChannels()
    {
        var gru = Gru.Create(2, 3).WithHead(Head.Regression(1)).Build<double>().Trace(Models.Input());
        var fig = Fig.Of(gru.GateHeatmaps());
        Assert.Equal(4, fig.Count);
        Assert.Contains("reset gate r", (string)fig.Trace(0)["hovertemplate"]!);
        var e = Assert.Throws<ArgumentException>(() => gru.GateHeatmaps(new GateHeatmapOptions { Channels = [TraceChannel.ForgetGate] }));
        Assert.Contains("has no ForgetGate", e.Message);
        var rnn = Rnn.Create(2, 3).Build<double>().Trace(Models.Input());
        Assert.Equal(2, Fig.Of(rnn.GateHeatmaps()).Count);
    }

    [Fact]
    public void PaletteGivesEveryGateItsOwnColor()
    {
        var channels = LstmOrder.Concat([TraceChannel.ResetGate, TraceChannel.UpdateGate, TraceChannel.NewGate]).ToArray();
        Assert.Equal(channels.Length, channels.Select(GatePalette.Color).Distinct().Count());
        Assert.Equal(GatePalette.Color(TraceChannel.ForgetGate), GatePalette.Color(TraceChannel.ForgetGatePreActivation));
        Assert.Equal(GatePalette.Color(TraceChannel.ForgetGate), GatePalette.Color(Gate.Forget));
        Assert.Equal("#FFFFFF", GatePalette.Shade("#000000", 1));
        Assert.Equal("#000000", GatePalette.Shade("#FFFFFF", -1));
        Assert.Equal(3, GatePalette.Shades(GatePalette.CellState, 3).Distinct().Count());
    }
}
