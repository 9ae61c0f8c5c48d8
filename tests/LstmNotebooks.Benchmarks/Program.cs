using BenchmarkDotNet.Running;
using LstmNotebooks.Benchmarks;

// dotnet run -c Release --project tests/LstmNotebooks.Benchmarks -- --filter '*LstmBenchmarks*'   (README, Benchmarks)
// dotnet run -c Release --project tests/LstmNotebooks.Benchmarks -- scaling [S4,S5] [rounds]      (2-thread scaling)
if (args.Length > 0 && args[0] == "scaling")
{
    var names = args.Length > 1 ? args[1].Split(',') : ["S4", "S5"];
    var shapes = names.Select(n => Enum.TryParse<ShapeName>(n, out var s) && Enum.IsDefined(s) ? s : (ShapeName?)null).ToArray();
    int rounds = 8;
    if (shapes.Any(s => s is null) || (args.Length > 2 && (!int.TryParse(args[2], out rounds) || rounds < 1)))
    {
        Console.Error.WriteLine($"scaling: expected shapes from S1..S5 separated by commas and a round count ≥ 1, but got '{string.Join(' ', args[1..])}'. Hint: scaling S4,S5 8");
        return 2;
    }
    Scaling.Run([.. shapes.Select(s => s!.Value)], rounds);
    return 0;
}
Console.WriteLine($"FMA peak this run (Vector512 where accelerated): {FmaPeak.Gflops(1):F1} GFLOP/s on 1 thread, {FmaPeak.Gflops(2):F1} on 2.");
BenchmarkSwitcher.FromAssembly(typeof(LstmBenchmarks).Assembly).Run(args, new SuiteConfig());
return 0;
