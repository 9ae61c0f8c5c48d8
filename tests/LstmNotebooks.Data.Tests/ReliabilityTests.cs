using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

/// <summary>
/// One test per class of hostile input to the Data package (issue 11): malformed CSV, window sizes near int.MaxValue,
/// values a float cannot hold, scalers that would divide by zero or carry NaN, generator sizes that overflow, and
/// forecasts whose lists do not pair up. The frame given is never changed.
/// </summary>
public class ReliabilityTests
{
    [Theory]
    [InlineData("a,b\n1,2\n3,4,5\n6,7\n", 1, 3, 3, 2)]         // an extra field (Microsoft.Data.Analysis said "less columns than expected")
    [InlineData("a,b,c\n1,2,3\n4,5\n", 1, 3, 2, 3)]             // a missing one (it used to be read as a null)
    [InlineData("a,b\n1,2\n\n\"x,\ny\",2\n3,4,\n", 2, 6, 3, 2)] // blank lines skipped, a quoted separator and line break are one field
    public void RaggedCsvRowsNameTheRowAndTheFieldCounts(string csv, int row, int line, int fields, int columns)
    {
        var e = Assert.Throws<DataInputException>(() => Csv.Parse(csv));
        Assert.Equal(DataProblem.MalformedCsv, e.Problem);
        Assert.Equal(row, e.Row);
        Assert.Contains($"has {fields} fields in row {row} (line {line}), but its header has {columns} columns", e.Message);
        Assert.Contains("Hint:", e.Message);

        string path = Path.Combine(Path.GetTempPath(), $"lstmnb-ragged-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, csv);
        try { Assert.Contains($"'{path}' has {fields} fields in row {row}", Assert.Throws<DataInputException>(() => Csv.Load(path)).Message); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MalformedCsvAndSeparatorsAreExplained()
    {
        var e = Assert.Throws<DataInputException>(() => Csv.Parse("a,b\n1,\"2\n3,4\n"));
        Assert.Equal(DataProblem.MalformedCsv, e.Problem);
        Assert.Contains("quote opened on line 2 that is never closed", e.Message);
        Assert.Equal(DataProblem.InvalidOptions, Assert.Throws<DataInputException>(() => new CsvLoadOptions { Separator = '"' }).Problem);
        Assert.Contains("line break", Assert.Throws<DataInputException>(() => new CsvLoadOptions { Separator = '\n' }).Message);
        // Well-formed text with quotes, escaped quotes and blank lines still reads.
        var frame = Csv.Parse("a,b\n\"x,y\",1\n\n\"q\"\"r\",2\n");
        Assert.Equal(["x,y", "q\"r"], new[] { (string)frame.Columns["a"][0], (string)frame.Columns["a"][1] });
    }

    [Theory]
    [InlineData(int.MaxValue, 1, Differencing.None, "window length 2147483647 + horizon 1 = 2147483648 rows")]
    [InlineData(3, int.MaxValue, Differencing.None, "window length 3 + horizon 2147483647 = 2147483650 rows")]
    [InlineData(int.MaxValue - 1, 1, Differencing.FirstDifference, "= 2147483648 rows")]
    public void WindowSizesNearIntMaxValueAreRefusedWithTheRowsTheyNeed(int length, int horizon, Differencing differencing, string expected)
    {
        var frame = TestFrames.Indexed(40);
        string before = TestFrames.Snapshot(frame);
        var e = Assert.Throws<DataInputException>(() => TimeSeriesWindows.FromDataFrame<double>(frame,
            new WindowOptions(["b"], "a", length) { Horizon = horizon, Differencing = differencing, Split = SplitFractions.TrainOnly }));
        Assert.Equal(DataProblem.TooFewRows, e.Problem);
        Assert.Contains(expected, e.Message);
        Assert.Equal(before, TestFrames.Snapshot(frame));
        Assert.Equal(2147483648L, new WindowOptions(["b"], "a", int.MaxValue).RowsPerWindow);
    }

    [Fact]
    public void WindowArithmeticDoesNotWrapAround()
    {
        // A stride near int.MaxValue used to wrap the next window's start to a negative row.
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(40), new WindowOptions(["b"], "a", 3) { Stride = int.MaxValue, Split = SplitFractions.TrainOnly });
        Assert.Equal(1, w.Train.Count);
        Assert.Equal(0, TimeSeriesWindows.WindowCount(10, int.MaxValue, 1));
        Assert.Equal(1, TimeSeriesWindows.WindowCount(int.MaxValue, int.MaxValue - 1, 1, int.MaxValue));
        Assert.Contains("stride must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesWindows.WindowCount(10, 3, 1, 0)).Message);
        Assert.Contains("rows must be 0 or more", Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesWindows.WindowCount(-5, 3)).Message);
    }

    [Fact]
    public void ValuesThatAFloatCannotHoldNameTheirColumnAndRow()
    {
        var frame = new DataFrame(new DoubleDataFrameColumn("a", Enumerable.Range(0, 10).Select(r => r == 4 ? 1e300 : r)));
        var e = Assert.Throws<DataInputException>(() => TimeSeriesWindows.FromDataFrame<float>(frame,
            new WindowOptions(["a"], "a", 3) { Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly }));
        Assert.Equal(DataProblem.TooLarge, e.Problem);
        Assert.Equal(("a", 4L), (e.Column, e.Row));
        Assert.Contains("Single cannot hold", e.Message);
        // Scaled, the same column fits.
        Assert.Equal(7, TimeSeriesWindows.FromDataFrame<float>(frame, new WindowOptions(["a"], "a", 3) { Split = SplitFractions.TrainOnly }).Train.Count);
    }

    [Fact]
    public void ScalersRefuseNonFiniteValuesAndZeroScales()
    {
        var e = Assert.Throws<DataInputException>(() => ColumnScaler.Fit("a", ScalingKind.ZScore, [1.0, double.NaN]));
        Assert.Equal((DataProblem.MissingValues, 1L), (e.Problem, e.Row));
        Assert.Throws<DataInputException>(() => ColumnScaler.Fit("a", ScalingKind.MinMax, [double.PositiveInfinity, 1]));
        Assert.Contains("not a ScalingKind", Assert.Throws<ArgumentOutOfRangeException>(() => ColumnScaler.Fit("a", (ScalingKind)9, [1.0, 2])).Message);
        Assert.Contains("was 0", Assert.Throws<ArgumentOutOfRangeException>(() => new ColumnScaler("a", ScalingKind.ZScore, 0, 0)).Message);
        var fitted = ColumnScaler.Fit("a", ScalingKind.ZScore, [1.0, 3.0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => fitted with { Scale = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => fitted with { Offset = double.NaN });
        Assert.Contains("feature scalers is null", Assert.Throws<ArgumentNullException>(() => new DataScaler(null!, fitted)).Message);
        Assert.Contains("Feature scaler 1 is null", Assert.Throws<ArgumentNullException>(() => new DataScaler([fitted, null!], fitted)).Message);
        // A constant column still maps to 0 rather than dividing by zero.
        Assert.Equal(0, ColumnScaler.Fit("c", ScalingKind.ZScore, [5.0, 5.0]).Transform(5));
    }

    [Fact]
    public void GeneratorSizesAreCheckedBeforeGenerating()
    {
        Assert.Contains("2,147,483,647 values in one array", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.SineWave<double>(1, int.MaxValue, 1)).Message);
        Assert.Contains("in one array", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.SineWave<double>(int.MaxValue, 1, 1)).Message);
        Assert.Contains("not a TargetLayout", Assert.Throws<ArgumentOutOfRangeException>(() =>
            SyntheticTasks.SineWave<double>(new SineWaveOptions { Count = 2, Steps = 5, Target = (TargetLayout)9 })).Message);
        Assert.Contains("gap + 1 steps", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.RememberFirstSymbol<double>(int.MaxValue, 1, 1)).Message);
        Assert.Contains("one-hot features", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.RememberFirstSymbol<double>(10, 1, 1, symbols: int.MaxValue)).Message);
        Assert.Contains("in one array", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.SineWaveFrame(int.MaxValue, 10, 0, 1)).Message);

