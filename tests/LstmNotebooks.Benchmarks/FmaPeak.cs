using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Benchmarks;

/// <summary>
/// The machine's FMA throughput: 12 independent accumulator chains of Vector512 (or Vector256) FMAs per thread, the
/// figure the %-of-peak columns divide by. Also measured in the host process once per thread count
/// (<see cref="Gflops"/>), because the columns are computed there.
/// </summary>
public class FmaPeak
{
    private const long Iterations = 20_000_000;

    [Params(512, 256)] public int Bits { get; set; } // Vector512, and Vector<T> (256-bit here)
    [Params(1, 2)] public int Threads { get; set; }

    /// <summary>FLOPs of one <see cref="Fma"/> call: 12 chains × lanes × 2 per iteration, on every thread.</summary>
    public static double FlopsOf(int bits, int threads) => 2.0 * 12 * (bits == 512 ? 16 : Vector<float>.Count) * Iterations * threads;

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

    private static float Kernel512(long n) => Kernel<Simd512<float>, Vector512<float>>(n);
    private static float Kernel256(long n) => Kernel<SimdVector<float>, Vector<float>>(n);

    // 12 independent chains: enough to cover the 4-cycle FMA latency on both FMA pipes.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel<TS, TV>(long n) where TS : ISimd<float, TV> where TV : struct
    {
        TV a = TS.Splat(0.999999f), b = TS.Splat(1e-7f);
        TV c0 = TS.Splat(0f), c1 = TS.Splat(1f), c2 = TS.Splat(2f), c3 = TS.Splat(3f), c4 = TS.Splat(4f), c5 = TS.Splat(5f);
        TV c6 = TS.Splat(6f), c7 = TS.Splat(7f), c8 = TS.Splat(8f), c9 = TS.Splat(9f), c10 = TS.Splat(10f), c11 = TS.Splat(11f);
        for (long i = 0; i < n; i++)
        {
            c0 = TS.Fma(c0, a, b); c1 = TS.Fma(c1, a, b); c2 = TS.Fma(c2, a, b); c3 = TS.Fma(c3, a, b);
            c4 = TS.Fma(c4, a, b); c5 = TS.Fma(c5, a, b); c6 = TS.Fma(c6, a, b); c7 = TS.Fma(c7, a, b);
            c8 = TS.Fma(c8, a, b); c9 = TS.Fma(c9, a, b); c10 = TS.Fma(c10, a, b); c11 = TS.Fma(c11, a, b);
        }
        var sum = TS.Add(TS.Add(TS.Add(c0, c1), TS.Add(c2, c3)), TS.Add(TS.Add(TS.Add(c4, c5), TS.Add(c6, c7)), TS.Add(TS.Add(c8, c9), TS.Add(c10, c11))));
        Span<float> lanes = stackalloc float[TS.Count];
        TS.Store(sum, ref lanes[0], 0);
        return lanes[0];
    }
}
