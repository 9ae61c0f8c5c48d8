using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

/// <summary>Error metrics, the naive baselines and the recursive multi-step forecast.</summary>
public class ForecastingTests
{
    /// <summary>A wavy, rising series with monthly dates from 2000-01-01: y_r = r + 3·sin(r).</summary>
    private static DataFrame Monthly(int rows, Func<int, double>? value = null) => new(
        new DateTimeDataFrameColumn("date", Enumerable.Range(0, rows).Select(r => (DateTime?)new DateTime(2000, 1, 1).AddMonths(r))),
        new DoubleDataFrameColumn("y", Enumerable.Range(0, rows).Select(value ?? (r => r + 3 * Math.Sin(r)))));

    private static WindowOptions Univariate(int length, Differencing differencing = Differencing.FirstDifference, ScalingKind scaling = ScalingKind.ZScore,
        SplitFractions? split = null)
        => new(["y"], "y", length) { DateColumn = "date", Differencing = differencing, Scaling = scaling, Split = split ?? new SplitFractions(0.6, 0.2, 0.2) };

    private static Model<double> Untrained(int seed = 3) => Lstm.Create(1, 4).WithSeed(seed).WithHead(Head.Regression()).Build<double>();

    // ---- metrics ------------------------------------------------------------------------------------------------------

    [Fact]
    public void MetricsAreTheTextbookFormulas()
    {
        double[] actual = [1, 2, 3, 4], predicted = [2, 2, 1, 4];
        Assert.Equal(Math.Sqrt((1 + 0 + 4 + 0) / 4.0), ForecastMetrics.RootMeanSquaredError(actual, predicted), 15);
        Assert.Equal((1 + 0 + 2 + 0) / 4.0, ForecastMetrics.MeanAbsoluteError(actual, predicted), 15);
        Assert.Equal(0, ForecastMetrics.RootMeanSquaredError(actual, actual));
        var forecast = new Forecast("y", DatasetPart.Test, [0, 1, 2, 3], null, actual, predicted);
        Assert.Equal(ForecastMetrics.RootMeanSquaredError(actual, predicted), forecast.RootMeanSquaredError);
        Assert.Equal(ForecastMetrics.MeanAbsoluteError(actual, predicted), forecast.MeanAbsoluteError);
    }

