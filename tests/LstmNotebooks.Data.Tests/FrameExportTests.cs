using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

public class FrameExportTests
{
    private static Trace<double> LstmTrace(int layers = 1)
    {
        var model = Lstm.Create(inputSize: 2, hiddenSize: 3).WithLayers(layers).WithHead(Head.Regression(1)).WithSeed(3).Build<double>();
        var input = Sequence.Create<double>([[0.5, -1.0], [1.0, 0.25], [-0.3, 0.8], [0.0, 0.0], [0.9, -0.4]]);
        return model.Trace(input);
    }

    [Fact]
    public void TraceBecomesOneRowPerStepAndOneColumnPerGateAndUnit()
    {
        var trace = LstmTrace();
        var frame = trace.ToDataFrame();
        Assert.Equal(5, frame.Rows.Count);
        var expected = new List<string> { "step" };
        foreach (var s in new[] { "i", "f", "g", "o", "c", "h" })
            for (int u = 0; u < 3; u++) expected.Add($"{s}[{u}]");
        expected.Add("y[0]");
        Assert.Equal(expected, frame.Columns.Select(c => c.Name));
        for (int t = 0; t < 5; t++)
        {
            Assert.Equal(t, frame.Columns["step"][t]);
            Assert.Equal(trace[0][TraceChannel.ForgetGate, t, 2], frame.Columns["f[2]"][t]);
            Assert.Equal(trace[0][TraceChannel.CellState, t, 0], frame.Columns["c[0]"][t]);
            Assert.Equal(trace.Outputs[t][0], frame.Columns["y[0]"][t]);
        }
    }

