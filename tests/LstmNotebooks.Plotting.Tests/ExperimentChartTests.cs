using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

/// <summary>Builders that take experiment results as plain arrays and records: run comparisons, |c_t| over a stream,
/// forecasts with baselines, scores against gap, intervention effects.</summary>
public class ExperimentChartTests
{
    [Fact]
    public void TrainingRunsComparedWithHowMuchEachNeeded()
    {
        var runs = new[]
        {
            new TrainingRun("forget bias 0", [1, 2, 3, 4], [1.0, 0.8, 0.6, 0.5]),
            new TrainingRun("forget bias 1", [1, 2, 3, 4], [1.0, 0.5, 0.09, 0.05]),
            new TrainingRun("forget bias 5", [1, 2, 3, 4], [1.0, 0.08, 0.04, 0.02]),
        };
        var fig = Fig.Of(TrainingCharts.Compare(runs, new TrainingComparisonOptions().WithTargetLoss(0.1)));
        Assert.Equal(["scatter", "scatter", "scatter", "bar"], Enumerable.Range(0, 4).Select(fig.Type));
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(runs[k].Loss, Fig.Doubles(fig.Trace(k)["y"]));
            Assert.Equal(runs[k].Steps, Fig.Doubles(fig.Trace(k)["x"]));
            Assert.Equal(GatePalette.Series[k], (string)fig.Trace(k)["line"]!["color"]!);
        }
        var bars = fig.Trace(3);
        Assert.Equal(["forget bias 0", "forget bias 1", "forget bias 5"], Fig.Strings(bars["x"]));
        Assert.Equal([0.0, 3, 2], Fig.Doubles(bars["y"])); // first epoch with loss ≤ 0.1; bias 0 never got there
        Assert.Equal(["not reached", "3", "2"], Fig.Strings(bars["text"]));
        Assert.Equal("x2", (string)bars["xaxis"]!);
        Assert.Equal("log", fig.AxisProp("yaxis", "type"));
        // On a log axis plotly.js places shapes at the data value but annotations in log10 units: the target line sits
        // at 0.1, its label at log10(0.1) = −1 (at 0.1 it would be drawn at 10^0.1).
        Assert.Contains(fig.Shapes, s => (double)s["y0"]! == 0.1 && (double)s["y1"]! == 0.1);
        Assert.Contains(fig.Layout["annotations"]!.AsArray(), a => ((string)a!["text"]!).StartsWith("target") && Math.Abs((double)a["y"]! + 1) < 1e-12);
        var linearTarget = Fig.Of(TrainingCharts.Compare(runs, new TrainingComparisonOptions().WithTargetLoss(0.1).WithLogLoss(false)));
        Assert.Contains(linearTarget.Shapes, s => (double)s["y0"]! == 0.1);
        // The bar axis leaves room for the labels, even when every bar is 0.
        Assert.True(Fig.Doubles(fig.Layout["yaxis2"]!["range"])[1] > 3);

        var explicitNeeded = Fig.Of(TrainingCharts.Compare([runs[0].WithNeeded(2292), runs[1]],
            new TrainingComparisonOptions { StepLabel = "training sequences", NeededLabel = "sequences to criterion" }));
        Assert.Equal([2292.0, 0], Fig.Doubles(explicitNeeded.Trace(2)["y"]));
        Assert.Equal("sequences to criterion", explicitNeeded.AxisTitle("yaxis2"));
        Assert.Equal(2, Fig.Of(TrainingCharts.Compare(runs.Take(2))).Count); // no target, no needed: lines only

