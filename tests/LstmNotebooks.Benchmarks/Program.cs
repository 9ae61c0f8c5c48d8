using BenchmarkDotNet.Running;
using LstmNotebooks.Benchmarks;

// dotnet run -c Release --project tests/LstmNotebooks.Benchmarks -- --filter '*LstmBenchmarks*'   (README, Benchmarks)
Console.WriteLine($"FMA peak this run (Vector512 where accelerated): {FmaPeak.Gflops(1):F1} GFLOP/s on 1 thread, {FmaPeak.Gflops(2):F1} on 2.");
BenchmarkSwitcher.FromAssembly(typeof(LstmBenchmarks).Assembly).Run(args, new SuiteConfig());
