using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

public class ResultChartTests
{
    private static readonly TrainingHistory History = new(
    [
        new EpochRecord(1, 0.90, 1.00, 0.010, TimeSpan.FromSeconds(1)),
        new EpochRecord(2, 0.50, 0.70, 0.010, TimeSpan.FromSeconds(2)),
        new EpochRecord(3, 0.40, 0.65, 0.005, TimeSpan.FromSeconds(3)),
        new EpochRecord(4, 0.35, 0.66, 0.005, TimeSpan.FromSeconds(4)),
    ], StopReason.EarlyStopped, BestEpoch: 3);

    [Fact]
    public void TrainingCurvesShowLossesAndLearningRateSteps()
    {
        var fig = Fig.Of(History.TrainingCurves(new TrainingCurveOptions { LossLabel = "MSE (scaled units²)" }));
        Assert.Equal(3, fig.Count);
        var train = fig.TraceNamed("training loss")!;
        Assert.Equal(new[] { 1, 2, 3, 4 }, Fig.Ints(train["x"]));
        Assert.Equal(History.TrainLoss, Fig.Doubles(train["y"]));
        Assert.Equal(new[] { 1.0, 0.7, 0.65, 0.66 }, Fig.Doubles(fig.TraceNamed("validation loss")!["y"]));
        var lr = fig.TraceNamed("learning rate")!;
        Assert.Equal(new[] { 0.01, 0.01, 0.005, 0.005 }, Fig.Doubles(lr["y"]));
        Assert.Equal("y2", (string)lr["yaxis"]!);
        Assert.Equal("hv", (string)lr["line"]!["shape"]!);
        Assert.Equal("epoch", fig.AxisTitle("xaxis"));
        Assert.Equal("MSE (scaled units²)", fig.AxisTitle("yaxis"));
        Assert.Equal("log", fig.AxisProp("yaxis", "type"));
        Assert.Equal("learning rate η", fig.AxisTitle("yaxis2"));
        Assert.Equal("log", fig.AxisProp("yaxis2", "type"));
        Assert.Contains(fig.Layout["shapes"]!.AsArray(), s => (double)s!["x0"]! == 3);
        var notes = fig.Layout["annotations"]!.AsArray().Select(a => (string)a!["text"]!).ToArray();
        Assert.Contains("best epoch 3", notes);
        Assert.Contains("early stop after epoch 4", notes);
        Assert.Contains("epoch %{x}", (string)train["hovertemplate"]!);
    }

    [Fact]
    public void TrainingCurvesFromARealRun()
    {
        var data = Dataset.Create(Enumerable.Range(0, 16).Select(k =>
            Sample.Create(Sequence.FromScalars(Enumerable.Range(0, 5).Select(t => Math.Sin(0.4 * (k + t)))), Math.Sin(0.4 * (k + 5)))));
        var result = LstmNotebooks.Lstm.Create(1, 3).WithHead(Head.Regression(1)).Build<double>()
            .Train(data, Training.Adam(0.01).WithEpochs(3).WithBatchSize(4).WithSeed(2));
        var fig = Fig.Of(result.History.TrainingCurves(new TrainingCurveOptions { ShowLearningRate = false }));
        Assert.Equal(1, fig.Count); // no validation split, no learning-rate line
        Assert.Equal(result.History.TrainLoss, Fig.Doubles(fig.Trace(0)["y"]));
        Assert.Null(fig.Layout["yaxis2"]);
    }

    [Fact]
    public void PredictionVsActualWithResiduals()
    {
        double[] actual = [1, 2, 4, 3], predicted = [1.5, 2, 3, 3.5];
        var fig = Fig.Of(ForecastCharts.PredictionVsActual(actual, predicted, new ForecastChartOptions { ValueLabel = "CO₂ (ppm)", TimeLabel = "month" }));
        Assert.Equal(["scatter", "scatter", "bar"], Enumerable.Range(0, 3).Select(fig.Type));
        Assert.Equal(actual, Fig.Doubles(fig.TraceNamed("actual")!["y"]));
        Assert.Equal(predicted, Fig.Doubles(fig.TraceNamed("predicted")!["y"]));
        var residual = fig.TraceNamed("residual (actual − predicted)")!;
        Assert.Equal(new[] { -0.5, 0, 1, -0.5 }, Fig.Doubles(residual["y"]));
        Assert.Equal("y2", (string)residual["yaxis"]!);
        Assert.Equal("CO₂ (ppm)", fig.AxisTitle("yaxis"));
        Assert.Equal("residual (CO₂ (ppm))", fig.AxisTitle("yaxis2"));
        Assert.Equal("month", fig.AxisTitle("xaxis2"));
        Assert.Equal("x", fig.AxisProp("xaxis2", "matches"));
        Assert.Contains($"RMSE {Math.Sqrt((0.25 + 0 + 1 + 0.25) / 4):G4}", fig.Title);
        Assert.Contains("CO₂ (ppm) = %{y", (string)fig.TraceNamed("actual")!["hovertemplate"]!);
    }

