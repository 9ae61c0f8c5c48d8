using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LstmNotebooks.Benchmarks;

/// <summary>
/// The suite's configuration: a short job (these calls take 10 µs to seconds, and the speed goals are ratios, not
/// nanoseconds), allocations per call, and the GFLOP/s and %-of-peak columns.
/// </summary>
public sealed class SuiteConfig : ManualConfig
{
    public SuiteConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn(), new PeakShareColumn());
        // Cases the public API cannot run on 2 threads are left out rather than measured at 1 and labelled 2.
        AddFilter(new SimpleFilter(c => c.Descriptor.Type != typeof(LstmBenchmarks)
            || (int)Parameter(c, nameof(LstmBenchmarks.Threads))! == 1 || LstmBenchmarks.Threaded((Mode)Parameter(c, nameof(LstmBenchmarks.Mode))!)));
    }

    internal static object? Parameter(BenchmarkCase c, string name) => c.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;

    /// <summary>FLOPs of one call of the case (NaN for benchmarks that count none).</summary>
    internal static double Flops(BenchmarkCase c)
    {
        var type = c.Descriptor.Type;
        if (type == typeof(LstmBenchmarks))
            return LstmShape.Of((ShapeName)Parameter(c, nameof(LstmBenchmarks.Shape))!).Flops((Mode)Parameter(c, nameof(LstmBenchmarks.Mode))!);
        if (type == typeof(GemmBenchmarks))
        {
            var (m, k, n) = GemmBenchmarks.Dimensions((ShapeName)Parameter(c, nameof(GemmBenchmarks.Shape))!, (Product)Parameter(c, nameof(GemmBenchmarks.Product))!);
            return 2.0 * m * k * n;
        }
        if (type == typeof(FmaPeak))
            return FmaPeak.FlopsOf((int)Parameter(c, nameof(FmaPeak.Bits))!, (int)Parameter(c, nameof(FmaPeak.Threads))!);
        return double.NaN;
    }

    internal static int Threads(BenchmarkCase c) => Parameter(c, "Threads") is int t ? t : 1;

    internal static double Gflops(Summary summary, BenchmarkCase c)
    {
        double flops = Flops(c), ns = summary[c]?.ResultStatistics?.Mean ?? double.NaN;
        return flops / ns;
    }
}

/// <summary>FLOPs per call ÷ mean time.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Matrix-product FLOPs per call (forward 2·4H·(I+H)·B·T, training 3×; a product 2·M·K·N) ÷ mean time";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double g = SuiteConfig.Gflops(summary, benchmarkCase);
        return double.IsNaN(g) ? "-" : g.ToString("F1");
    }
}

/// <summary>GFLOP/s as a share of the FMA peak this machine showed in this run, at the case's thread count.</summary>
public sealed class PeakShareColumn : IColumn
{
    public string Id => nameof(PeakShareColumn);
    public string ColumnName => "% peak";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "GFLOP/s ÷ the Vector512 FMA peak measured at the start of this run with the same thread count (FmaPeak)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double g = SuiteConfig.Gflops(summary, benchmarkCase);
        return double.IsNaN(g) ? "-" : (100 * g / FmaPeak.Gflops(SuiteConfig.Threads(benchmarkCase))).ToString("F1");
    }
}