    [Fact]
    public void MultiLayerTraceColumnsArePrefixedAndSelectable()
    {
        var trace = LstmTrace(layers: 2);
        var all = trace.ToDataFrame(new TraceFrameOptions { Channels = [TraceChannel.HiddenState], IncludeOutputs = false });
        Assert.Equal(["step", "L0.h[0]", "L0.h[1]", "L0.h[2]", "L1.h[0]", "L1.h[1]", "L1.h[2]"], all.Columns.Select(c => c.Name));
        Assert.Equal(trace[1][TraceChannel.HiddenState, 4, 1], all.Columns["L1.h[1]"][4]);
        var one = trace.ToDataFrame(new TraceFrameOptions { Layer = 1, Channels = [TraceChannel.InputGatePreActivation] });
        Assert.Equal(trace[1][TraceChannel.InputGatePreActivation, 2, 0], one.Columns["a_i[0]"][2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => trace.ToDataFrame(new TraceFrameOptions { Layer = 2 }));
        var e = Assert.Throws<ArgumentException>(() => trace.ToDataFrame(new TraceFrameOptions { Channels = [TraceChannel.ResetGate] }));
        Assert.Contains("no ResetGate", e.Message);
    }

    [Fact]
    public void LongTraceHasOneRowPerValue()
    {
        var trace = LstmTrace();
        var frame = trace.ToLongDataFrame();
        Assert.Equal(6 * 5 * 3, frame.Rows.Count);
        Assert.Equal(["step", "layer", "channel", "gate", "unit", "value"], frame.Columns.Select(c => c.Name));
        var rows = Enumerable.Range(0, (int)frame.Rows.Count)
            .Where(r => (string)frame.Columns["channel"][r] == "o" && (int)frame.Columns["step"][r] == 3 && (int)frame.Columns["unit"][r] == 1).ToArray();
        Assert.Single(rows);
        Assert.Equal(trace[0][TraceChannel.OutputGate, 3, 1], frame.Columns["value"][rows[0]]);
        Assert.Equal("OutputGate", frame.Columns["gate"][rows[0]]);
    }

    [Fact]
    public void HistoryBecomesOneRowPerEpoch()
    {
        var history = new TrainingHistory(
        [
            new EpochRecord(1, 0.9, 1.0, 0.01, TimeSpan.FromMilliseconds(120)),
            new EpochRecord(2, 0.5, 0.7, 0.01, TimeSpan.FromMilliseconds(240)),
            new EpochRecord(3, 0.4, 0.8, 0.005, TimeSpan.FromMilliseconds(360)),
        ], StopReason.EarlyStopped, BestEpoch: 2);
        var frame = history.ToDataFrame();
        Assert.Equal(["epoch", "train_loss", "validation_loss", "learning_rate", "elapsed_seconds", "best"], frame.Columns.Select(c => c.Name));
        Assert.Equal(3, frame.Rows.Count);
        Assert.Equal(0.7, frame.Columns["validation_loss"][1]);
        Assert.Equal(0.005, frame.Columns["learning_rate"][2]);
        Assert.Equal(0.36, (double)frame.Columns["elapsed_seconds"][2], 12);
        Assert.Equal(new object[] { false, true, false }, Enumerable.Range(0, 3).Select(i => frame.Columns["best"][i]));
    }

    [Fact]
    public void RealTrainingHistoryExportsAndSavesAsCsv()
    {
        var data = SyntheticTasks.SineWave<double>(count: 24, steps: 8, seed: 2);
        var model = Lstm.Create(1, 4).WithHead(Head.Regression(1)).Build<double>();
        var result = model.Train(data, Training.Adam(0.01).WithEpochs(3).WithBatchSize(8).WithValidationSplit(0.25).WithSeed(1));
        var frame = result.History.ToDataFrame();
        Assert.Equal(3, frame.Rows.Count);
        Assert.Equal(0, frame.Columns["validation_loss"].NullCount);
        Assert.Equal(result.History.TrainLoss, Enumerable.Range(0, 3).Select(i => (double)frame.Columns["train_loss"][i]));
        var csv = Csv.ToCsvString(frame);
        Assert.StartsWith("epoch,train_loss,validation_loss,learning_rate,elapsed_seconds,best\n1,", csv);
        Assert.Equal(4, csv.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void PredictionsAndForecastsBecomeTables()
    {
        var frame = Frames.FromPredictions([1.0, 2.0, 4.0], [1.5, 2.0, 3.0]);
        Assert.Equal(["step", "actual", "predicted", "residual"], frame.Columns.Select(c => c.Name));
        Assert.Equal(new object[] { -0.5, 0.0, 1.0 }, Enumerable.Range(0, 3).Select(i => frame.Columns["residual"][i]));
        var dated = Frames.FromPredictions([1.0], [2.0], [new DateTime(2020, 5, 1)]);
        Assert.Equal("date", dated.Columns[0].Name);
        Assert.Throws<ArgumentException>(() => Frames.FromPredictions([1.0, 2.0], [1.0]));

        var w = TimeSeriesWindows.FromDataFrame<double>(TestFrames.Indexed(60), new WindowOptions(["a"], "a", 5) { DateColumn = "date" });
        var forecast = w.Forecast(Lstm.Create(1, 2).WithHead(Head.Regression(1)).Build<double>());
        var table = forecast.ToDataFrame();
        Assert.Equal(["row", "date", "actual", "predicted", "residual"], table.Columns.Select(c => c.Name));
        Assert.Equal(forecast.TargetRows[0], table.Columns["row"][0]);
        Assert.Equal(100.0 + forecast.TargetRows[0], (double)table.Columns["actual"][0], 9);
    }

    [Fact]
    public void GradientFlowBecomesNormsPerStep()
    {
        var model = Lstm.Create(1, 3).WithHead(Head.Regression(1)).WithSeed(4).Build<double>();
        var sample = SyntheticTasks.SineWave<double>(count: 1, steps: 6, seed: 9)[0];
        var flow = model.GradientFlow(sample);
        var frame = flow.ToDataFrame();
        Assert.Equal(["step", "lag", "dh_norm", "dc_norm"], frame.Columns.Select(c => c.Name));
        Assert.Equal(5, frame.Columns["lag"][0]);
        Assert.Equal(flow.CellNorms()[2], frame.Columns["dc_norm"][2]);
        Assert.Equal(flow.HiddenNorms()[5], frame.Columns["dh_norm"][5]);
        var rnn = Rnn.Create(1, 3).WithHead(Head.Regression(1)).Build<double>().GradientFlow(sample).ToDataFrame();
        Assert.Equal(["step", "lag", "dh_norm"], rnn.Columns.Select(c => c.Name));
    }

    [Fact]
    public void DatasetBecomesLongTable()
    {
        var data = SyntheticTasks.RememberFirstSymbol<double>(gap: 3, count: 2, seed: 1);
        var frame = data.ToDataFrame();
        Assert.Equal(2 * 4, frame.Rows.Count);
        Assert.Equal(["sample", "step", "x0", "x1", "x2", "x3", "x4", "x5", "y0"], frame.Columns.Select(c => c.Name));
        Assert.Equal(2 * 3, frame.Columns["y0"].NullCount); // 3 of 4 steps per sample carry no target
        Assert.Equal(data[1].Target[0, 0], frame.Columns["y0"][7]);
    }
}
