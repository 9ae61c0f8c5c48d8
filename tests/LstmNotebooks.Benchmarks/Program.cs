using BenchmarkDotNet.Running;
using LstmNotebooks.Benchmarks;

// dotnet run -c Release --project tests/LstmNotebooks.Benchmarks -- --filter '*LstmBenchmarks*'   (README, Benchmarks)
// dotnet run -c Release --project tests/LstmNotebooks.Benchmarks -- scaling [S4,S5] [rounds]      (2-thread scaling)
// dotnet run -c Release --project tests/LstmNotebooks.Benchmarks -- loop S4 Infer [seconds] [threads]  (one call repeated, for perf)
// dotnet run -c Release --project tests/LstmNotebooks.Benchmarks -- compare BASE.dll NEW.dll S4 Infer [threads] [rounds]  (two builds, one process)
if (args.Length > 0 && args[0] == "compare")
{
    int threads = 1, rounds = 40;
    if (args.Length < 5 || !File.Exists(args[1]) || !File.Exists(args[2]) || !Enum.TryParse<ShapeName>(args[3], out var shape) || !Enum.IsDefined(shape)
        || !Enum.TryParse<Mode>(args[4], ignoreCase: true, out var mode) || !Enum.IsDefined(mode)
        || (args.Length > 5 && (!int.TryParse(args[5], out threads) || threads < 1))
        || (args.Length > 6 && (!int.TryParse(args[6], out rounds) || rounds < 2)))
    {
        Console.Error.WriteLine($"compare: expected two LstmNotebooks.dll files that exist, a shape S1..S5, a mode Infer|Train|TrainAdam, threads ≥ 1 and rounds ≥ 2, but got '{string.Join(' ', args[1..])}'. Hint: compare base/LstmNotebooks.dll new/LstmNotebooks.dll S4 Infer 1 40");
        return 2;
    }
    Compare.Run(args[1], args[2], shape, mode, threads, rounds);
    return 0;
}
if (args.Length > 0 && args[0] == "loop")
{
    double seconds = 10;
    int threads = 1;
    if (args.Length < 3 || !Enum.TryParse<ShapeName>(args[1], out var shape) || !Enum.IsDefined(shape)
        || !Enum.TryParse<Mode>(args[2], ignoreCase: true, out var mode) || !Enum.IsDefined(mode)
        || (args.Length > 3 && (!double.TryParse(args[3], System.Globalization.CultureInfo.InvariantCulture, out seconds) || seconds <= 0))
        || (args.Length > 4 && (!int.TryParse(args[4], out threads) || threads < 1)))
    {
        Console.Error.WriteLine($"loop: expected a shape S1..S5, a mode Infer|Train|TrainAdam, seconds > 0 and threads ≥ 1, but got '{string.Join(' ', args[1..])}'. Hint: loop S4 Infer 10 1");
        return 2;
    }
    Scaling.Loop(shape, mode, threads, seconds);
    return 0;
}
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
