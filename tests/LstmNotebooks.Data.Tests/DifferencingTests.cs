using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

public class DifferencingTests
{
    /// <summary>y = r² so that changes differ from row to row: y_r − y_{r−1} = 2r − 1.</summary>
    private static DataFrame Squares(int rows) => new(new DoubleDataFrameColumn("y", Enumerable.Range(0, rows).Select(r => (double)r * r)));

    [Fact]
    public void InputsAreChangesAndTargetsAreChangesSinceTheLastInputRow()
    {
        var options = new WindowOptions(["y"], "y", 4) { Horizon = 2, Differencing = Differencing.FirstDifference, Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly };
        var w = TimeSeriesWindows.FromDataFrame<double>(Squares(20), options);
        Assert.Equal(TimeSeriesWindows.WindowCount(20 - 1, 4, 2), w.Train.Count); // row 0 has no predecessor
        for (int k = 0; k < w.Train.Count; k++)
        {
            int s = k + 1, last = s + 3, target = last + 2;
            var info = w.Windows(DatasetPart.Train)[k];
            Assert.Equal((long)s, info.FirstRow);
            Assert.Equal((long)target, info.TargetRow);
            for (int t = 0; t < 4; t++) Assert.Equal(2.0 * (s + t) - 1, w.Train[k].Input[t, 0]);
            Assert.Equal((double)target * target - (double)last * last, w.Train[k].Target[0, 0]);
            Assert.Equal((double)last * last, info.LastLevel);
            Assert.Equal((double)target * target, info.TargetLevel);
            // Back to a level: the change added to the last known value.
            Assert.Equal((double)target * target, w.ToTargetUnits(info, w.Train[k].Target[0, 0]), 9);
        }
    }

    [Fact]
    public void ScalingOfChangesIsFittedOnTrainingChangesAndForecastsAreLevels()
    {
        var options = new WindowOptions(["y"], "y", 3) { Differencing = Differencing.FirstDifference, Scaling = ScalingKind.ZScore, Split = new SplitFractions(0.5, 0.25, 0.25) };
        var w = TimeSeriesWindows.FromDataFrame<double>(Squares(40), options);
        // Training rows 0..19: input changes 2r−1 for r = 1..19; one-step target changes likewise for r = 1..19.
        var changes = Enumerable.Range(1, 19).Select(r => 2.0 * r - 1).ToArray();
        double mean = changes.Average(), std = Math.Sqrt(changes.Average(c => (c - mean) * (c - mean)));
        Assert.Equal(mean, w.Scaler.Features[0].Offset, 12);
        Assert.Equal(std, w.Scaler.Features[0].Scale, 12);
        Assert.Equal(mean, w.Scaler.Target.Offset, 12);
        Assert.Equal(std, w.Scaler.Target.Scale, 12);

        var model = Lstm.Create(1, 3).WithHead(Head.Regression(1)).WithSeed(5).Build<double>();
        var forecast = w.Forecast(model, DatasetPart.Validation);
        for (int k = 0; k < forecast.Actual.Count; k++)
        {
            var info = w.Windows(DatasetPart.Validation)[k];
            Assert.Equal((double)info.TargetRow * info.TargetRow, forecast.Actual[k]);
            double change = w.Scaler.InverseTarget(model.Predict(w.Validation![k].Input)[0]);
            Assert.Equal(info.LastLevel + change, forecast.Predicted[k], 9);
        }
    }

    [Fact]
    public void DifferencingNeedsOneMoreRowAndAHorizon()
    {
        var e = Assert.Throws<DataInputException>(() => TimeSeriesWindows.FromDataFrame<double>(Squares(5),
            new WindowOptions(["y"], "y", 4) { Differencing = Differencing.FirstDifference, Split = SplitFractions.TrainOnly }));
        Assert.Equal(DataProblem.TooFewRows, e.Problem);
        Assert.Contains("+ 1 (differencing uses the row before the first) = 6 rows", e.Message);
        var h = Assert.Throws<DataInputException>(() => TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(20),
            new WindowOptions(["b"], "a", 4) { Horizon = 0, Differencing = Differencing.FirstDifference }));
        Assert.Equal(DataProblem.InvalidOptions, h.Problem);
        Assert.Contains("horizon of at least 1", h.Message);
    }
}
