namespace LstmNotebooks.Plotting.Tests;

/// <summary>TraceMeasures.Carriers: which units' state follows what the model must remember.</summary>
public class CarrierTests
{
    private static (Trace<double>[] Traces, double[] Quantity) Sequences()
    {
        var model = Models.Lstm(hidden: 4);
        // Different lengths, so "the last step" differs per trace; the quantity is the first input value.
        var traces = new Trace<double>[6];
        var quantity = new double[6];
        for (int k = 0; k < 6; k++)
        {
            int steps = 3 + k % 3;
            var values = Enumerable.Range(0, steps * 2).Select(j => Math.Sin(1.3 * j + k) * (j == 0 ? 2 : 0.5)).ToArray();
            traces[k] = model.Trace(Sequence.FromFlat<double>(values, steps, 2));
            quantity[k] = values[0];
        }
        return (traces, quantity);
    }

    [Fact]
    public void RanksUnitsByTheCorrelationOfTheirStateWithTheQuantity()
    {
        var (traces, quantity) = Sequences();
        var ranked = TraceMeasures.Carriers(traces, quantity, ^1);
        Assert.Equal(4, ranked.Count);
        Assert.Equal([0, 1, 2, 3], ranked.Select(c => c.Unit).Order());
        foreach (var c in ranked)
        {
            var cLast = traces.Select(t => t[0][TraceChannel.CellState, t.Steps - 1, c.Unit]).ToArray();
            Assert.Equal(TraceMeasures.Correlation(cLast, quantity), c.Correlation, 14);
            Assert.Equal(Math.Abs(c.Correlation), c.Strength);
        }
        Assert.True(ranked.Zip(ranked.Skip(1)).All(p => p.First.Strength >= p.Second.Strength), "strongest first");

        // A step from the start and another channel.
        var atOne = TraceMeasures.Carriers(traces, quantity, 1, channel: TraceChannel.HiddenState);
        var top = atOne[0];
        Assert.Equal(TraceMeasures.Correlation(traces.Select(t => t[0][TraceChannel.HiddenState, 1, top.Unit]).ToArray(), quantity), top.Correlation, 14);
    }

    [Fact]
    public void AUnitThatCopiesTheQuantityComesFirst()
    {
        // Weights that make unit 2's cell state a monotone function of the first input at step 0: a perfect carrier.
        var model = Models.Lstm(hidden: 3);
        var w = model.StateDict();
        var ih = w["weight_ih_l0"];
        Array.Clear(ih);
        ih[(2 * 3 + 2) * 2 + 0] = 0.5;  // row g·H + 2 (unit 2 of the candidate block), column 0 (feature 0)
        var tuned = model.WithParameter("weight_ih_l0", ih);
        var quantity = new[] { -0.8, -0.3, 0.1, 0.6, 0.9 };
        var traces = quantity.Select(q => tuned.Trace(Sequence.FromFlat<double>([q, 0.0], 1, 2))).ToArray();
        var ranked = TraceMeasures.Carriers(traces, quantity, 0);
        Assert.Equal(2, ranked[0].Unit);
        Assert.True(ranked[0].Correlation > 0.95, $"unit 2 follows (tanh bends the line a little) the quantity: r = {ranked[0].Correlation}");
        // The other units see only their biases: the same state in every sequence, so no correlation at all.
        Assert.All(ranked.Skip(1), c => Assert.True(double.IsNaN(c.Correlation) && c.Strength == 0));
    }

    [Fact]
    public void RefusesWhatCannotBeRanked()
    {
        var (traces, quantity) = Sequences();
        Assert.Throws<ArgumentException>(() => TraceMeasures.Carriers(traces, quantity.Take(5).ToArray(), ^1));
        Assert.Throws<ArgumentException>(() => TraceMeasures.Carriers(traces.Take(1).ToArray(), quantity.Take(1).ToArray(), ^1));
        Assert.Throws<ArgumentException>(() => TraceMeasures.Carriers(traces, quantity.Select(_ => 1.0).ToArray(), ^1));
        Assert.Throws<ArgumentException>(() => TraceMeasures.Carriers(traces, quantity.Select(q => q / 0.0).ToArray(), ^1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceMeasures.Carriers(traces, quantity, 4));   // trace 0 has 3 steps
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceMeasures.Carriers(traces, quantity, ^1, layer: 1));
        var gru = Gru.Create(2, 4).Build<double>();
        Assert.Throws<ArgumentException>(() => TraceMeasures.Carriers(traces.Select(t => gru.Trace(Models.Input())).ToArray(), quantity, ^1));
        var mixed = traces.ToArray();
        mixed[3] = Models.Lstm(hidden: 5).Trace(Models.Input());
        Assert.Throws<ArgumentException>(() => TraceMeasures.Carriers(mixed, quantity, ^1));
    }

    [Fact]
    public void UnitByClassDrawsTheFirstSequencesOfEachClassInTheClassColor()
    {
        var (traces, _) = Sequences();
        int[] labels = [0, 1, 0, 1, 0, 1];
        var fig = Fig.Of(StateCharts.UnitByClass(traces, labels, unit: 2,
            new UnitByClassOptions().WithPerClass(2).WithArrival(0, "class arrives").WithClassNames("X", "Y")));
        var lines = fig.Traces("scatter").Where(t => (string?)t["mode"] == "lines").ToArray();
        Assert.Equal(4, lines.Length);                                 // two per class
        Assert.Equal(["X", "X", "Y", "Y"], lines.Select(t => (string)t["name"]!));
        Assert.Equal([true, false, true, false], lines.Select(t => (bool?)t["showlegend"] ?? true));
        Assert.Equal(GatePalette.Series[0], (string)lines[0]["line"]!["color"]!);
        Assert.Equal(GatePalette.Series[1], (string)lines[2]["line"]!["color"]!);
        // Sequence 2 (class X, 5 steps): unit 2's cell state, every step.
        Assert.Equal(traces[2][0].Series(TraceChannel.CellState, 2), Fig.Doubles(lines[1]["y"]));
        var ends = fig.TraceNamed("answer read (last step)")!;
        Assert.Equal(new[] { 2, 4, 3, 2 }, Fig.Ints(ends["x"]));     // last steps of sequences 0, 2 (X) and 1, 3 (Y)
        Assert.Contains("class arrives (step 0)", fig.Notes);
        Assert.Contains("unit 2", fig.AxisTitle("yaxis"));
    }

    [Fact]
    public void UnitByClassRefusesMismatchedInputs()
    {
        var (traces, _) = Sequences();
        var e = Assert.Throws<ArgumentException>(() => StateCharts.UnitByClass(traces, [0, 1], 0));
        Assert.Contains("6 traces but 2 labels", e.Message);
        e = Assert.Throws<ArgumentException>(() => StateCharts.UnitByClass(traces, [0, 1, 2, 0, 1, 2], 0, new UnitByClassOptions().WithClassNames("X", "Y")));
        Assert.Contains("Label 2 has no name", e.Message);
        Assert.ThrowsAny<ArgumentException>(() => StateCharts.UnitByClass(traces, [0, 1, 0, 1, 0, 1], 9));
        Assert.ThrowsAny<ArgumentException>(() => new UnitByClassOptions { PerClass = 0 });
    }
}
