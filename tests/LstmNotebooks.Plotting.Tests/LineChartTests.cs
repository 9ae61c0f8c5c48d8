using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

public class StateAndActivationChartTests
{
    [Fact]
    public void StateLinesDrawCellAndHiddenForChosenUnitsWithTheGapMarked()
    {
        var trace = Models.LstmTrace(steps: 9);
        var fig = Fig.Of(trace.StateLines([0, 2], new StateLineOptions { ArrivalStep = 1, RecallStep = 7 }));
        // c unit 0, c unit 2, c markers, h unit 0, h unit 2, h markers
        Assert.Equal(6, fig.Count);
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal("scatter", fig.Type(i)));
        var c2 = fig.TraceNamed("c unit 2")!;
        Assert.Equal(trace[0].Series(TraceChannel.CellState, 2), Fig.Doubles(c2["y"]));
        Assert.Equal(Enumerable.Range(0, 9), Fig.Ints(c2["x"]));
        Assert.Contains("long-term memory", (string)c2["hovertemplate"]!);
        Assert.Contains("unit 2", (string)c2["hovertemplate"]!);
        var h0 = fig.TraceNamed("h unit 0")!;
        Assert.Equal(trace[0].Series(TraceChannel.HiddenState, 0), Fig.Doubles(h0["y"]));
        Assert.Equal("y2", (string)h0["yaxis"]!);
        Assert.Contains("working memory", (string)h0["hovertemplate"]!);

        var markers = fig.TraceNamed("c at arrival / recall")!;
        Assert.Equal(new[] { 1, 7, 1, 7 }, Fig.Ints(markers["x"]));
        var c0 = trace[0].Series(TraceChannel.CellState, 0);
        var c2v = trace[0].Series(TraceChannel.CellState, 2);
        Assert.Equal(new[] { c0[1], c0[7], c2v[1], c2v[7] }, Fig.Doubles(markers["y"]));
        // plotly.js symbol numbers, as Plotly.NET writes them: 5 = triangle-up (arrival), 17 = star (recall).
        Assert.Equal(new[] { "5", "17", "5", "17" }, Fig.Strings(markers["marker"]!["symbol"]));

        var shapes = fig.Layout["shapes"]!.AsArray();
        Assert.Contains(shapes, s => (string)s!["type"]! == "line" && (double)s["x0"]! == 1);
        Assert.Contains(shapes, s => (string)s!["type"]! == "line" && (double)s["x0"]! == 7);
        Assert.Contains(shapes, s => (string)s!["type"]! == "rect" && (double)s["x0"]! == 1 && (double)s["x1"]! == 7);
        var notes = fig.Layout["annotations"]!.AsArray().Select(a => (string)a!["text"]!).ToArray();
        Assert.Contains("information arrives (step 1)", notes);
        Assert.Contains("recalled (step 7)", notes);
        Assert.Contains("gap: 6 steps", notes);
        Assert.Equal("time step", fig.AxisTitle("xaxis2"));
        Assert.Equal("c (long-term memory)", fig.AxisTitle("yaxis"));
        Assert.Equal("h (working memory)", fig.AxisTitle("yaxis2"));
        Assert.Equal("x", fig.AxisProp("xaxis2", "matches"));
        // Units of one channel share its hue in different shades.
        Assert.Equal(GatePalette.Shades(GatePalette.CellState, 2)[1], (string)c2["line"]!["color"]!);
    }

    [Fact]
    public void RnnStateLinesHaveOnlyTheHiddenState()
    {
        var trace = Rnn.Create(2, 4).Build<double>().Trace(Models.Input());
        var fig = Fig.Of(trace.StateLines([3]));
        Assert.Equal(1, fig.Count);
        Assert.Equal("h unit 3", (string)fig.Trace(0)["name"]!);
        Assert.Contains("RNN", fig.Title);
        Assert.DoesNotContain("cell state", fig.Title, StringComparison.OrdinalIgnoreCase); // an RNN has none
    }

    [Fact]
    public void StateLinesRejectBadUnitsAndSteps()
    {
        var trace = Models.LstmTrace();
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.StateLines([3]));
        Assert.Throws<ArgumentException>(() => trace.StateLines([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.StateLines([0], new StateLineOptions { RecallStep = 7 }));
        var e = Assert.Throws<ArgumentException>(() => trace.StateLines([0], new StateLineOptions { ArrivalStep = 5, RecallStep = 2 }));
        Assert.Contains("before the arrival step", e.Message);
    }

    [Fact]
    public void SigmoidAndTanhCurvesWithTheirRanges()
    {
        var fig = Fig.Of(ActivationCharts.SigmoidAndTanh(new ActivationChartOptions { From = -4, To = 4, Points = 81 }));
        Assert.Equal(4, fig.Count);
        var x = Fig.Doubles(fig.Trace(0)["x"]);
        var sigma = Fig.Doubles(fig.Trace(0)["y"]);
        var tanh = Fig.Doubles(fig.Trace(1)["y"]);
        Assert.Equal(81, x.Length);
        Assert.Equal(-4, x[0]);
        Assert.Equal(4, x[^1]);
        Assert.Equal(0.5, sigma[40], 12);
        Assert.Equal(0.0, tanh[40], 12);
        for (int k = 0; k < x.Length; k++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-x[k])), sigma[k], 12);
            Assert.Equal(Math.Tanh(x[k]), tanh[k], 12);
            Assert.InRange(sigma[k], 0, 1);
            Assert.InRange(tanh[k], -1, 1);
        }
        Assert.Equal(0.25, Fig.Doubles(fig.Trace(2)["y"]).Max(), 12);
        Assert.Equal(1.0, Fig.Doubles(fig.Trace(3)["y"]).Max(), 12);
        Assert.Equal(GatePalette.Tanh, (string)fig.Trace(1)["line"]!["color"]!);
        Assert.Equal(GatePalette.InputModulationGate, GatePalette.Tanh); // g is the tanh gate: same colour
        var bands = fig.Layout["shapes"]!.AsArray().Where(s => (string)s!["type"]! == "rect").Select(s => ((double)s!["y0"]!, (double)s["y1"]!)).ToArray();
        Assert.Contains((0.0, 1.0), bands);
        Assert.Contains((-1.0, 1.0), bands);
        Assert.Equal("pre-activation x (dimensionless)", fig.AxisTitle("xaxis"));
        Assert.Equal("activation (dimensionless)", fig.AxisTitle("yaxis"));
        Assert.Equal(2, Fig.Of(ActivationCharts.SigmoidAndTanh(new ActivationChartOptions { ShowDerivatives = false })).Count);
        Assert.Throws<ArgumentException>(() => ActivationCharts.SigmoidAndTanh(new ActivationChartOptions { From = 2, To = 1 }));
    }
}
