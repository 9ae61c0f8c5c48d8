using System.Buffers;
using System.Runtime.CompilerServices;
using System.Numerics;

namespace LstmNotebooks;

/// <summary>Updates the flat parameter buffer from the flat gradient. State (moments) lives in double, in arrays
/// rented from the shared pool (a fresh session per Train call then reuses the last one's memory) and returned on
/// <see cref="Dispose"/>.</summary>
internal abstract class Optimizer<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly List<double[]> _rented = [];

    /// <summary>A zeroed state array of at least <paramref name="count"/> elements.</summary>
    protected double[] State(int count)
    {
        var a = ArrayPool<double>.Shared.Rent(count);
        Array.Clear(a, 0, count);
        _rented.Add(a);
        return a;
    }

    public void Dispose()
    {
        foreach (var a in _rented) ArrayPool<double>.Shared.Return(a);
        _rented.Clear();
    }

    public static Optimizer<T> Create(TrainingOptions o, int count) => o.Optimizer switch
    {
        OptimizerKind.Adam => new AdamOptimizer<T>(count, o.Beta1, o.Beta2, o.Epsilon),
        _ => new SgdOptimizer<T>(count, o.Momentum),
    };

    /// <summary>Writes the updated parameters into <paramref name="next"/> (the current ones are only read) and returns
    /// the index of the first update that is not finite in <typeparamref name="T"/>, or −1, so a caller can refuse a
    /// step that would overflow a weight and keep the weights it had.</summary>
    public abstract int Step(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next);
}

/// <summary>SGD with (PyTorch-style) momentum: v = μ·v + g; p -= lr·v.</summary>
internal sealed class SgdOptimizer<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly double[] _velocity;
    private readonly double _momentum;

    public SgdOptimizer(int count, double momentum) => (_velocity, _momentum) = (State(count), momentum);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override int Step(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next)
    {
        int bad = -1;
        for (int i = 0; i < parameters.Length; i++)
        {
            double v = _velocity[i] = _momentum * _velocity[i] + double.CreateTruncating(gradient[i]);
            next[i] = T.CreateTruncating(double.CreateTruncating(parameters[i]) - learningRate * v);
            if (bad < 0 && !T.IsFinite(next[i])) bad = i;
        }
        return bad;
    }
}

/// <summary>Adam (Kingma &amp; Ba 2015) with bias correction, as torch.optim.Adam.</summary>
internal sealed class AdamOptimizer<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly double[] _m, _v;
    private readonly double _beta1, _beta2, _epsilon;
    private int _step;

    public AdamOptimizer(int count, double beta1, double beta2, double epsilon)
        => (_m, _v, _beta1, _beta2, _epsilon) = (State(count), State(count), beta1, beta2, epsilon);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override int Step(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next)
    {
        _step++;
        double beta1 = _beta1, beta2 = _beta2, epsilon = _epsilon;
        double c1 = 1 - Math.Pow(beta1, _step), c2 = 1 - Math.Pow(beta2, _step);
        int bad = -1;
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = double.CreateTruncating(gradient[i]);
            double m = _m[i] = beta1 * _m[i] + (1 - beta1) * g;
            double v = _v[i] = beta2 * _v[i] + (1 - beta2) * g * g;
            double update = learningRate * (m / c1) / (Math.Sqrt(v / c2) + epsilon);
            next[i] = T.CreateTruncating(double.CreateTruncating(parameters[i]) - update);
            if (bad < 0 && !T.IsFinite(next[i])) bad = i;
        }
        return bad;
    }
}
