using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

public class CsvAndDatasetTests
{
    [Fact]
    public void Co2LoadsWithExpectedRowsTypesAndDates()
    {
        var frame = Datasets.LoadCo2(TestFrames.DatasetsDirectory);
        Assert.Equal(741, frame.Rows.Count);
        Assert.Equal(["Date", "CO2", "adjusted CO2"], frame.Columns.Select(c => c.Name));
        Assert.Equal(typeof(DateTime), frame.Columns["Date"].DataType);
        Assert.Equal(typeof(double), frame.Columns["CO2"].DataType);
        Assert.Equal(new DateTime(1958, 3, 1), frame.Columns["Date"][0]);
        Assert.Equal(new DateTime(2020, 4, 1), frame.Columns["Date"][740]);
        Assert.Equal(315.70, frame.Columns["CO2"][0]); // exactly the published digits: Double, not Single
        Assert.Equal(416.18, frame.Columns["CO2"][740]);
        Assert.Equal(0, frame.Columns["CO2"].NullCount);
    }

    [Fact]
    public void SeattleWeatherLoadsWithExpectedRowsTypesAndDates()
    {
        var frame = Datasets.LoadSeattleWeather(TestFrames.DatasetsDirectory);
        Assert.Equal(1461, frame.Rows.Count);
        Assert.Equal(["date", "precipitation", "temp_max", "temp_min", "wind", "weather"], frame.Columns.Select(c => c.Name));
        Assert.Equal(new DateTime(2012, 1, 1), frame.Columns["date"][0]);
        Assert.Equal(new DateTime(2015, 12, 31), frame.Columns["date"][1460]);
        Assert.Equal(typeof(string), frame.Columns["weather"].DataType);
        Assert.Equal(new[] { "drizzle", "fog", "rain", "snow", "sun" },
            Enumerable.Range(0, 1461).Select(i => (string)frame.Columns["weather"][i]).Distinct().Order());
    }

    [Fact]
    public void DatasetsFolderIsFoundByWalkingUp()
    {
        Assert.Equal(Path.GetFullPath(TestFrames.DatasetsDirectory), Datasets.FindDirectory(AppContext.BaseDirectory));
        Assert.Equal(741, Datasets.LoadCo2().Rows.Count);
    }

    [Fact]
    public void Co2WindowsThroughTheAdapter()
    {
        var co2 = Datasets.LoadCo2(TestFrames.DatasetsDirectory);
        var w = TimeSeriesWindows.FromDataFrame<double>(co2, Datasets.Co2Forecast(windowLength: 24, differencing: Differencing.None));
        Assert.Equal(741, w.UsedRows);
        int train = w.Rows(DatasetPart.Train), validation = w.Rows(DatasetPart.Validation), test = w.Rows(DatasetPart.Test);
        Assert.Equal(741, train + validation + test);
        Assert.Equal(111, validation); // round(741 × 0.15)
        Assert.Equal(TimeSeriesWindows.WindowCount(train, 24), w.Train.Count);
        Assert.Equal(TimeSeriesWindows.WindowCount(test, 24), w.Test!.Count);
        Assert.Equal(new DateTime(2020, 4, 1), w.Windows(DatasetPart.Test)[^1].TargetDate);
        // The scaler saw 1958–2001 only: its mean lies well below the test targets.
        Assert.True(w.Scaler.Target.Offset < 350);
        Assert.InRange(w.Scaler.InverseTarget(w.Test[^1].Target[0, 0]), 416.179999, 416.180001);

        // The default differences the series: one window fewer in training (row 0 has no predecessor), changes as targets.
        var d = TimeSeriesWindows.FromDataFrame<double>(co2, Datasets.Co2Forecast(windowLength: 24));
        Assert.Equal(TimeSeriesWindows.WindowCount(train - 1, 24), d.Train.Count);
        Assert.Equal(w.Test.Count, d.Test!.Count);
        var last = d.Windows(DatasetPart.Test)[^1];
        Assert.Equal(416.18, last.TargetLevel);
        Assert.Equal(414.51, last.LastLevel); // 2020-03
        Assert.Equal(416.18 - 414.51, d.Scaler.InverseTarget(d.Test[^1].Target[0, 0]), 9);
        Assert.InRange(Math.Abs(d.Scaler.Target.Offset), 0, 1); // mean monthly change: ~0.1 ppm, not ~340 ppm
    }

