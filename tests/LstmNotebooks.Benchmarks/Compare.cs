using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace LstmNotebooks.Benchmarks;

/// <summary>
/// Two builds of LstmNotebooks.dll timed in one process: each loaded with its own copy of this assembly into a load
/// context of its own, the same call (<see cref="LstmBenchmarks"/>) in alternating blocks, so both see the same
/// machine. Separate processes of this VM moved by ±5 % from one second to the next, more than most changes. The
/// build loaded second ran 1–4 % slower than the same build loaded first (code placement), so a comparison is run
/// both ways round and the two paired ratios read together.
/// </summary>
public static class Compare
{
    public static void Run(string baseDll, string newDll, ShapeName shape, Mode mode, int threads, int rounds, double blockSeconds = 0.4)
    {
        var calls = new[] { Load(baseDll, shape, mode, threads), Load(newDll, shape, mode, threads) };
        foreach (var call in calls) for (int i = 0; i < 5; i++) call();
        var once = Stopwatch.StartNew();
        calls[0]();
        int perBlock = Math.Max(3, (int)(blockSeconds / once.Elapsed.TotalSeconds));
        var medians = new[] { new double[rounds], new double[rounds] };
        double[] best = [double.MaxValue, double.MaxValue];
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < 2; k++)
            {
                int which = (r & 1) == 0 ? k : 1 - k;   // alternate which goes first
                var times = Scaling.TimeBlock(calls[which], perBlock);
                medians[which][r] = times[perBlock / 2];
                best[which] = Math.Min(best[which], times[0]);
            }
        var ratios = Enumerable.Range(0, rounds).Select(r => medians[1][r] / medians[0][r]).Order().ToArray();
        int faster = Enumerable.Range(0, rounds).Count(r => medians[1][r] < medians[0][r]);
        double Median(double[] a) => a.Order().ElementAt(a.Length / 2);
        Console.WriteLine($"{shape} {mode}, {threads} thread(s), {rounds} rounds of {perBlock} calls: base {Median(medians[0]):F3} ms (best {best[0]:F3}), " +
                          $"new {Median(medians[1]):F3} ms (best {best[1]:F3}); new ÷ base per round: median {ratios[rounds / 2]:F3}, " +
                          $"quartiles {ratios[rounds / 4]:F3}–{ratios[3 * rounds / 4]:F3}, new faster in {faster} of {rounds}");
    }

    private static Func<object> Load(string dll, ShapeName shape, Mode mode, int threads)
    {
        var context = new BuildContext(Path.GetFullPath(dll), Path.GetDirectoryName(typeof(Compare).Assembly.Location)!);
        var suite = context.LoadFromAssemblyPath(typeof(Compare).Assembly.Location);
        var type = suite.GetType(typeof(LstmBenchmarks).FullName!)!;
        var caller = Activator.CreateInstance(type)!;
        void Set(string name, object value)
        {
            var p = type.GetProperty(name)!;
            p.SetValue(caller, p.PropertyType.IsEnum ? Enum.Parse(p.PropertyType, value.ToString()!) : value);
        }
        Set(nameof(LstmBenchmarks.Shape), shape);
        Set(nameof(LstmBenchmarks.Mode), mode);
        Set(nameof(LstmBenchmarks.Threads), threads);
        type.GetMethod(nameof(LstmBenchmarks.Setup))!.Invoke(caller, null);
        return type.GetMethod(nameof(LstmBenchmarks.Call))!.CreateDelegate<Func<object>>(caller);
    }

    // The given LstmNotebooks.dll and this suite's own assembly in a context of their own; everything else (the
    // runtime, BenchmarkDotNet's attributes) from the default context.
    private sealed class BuildContext(string library, string suiteFolder) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name == "LstmNotebooks") return LoadFromAssemblyPath(library);
            var own = Path.Combine(suiteFolder, name.Name + ".dll");
            return name.Name == typeof(Compare).Assembly.GetName().Name && File.Exists(own) ? LoadFromAssemblyPath(own) : null;
        }
    }
}
