using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

/// <summary>The option records: With… returns a changed copy, and validation lives in the init accessors, so a record
/// built with <c>with { … }</c> is checked as well.</summary>
public class OptionTests
{
    [Fact]
    public void WithReturnsAChangedCopy()
    {
        var basic = new StateLineOptions();
        var marked = basic.WithArrival(0).WithRecall(50, "recall the first symbol").WithHidden(false);
        Assert.Null(basic.ArrivalStep);
        Assert.True(basic.ShowHidden);
        Assert.Equal((0, 50, "recall the first symbol", false), (marked.ArrivalStep, marked.RecallStep, marked.RecallLabel, marked.ShowHidden));
        Assert.Equal("information arrives", marked.ArrivalLabel);
        Assert.Equal(marked, new StateLineOptions { ArrivalStep = 0, RecallStep = 50, RecallLabel = "recall the first symbol", ShowHidden = false });

        var gates = new GateHeatmapOptions().WithLayer(1).WithChannels(TraceChannel.OutputGate).WithRowHeight(80).WithTitle("o");
        Assert.Equal((1, 80, "o"), (gates.Layer, gates.RowHeight, gates.Title));
        Assert.Equal([TraceChannel.OutputGate], gates.Channels);
        Assert.Equal(GapMetric.SuccessRate, new GapChartOptions().WithMetric(GapMetric.SuccessRate).WithLines().Metric);
        Assert.False(new GapChartOptions().WithLines().Bars);
        Assert.Equal(0.25, new GapChartOptions().WithChance(0.25).ChanceLevel);
        Assert.False(new TrainingCurveOptions().WithLogLoss(false).WithLearningRate(false).LogLoss);
        Assert.Equal(GradientQuantity.Both, new GradientFlowOptions().WithQuantity(GradientQuantity.Both).Quantity);
    }

    [Fact]
    public void ValidationCannotBeBypassedWithWith()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StateLineOptions() with { ArrivalStep = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new StateLineOptions().WithRecall(-3));
        Assert.Throws<ArgumentException>(() => new StateLineOptions() with { ArrivalLabel = " " });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GateHeatmapOptions() with { RowHeight = 10 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GateHeatmapOptions() with { Layer = -1 });
        Assert.Throws<ArgumentException>(() => new GateHeatmapOptions() with { Channels = [] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationChartOptions() with { Points = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationChartOptions() with { From = double.NaN });
        Assert.Throws<ArgumentException>(() => new GapChartOptions() with { ValueLabel = "" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GapChartOptions() with { ChanceLevel = double.PositiveInfinity });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GateSaturationOptions() with { High = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientFlowOptions() with { Layer = -1 });
        Assert.Throws<ArgumentException>(() => new ForecastChartOptions() with { TimeLabel = "" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingComparisonOptions().WithTargetLoss(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CellMagnitudeOptions().WithBound(double.NaN));
    }

    [Fact]
    public void RulesThatNeedBothValuesOrTheTraceAreCheckedWhenTheChartIsBuilt()
    {
        // From < To, recall ≥ arrival and thresholds in order are checked at use, so a with { … } may set them in any order.
        var moved = new StateLineOptions().WithArrival(0).WithRecall(5) with { ArrivalStep = 6, RecallStep = 8 };
        Assert.Equal((6, 8), (moved.ArrivalStep!.Value, moved.RecallStep!.Value));
        Assert.Throws<ArgumentException>(() => ActivationCharts.SigmoidAndTanh(new ActivationChartOptions().WithRange(3, 1)));
        Assert.Throws<ArgumentException>(() => GateCharts.Saturation([Models.LstmTrace()], new GateSaturationOptions().WithThresholds(0.9, 0.1)));
        var e = Assert.Throws<ArgumentException>(() => Models.LstmTrace().StateLines([0], new StateLineOptions().WithArrival(5).WithRecall(2)));
        Assert.Contains("before the arrival step", e.Message);
    }
}
