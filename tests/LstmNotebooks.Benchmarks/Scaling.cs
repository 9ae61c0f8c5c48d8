using System.Diagnostics;

namespace LstmNotebooks.Benchmarks;

/// <summary>
/// 2-thread scaling measured the way the ratios to libtorch are: a 1-thread and a 2-thread caller of the same call
/// (<see cref="LstmBenchmarks"/>, set up as the suite sets it up) timed in alternating blocks in one process, so both
/// see the same machine. Separate runs of this VM moved by up to ±40 %, which alone made a 1.2–1.95× spread.
/// </summary>
public static class Scaling
{
    /// <summary>Prints, per shape and mode, the median of the block medians at 1 and 2 threads and their ratio, and
    /// the ratio of the best blocks.</summary>
    public static void Run(IReadOnlyList<ShapeName> shapes, int rounds, double blockSeconds = 0.5)
    {
        Console.WriteLine($"| shape | mode | 1 thread ms | 2 threads ms | speed-up (medians of {rounds} blocks) | speed-up of the best blocks |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var shape in shapes)
            foreach (var mode in Enum.GetValues<Mode>())
            {
                var callers = new[] { 1, 2 }.Select(t => new LstmBenchmarks { Shape = shape, Mode = mode, Threads = t }).ToArray();
                foreach (var c in callers) { c.Setup(); for (int i = 0; i < 3; i++) c.Call(); }
                var once = Stopwatch.StartNew();
                callers[0].Call();
                int perBlock = Math.Max(3, (int)(blockSeconds / once.Elapsed.TotalSeconds));
                var medians = new[] { new List<double>(), new List<double>() };
                for (int r = 0; r < rounds; r++)
                    for (int k = 0; k < 2; k++)
                    {
                        int which = (r & 1) == 0 ? k : 1 - k;   // alternate which goes first
                        medians[which].Add(BlockMedian(callers[which], perBlock));
                    }
                foreach (var c in callers) c.Cleanup();
                foreach (var m in medians) m.Sort();
                double one = medians[0][rounds / 2], two = medians[1][rounds / 2];
                Console.WriteLine($"| {shape} | {mode} | {one:F2} | {two:F2} | {one / two:F2}× | {medians[0][0] / medians[1][0]:F2}× |");
            }
    }

    /// <summary>One call repeated for <paramref name="seconds"/> (a target for <c>perf record</c>), then the minimum,
    /// median and count of the calls.</summary>
    public static void Loop(ShapeName shape, Mode mode, int threads, double seconds)
    {
        var caller = new LstmBenchmarks { Shape = shape, Mode = mode, Threads = threads };
        caller.Setup();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            caller.Call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        caller.Cleanup();
        times.Sort();
        Console.WriteLine($"{shape} {mode} {threads} thread(s): {times.Count} calls, minimum {times[0]:F3} ms, median {times[times.Count / 2]:F3} ms");
    }

    private static double BlockMedian(LstmBenchmarks caller, int calls)
    {
        var times = TimeBlock(caller.Call, calls);
        return times[calls / 2];
    }

    /// <summary>One block: <paramref name="calls"/> calls, each timed, in ms, sorted.</summary>
    internal static double[] TimeBlock(Func<object> call, int calls)
    {
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times;
    }
}