        var history = new TrainingHistory([new EpochRecord(1, 0.9, 1.0, 0.01, TimeSpan.Zero), new EpochRecord(2, 0.5, null, 0.01, TimeSpan.Zero)],
            StopReason.Completed, 1);
        var fromHistory = TrainingRun.FromHistory("LSTM", history);
        Assert.Equal([1.0, 2.0], fromHistory.Steps);
        Assert.Equal([0.9, 0.5], fromHistory.Loss);
        Assert.Equal([1.0], TrainingRun.FromHistory("LSTM", history, validation: true).Loss);
        Assert.Throws<ArgumentException>(() => TrainingCharts.Compare([new TrainingRun("bad", [1, 2], [1.0])]));
        Assert.Throws<ArgumentException>(() => TrainingCharts.Compare([new TrainingRun("zero", [1], [0.0])]));
        Assert.Throws<ArgumentOutOfRangeException>(() => runs[0].WithNeeded(-1));
    }

    [Fact]
    public void CellMagnitudeOverAStreamForTwoModelsWithABound()
    {
        double[] noForget = [0.5, 1, 2, 4, 8, 16], forget = [0.5, 0.9, 1.1, 0.0, 1.0, 0.8];
        var fig = Fig.Of(StateCharts.CellMagnitude([new NamedSeries("1997 LSTM, no forget gate", noForget), new NamedSeries("forget gate", forget)],
            new CellMagnitudeOptions().WithBound(5, "bound the forget-gate cell stays under").WithLogScale()));
        Assert.Equal(2, fig.Count);
        Assert.Equal(noForget, Fig.Doubles(fig.Trace(0)["y"]));
        Assert.Equal([0.5, 0.9, 1.1, null, 1.0, 0.8], Fig.NullableDoubles(fig.Trace(1)["y"])); // 0 cannot sit on a log axis
        Assert.Equal([0, 1, 2, 3, 4, 5], Fig.Ints(fig.Trace(0)["x"]));
        Assert.Equal("log", fig.AxisProp("yaxis", "type"));
        // plotly.js places shapes on a log axis at the data value and annotations in log10 units: the bound line at 5,
        // its label at log10(5) (at 5 it would be drawn at 10⁵).
        Assert.Contains(fig.Shapes, s => (double)s["y0"]! == 5 && (string)s["yref"]! == "y");
        Assert.Contains(fig.Layout["annotations"]!.AsArray(), a => ((string)a!["text"]!).StartsWith("bound") && Math.Abs((double)a["y"]! - Math.Log10(5)) < 1e-12);
        Assert.Contains("bound the forget-gate cell stays under (5)", fig.Notes);

        var linearBound = Fig.Of(StateCharts.CellMagnitude([new NamedSeries("a", forget)], new CellMagnitudeOptions().WithBound(5)));
        Assert.Contains(linearBound.Shapes, s => (double)s["y0"]! == 5);
        Assert.Throws<ArgumentException>(() => StateCharts.CellMagnitude([new NamedSeries("a", forget)], new CellMagnitudeOptions().WithBound(0).WithLogScale()));

        var linear = Fig.Of(StateCharts.CellMagnitude([new NamedSeries("a", forget)]));
        Assert.Equal(forget, Fig.Doubles(linear.Trace(0)["y"]));
        Assert.Equal("tozero", linear.AxisProp("yaxis", "rangemode"));

        var trace = Models.LstmTrace();
        var fromTrace = NamedSeries.FromCellState("LSTM", trace);
        for (int t = 0; t < 7; t++)
            Assert.Equal(Enumerable.Range(0, 3).Max(u => Math.Abs(trace[0][TraceChannel.CellState, t, u])), fromTrace.Values[t]);
        var mean = TraceMeasures.CellMagnitudes(trace, reduce: CellMagnitude.MeanOverUnits);
        Assert.Equal(Enumerable.Range(0, 3).Average(u => Math.Abs(trace[0][TraceChannel.CellState, 2, u])), mean[2], 15);
        Assert.Throws<ArgumentException>(() => StateCharts.CellMagnitude([new NamedSeries("neg", [1, -1])]));
        Assert.Throws<ArgumentException>(() => StateCharts.CellMagnitude([new NamedSeries("nan", [1, double.NaN])]));
    }

    [Fact]
    public void ForecastWithTestPeriodBaselinesAndAFuturePastTheLastRow()
    {
        double[] history = [1, 2, 3, 4], actual = [5, 6, 7], predicted = [5.5, 6, 6.5], future = [8, 9];
        double[] seasonal = [4, 5, 6], last = [4, 4, 4];
        var data = new ForecastData(history, actual, predicted).WithFuture(future).WithBaseline("seasonal-naive", seasonal).WithBaseline("last value", last);
        var fig = Fig.Of(ForecastCharts.Forecast(data, new ForecastChartOptions().WithValueLabel("CO₂ (ppm)").WithTimeLabel("month")));
        Assert.Equal(["scatter", "scatter", "scatter", "scatter", "scatter", "bar"], Enumerable.Range(0, 6).Select(fig.Type));
        var act = fig.TraceNamed("actual")!;
        Assert.Equal(history.Concat(actual), Fig.Doubles(act["y"]));
        Assert.Equal(Enumerable.Range(0, 7), Fig.Ints(act["x"]));
        Assert.Equal(predicted, Fig.Doubles(fig.Trace(1)["y"]));
        Assert.Equal([4, 5, 6], Fig.Ints(fig.Trace(1)["x"]));
        Assert.StartsWith("LSTM (test RMSE ", (string)fig.Trace(1)["name"]!);
        Assert.Equal(seasonal, Fig.Doubles(fig.Trace(2)["y"]));
        Assert.StartsWith("seasonal-naive (test RMSE 1)", (string)fig.Trace(2)["name"]!);
        Assert.Equal(last, Fig.Doubles(fig.Trace(3)["y"]));
        // The forecast line starts at the last actual point and runs past the last row.
        Assert.Equal([6, 7, 8], Fig.Ints(fig.Trace(4)["x"]));
        Assert.Equal([7.0, 8, 9], Fig.Doubles(fig.Trace(4)["y"]));
        var residual = fig.Trace(5);
        Assert.Equal([-0.5, 0, 0.5], Fig.Doubles(residual["y"]));
        Assert.Equal("y2", (string)residual["yaxis"]!);
        // The test period is shaded; its start and the last row are marked.
        Assert.Contains(fig.Shapes, s => (string)s["type"]! == "rect" && (double)s["x0"]! == 4 && (double)s["x1"]! == 6);
        Assert.Contains(fig.Shapes, s => (string)s["type"]! == "line" && (double)s["x0"]! == 4);
        Assert.Contains(fig.Shapes, s => (string)s["type"]! == "line" && (double)s["x0"]! == 6);
        Assert.Equal("CO₂ (ppm)", fig.AxisTitle("yaxis"));
        Assert.Equal("month", fig.AxisTitle("xaxis2"));
        Assert.Equal("x", fig.AxisProp("xaxis2", "matches"));

        var dates = Enumerable.Range(0, 9).Select(k => new DateTime(2020, 1, 1).AddMonths(k)).ToArray();
        var dated = Fig.Of(ForecastCharts.Forecast(data.WithDates(dates)));
        Assert.Equal("2020-08-01", Fig.Strings(dated.Trace(4)["x"])[^2]);
        Assert.Throws<ArgumentException>(() => ForecastCharts.Forecast(data.WithDates(dates[..8])));
        Assert.Throws<ArgumentException>(() => ForecastCharts.Forecast(new ForecastData(history, actual, [1.0])));
        Assert.Throws<ArgumentException>(() => ForecastCharts.Forecast(data.WithBaseline("short", [1.0])));
        Assert.Throws<ArgumentException>(() => ForecastCharts.Forecast(new ForecastData(history, actual, [1, double.NaN, 2])));
    }

    [Fact]
    public void RunsThatMetTheCriterionShowEveryModelEvenAtZero()
    {
        var models = new[]
        {
            new GapScores("LSTM", [10, 100], [1.0, 0.8]).WithCell(CellKind.Lstm),
            new GapScores("RNN", [10, 100], [0.0, 0.0]).WithCell(CellKind.Rnn),
            new GapScores("HMM", [10, 100], [0.0, 0.0]),
        };
        var fig = Fig.Of(models.ScoreVsGap(new GapChartOptions { Metric = GapMetric.SuccessRate }));
        Assert.Equal(3, fig.Count);
        Assert.Equal(["100%", "80%"], Fig.Strings(fig.Trace(0)["text"]));
        // A model that never met the criterion still has its bars, labelled 0%, in its own color.
        Assert.Equal(["0%", "0%"], Fig.Strings(fig.TraceNamed("RNN")!["text"]));
        Assert.Equal(["0%", "0%"], Fig.Strings(fig.TraceNamed("HMM")!["text"]));
        Assert.Equal("outside", (string)fig.TraceNamed("HMM")!["textposition"]!);
        Assert.False((bool)fig.TraceNamed("HMM")!["cliponaxis"]!);
        Assert.Equal("runs that met the criterion (%)", fig.AxisTitle("yaxis"));
        Assert.Equal([0.0, 1.08], Fig.Doubles(fig.Layout["yaxis"]!["range"]));
        Assert.Contains("runs that met the criterion", (string)fig.Trace(0)["hovertemplate"]!);
    }

    [Fact]
    public void ANearlyConstantAmountIsDrawnFromZero()
    {
        var fig = Fig.Of(GapCharts.ScoreVsGap([new GapScores("LSTM", [10, 50, 100], [2292, 2292, 2293])],
            new GapChartOptions { Metric = GapMetric.Loss, ValueLabel = "sequences to criterion", Bars = false }));
        var range = Fig.Doubles(fig.Layout["yaxis"]!["range"]);
        Assert.Equal(0, range[0]);
        Assert.InRange(range[1], 2293 * 1.05, 2293 * 1.5);
        Assert.Equal("lines+markers", (string)fig.Trace(0)["mode"]!);

        var negative = Fig.Of(GapCharts.ScoreVsGap([new GapScores("LSTM", [10, 50], [-3.0, -3.0])], new GapChartOptions { Metric = GapMetric.Loss }));
        var around = Fig.Doubles(negative.Layout["yaxis"]!["range"]);
        Assert.True(around[0] < -3 && around[1] > -3);

        var log = Fig.Of(GapCharts.ScoreVsGap([new GapScores("LSTM", [10], [1e4])], new GapChartOptions().WithMetric(GapMetric.Loss).WithLogScale()));
        Assert.Equal("log", log.AxisProp("yaxis", "type"));
        Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([new GapScores("LSTM", [10], [0.0])], new GapChartOptions().WithMetric(GapMetric.Loss).WithLogScale()));
        Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([new GapScores("LSTM", [10], [0.5])], new GapChartOptions().WithLogScale()));
    }

    [Fact]
    public void InterventionEffectsAgainstTheUneditedRunAndChance()
    {
        var effects = new[]
        {
            new InterventionEffect("clamp o = 0", 0.5).WithDetail("output gate of unit 2 forced to 0 from step 3"),
            InterventionEffect.Baseline("no intervention", 0.98),
            new InterventionEffect("edit c", 0.0),
        };
        var fig = Fig.Of(InterventionCharts.Effects(effects, new InterventionChartOptions().WithChance(0.5)));
        Assert.Equal(1, fig.Count);
        var bars = fig.Trace(0);
        Assert.Equal("bar", fig.Type(0));
        Assert.Equal(["no intervention", "clamp o = 0", "edit c"], Fig.Strings(bars["x"])); // baseline first
        Assert.Equal([0.98, 0.5, 0.0], Fig.Doubles(bars["y"]));
        Assert.Equal(["98.0%", "50.0%", "0.0%"], Fig.Strings(bars["text"]));
        Assert.Equal([GatePalette.Lstm, GatePalette.Intervention, GatePalette.Intervention], Fig.Strings(bars["marker"]!["color"]));
        Assert.Equal("output gate of unit 2 forced to 0 from step 3", Fig.Strings(bars["customdata"])[1]);
        Assert.Contains(fig.Shapes, s => (double)s["y0"]! == 0.5);
        Assert.Contains(fig.Shapes, s => (double)s["y0"]! == 0.98);
        Assert.Contains("chance (50.0%)", fig.Notes);
        Assert.Equal(".0%", fig.AxisProp("yaxis", "tickformat"));
        Assert.Throws<ArgumentException>(() => InterventionCharts.Effects([new InterventionEffect("x", 1.5)]));
        Assert.Throws<ArgumentException>(() => InterventionCharts.Effects([new InterventionEffect("x", 0.5), new InterventionEffect("x", 0.6)]));
        var amounts = Fig.Of(InterventionCharts.Effects([new InterventionEffect("x", 3.0)], new InterventionChartOptions().WithValueLabel("MSE", fraction: false)));
        Assert.Equal("MSE", amounts.AxisTitle("yaxis"));
    }
}
