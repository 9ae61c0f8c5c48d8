using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public int Step(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next)
    {
        BeginStep();
        return Update(parameters, gradient, learningRate, next, 0, parameters.Length);
    }

    /// <summary>Starts a step (Adam counts them for its bias correction); then <see cref="Update"/> runs over the
    /// elements in any ranges, on any threads.</summary>
    public abstract void BeginStep();

    /// <summary>Elements [from, to) of the step <see cref="BeginStep"/> started: each depends on its own gradient and
    /// state alone, so any split gives the bits of one pass. Returns the first element in the range whose update is
    /// not finite, or −1.</summary>
    public abstract int Update(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next, int from, int to);
}

/// <summary>One optimizer step shared out in parts over the parameters (<see cref="ForkJoin"/>): set, run, read
/// <see cref="FirstBad"/>.</summary>
internal sealed class OptimizerStepJob<T> : IPartitionedWork where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private Optimizer<T>? _optimizer;
    private T[] _parameters = [], _gradient = [], _next = [];
    private int[] _bad = [];
    private double _learningRate;
    private int _count, _parts;

    /// <summary>Starts the step over the first <paramref name="count"/> elements of the arrays, in <paramref name="parts"/>.</summary>
    public OptimizerStepJob<T> Set(Optimizer<T> optimizer, T[] parameters, T[] gradient, int count, double learningRate, T[] next, int parts)
    {
        if (_bad.Length < parts) _bad = new int[parts];   // once per session (its thread count)
        (_optimizer, _parameters, _gradient, _next, _count, _learningRate, _parts) = (optimizer, parameters, gradient, next, count, learningRate, parts);
        optimizer.BeginStep();
        return this;
    }

    public void RunPart(int part)
    {
        // Parts of whole 64-element blocks, so two threads meet in at most one cache line of each array.
        var (from, to) = ThreadPolicy.Share(_count, part, _parts, grain: 64);
        _bad[part] = _optimizer!.Update(_parameters.AsSpan(0, _count), _gradient.AsSpan(0, _count), _learningRate, _next.AsSpan(0, _count), from, to);
    }

    /// <summary>The first element whose update is not finite, over all parts, or −1.</summary>
    public int FirstBad
    {
        get
        {
            for (int i = 0; i < _parts; i++) if (_bad[i] >= 0) return _bad[i];   // parts cover ascending ranges
            return -1;
        }
    }
}

/// <summary>SGD with (PyTorch-style) momentum: v = μ·v + g; p -= lr·v.</summary>
internal sealed class SgdOptimizer<T> : Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly double[] _velocity;
    private readonly double _momentum;

    public SgdOptimizer(int count, double momentum) => (_velocity, _momentum) = (State(count), momentum);

    public override void BeginStep() { }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override int Update(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next, int from, int to)
    {
        int bad = -1;
        for (int i = from; i < to; i++)
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

    /// <summary>The moments (the tests compare them bit for bit: a difference in double rarely reaches the float weights).</summary>
    internal ReadOnlySpan<double> FirstMoment => _m;
    internal ReadOnlySpan<double> SecondMoment => _v;

    /// <summary>A step by the specification alone (the tests' oracle for <see cref="Optimizer{T}.Step"/>).</summary>
    internal int StepScalar(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next)
    {
        _step++;
        return Scalar(parameters, gradient, learningRate, next, 0, parameters.Length);
    }

    public override void BeginStep() => _step++;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    public override int Update(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next, int from, int to)
    {
        // Float parameters run in vectors (the moments are double either way): the same operations in the same order
        // per element as the scalar loop below, which is the specification and the tail. One element at a time, the
        // two divisions and the square root made the update 2.8 % of a 2-thread S4 training step on one thread (perf).
        int i = from, bad = -1;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
            i = VectorFloat(MemoryMarshal.Cast<T, float>(parameters), MemoryMarshal.Cast<T, float>(gradient), learningRate, MemoryMarshal.Cast<T, float>(next), from, to, out bad);
        int tailBad = Scalar(parameters, gradient, learningRate, next, i, to);
        return bad >= 0 ? bad : tailBad;
    }

    /// <summary>Elements [from, to): the specification. Returns the first element whose update is not finite in
    /// <typeparamref name="T"/>, or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    internal int Scalar(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, Span<T> next, int from, int to)
    {
        double beta1 = _beta1, beta2 = _beta2, epsilon = _epsilon;
        double c1 = 1 - Math.Pow(beta1, _step), c2 = 1 - Math.Pow(beta2, _step);
        int bad = -1;
        for (int i = from; i < to; i++)
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

    // Whole Vector<float> blocks: each widened to two Vector<double> halves (exact), updated, narrowed back (rounded to
    // nearest, as the scalar conversion). Returns where the scalar tail starts.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code in short runs
    private int VectorFloat(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradient, double learningRate, Span<float> next, int from, int to,
        out int bad)
    {
        double beta1 = _beta1, beta2 = _beta2, epsilon = _epsilon;
        double c1 = 1 - Math.Pow(beta1, _step), c2 = 1 - Math.Pow(beta2, _step);
        Vector<double> b1 = new(beta1), b2 = new(beta2), ob1 = new(1 - beta1), ob2 = new(1 - beta2), lr = new(learningRate);
        Vector<double> vc1 = new(c1), vc2 = new(c2), eps = new(epsilon);
        int w = Vector<float>.Count, half = Vector<double>.Count, i = from;
        bad = -1;
        var m = _m.AsSpan();
        var v = _v.AsSpan();
        for (; i + w <= to; i += w)
        {
            Vector.Widen(new Vector<float>(gradient.Slice(i, w)), out var g0, out var g1);
            Vector.Widen(new Vector<float>(parameters.Slice(i, w)), out var p0, out var p1);
            var n0 = Update(m.Slice(i, half), v.Slice(i, half), g0, p0);
            var n1 = Update(m.Slice(i + half, half), v.Slice(i + half, half), g1, p1);
            var nf = Vector.Narrow(n0, n1);
            nf.CopyTo(next.Slice(i, w));
            if (bad < 0 && !Vector.EqualsAll(nf - nf, Vector<float>.Zero)) bad = i + ThrowHelper.FirstNonFinite<float>(next.Slice(i, w));
        }
        return i;

        Vector<double> Update(Span<double> ms, Span<double> vs, Vector<double> g, Vector<double> p)
        {
            var mn = b1 * new Vector<double>(ms) + ob1 * g;
            var vn = b2 * new Vector<double>(vs) + ob2 * g * g;
            mn.CopyTo(ms);
            vn.CopyTo(vs);
            return p - lr * (mn / vc1) / (Vector.SquareRoot(vn / vc2) + eps);
        }
    }
}
