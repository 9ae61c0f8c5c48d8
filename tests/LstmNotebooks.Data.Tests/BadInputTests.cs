using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

/// <summary>Every bad input gets a specific, explained error, and the frame is left exactly as it was.</summary>
public class BadInputTests
{
    private static DataInputException Fails(DataFrame frame, WindowOptions options)
    {
        string before = TestFrames.Snapshot(frame);
        var e = Assert.Throws<DataInputException>(() => TimeSeriesWindows.FromDataFrame<double>(frame, options));
        Assert.Equal(before, TestFrames.Snapshot(frame));
        // Option errors state the rule they break; data errors also say how to fix the data.
        if (e.Problem != DataProblem.InvalidOptions) Assert.Contains("Hint:", e.Message);
        return e;
    }

    private static DataFrame WithGaps()
    {
        var frame = TestFrames.Indexed(20);
        var a = new DoubleDataFrameColumn("a", Enumerable.Range(0, 20).Select(r => r switch { 5 => (double?)null, 6 => double.NaN, 12 => null, _ => 100.0 + r }));
        frame.Columns["a"] = a;
        return frame;
    }

    [Fact]
    public void MissingColumnListsTheAvailableOnes()
    {
        var e = Fails(TestFrames.Indexed(20), new WindowOptions(["a", "temperature"], "a", 3));
        Assert.Equal(DataProblem.MissingColumn, e.Problem);
        Assert.Equal("temperature", e.Column);
        Assert.Contains("'temperature' does not exist", e.Message);
        foreach (var name in new[] { "'date'", "'a'", "'b'", "'label'" }) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void MissingColumnSuggestsACaseInsensitiveMatch()
    {
        var e = Fails(TestFrames.Indexed(20), new WindowOptions(["a"], "A", 3));
        Assert.Equal(DataProblem.MissingColumn, e.Problem);
        Assert.Contains("did you mean 'a'", e.Message);
    }

    [Fact]
    public void NonNumericColumnNamesItsType()
    {
        var e = Fails(TestFrames.Indexed(20), new WindowOptions(["a", "label"], "a", 3));
        Assert.Equal(DataProblem.NonNumericColumn, e.Problem);
        Assert.Equal("label", e.Column);
        Assert.Contains("String", e.Message);
        Assert.Contains("\"even\"", e.Message);
        Assert.Contains("Expected a numeric column", e.Message);
    }

    [Fact]
    public void NullsAndNaNAreRejectedWithCountAndFirstRow()
    {
        var e = Fails(WithGaps(), new WindowOptions(["a"], "a", 3));
        Assert.Equal(DataProblem.MissingValues, e.Problem);
        Assert.Equal(5, e.Row);
        Assert.Equal("a", e.Column);
        Assert.Contains("3 missing values", e.Message);
        Assert.Contains("row 5", e.Message);
        Assert.Contains("MissingValuePolicy.Drop", e.Message);
    }

    [Fact]
    public void DropRemovesIncompleteRowsWithoutTouchingTheFrame()
    {
        var frame = WithGaps();
        string before = TestFrames.Snapshot(frame);
        var w = TimeSeriesWindows.FromDataFrame<double>(frame,
            new WindowOptions(["a"], "a", 3) { MissingValues = MissingValuePolicy.Drop, Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly });
        Assert.Equal(before, TestFrames.Snapshot(frame));
        Assert.Equal(20, w.InputRows);
        Assert.Equal(17, w.UsedRows);
        Assert.Equal(TimeSeriesWindows.WindowCount(17, 3), w.Train.Count);
        // Row provenance refers to the input frame: the window after the gap starts at input row 7.
        var info = w.Windows(DatasetPart.Train).First(i => i.FirstRow == 7);
        Assert.Equal(107.0, w.Train[w.Windows(DatasetPart.Train).ToList().IndexOf(info)].Input[0, 0]);
        Assert.DoesNotContain(w.Windows(DatasetPart.Train), i => i.TargetRow is 5 or 6 or 12);
    }

    [Fact]
    public void MissingDatesAreRejectedUnlessDropped()
    {
        var frame = TestFrames.Indexed(12);
        frame.Columns["date"] = new DateTimeDataFrameColumn("date", Enumerable.Range(0, 12).Select(r => r == 4 ? null : (DateTime?)new DateTime(2020, 1, 1).AddDays(r)));
        var e = Fails(frame, new WindowOptions(["a"], "a", 3) { DateColumn = "date", Split = SplitFractions.TrainOnly });
        Assert.Equal(DataProblem.MissingValues, e.Problem);
        Assert.Equal(4, e.Row);
        Assert.Contains("no date at row 4", e.Message);
        var w = TimeSeriesWindows.FromDataFrame<double>(frame,
            new WindowOptions(["a"], "a", 3) { DateColumn = "date", MissingValues = MissingValuePolicy.Drop, Split = SplitFractions.TrainOnly });
        Assert.Equal(11, w.UsedRows);
        Assert.DoesNotContain(w.Windows(DatasetPart.Train), i => i.TargetRow == 4);
    }

    [Fact]
    public void InterpolateFillsLinearly()
    {
        var frame = WithGaps();
        string before = TestFrames.Snapshot(frame);
        var w = TimeSeriesWindows.FromDataFrame<double>(frame,
            new WindowOptions(["a"], "a", 20 - 1) { MissingValues = MissingValuePolicy.Interpolate, Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly });
        Assert.Equal(before, TestFrames.Snapshot(frame));
        var input = w.Train[0].Input;
        for (int t = 0; t < 19; t++) Assert.Equal(100.0 + t, input[t, 0], 12); // the original line is linear, so filling restores it
    }

    [Fact]
    public void InterpolateHoldsTheEdges()
    {
        var frame = new DataFrame(new DoubleDataFrameColumn("a", new double?[] { null, double.NaN, 3, 5, null }));
        var w = TimeSeriesWindows.FromDataFrame<double>(frame,
            new WindowOptions(["a"], "a", 4) { MissingValues = MissingValuePolicy.Interpolate, Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly });
        Assert.Equal(new[] { 3.0, 3, 3, 5 }, w.Train[0].Input.Values.ToArray());
        Assert.Equal(5.0, w.Train[0].Target[0, 0]);
    }

    [Fact]
    public void AllMissingColumnCannotBeInterpolated()
    {
        var frame = new DataFrame(new DoubleDataFrameColumn("a", new double?[] { null, null, null, null }));
        var e = Assert.Throws<DataInputException>(() => TimeSeriesWindows.FromDataFrame<double>(frame,
            new WindowOptions(["a"], "a", 2) { MissingValues = MissingValuePolicy.Interpolate, Split = SplitFractions.TrainOnly }));
        Assert.Equal(DataProblem.MissingValues, e.Problem);
        Assert.Contains("no values at all", e.Message);
    }

    [Fact]
    public void FewerRowsThanOneWindow()
    {
        var e = Fails(TestFrames.Indexed(6), new WindowOptions(["a"], "a", 6) { Split = SplitFractions.TrainOnly });
        Assert.Equal(DataProblem.TooFewRows, e.Problem);
        Assert.Contains("6 usable rows", e.Message);
        Assert.Contains("window length 6 + horizon 1 = 7 rows", e.Message);
    }

    [Fact]
    public void APartTooSmallForOneWindowIsNamed()
    {
        var e = Fails(TestFrames.Indexed(40), new WindowOptions(["a"], "a", 8) { Split = new SplitFractions(0.8, 0.1, 0.1) });
        Assert.Equal(DataProblem.TooFewRows, e.Problem);
        Assert.Contains("validation part gets 4 of 40 rows", e.Message);
    }

    [Fact]
    public void DateOutOfOrderNamesBothRows()
    {
        var frame = TestFrames.Indexed(10);
        var dates = Enumerable.Range(0, 10).Select(r => (DateTime?)new DateTime(2020, 1, 1).AddDays(r == 4 ? 1 : r)).ToArray();
        frame.Columns["date"] = new DateTimeDataFrameColumn("date", dates);
        var e = Fails(frame, new WindowOptions(["a"], "a", 3) { DateColumn = "date", Split = SplitFractions.TrainOnly });
        Assert.Equal(DataProblem.DateOutOfOrder, e.Problem);
        Assert.Equal(4, e.Row);
        Assert.Contains("out of order at row 4: 2020-01-02 comes before 2020-01-04 at row 3", e.Message);
        Assert.Contains("strictly increasing", e.Message);
    }

    [Fact]
    public void RepeatedDateIsOutOfOrder()
    {
        var frame = TestFrames.Indexed(10);
        frame.Columns["date"] = new StringDataFrameColumn("date", Enumerable.Range(0, 10).Select(r => $"2021-03-{(r == 7 ? 7 : r + 1):00}"));
        var e = Fails(frame, new WindowOptions(["a"], "a", 3) { DateColumn = "date", Split = SplitFractions.TrainOnly });
        Assert.Equal(DataProblem.DateOutOfOrder, e.Problem);
        Assert.Contains("2021-03-07 repeats 2021-03-07", e.Message);
    }

    [Fact]
    public void UnparseableDateTextIsNamed()
    {
        var frame = TestFrames.Indexed(10);
        frame.Columns["date"] = new StringDataFrameColumn("date", Enumerable.Range(0, 10).Select(r => r == 2 ? "soon" : $"2021-03-{r + 1:00}"));
        var e = Fails(frame, new WindowOptions(["a"], "a", 3) { DateColumn = "date", Split = SplitFractions.TrainOnly });
        Assert.Equal(DataProblem.InvalidDate, e.Problem);
        Assert.Equal(2, e.Row);
    }

    [Theory]
    [InlineData(0, 1, 1, "window length must be at least 1")]
    [InlineData(3, 1, 0, "stride must be at least 1")]
    [InlineData(3, -1, 1, "horizon must be 0 or more")]
    [InlineData(3, 0, 1, "answer would be in the input")]
    public void InvalidOptionsAreExplained(int length, int horizon, int stride, string expected)
    {
        var e = Fails(TestFrames.Indexed(20), new WindowOptions(["a"], "a", length) { Horizon = horizon, Stride = stride });
        Assert.Equal(DataProblem.InvalidOptions, e.Problem);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SplitFractionsMustAddUpToOne()
    {
        var e = Fails(TestFrames.Indexed(20), new WindowOptions(["a"], "a", 3) { Split = new SplitFractions(0.7, 0.2, 0.2) });
        Assert.Equal(DataProblem.InvalidOptions, e.Problem);
        Assert.Contains("adding up to 1", e.Message);
        Assert.Contains("sum 1.1", e.Message);
    }

    [Fact]
    public void HorizonZeroIsAllowedWhenTheTargetIsNotAFeature()
    {
        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(10),
            new WindowOptions(["b"], "a", 3) { Horizon = 0, Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly });
        Assert.Equal(8, w.Train.Count);
        Assert.Equal(102.0, w.Train[0].Target[0, 0]);
    }
}
