using BenchmarkDotNet.Attributes;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Benchmarks;

/// <summary>Each vector kernel beside its scalar twin: the ratio is what the hand-tuned path buys.</summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private readonly float[] _x = new float[4096], _y = new float[4096];
    private readonly float[] _a = new float[32 * 64], _b = new float[64 * 256], _c = new float[32 * 256];
    private float[] _pre = [], _cPrev = [], _gates = [], _cell = [], _h = [];

    [Params(64, 256)] public int Hidden;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        foreach (var arr in new[] { _x, _a, _b, _c }) for (int i = 0; i < arr.Length; i++) arr[i] = (float)rng.Uniform(-2, 2);
        _pre = Enumerable.Range(0, 4 * Hidden).Select(_ => (float)rng.Uniform(-2, 2)).ToArray();
        _cPrev = Enumerable.Range(0, Hidden).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        _gates = new float[4 * Hidden]; _cell = new float[Hidden]; _h = new float[Hidden];
    }

    [Benchmark] public void TanhVector() => Elementwise.Tanh<float>(_x, _y);
    [Benchmark] public void TanhScalar() { for (int i = 0; i < _x.Length; i++) _y[i] = VectorMath.Tanh(_x[i]); }
    [Benchmark] public void SigmoidVector() => Elementwise.Sigmoid<float>(_x, _y);
    [Benchmark] public void SigmoidScalar() { for (int i = 0; i < _x.Length; i++) _y[i] = VectorMath.Sigmoid(_x[i]); }
    [Benchmark] public void GemmVector() => Gemm.MultiplyAdd<float>(_a, _b, _c, 32, 64, 256);
    [Benchmark] public void GemmScalar() => Gemm.MultiplyAddScalar<float>(_a, _b, _c, 32, 64, 256);

    [Benchmark]
    public void LstmCellVector()
        => LstmKernels.Forward<float>((float[])_pre.Clone(), _cPrev, default, new LstmCellFlags(false, true), _gates, _cell, _h);

    [Benchmark]
    public void LstmCellScalar()
    {
        var pre = (float[])_pre.Clone();
        for (int j = 0; j < Hidden; j++) LstmKernels.ForwardScalar<float>(pre, _cPrev, default, new LstmCellFlags(false, true), _gates, _cell, _h, j, Hidden);
    }
}

/// <summary>Whole-model throughput: one epoch of training, and inference, at sizes the long-gap experiments use.</summary>
[MemoryDiagnoser]
public class ModelBenchmarks
{
    private Model<float> _model = null!;
    private Dataset<float> _data = null!;

    [Params(32, 128)] public int Hidden;
    [Params(100)] public int Steps;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(2);
        _data = Dataset.Create(Enumerable.Range(0, 128).Select(_ =>
            Sample.Create(Sequence.FromFlat<float>(Enumerable.Range(0, Steps * 2).Select(_ => (float)rng.Uniform(-1, 1)).ToArray(), Steps, 2),
                (float)rng.Uniform(-1, 1))));
        _model = Lstm.Create(2, Hidden).WithSeed(1).WithHead(Head.Regression()).Build();
    }

    /// <summary>128 sequences in batches of 32: forward, backward and Adam.</summary>
    [Benchmark] public Model<float> TrainOneEpoch() => _model.Train(_data, Training.Adam(1e-3).WithEpochs(1).WithBatchSize(32)).Model;

    [Benchmark] public double LossOverDataset() => _model.Loss(_data);
}

/// <summary>
/// Why the packed weights start a 64-byte line (<see cref="AlignedArray{T}"/>): 100 batch-1 recurrent steps (the fused
/// product and cell, micro-panels alternating direction as the model runs them) over W_hh packed at a line's start and
/// 4 bytes past it, where every 512-bit load of the weights straddles two lines.
/// </summary>
public class AlignmentBenchmarks
{
    private const int Steps = 100;
    private AlignedArray<float> _store;
    private PackedLayout<float> _layout;
    private float[] _pre = [], _pre0 = [], _c = [], _h = [], _gates = [];