    [Fact]
    public void PredictionVsActualWithDatesAndErrors()
    {
        var dates = new[] { new DateTime(2020, 1, 1), new DateTime(2020, 2, 1) };
        var fig = Fig.Of(ForecastCharts.PredictionVsActual(dates, [1.0, 2.0], [1.0, 2.5]));
        Assert.Equal(new[] { "2020-01-01", "2020-02-01" }, Fig.Strings(fig.Trace(0)["x"]));
        Assert.Throws<ArgumentException>(() => ForecastCharts.PredictionVsActual([1.0, 2.0], [1.0]));
        Assert.Throws<ArgumentException>(() => ForecastCharts.PredictionVsActual([1.0, double.NaN], [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => ForecastCharts.PredictionVsActual(dates, [1.0], [1.0]));
        var f = Fig.Of(ForecastCharts.PredictionVsActual<float>([1f, 2f], [2f, 2f]));
        Assert.Equal(new[] { -1.0, 0 }, Fig.Doubles(f.Trace(2)["y"]));
    }

    [Fact]
    public void AccuracyAgainstGapForSeveralModelsSideBySide()
    {
        var models = new[]
        {
            new GapScores("LSTM", [10, 50, 100], [1.0, 0.98, 0.95]) { Cell = CellKind.Lstm },
            new GapScores("RNN", [100, 10, 50], [0.5, 0.9, 0.55]) { Cell = CellKind.Rnn },
            new GapScores("LSTM, no forget gate", [10, 50, 100], [1.0, 0.97, 0.9]) { Cell = CellKind.Lstm },
        };
        var fig = Fig.Of(models.ScoreVsGap(new GapChartOptions { ChanceLevel = 0.5 }));
        Assert.Equal(3, fig.Count);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal("bar", fig.Type(i)));
        Assert.Equal("group", (string)fig.Layout["barmode"]!);
        var rnn = fig.TraceNamed("RNN")!;
        Assert.Equal(new[] { 10, 50, 100 }, Fig.Ints(rnn["x"])); // sorted by gap
        Assert.Equal(new[] { 0.9, 0.55, 0.5 }, Fig.Doubles(rnn["y"]));
        Assert.Equal(GatePalette.Rnn, (string)rnn["marker"]!["color"]!);
        Assert.Equal(GatePalette.Lstm, (string)fig.TraceNamed("LSTM")!["marker"]!["color"]!);
        Assert.NotEqual(GatePalette.Lstm, (string)fig.TraceNamed("LSTM, no forget gate")!["marker"]!["color"]!);
        Assert.Equal("gap length (time steps between arrival and recall)", fig.AxisTitle("xaxis"));
        Assert.Equal("accuracy (% of sequences recalled)", fig.AxisTitle("yaxis"));
        Assert.Equal(".0%", fig.AxisProp("yaxis", "tickformat"));
        Assert.Contains(fig.Layout["shapes"]!.AsArray(), s => (double)s!["y0"]! == 0.5);
        Assert.Contains("gap %{x} steps", (string)rnn["hovertemplate"]!);
        Assert.Contains("<b>RNN</b>", (string)rnn["hovertemplate"]!);
    }

    [Fact]
    public void AccuracyAgainstGapWithSingleRunsOnALogGapAxis()
    {
        var lstm = GapScores.FromRuns("LSTM", [(1000, 1.0), (10, 1.0), (1000, 0.96), (10, 0.98), (1000, 0.99), (10, 1.0)]).WithCell(CellKind.Lstm);
        Assert.Equal(new[] { 10, 1000 }, lstm.Gaps);
        Assert.Equal(new[] { 1.0, 0.99 }, lstm.Values);          // medians of three seeds
        Assert.Equal(new[] { 1.0, 0.96, 0.99 }, lstm.Runs![1]);
        var even = GapScores.FromRuns("RNN", [(10, 0.5), (10, 0.6)]);
        Assert.Equal(0.55, even.Values[0], 12);
        var rnn = new GapScores("RNN", [10, 1000], [0.6, 0.5]) { Cell = CellKind.Rnn, Runs = [[0.6], [0.5]] };
        var fig = Fig.Of(GapCharts.ScoreVsGap([lstm, rnn], new GapChartOptions().WithLines().WithLogGaps().WithChance(0.5)));
        Assert.Equal(4, fig.Count);                                // a line and its runs per model
        Assert.Equal("log", fig.AxisProp("xaxis", "type"));
        Assert.Contains("log scale", fig.AxisTitle("xaxis"));
        var runs = fig.TraceNamed("LSTM (single runs)")!;
        Assert.False((bool)runs["showlegend"]!);
        Assert.Equal((string)fig.TraceNamed("LSTM")!["legendgroup"]!, (string)runs["legendgroup"]!);
        Assert.Equal(new[] { 1.0, 0.98, 1.0, 1.0, 0.96, 0.99 }, Fig.Doubles(runs["y"]));
        Assert.Equal(new[] { 10, 10, 10, 1000, 1000, 1000 }, Fig.Ints(runs["customdata"]));
        var x = Fig.Doubles(runs["x"]);
        var rnnX = Fig.Doubles(fig.TraceNamed("RNN (single runs)")!["x"]);
        Assert.True(x[0] < 10 && rnnX[0] > 10, $"The two models' runs should sit on either side of gap 10, but were at {x[0]} and {rnnX[0]}.");
        Assert.InRange(x[3] / 1000, 0.9, 1.0);                     // a few hundredths of a decade, not a different gap
        Assert.Equal(GatePalette.Lstm, (string)runs["marker"]!["color"]!);
        Assert.Contains("one run", (string)runs["hovertemplate"]!);
    }

    [Fact]
    public void GapChartRejectsRunsItCannotDraw()
    {
        var withRuns = new GapScores("LSTM", [10, 100], [1.0, 1.0]) { Runs = [[1.0]] };
        var e = Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([withRuns], new GapChartOptions().WithLines()));
        Assert.Contains("runs for 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([withRuns with { Runs = [[1.0], [1.2]] }], new GapChartOptions().WithLines()));
        Assert.Contains("1.2 at gap 100", e.Message);
        e = Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([withRuns with { Runs = [[1.0], [1.0]] }]));
        Assert.Contains("WithLines()", e.Message);
        e = Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([new GapScores("LSTM", [10], [1.0])], new GapChartOptions().WithLogGaps()));
        Assert.Contains("WithLines()", e.Message);
        e = Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([new GapScores("LSTM", [0, 10], [1.0, 1.0])], new GapChartOptions().WithLines().WithLogGaps()));
        Assert.Contains("gap length 0", e.Message);
        Assert.Throws<ArgumentException>(() => GapScores.FromRuns("LSTM", []));
    }

    [Fact]
    public void GapChartRejectsBadScores()
    {
        var e = Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([new GapScores("LSTM", [10], [97.0])]));
        Assert.Contains("fraction in [0, 1]", e.Message);
        Assert.Throws<ArgumentException>(() => GapCharts.ScoreVsGap([new GapScores("LSTM", [10, 20], [0.9])]));
        var loss = Fig.Of(GapCharts.ScoreVsGap([new GapScores("LSTM", [10], [97.0])],
            new GapChartOptions { Metric = GapMetric.Loss, ValueLabel = "cross-entropy (nats)", Bars = false }));
        Assert.Equal("scatter", loss.Type(0));
        Assert.Equal("cross-entropy (nats)", loss.AxisTitle("yaxis"));
    }

    [Fact]
    public void GradientFlowLstmVersusRnnOnALogAxis()
    {
        var sample = Sample.Create(Sequence.FromScalars(Enumerable.Range(0, 12).Select(t => Math.Cos(0.5 * t))), 0.3);
        var lstm = LstmNotebooks.Lstm.Create(1, 4).WithHead(Head.Regression(1)).WithSeed(1).Build<double>().GradientFlow(sample);
        var rnn = Rnn.Create(1, 4).WithHead(Head.Regression(1)).WithSeed(1).Build<double>().GradientFlow(sample);
        var fig = Fig.Of(lstm.FlowVsLag(rnn));
        Assert.Equal(2, fig.Count);
        var l = fig.TraceNamed("LSTM: ‖∂L/∂c_t‖")!;
        var r = fig.TraceNamed("RNN: ‖∂L/∂h_t‖")!;
        Assert.Equal(Enumerable.Range(0, 12), Fig.Ints(l["x"]));
        var cell = lstm.CellNorms();
        var hidden = rnn.HiddenNorms();
        var ly = Fig.NullableDoubles(l["y"]);
        var ry = Fig.NullableDoubles(r["y"]);
        for (int lag = 0; lag < 12; lag++)
        {
            Assert.Equal(cell[11 - lag] > 0 ? cell[11 - lag] : null, ly[lag]);
            Assert.Equal(hidden[11 - lag] > 0 ? hidden[11 - lag] : null, ry[lag]);
        }
        Assert.Equal("log", fig.AxisProp("yaxis", "type"));
        Assert.Equal("lag (time steps back from the loss)", fig.AxisTitle("xaxis"));
        Assert.Contains("‖∂L/∂c_t‖", fig.AxisTitle("yaxis"));
        Assert.Contains("‖∂L/∂h_t‖", fig.AxisTitle("yaxis"));
        Assert.Equal(GatePalette.Lstm, (string)l["line"]!["color"]!);
        Assert.Equal(GatePalette.Rnn, (string)r["line"]!["color"]!);
        Assert.Contains("lag %{x} steps", (string)l["hovertemplate"]!);

        var both = Fig.Of(GradientCharts.FlowVsLag([new NamedGradientFlow("LSTM", lstm)], new GradientFlowOptions { Quantity = GradientQuantity.Both }));
        Assert.Equal(2, both.Count);
        Assert.Equal("dash", (string)both.TraceNamed("LSTM: ‖∂L/∂h_t‖")!["line"]!["dash"]!);
        var e = Assert.Throws<ArgumentException>(() => GradientCharts.FlowVsLag([new NamedGradientFlow("RNN", rnn)],
            new GradientFlowOptions { Quantity = GradientQuantity.CellState }));
        Assert.Contains("has no cell state", e.Message);
    }
}
