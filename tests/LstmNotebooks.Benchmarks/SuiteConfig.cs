using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
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
        // A bare ManualConfig has no logger, no standard columns and no exporter: the run printed nothing, and its
        // summary had only the two columns below. The defaults' first, then this suite's job and columns.
        var defaults = DefaultConfig.Instance;
        AddLogger([.. defaults.GetLoggers()]);
        AddColumnProvider([.. defaults.GetColumnProviders()]);
        AddExporter([.. defaults.GetExporters()]);
        AddAnalyser([.. defaults.GetAnalysers()]);
        AddValidator([.. defaults.GetValidators()]);
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn(), new PeakShareColumn());
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
        if (type == typeof(AlignmentBenchmarks))   // per step (OperationsPerInvoke): the product of one row, 2·K·N
            return 2.0 * 4 * (int)Parameter(c, nameof(AlignmentBenchmarks.Hidden))! * (int)Parameter(c, nameof(AlignmentBenchmarks.Hidden))!;
        if (type == typeof(StepLayoutBenchmarks))   // one step: 2·B·H·4H (B = H / 4)
        {
            double h = (int)Parameter(c, nameof(StepLayoutBenchmarks.Hidden))!;
            return 2.0 * (h / 4) * h * 4 * h;
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

/// <summary>What the suite's two computed columns share.</summary>
public abstract class SuiteColumn : IColumn
{
    public abstract string Id { get; }
    public abstract string ColumnName { get; }
    public abstract string Legend { get; }
    public abstract int PriorityInCategory { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double g = SuiteConfig.Gflops(summary, benchmarkCase);
        return double.IsNaN(g) ? "-" : Format(g, benchmarkCase);
    }

    protected abstract string Format(double gflops, BenchmarkCase benchmarkCase);
}

/// <summary>FLOPs per call ÷ mean time.</summary>
public sealed class GflopsColumn : SuiteColumn
{
    public override string Id => nameof(GflopsColumn);
    public override string ColumnName => "GFLOP/s";
    public override int PriorityInCategory => 0;
    public override string Legend => "Matrix-product FLOPs per call (forward 2·4H·(I+H)·B·T, training 3×; a product 2·M·K·N) ÷ mean time";
    protected override string Format(double gflops, BenchmarkCase benchmarkCase) => gflops.ToString("F1");
}

/// <summary>GFLOP/s as a share of the FMA peak this machine showed in this run, at the case's thread count.</summary>
public sealed class PeakShareColumn : SuiteColumn
{
    public override string Id => nameof(PeakShareColumn);
    public override string ColumnName => "% peak";
    public override int PriorityInCategory => 1;
    public override string Legend => "GFLOP/s ÷ the Vector512 FMA peak measured at the start of this run with the same thread count (FmaPeak)";
    protected override string Format(double gflops, BenchmarkCase benchmarkCase)
        => (100 * gflops / FmaPeak.Gflops(SuiteConfig.Threads(benchmarkCase))).ToString("F1");
}