    [Params(32, 64, 128)] public int Hidden;
    [Params(false, true)] public bool OffByFourBytes;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(3);
        int n = 4 * Hidden;
        var w = Enumerable.Range(0, n * Hidden).Select(_ => (float)rng.Uniform(-0.2, 0.2)).ToArray();
        _layout = PackedLayout<float>.Create(Hidden, n, PackOrder.LstmGates);
        _store = AlignedArray<float>.Pinned(_layout.Length + 16);
        Gemm.Pack<float>(w, transposed: true, _layout, Weights);
        _pre0 = Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        _pre = new float[n]; _gates = new float[n]; _c = new float[2 * Hidden]; _h = new float[2 * Hidden];
    }

    private Span<float> Weights => _store.Span.Slice(OffByFourBytes ? 1 : 0, _layout.Length);

    [Benchmark(OperationsPerInvoke = Steps)]
    public void BatchOneSteps()
    {
        int[] lengths = [int.MaxValue];
        var flags = new LstmCellFlags(false, true);
        for (int t = 0; t < Steps; t++)
        {
            int cur = (t & 1) * Hidden, prev = Hidden - cur;
            _pre0.CopyTo(_pre.AsSpan());
            var cell = new LstmStepEpilogue<float>(_pre, _c.AsSpan(prev, Hidden), default, flags, _gates, _c.AsSpan(cur, Hidden), _h.AsSpan(cur, Hidden),
                lengths, 0, keepGates: false);
            Gemm.MultiplyAdd(_h.AsSpan(prev, Hidden), Weights, _layout, _pre, 1, ref cell, reverse: (t & 1) == 1);
        }
    }
}

/// <summary>
/// Why an inference pass keeps its pre-activations interleaved (<see cref="GateLayout"/>) and why weights with K in
/// 257..512 keep all of K in one panel (<see cref="Gemm.PackedKPanel{T}"/>): one fused recurrent step (the product and,
/// per finished tile, the cell) at the S4 and S5 sizes (B = H / 4), with the rows in gate blocks or interleaved and
/// W_hh in 128-deep panels or in one panel over all of K (at K = 256 both are two panels deep: the rule keeps those).
/// </summary>
public class StepLayoutBenchmarks
{
    private AlignedArray<float> _store;
    private PackedLayout<float> _layout;
    private float[] _hPrev = [], _pre = [], _pre0 = [], _cPrev = [], _c = [], _h = [], _gates = [];
    private int[] _lengths = [];

    [Params(256, 512)] public int Hidden;
    [Params(false, true)] public bool Interleaved;
    [Params(false, true)] public bool WholeK;

    public int Batch => Hidden / 4;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(4);
        int n = 4 * Hidden, b = Batch;
        var w = Enumerable.Range(0, n * Hidden).Select(_ => (float)rng.Uniform(-0.1, 0.1)).ToArray();
        _layout = new PackedLayout<float>(Hidden, n, PackOrder.LstmGates, Simd.Widest == VectorWidth.Vector512 ? VectorWidth.Vector512 : VectorWidth.Vector,
            kPanel: WholeK ? Hidden : Gemm.KPanel);
        _store = AlignedArray<float>.Pinned(_layout.Length);
        Gemm.Pack<float>(w, transposed: true, _layout, _store.Span);
        float[] R(int count) => Enumerable.Range(0, count).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        _hPrev = R(b * Hidden); _pre0 = R(b * n); _cPrev = R(b * Hidden);
        _pre = new float[b * n]; _gates = new float[b * n]; _c = new float[b * Hidden]; _h = new float[b * Hidden];
        _lengths = Enumerable.Repeat(int.MaxValue, b).ToArray();
    }

    [Benchmark]
    public void FusedStep()
    {
        var gates = Interleaved ? GateLayout.Interleaved : GateLayout.Blocks;
        _pre0.CopyTo(_pre.AsSpan());
        var cell = new LstmStepEpilogue<float>(_pre, _cPrev, default, new LstmCellFlags(false, true), _gates, _c, _h, _lengths, 0, keepGates: false,
            new GateRow(gates, _layout.Lanes, Hidden));
        Gemm.MultiplyAdd(_hPrev, _store.Span, _layout, _pre, Batch, ref cell, reverse: false, gates);
    }
}
