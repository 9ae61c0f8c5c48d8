using System.Numerics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Tests;

/// <summary>
/// A pass that alone reads its pre-activations keeps them interleaved (GateLayout) when the LSTM's H is a multiple of
/// the packing's lanes; a trace, which reads them afterwards, keeps PyTorch's blocks. Both give the same bits.
/// </summary>
public class GateLayoutTests
{
    public static TheoryData<string> Variants => new("plain", "peepholes", "projection", "bidirectional", "one-hot", "double");

    [Theory, MemberData(nameof(Variants))]
    public void AnInterleavedRunGivesTheTraceBitForBit(string variant)
    {
        if (variant == "double") Check<double>(variant); else Check<float>(variant);
    }

    private static void Check<T>(string variant) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int h = 32, steps = 9;
        int input = variant == "one-hot" ? 6 : 3;
        var spec = Lstm.Create(input, h).WithSeed(3);
        spec = variant switch
        {
            "peepholes" => spec.WithPeepholes(),
            "projection" => spec.WithProjection(8),
            "bidirectional" => spec.WithBidirectional().WithLayers(2),
            _ => spec,
        };
        var model = spec.Build<T>();
        Assert.True(model.Network.Interleaves, $"{variant}: H = {h} should interleave (lanes {model.Network.GateLanes(0)})");

        var rng = new Rng(5);
        var sequence = variant == "one-hot"
            ? Sequence.OneHot<T>(Enumerable.Range(0, steps).Select(_ => (int)rng.Uniform(0, input)).ToArray(), input)
            : Sequence.FromFlat<T>(Enumerable.Range(0, steps * input).Select(_ => T.CreateTruncating(rng.Uniform(-1, 1))).ToArray(), steps, input);

        var shard = new Shard<T>(model.Network, poison: false, pinned: false);
        shard.Plan(1, steps, 0, new PassOptions(PassMode.Inference));
        Assert.Equal(GateLayout.Interleaved, shard.PreLayout);
        shard.Plan(1, steps, 0, new PassOptions(PassMode.History, Backward: true));
        Assert.Equal(GateLayout.Interleaved, shard.PreLayout);
        shard.Plan(1, steps, 0, new PassOptions(PassMode.History, KeepPre: true));
        Assert.Equal(GateLayout.Blocks, shard.PreLayout);

        var run = model.Run(SequenceBatch.Create([sequence])).Output.ToArray();
        var trace = model.Trace(sequence);
        var traced = trace.Outputs.SelectMany(row => row).ToArray();
        Assert.Equal(traced.Length, run.Length);
        for (int i = 0; i < run.Length; i++)
            if (!run[i].Equals(traced[i]))
                Assert.Fail($"{variant}: output {i} (step {i / (run.Length / steps)}) of the run (interleaved) is {run[i]}, of the trace (blocks) {traced[i]}.");
    }

    [Fact]
    public void TheCellReadsInterleavedGateRowsAtEveryWidth()
    {
        foreach (var width in new[] { VectorWidth.Vector512, VectorWidth.Vector, VectorWidth.Scalar })
            foreach (int lanes in new[] { 8, 16 })
                foreach (int h in new[] { lanes, 2 * lanes, 3 * lanes })
                    foreach (bool peepholes in new[] { false, true })
                    {
                        const int rows = 3;
                        var rng = new Rng(h + lanes);
                        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(-2, 2)).ToArray();
                        var pre = R(rows * 4 * h); var cPrev = R(rows * h); var peep = R(3 * h);
                        var flags = new LstmCellFlags(peepholes, true);
                        var lengths = new[] { 5, 0, 5 };   // the middle row has ended: left alone
                        var preRow = new GateRow(GateLayout.Interleaved, lanes, h);
                        float[] pb = (float[])pre.Clone(), gb = new float[rows * 4 * h], cb = new float[rows * h], hb = new float[rows * h];
                        LstmKernels.ForwardRows<float>(pb, cPrev, peep, flags, gb, cb, hb, lengths, 1, 0, rows, 0, h, h, width);
                        float[] pr = GemmTests.Interleave<float>(pre, rows, h, preRow), gr = new float[rows * 4 * h], cr = new float[rows * h], hr = new float[rows * h];
                        LstmKernels.ForwardRows<float>(pr, cPrev, peep, flags, gr, cr, hr, lengths, 1, 0, rows, 0, h, h, width, preRow: preRow);
                        string what = $"{width}, runs of {lanes}, H = {h}, peepholes {peepholes}";
                        Assert.True(GemmTests.Interleave<float>(pb, rows, h, preRow).AsSpan().SequenceEqual(pr), $"{what}: pre");
                        Assert.True(gb.AsSpan().SequenceEqual(gr) && cb.AsSpan().SequenceEqual(cr) && hb.AsSpan().SequenceEqual(hr), $"{what}: gates, c or h");
                        Assert.Equal(0f, hr[h + 1]);
                    }
    }

    [Fact]
    public void CellsAndWidthsThatCannotInterleaveKeepBlocks()
    {
        foreach (var spec in new[] { Lstm.Create(3, 20), Gru.Create(3, 32), Lstm.Create(3, 4) })
        {
            var model = spec.Build<float>();
            Assert.False(model.Network.Interleaves, $"{spec.Cell} H = {spec.HiddenSize}");
            var shard = new Shard<float>(model.Network, poison: false, pinned: false);
            shard.Plan(2, 5, 0, new PassOptions(PassMode.Inference));
            Assert.Equal(GateLayout.Blocks, shard.PreLayout);
        }
    }
}
