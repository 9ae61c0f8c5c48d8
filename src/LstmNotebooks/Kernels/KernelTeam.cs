using System.Numerics;
using System.Runtime.ExceptionServices;

namespace LstmNotebooks.Kernels;

/// <summary>Work one <see cref="KernelTeam"/> call shares out: part i of parts, each on its own thread.</summary>
internal interface IKernelJob
{
    void Execute(int part, int parts);
}

/// <summary>
/// A fixed team of threads for the parallel products, made once by whoever owns the computation and reused for every
/// call (no allocation per call, no thread-pool hop): part 0 runs on the calling thread, parts 1 … n-1 on the team's
/// own background threads, and <see cref="Run"/> returns when all are done. Workers spin briefly before they block,
/// so the per-step products of one sequence (tens of µs apart) do not pay a kernel wake-up each.
/// Not for concurrent use: one owner calls <see cref="Run"/> at a time.
/// </summary>
internal sealed class KernelTeam : IDisposable
{
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim[] _start;
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2000);
    private IKernelJob? _job;
    private int _pending;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    public KernelTeam(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "A kernel team needs at least one thread.");
        Threads = threads;
        _workers = new Thread[threads - 1];
        _start = new SemaphoreSlim[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int part = i + 1;
            _start[i] = new SemaphoreSlim(0);
            _workers[i] = new Thread(() => Work(part)) { IsBackground = true, Name = $"LstmNotebooks kernel {part}" };
            _workers[i].Start();
        }
    }

    /// <summary>Threads in the team, the caller's included.</summary>
    public int Threads { get; }

    /// <summary>Runs <c>job.Execute(part, Threads)</c> for every part and returns when all have finished; rethrows the
    /// first exception a part threw.</summary>
    public void Run(IKernelJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Threads == 1)
        {
            job.Execute(0, 1);
            return;
        }
        _job = job;
        _failure = null;
        _done.Reset();
        Volatile.Write(ref _pending, _workers.Length);
        foreach (var s in _start) s.Release();
        try
        {
            job.Execute(0, Threads);
        }
        finally
        {
            _done.Wait();
            _job = null;
        }
        _failure?.Throw();
    }

    private void Work(int part)
    {
        var start = _start[part - 1];
        while (true)
        {
            start.Wait();
            if (_disposed) return;
            try
            {
                _job!.Execute(part, Threads);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _start) s.Release();
        foreach (var w in _workers) w.Join();
        foreach (var s in _start) s.Dispose();
        _done.Dispose();
    }

    /// <summary>The contiguous share [from, to) of <paramref name="count"/> items that part <paramref name="part"/> of
    /// <paramref name="parts"/> takes, in units of <paramref name="grain"/> (the last part takes the remainder).</summary>
    public static (int From, int To) Share(int count, int part, int parts, int grain = 1)
    {
        int units = (count + grain - 1) / grain;
        int from = (int)((long)units * part / parts) * grain, to = (int)((long)units * (part + 1) / parts) * grain;
        return (Math.Min(from, count), Math.Min(to, count));
    }
}

/// <summary>
/// C[M×N] += A[M×K] · B (packed), shared out over a <see cref="KernelTeam"/> by micro-panels (columns): each output
/// element is accumulated by one thread in k order, so the result has the same bits at any thread count. With the
/// weights split this way each core reads only its half of B (the S5 recurrent weights, 4 MB, become two 2 MB halves,
/// each inside its core's L2). Set the operands, then <c>team.Run(job)</c>; reusable.
/// </summary>
internal sealed class PackedProductJob<T> : IKernelJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private ReadOnlyMemory<T> _a, _packed;
    private Memory<T> _c;
    private PackedLayout<T> _layout;
    private int _m;

    public PackedProductJob<T> Set(ReadOnlyMemory<T> a, ReadOnlyMemory<T> packed, in PackedLayout<T> layout, Memory<T> c, int m)
    {
        _a = a; _packed = packed; _layout = layout; _c = c; _m = m;
        return this;
    }

    public void Execute(int part, int parts)
    {
        var (q0, q1) = KernelTeam.Share(_layout.MicroPanels, part, parts);
        var none = new NoEpilogue();
        Gemm.MultiplyAddPanels(_a.Span, _packed.Span, _layout, _c.Span, _m, q0, q1, ref none);
    }
}

/// <summary>
/// The products with operands as stored (<see cref="Gemm.MultiplyAdd{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int)"/>,
/// the transposed-A and transposed-B forms) shared out over a <see cref="KernelTeam"/>: by rows of C when M is the
/// larger side (the weight gradient dW_hh, the all-steps input projection), else by columns, in whole micro-panels.
/// Same bits at any thread count (one thread per output element, k in order).
/// </summary>
internal sealed class ProductJob<T> : IKernelJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private ReadOnlyMemory<T> _a, _b;
    private Memory<T> _c;
    private int _m, _k, _n;
    private GemmOperands _form;

    public ProductJob<T> Set(GemmOperands form, ReadOnlyMemory<T> a, ReadOnlyMemory<T> b, Memory<T> c, int m, int k, int n)
    {
        _form = form; _a = a; _b = b; _c = c; _m = m; _k = k; _n = n;
        return this;
    }

    public void Execute(int part, int parts) => Gemm.MultiplyAddShare(_form, _a.Span, _b.Span, _c.Span, _m, _k, _n, part, parts);
}

/// <summary>How A and B of a product are stored.</summary>
internal enum GemmOperands
{
    /// <summary>A M×K, B K×N, row-major.</summary>
    AB,
    /// <summary>A stored K×M (its transpose), B K×N.</summary>
    ATransposedB,
    /// <summary>A M×K, B given as W stored N×K (a weight used as Wᵀ).</summary>
    AWTransposed,
}
