using System.Runtime.ExceptionServices;

namespace LstmNotebooks;

/// <summary>Work split into numbered parts that can run on any thread, in any order.</summary>
internal interface IPartitionedWork
{
    void RunPart(int index);
}

/// <summary>
/// Runs parts 0..n−1 of a piece of work on the calling thread and on helper threads, and returns when all are done.
/// Every thread (the caller included) claims parts from a shared counter until none is left, so the caller never
/// waits for a part nobody has started — if the helpers are slow to wake it simply runs the parts itself — and a
/// helper that arrives after its call has finished finds nothing to claim. Parts must not depend on which thread runs
/// them. One caller at a time.
/// <para>Helpers: with <c>dedicated</c>, the object keeps its own parked background threads, started on first need and
/// ended after <see cref="IdleTimeout"/> without work (or on <see cref="Dispose"/>): a call only wakes them, so it
/// allocates nothing. Otherwise each call queues a reusable item on the thread pool (for one-shot calls, which
/// allocate their results anyway; the pool's queue may allocate as it grows).</para>
/// </summary>
internal sealed class ForkJoin : IThreadPoolWorkItem, IDisposable
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    private readonly bool _dedicated;
    private readonly object _gate = new();
    private IPartitionedWork? _work;
    private int _unclaimed;   // parts 1..n−1 still to claim, counted down; below zero when all are claimed
    private int _remaining;   // parts not yet finished
    private ExceptionDispatchInfo? _error;
    private long _generation; // calls so far; a parked helper wakes when it changes
    private int _helpers;     // dedicated threads alive
    private bool _disposed;

    public ForkJoin(bool dedicated) => _dedicated = dedicated;

    public void Run(IPartitionedWork work, int parts)
    {
        if (parts <= 1)
        {
            work.RunPart(0);
            return;
        }
        _work = work;
        _error = null;
        Volatile.Write(ref _remaining, parts);
        // Published last: a claim made after this sees the work and the counts above.
        Volatile.Write(ref _unclaimed, parts - 1);
        if (_dedicated) WakeHelpers(parts - 1);
        else for (int i = 1; i < parts; i++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        RunOne(0);
        Drain();
        WaitForParts();
        _work = null;
        _error?.Throw();
    }

    void IThreadPoolWorkItem.Execute() => Drain();

    private void Drain()
    {
        while (true)
        {
            int part = Interlocked.Decrement(ref _unclaimed) + 1;
            if (part <= 0) return;
            RunOne(part);
        }
    }

    private void RunOne(int part)
    {
        try { _work!.RunPart(part); }
        catch (Exception e) { Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null); }
        if (Interlocked.Decrement(ref _remaining) == 0)
            lock (_gate) Monitor.PulseAll(_gate);
    }

    // Monitor on the gate rather than a ManualResetEventSlim: the slim event creates its lock object the first time a
    // wait blocks, which on a loaded machine can be a call long after warm-up (a 0-byte call that allocated). Parked
    // helpers woken by this pulse see an unchanged generation and park again.
    private void WaitForParts()
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _remaining) != 0 && !spin.NextSpinWillYield) spin.SpinOnce();
        if (Volatile.Read(ref _remaining) == 0) return;
        lock (_gate)
            while (Volatile.Read(ref _remaining) != 0) Monitor.Wait(_gate);
    }

    private void WakeHelpers(int wanted)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _generation++;
            for (; _helpers < wanted; _helpers++)
                new Thread(HelperLoop) { IsBackground = true, Name = "LstmNotebooks worker" }.Start(_generation - 1);
            Monitor.PulseAll(_gate);
        }
    }

    private void HelperLoop(object? start)
    {
        long seen = (long)start!;
        while (true)
        {
            // A short spin catches back-to-back calls without the cost of a wake-up; then park.
            var spin = new SpinWait();
            while (Volatile.Read(ref _generation) == seen && !spin.NextSpinWillYield) spin.SpinOnce();
            lock (_gate)
            {
                while (_generation == seen && !_disposed)
                    if (!Monitor.Wait(_gate, IdleTimeout) && _generation == seen)
                    {
                        _helpers--;
                        return;
                    }
                if (_disposed)
                {
                    _helpers--;
                    return;
                }
                seen = _generation;
            }
            Drain();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
    }
}

/// <summary>
/// How work is split over threads — the one place that decides it. A batch splits by rows: a part is a contiguous
/// range of batch rows that runs the whole stack (<see cref="Choose"/>), so each output element and state is computed
/// by one thread in one order. A product (the kernels' jobs) splits by rows of C or by micro-panels of columns
/// (<see cref="Share"/>), so a one-row product can use several threads with the same bits. The model's passes do not
/// split one-row batches by columns: a one-row step is a matrix-vector product that reads all of W_hh once, so it is
/// bound by memory (or, small, by the fork itself), and splitting each step of a B = 1, T = 100 LSTM over two threads
/// by micro-panels measured 0.96× at H = 512 and H = 1024 on this 2-core machine (the benchmarks README).
/// An explicit count wins (capped by the rows). Otherwise the count follows the size of the work: one thread when a
/// second part would carry less than <see cref="MinFlopsPerPart"/> (a fork costs tens of microseconds; a one-row
/// batch cannot be split), else as many as the machine has cores.
/// </summary>
internal static class ThreadPolicy
{
    /// <summary>Forward multiply-adds below which an extra thread does not pay for itself (≈0.1 ms of GEMM).</summary>
    public const double MinFlopsPerPart = 4e6;

    public static int Choose(int? requested, int rows, double flops)
    {
        if (requested is int n) return Math.Clamp(n, 1, rows);
        int byWork = (int)Math.Min(64, flops / MinFlopsPerPart);
        return Math.Clamp(Math.Min(Environment.ProcessorCount, Math.Min(rows, byWork)), 1, 64);
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
