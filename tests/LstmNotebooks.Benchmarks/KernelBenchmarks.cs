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