    [Fact]
    public void MetricsRefuseUnpairedOrEmptyInput()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastMetrics.RootMeanSquaredError([1, 2], [1]));
        Assert.Contains("2 actual values but 1 predictions", e.Message);
        Assert.Throws<ArgumentException>(() => ForecastMetrics.MeanAbsoluteError([], []));
    }

    // ---- one-step baselines -------------------------------------------------------------------------------------------

    [Fact]
    public void LastValueIsTheWindowsLastLevelOnTheModelsWindows()
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(Monthly(60), Univariate(6));
        var model = w.Forecast(Untrained(), DatasetPart.Test);
        var last = Baselines.LastValue(w, DatasetPart.Test);
        Assert.Equal(model.TargetRows, last.TargetRows);
        Assert.Equal(model.Dates, last.Dates);
        Assert.Equal(model.Actual, last.Actual);
        for (int k = 0; k < last.Actual.Count; k++)
        {
            long row = last.TargetRows[k];
            Assert.Equal(row + 3 * Math.Sin(row), last.Actual[k], 12);
            Assert.Equal(row - 1 + 3 * Math.Sin(row - 1), last.Predicted[k], 12);
        }
    }

    [Theory]
    [InlineData(1, 4)]   // one step ahead: the value one season back
    [InlineData(4, 4)]   // horizon = season: still one season back
    [InlineData(5, 4)]   // horizon past one season: two seasons back, so nothing after the window is used
    [InlineData(3, 12)]
    public void SeasonalNaiveTakesTheLastObservedValueOfTheSameSeasonPoint(int horizon, int season)
    {
        var options = Univariate(15) with { Horizon = horizon, Differencing = Differencing.None };
        var w = TimeSeriesWindows.FromDataFrame<double>(Monthly(120), options);
        var naive = Baselines.SeasonalNaive(w, season, DatasetPart.Test);
        int back = season * ((horizon - 1) / season + 1);
        Assert.True(back >= horizon);
        var infos = w.Windows(DatasetPart.Test);
        for (int k = 0; k < naive.Predicted.Count; k++)
        {
            long source = naive.TargetRows[k] - back;
            Assert.True(source <= infos[k].LastRow, "the seasonal-naive forecast must use only rows up to the window's last one");
            Assert.Equal(source + 3 * Math.Sin(source), naive.Predicted[k], 12);
        }
    }

    [Fact]
    public void SeasonalNaiveNamesTheMissingHistory()
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(Monthly(40), Univariate(3, split: SplitFractions.TrainOnly));
        var e = Assert.Throws<InvalidOperationException>(() => Baselines.SeasonalNaive(w, season: 12, DatasetPart.Train));
        Assert.Contains("12 rows earlier", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.SeasonalNaive(w, season: 0, DatasetPart.Train));
        Assert.Throws<InvalidOperationException>(() => Baselines.LastValue(w, DatasetPart.Test)); // no test part
    }

    [Fact]
    public void BaselinesFollowDroppedRows()
    {
        // Row 20 has no value; with Drop it disappears, and "last value" for row 21 is row 19's value.
        var frame = Monthly(40);
        frame.Columns["y"][20] = null;
        var w = TimeSeriesWindows.FromDataFrame<double>(frame, Univariate(3, Differencing.None, split: SplitFractions.TrainOnly) with { MissingValues = MissingValuePolicy.Drop });
        var last = Baselines.LastValue(w, DatasetPart.Train);
        int k = last.TargetRows.ToList().IndexOf(21);
        Assert.Equal(19 + 3 * Math.Sin(19), last.Predicted[k], 12);
        Assert.Equal(39, w.TargetSeries.Count);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => w.Position(20));
        Assert.Contains("dropped", e.Message);
    }

    // ---- recursive multi-step forecasts -------------------------------------------------------------------------------

    [Theory]
    [InlineData(Differencing.FirstDifference)]
    [InlineData(Differencing.None)]
    public void EachStepIsAOneStepForecastOnTheSeriesExtendedByThePreviousSteps(Differencing differencing)
    {
        // Independent oracle: append the first k predictions to the frame as if observed, plus one placeholder row whose
        // value the prediction cannot see, and take the ordinary one-step forecast of the last window.
        var options = Univariate(5, differencing, ScalingKind.None, SplitFractions.TrainOnly);
        var frame = Monthly(30);
        var model = Untrained();
        var recursive = TimeSeriesWindows.FromDataFrame<double>(frame, options).ForecastRecursive(model, steps: 4);
        Assert.Equal(4, recursive.Predicted.Count);
        Assert.Equal(0, recursive.Known);
        Assert.True(double.IsNaN(recursive.RootMeanSquaredError));
        for (int k = 0; k < 4; k++)
        {
            var values = Enumerable.Range(0, 30).Select(r => r + 3 * Math.Sin(r)).Concat(recursive.Predicted.Take(k)).Append(-999.0).ToArray();
            var extended = Monthly(values.Length, r => values[r]);
            var oneStep = TimeSeriesWindows.FromDataFrame<double>(extended, options).Forecast(model, DatasetPart.Train);
            Assert.Equal(oneStep.Predicted[^1], recursive.Predicted[k], 10);
        }
    }

    [Fact]
    public void FromAnOriginInsideTheDataItReadsNothingAfterItAndKnowsTheActuals()
    {
        var options = Univariate(6);
        var model = Untrained();
        var w = TimeSeriesWindows.FromDataFrame<double>(Monthly(80), options);
        // The same first 60 rows, a different future: the scaler (fitted on the training rows, 0–47) is the same.
        var other = TimeSeriesWindows.FromDataFrame<double>(Monthly(80, r => r < 60 ? r + 3 * Math.Sin(r) : -r), options);
        var a = w.ForecastRecursive(model, steps: 25, originRow: 59);
        var b = other.ForecastRecursive(model, steps: 25, originRow: 59);
        Assert.Equal(a.Predicted, b.Predicted);
        Assert.Equal(20, a.Known);
        Assert.Equal(Enumerable.Range(60, 20).Select(r => r + 3 * Math.Sin(r)), a.Actual);
        Assert.Equal(ForecastMetrics.RootMeanSquaredError(a.Actual, a.Predicted.Take(20).ToArray()), a.RootMeanSquaredError);
        Assert.Equal(59, a.OriginRow);
        Assert.Equal(new DateTime(2004, 12, 1), a.OriginDate);

        // Step 1 from the origin is the ordinary one-step forecast of the window ending there.
        var test = w.Forecast(model, DatasetPart.Test);
        var infos = w.Windows(DatasetPart.Test);
        int k = infos.Select((info, i) => (info, i)).First(p => p.info.LastRow == 70).i;
        Assert.Equal(test.Predicted[k], w.ForecastRecursive(model, 1, originRow: 70).Predicted[0], 10);
    }

    [Fact]
    public void DatesContinueTheSeriesSpacing()
    {
        var monthly = TimeSeriesWindows.FromDataFrame<double>(Monthly(30), Univariate(4)).ForecastRecursive(Untrained(), 3);
        Assert.Equal([new DateTime(2002, 7, 1), new DateTime(2002, 8, 1), new DateTime(2002, 9, 1)], monthly.Dates);
        // Inside the data the data's own dates, then continued.
        var inside = TimeSeriesWindows.FromDataFrame<double>(Monthly(30), Univariate(4)).ForecastRecursive(Untrained(), 3, originRow: 28);
        Assert.Equal([new DateTime(2002, 6, 1), new DateTime(2002, 7, 1), new DateTime(2002, 8, 1)], inside.Dates);

        var daily = new DataFrame(
            new DateTimeDataFrameColumn("date", Enumerable.Range(0, 30).Select(r => (DateTime?)new DateTime(2020, 1, 30).AddDays(r))),
            new DoubleDataFrameColumn("y", Enumerable.Range(0, 30).Select(r => Math.Sin(r))));
        var days = TimeSeriesWindows.FromDataFrame<double>(daily, Univariate(4)).ForecastRecursive(Untrained(), 2);
        Assert.Equal([new DateTime(2020, 2, 29), new DateTime(2020, 3, 1)], days.Dates);

        var undated = TimeSeriesWindows.FromDataFrame<double>(Monthly(30), Univariate(4) with { DateColumn = null }).ForecastRecursive(Untrained(), 2);
        Assert.Null(undated.Dates);
        Assert.Null(undated.OriginDate);
    }

    [Fact]
    public void MultiStepBaselinesLineUpWithTheRecursiveForecast()
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(Monthly(60), Univariate(6));
        var model = w.ForecastRecursive(Untrained(), steps: 10, originRow: 49);
        var last = Baselines.LastValue(w, steps: 10, originRow: 49);
        var naive = Baselines.SeasonalNaive(w, season: 4, steps: 10, originRow: 49);
        Assert.Equal(model.Dates, last.Dates);
        Assert.Equal(model.Actual, naive.Actual);
        Assert.All(last.Predicted, p => Assert.Equal(49 + 3 * Math.Sin(49), p, 12));
        for (int h = 1; h <= 10; h++)
        {
            int source = 49 + h - 4 * ((h - 1) / 4 + 1);
            Assert.True(source <= 49);
            Assert.Equal(source + 3 * Math.Sin(source), naive.Predicted[h - 1], 12);
        }
        var future = Baselines.SeasonalNaive(w, season: 12, steps: 3);
        Assert.Equal(0, future.Known);
        Assert.Equal(48 + 3 * Math.Sin(48), future.Predicted[0], 12);
    }

    [Fact]
    public void RecursiveForecastsRefuseWhatTheyCannotFeedBack()
    {
        var frame = Monthly(40);
        frame.Columns.Add(new DoubleDataFrameColumn("x", Enumerable.Range(0, 40).Select(r => (double)r)));
        var model = Untrained();
        var twoFeatures = TimeSeriesWindows.FromDataFrame<double>(frame, new WindowOptions(["y", "x"], "y", 4) { DateColumn = "date" });
        var e = Assert.Throws<InvalidOperationException>(() => twoFeatures.ForecastRecursive(Lstm.Create(2, 3).WithHead(Head.Regression()).Build<double>(), 3));
        Assert.Contains("the only feature", e.Message);
        var horizon = TimeSeriesWindows.FromDataFrame<double>(frame, Univariate(4) with { Horizon = 2 });
        Assert.Contains("Horizon 1", Assert.Throws<InvalidOperationException>(() => horizon.ForecastRecursive(model, 3)).Message);
        var w = TimeSeriesWindows.FromDataFrame<double>(frame, Univariate(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ForecastRecursive(model, 0));
        Assert.Contains("needs 5 rows", Assert.Throws<ArgumentOutOfRangeException>(() => w.ForecastRecursive(model, 3, originRow: 2)).Message);
        Assert.Throws<ArgumentException>(() => w.ForecastRecursive(Lstm.Create(1, 3).WithHead(Head.Classification(2)).Build<double>(), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ForecastRecursive(model, 3, originRow: 400));
    }

    [Fact]
    public void TheSeriesAccessorsDescribeTheUsedRows()
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(Monthly(30), Univariate(4));
        Assert.Equal(Enumerable.Range(0, 30).Select(r => r + 3 * Math.Sin(r)), w.TargetSeries);
        Assert.Equal(new DateTime(2002, 6, 1), w.DateSeries![^1]);
        Assert.Equal(Enumerable.Range(0, 30).Select(r => (long)r), w.RowIndices);
        Assert.Equal(17, w.Position(17));
    }
}
