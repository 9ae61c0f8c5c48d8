using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

public class WindowingTests
{
    private static WindowOptions Plain(int length, int horizon = 1, int stride = 1, params string[] features)
        => new(features.Length == 0 ? ["a"] : features, "a", length) { Horizon = horizon, Stride = stride, Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly };

    [Theory]
    [InlineData(20, 5, 1, 1)]
    [InlineData(20, 5, 3, 1)]
    [InlineData(20, 5, 1, 4)]
    [InlineData(21, 4, 2, 3)]
    [InlineData(6, 5, 1, 1)]
    [InlineData(100, 1, 1, 7)]
    public void WindowCountMatchesFormulaAndEnumeration(int rows, int length, int horizon, int stride)
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(rows), Plain(length, horizon, stride));
        int expected = 0;
        for (int s = 0; s + length + horizon <= rows; s += stride) expected++;
        Assert.Equal(expected, w.Train.Count);
        Assert.Equal(expected, TimeSeriesWindows.WindowCount(rows, length, horizon, stride));
    }

    [Fact]
    public void WindowsAndTargetsAlignWithTheirRows()
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(30), Plain(length: 4, horizon: 3, stride: 2, "a", "b"));
        Assert.Equal(2, w.Train.Features);
        for (int k = 0; k < w.Train.Count; k++)
        {
            int start = 2 * k;
            var input = w.Train[k].Input;
            Assert.Equal(4, input.Steps);
            for (int t = 0; t < 4; t++)
            {
                Assert.Equal(100.0 + start + t, input[t, 0]);
                Assert.Equal(1000.0 + 10 * (start + t), input[t, 1]);
            }
            // Target: 3 rows after the window's last row (start + 3).
            Assert.Equal(100.0 + start + 3 + 3, w.Train[k].Target[0, 0]);
            var info = w.Windows(DatasetPart.Train)[k];
            Assert.Equal((long)start, info.FirstRow);
            Assert.Equal(start + 3L, info.LastRow);
            Assert.Equal(start + 6L, info.TargetRow);
            Assert.Null(info.TargetDate); // no date column was named
        }
    }

    [Fact]
    public void EveryStepTargetsAreShiftedByTheHorizon()
    {
        var options = Plain(length: 5, horizon: 2) with { Target = TargetLayout.EveryStep, DateColumn = "date" };
        var w = TimeSeriesWindows.FromDataFrame<float>(TestFrames.Indexed(12), options);
        Assert.Equal(TimeSeriesWindows.WindowCount(12, 5, 2), w.Train.Count);
        Assert.True(w.Train.IsPerStep);
        for (int k = 0; k < w.Train.Count; k++)
            for (int t = 0; t < 5; t++)
                Assert.Equal(100f + k + t + 2, w.Train[k].Target[t, 0]);
        Assert.Equal(new DateTime(2020, 1, 1).AddDays(0 + 4 + 2), w.Windows(DatasetPart.Train)[0].TargetDate);
    }

    [Fact]
    public void SplitIsChronologicalAndWindowsStayInsideTheirPart()
    {
        var options = new WindowOptions(["a"], "a", 5) { Split = new SplitFractions(0.6, 0.2, 0.2), Scaling = ScalingKind.None };
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(100), options);
        Assert.Equal(60, w.Rows(DatasetPart.Train));
        Assert.Equal(20, w.Rows(DatasetPart.Validation));
        Assert.Equal(20, w.Rows(DatasetPart.Test));
        Assert.Equal(TimeSeriesWindows.WindowCount(60, 5), w.Train.Count);
        Assert.Equal(TimeSeriesWindows.WindowCount(20, 5), w.Validation!.Count);
        Assert.Equal(TimeSeriesWindows.WindowCount(20, 5), w.Test!.Count);
        Assert.All(w.Windows(DatasetPart.Train), i => Assert.True(i.FirstRow >= 0 && i.TargetRow < 60));
        Assert.All(w.Windows(DatasetPart.Validation), i => Assert.True(i.FirstRow >= 60 && i.TargetRow < 80));
        Assert.All(w.Windows(DatasetPart.Test), i => Assert.True(i.FirstRow >= 80 && i.TargetRow < 100));
        // Time order within each part.
        foreach (var part in new[] { DatasetPart.Train, DatasetPart.Validation, DatasetPart.Test })
        {
            var rows = w.Windows(part).Select(i => i.FirstRow).ToArray();
            Assert.Equal(rows.OrderBy(r => r), rows);
        }
    }

    [Fact]
    public void ZScoreIsFittedOnTrainingRowsOnlyAndInvertsExactly()
    {
        var options = new WindowOptions(["a", "b"], "a", 3) { Split = new SplitFractions(0.5, 0.25, 0.25), Scaling = ScalingKind.ZScore };
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(40), options);
        var trainA = Enumerable.Range(0, 20).Select(r => 100.0 + r).ToArray();
        double mean = trainA.Average(), std = Math.Sqrt(trainA.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(mean, w.Scaler.Target.Offset, 12);
        Assert.Equal(std, w.Scaler.Target.Scale, 12);
        Assert.Equal(ScalingKind.ZScore, w.Scaler.Features[1].Kind);
        Assert.Equal(1000 + 10 * 9.5, w.Scaler.Features[1].Offset, 9);
        // The scaled training targets average about zero; later parts sit above (the series rises) — fit used train only.
        Assert.True(w.Test!.Samples.All(s => s.Target[0, 0] > 1.5));
        // Round trip: every scaled target maps back to its row's raw value.
        foreach (var part in new[] { DatasetPart.Train, DatasetPart.Validation, DatasetPart.Test })
            for (int k = 0; k < w.Part(part).Count; k++)
                Assert.Equal(100.0 + w.Windows(part)[k].TargetRow, w.Scaler.InverseTarget(w.Part(part)[k].Target[0, 0]), 10);
    }

    [Fact]
    public void MinMaxMapsTrainingRowsIntoUnitIntervalAndInverts()
    {
        var options = new WindowOptions(["a"], "a", 4) { Split = new SplitFractions(0.8, 0.2, 0), Scaling = ScalingKind.MinMax };
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(50), options);
        Assert.Equal(100, w.Scaler.Target.Offset);
        Assert.Equal(39, w.Scaler.Target.Scale);
        Assert.All(w.Train.Samples, s => Assert.All(s.Input.Values.ToArray(), v => Assert.InRange(v, 0.0, 1.0)));
        Assert.True(w.Validation!.Samples.Last().Target[0, 0] > 1.0); // beyond the training range, as it should be
        Assert.False(w.Has(DatasetPart.Test));
        Assert.Null(w.Test);
        var raw = new[] { 101.5, 139.0, 160.25 };
        Assert.Equal(raw, w.Scaler.Target.Inverse(w.Scaler.Target.Transform(raw)));
    }

    [Fact]
    public void ForecastUndoesScalingAndPairsWithTargetRows()
    {
        var options = new WindowOptions(["a"], "a", 6) { DateColumn = "date" };
        var frame = TestFrames.Indexed(80);
        var w = TimeSeriesWindows.FromDataFrame<double>(frame, options);
        var model = Lstm.Create(inputSize: 1, hiddenSize: 4).WithHead(Head.Regression(1)).WithSeed(7).Build<double>();
        var forecast = w.Forecast(model, DatasetPart.Test);
        Assert.Equal(w.Test!.Count, forecast.Actual.Count);
        for (int k = 0; k < forecast.Actual.Count; k++)
        {
            Assert.Equal(100.0 + forecast.TargetRows[k], forecast.Actual[k], 9);
            Assert.Equal(w.Scaler.InverseTarget(model.Predict(w.Test[k].Input)[0]), forecast.Predicted[k], 12);
            Assert.Equal(new DateTime(2020, 1, 1).AddDays(forecast.TargetRows[k]), forecast.Dates![k]);
        }
        Assert.Equal(Math.Sqrt(forecast.Residuals.Average(r => r * r)), forecast.RootMeanSquaredError, 12);
    }

    [Fact]
    public void ForecastNeedsAOneOutputRegressionHead()
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(60), new WindowOptions(["a"], "a", 4));
        var model = Lstm.Create(1, 3).WithHead(Head.Classification(2)).Build<double>();
        var e = Assert.Throws<ArgumentException>(() => w.Forecast(model));
        Assert.Contains("regression head", e.Message);
    }
}