    [Fact]
    public void SeattleWindowsWithFourFeatures()
    {
        var w = TimeSeriesWindows.FromDataFrame<float>(Datasets.LoadSeattleWeather(TestFrames.DatasetsDirectory), Datasets.SeattleTemperatureForecast(14));
        Assert.Equal(4, w.Train.Features);
        Assert.Equal(TimeSeriesWindows.WindowCount(w.Rows(DatasetPart.Train), 14), w.Train.Count);
        Assert.Equal(new DateTime(2015, 12, 31), w.Windows(DatasetPart.Test)[^1].TargetDate);
    }

    [Fact]
    public void WeatherCategoryIsNotAFeature()
    {
        var frame = Datasets.LoadSeattleWeather(TestFrames.DatasetsDirectory);
        var e = Assert.Throws<DataInputException>(() => TimeSeriesWindows.FromDataFrame<double>(frame, new WindowOptions(["weather"], "temp_max", 7)));
        Assert.Equal(DataProblem.NonNumericColumn, e.Problem);
        Assert.Contains("holds String values", e.Message);
    }

    [Fact]
    public void CsvGuessesTypesFromAllRowsAndKeepsNulls()
    {
        // Row 12 makes column b text; Microsoft.Data.Analysis's default guess (first 10 rows) would call it numeric and fail.
        var lines = new List<string> { "when,a,b" };
        for (int i = 0; i < 12; i++) lines.Add($"2020-01-{i + 1:00},{(i == 3 ? "" : i == 4 ? "NaN" : (i * 0.1).ToString(System.Globalization.CultureInfo.InvariantCulture))},{i}");
        lines.Add("2020-01-13,1.5,twelve");
        var frame = Csv.Parse(string.Join("\n", lines));
        Assert.Equal(13, frame.Rows.Count);
        Assert.Equal(typeof(DateTime), frame.Columns["when"].DataType);
        Assert.Equal(typeof(double), frame.Columns["a"].DataType);
        Assert.Equal(typeof(string), frame.Columns["b"].DataType);
        Assert.Null(frame.Columns["a"][3]);
        Assert.True(double.IsNaN((double)frame.Columns["a"][4]));
        Assert.Equal(0.1, frame.Columns["a"][1]);
    }

    [Fact]
    public void CsvRoundTripsThroughSaveAndLoad()
    {
        var frame = new DataFrame(
            new DateTimeDataFrameColumn("date", new DateTime?[] { new(2020, 1, 1), new(2020, 1, 2), new(2020, 1, 3) }),
            new DoubleDataFrameColumn("x", new double?[] { 0.1 + 0.2, null, -1e-7 }),
            new StringDataFrameColumn("s", new[] { "a", "b,c", "d" }));
        string path = Path.Combine(Path.GetTempPath(), $"lstmnotebooks-{Guid.NewGuid():N}.csv");
        try
        {
            Csv.Save(frame, path);
            Assert.StartsWith("date,x,s\n2020-01-01,0.30000000000000004,a\n", File.ReadAllText(path));
            var back = Csv.Load(path);
            Assert.Equal(TestFrames.Snapshot(frame), TestFrames.Snapshot(back));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MissingCsvFileSaysWhere()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Csv.Load("no-such-file.csv"));
        Assert.Contains("no-such-file.csv", e.Message);
        Assert.Contains("does not exist", e.Message);
    }
}
