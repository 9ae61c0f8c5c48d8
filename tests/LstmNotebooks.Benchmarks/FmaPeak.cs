using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace LstmNotebooks.Benchmarks;

/// <summary>
/// The machine's FMA throughput: 12 independent accumulator chains of Vector512 (or Vector256) FMAs per thread, the
/// figure the %-of-peak columns divide by. Also measured in the host process once per thread count
/// (<see cref="Gflops"/>), because the columns are computed there.
/// </summary>
public class FmaPeak
{
    private const long Iterations = 20_000_000;

    [Params(512, 256)] public int Bits { get; set; }
    [Params(1, 2)] public int Threads { get; set; }

    /// <summary>FLOPs of one <see cref="Fma"/> call: 12 chains × lanes × 2 per iteration, on every thread.</summary>
    public static double FlopsOf(int bits, int threads) => 2.0 * 12 * (bits / 32) * Iterations * threads;

    [Benchmark]
    public float Fma()
    {
        if (Threads == 1) return Bits == 512 ? Kernel512(Iterations) : Kernel256(Iterations);
        var results = new float[Threads];
        var workers = Enumerable.Range(0, Threads).Select(i => new Thread(() => results[i] = Bits == 512 ? Kernel512(Iterations) : Kernel256(Iterations))).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        return results.Sum();
    }

    private static readonly Lazy<double>[] Measured = [new(() => Measure(1)), new(() => Measure(2))];

    /// <summary>Best-of-5 Vector512 FMA GFLOP/s on this machine with 1 or 2 threads (Vector256 where 512-bit vectors
    /// are not accelerated): the peak the suite's %-of-peak columns use.</summary>
    public static double Gflops(int threads) => Measured[Math.Clamp(threads, 1, 2) - 1].Value;

    private static double Measure(int threads)
    {
        var bench = new FmaPeak { Bits = Vector512.IsHardwareAccelerated ? 512 : 256, Threads = threads };
        bench.Fma();
        double best = 0;
        for (int r = 0; r < 5; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            bench.Fma();
            best = Math.Max(best, FlopsOf(bench.Bits, threads) / Stopwatch.GetElapsedTime(t0).TotalSeconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel512(long n)
    {
        var a = Vector512.Create(0.999999f); var b = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(0f), c1 = Vector512.Create(1f), c2 = Vector512.Create(2f), c3 = Vector512.Create(3f),
            c4 = Vector512.Create(4f), c5 = Vector512.Create(5f), c6 = Vector512.Create(6f), c7 = Vector512.Create(7f),
            c8 = Vector512.Create(8f), c9 = Vector512.Create(9f), c10 = Vector512.Create(10f), c11 = Vector512.Create(11f);
        for (long i = 0; i < n; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b); c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b); c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b); c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b); c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel256(long n)
    {
        var a = Vector256.Create(0.999999f); var b = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(0f), c1 = Vector256.Create(1f), c2 = Vector256.Create(2f), c3 = Vector256.Create(3f),
            c4 = Vector256.Create(4f), c5 = Vector256.Create(5f), c6 = Vector256.Create(6f), c7 = Vector256.Create(7f),
            c8 = Vector256.Create(8f), c9 = Vector256.Create(9f), c10 = Vector256.Create(10f), c11 = Vector256.Create(11f);
        for (long i = 0; i < n; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b); c2 = Vector256.FusedMultiplyAdd(c2, a, b);
            c3 = Vector256.FusedMultiplyAdd(c3, a, b); c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b); c8 = Vector256.FusedMultiplyAdd(c8, a, b);
            c9 = Vector256.FusedMultiplyAdd(c9, a, b); c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