        // A horizon past int.MaxValue steps used to wrap to a negative time: the target is the sine there.
        var data = SyntheticTasks.SineWave<double>(new SineWaveOptions { Count = 1, Steps = 10, Horizon = int.MaxValue, Seed = 3 });
        var rng = new Rng(3);
        double period = rng.Uniform(12, 36), amplitude = rng.Uniform(0.5, 1.0), phase = rng.Uniform(0, 2 * Math.PI);
        Assert.Equal(amplitude * Math.Sin(2 * Math.PI * (9L + int.MaxValue) / period + phase), data[0].Target[0, 0], 9);
    }

    [Fact]
    public void ForecastsAndPartsRefuseWhatDoesNotPairUp()
    {
        var mismatched = new Forecast("a", DatasetPart.Test, [1, 2, 3], null, [1.0, 2, 3], [1.0, 2]);
        Assert.Contains("3 actual values but 2 predictions", Assert.Throws<InvalidOperationException>(() => mismatched.Residuals).Message);
        Assert.Contains("no values", Assert.Throws<InvalidOperationException>(() => new Forecast("a", DatasetPart.Test, [], null, [], []).RootMeanSquaredError).Message);
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(40), new WindowOptions(["b"], "a", 3) { Split = SplitFractions.TrainOnly });
        Assert.Contains("not a DatasetPart", Assert.Throws<ArgumentOutOfRangeException>(() => w.Part((DatasetPart)9)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ToTargetUnits(w.Windows(DatasetPart.Train)[0], double.NaN));
    }
}
