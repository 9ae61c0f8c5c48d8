using BenchmarkDotNet.Attributes;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Benchmarks;

/// <summary>The products one LSTM call is made of, as the layers call them (FLOPs = 2·M·K·N per call).</summary>
public enum Product
{
    /// <summary>Pre = X·W_ihᵀ over all steps: M = T·B, K = I, N = 4H (weights packed).</summary>
    InputProjection,
    /// <summary>One step h_{t-1}·W_hhᵀ with the LSTM cell fused into its epilogue: M = B, K = H, N = 4H.</summary>
    RecurrentStep,
    /// <summary>One backward step dA_t·W_hh: M = B, K = 4H, N = H (weights packed).</summary>
    RecurrentStepBackward,
    /// <summary>dW_hh += dAᵀ·[h_0 … h_{T-1}]: M = 4H, K = T·B, N = H (A stored transposed).</summary>
    RecurrentWeightGradient,
    /// <summary>dW_ihᵀ += Xᵀ·dA: M = I, K = T·B, N = 4H (A stored transposed).</summary>
    InputWeightGradient,
    /// <summary>dX = dA·W_ih: M = T·B, K = 4H, N = I.</summary>
    InputGradient,
}

/// <summary>
/// Each product at each shape, 1 and 2 threads (2 threads through the model's <see cref="ForkJoin"/>: the recurrent products
/// split by micro-panels, the others by rows or columns; same bits as 1 thread).
/// </summary>
public class GemmBenchmarks
{
    [ParamsAllValues] public ShapeName Shape { get; set; }
    [ParamsAllValues] public Product Product { get; set; }
    [Params(1, 2)] public int Threads { get; set; }

    private ForkJoin _team = null!;
    private float[] _a = [], _b = [], _c = [], _cPrev = [], _gates = [], _cell = [], _h = [];
    private int[] _lengths = [];
    private PooledPack<float> _packed;
    private IPartitionedWork _job = null!;
    private int _m, _k, _n;

    /// <summary>(M, K, N) of the product at the shape.</summary>
    public static (int M, int K, int N) Dimensions(ShapeName shape, Product product)
    {
        var s = LstmShape.Of(shape);
        int tb = s.T * s.B, g = 4 * s.H;
        return product switch
        {
            Product.InputProjection => (tb, s.I, g),
            Product.RecurrentStep => (s.B, s.H, g),
            Product.RecurrentStepBackward => (s.B, g, s.H),
            Product.RecurrentWeightGradient => (g, tb, s.H),
            Product.InputWeightGradient => (s.I, tb, g),
            _ => (tb, g, s.I),
        };
    }

    [GlobalSetup]
    public void Setup()
    {
        (_m, _k, _n) = Dimensions(Shape, Product);
        var rng = new Rng(11);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        _a = Random(_m * _k); _b = Random(_k * _n); _c = Random(_m * _n);
        _team = new ForkJoin(dedicated: true);
        switch (Product)
        {
            case Product.InputProjection:
                _packed = Gemm.PackPooled<float>(_b, transposed: true, _k, _n, PackOrder.Columns);
                _job = new PackedProductJob<float>().Set(_a, _packed.Memory, _packed.Layout, _c, _m, Threads);
                break;
            case Product.RecurrentStep:
                int h = _n / 4;
                _packed = Gemm.PackPooled<float>(_b, transposed: true, _k, _n, PackOrder.LstmGates);
                _cPrev = Random(_m * h); _gates = new float[_m * _n]; _cell = new float[_m * h]; _h = new float[_m * h];
                _lengths = Enumerable.Repeat(1, _m).ToArray();
                _job = new LstmStepJob<float>().Set(_a, _packed.Memory, _packed.Layout, _c, _cPrev, default, new LstmCellFlags(false, true),
                    _gates, _cell, _h, _lengths, 0, Threads);
                break;
            case Product.RecurrentStepBackward:
                _packed = Gemm.PackPooled<float>(_b, transposed: false, _k, _n, PackOrder.Columns);
                _job = new PackedProductJob<float>().Set(_a, _packed.Memory, _packed.Layout, _c, _m, Threads);
                break;
            case Product.RecurrentWeightGradient:
            case Product.InputWeightGradient:
                _job = new ProductJob<float>().Set(GemmOperands.ATransposedB, _a, _b, _c, _m, _k, _n, Threads);
                break;
            default:
                _job = new ProductJob<float>().Set(GemmOperands.AB, _a, _b, _c, _m, _k, _n, Threads);
                break;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _packed.Dispose();
        _team.Dispose();
    }

    [Benchmark]
    public void Multiply() => _team.Run(_job, Threads);
}
