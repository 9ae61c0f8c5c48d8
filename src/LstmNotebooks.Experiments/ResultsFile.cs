using System.Globalization;
using System.Text;
using LstmNotebooks.Plotting;
using Plotly.NET;

namespace LstmNotebooks.Experiments;

/// <summary>One CSV row per run; the file accumulates across commands so the chart covers every run so far.</summary>
public static class ResultsFile
{
    public const string Header = "task,lag,model,seed,outcome,sequences_to_criterion,sequences_trained,test_error,test_accuracy,chance_accuracy,wall_seconds,parameters";
    public const string NotSolved = "not solved within budget";

    public static string ToCsvRow(ExperimentResult r) => string.Join(',',
        r.Task, r.Lag.ToString(CultureInfo.InvariantCulture), Quote(r.Model), r.Seed.ToString(CultureInfo.InvariantCulture), r.Outcome,
        r.SequencesToCriterion?.ToString(CultureInfo.InvariantCulture) ?? Quote(NotSolved),
        r.SequencesTrained.ToString(CultureInfo.InvariantCulture), r.TestErrorRate.ToString("G6", CultureInfo.InvariantCulture), r.TestAccuracy.ToString("G6", CultureInfo.InvariantCulture),
        r.ChanceAccuracy.ToString("G6", CultureInfo.InvariantCulture), r.WallTime.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),
        r.Parameters.ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends rows (writing the header to a new file).</summary>
    public static void Append(string path, IEnumerable<ExperimentResult> results)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        using var writer = new StreamWriter(path, append: true, new UTF8Encoding(false));
        if (!exists) writer.WriteLine(Header);
        foreach (var r in results) writer.WriteLine(ToCsvRow(r));
    }

    /// <summary>A stored row (the curve is not stored).</summary>
    public sealed record Row(LongGapTask Task, int Lag, string Model, long Seed, RunOutcome Outcome, long? SequencesToCriterion,
        long SequencesTrained, double TestError, double TestAccuracy, double ChanceAccuracy, double WallSeconds, int Parameters);

    public static List<Row> Read(string path)
    {
        var rows = new List<Row>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = Split(line);
            if (f.Count != 12) throw new FormatException($"'{path}': expected 12 fields, found {f.Count} in: {line}");
            rows.Add(new Row(Enum.Parse<LongGapTask>(f[0]), int.Parse(f[1], CultureInfo.InvariantCulture), f[2], long.Parse(f[3], CultureInfo.InvariantCulture),
                Enum.Parse<RunOutcome>(f[4]), long.TryParse(f[5], CultureInfo.InvariantCulture, out var s) ? s : null,
                long.Parse(f[6], CultureInfo.InvariantCulture), double.Parse(f[7], CultureInfo.InvariantCulture),
                double.Parse(f[8], CultureInfo.InvariantCulture), double.Parse(f[9], CultureInfo.InvariantCulture), double.Parse(f[10], CultureInfo.InvariantCulture),
                int.Parse(f[11], CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    public static Row ToRow(ExperimentResult r) => new(r.Task, r.Lag, r.Model, r.Seed, r.Outcome, r.SequencesToCriterion, r.SequencesTrained,
        r.TestErrorRate, r.TestAccuracy, r.ChanceAccuracy, r.WallTime.TotalSeconds, r.Parameters);

    /// <summary>Charts straight from results (notebooks): the same as from the CSV.</summary>
    public static IReadOnlyList<GenericChart> Charts(IEnumerable<ExperimentResult> results) => Charts(results.Select(ToRow));

    /// <summary>A Markdown table, one line per task × lag × model: runs solved, sequences to criterion (median and
    /// range of the solved runs), test error by the criterion, test accuracy against chance, and wall time.</summary>
    public static string Summary(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| task | lag | model | solved | sequences to criterion: median (range) | test: fail criterion | test accuracy (chance) | wall time per run |");
        sb.AppendLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var g in rows.GroupBy(r => (r.Task, r.Lag, r.Model)).OrderBy(g => g.Key.Task).ThenBy(g => g.Key.Lag).ThenBy(g => g.Key.Model, StringComparer.Ordinal))
        {
            var solved = g.Where(r => r.SequencesToCriterion is not null).Select(r => (double)r.SequencesToCriterion!.Value).OrderBy(x => x).ToList();
            string speed = solved.Count == 0 ? $"not solved within {g.Max(r => r.SequencesTrained):N0}"
                : solved.Count == 1 ? $"{solved[0]:N0}" : $"{Median(solved):N0} ({solved[0]:N0}–{solved[^1]:N0})";
            double wall = g.Average(r => r.WallSeconds);
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Key.Task} | {g.Key.Lag} | {g.Key.Model} | {solved.Count}/{g.Count()} | {speed} | {g.Average(r => r.TestError):P2} | {g.Average(r => r.TestAccuracy):P1} ({g.First().ChanceAccuracy:P1}) | {(wall < 120 ? $"{wall:F0} s" : $"{wall / 60:F1} min")} |"));
        }
        return sb.ToString();
    }

    /// <summary>Per task: success rate against lag and median sequences to criterion against lag, one series per model.</summary>
    public static IReadOnlyList<GenericChart> Charts(IEnumerable<Row> rows)
    {
        var charts = new List<GenericChart>();
        foreach (var task in rows.GroupBy(r => r.Task).OrderBy(g => g.Key))
        {
            var success = new List<GapScores>();
            var speed = new List<GapScores>();
            foreach (var model in task.GroupBy(r => r.Model).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var byLag = model.GroupBy(r => r.Lag).OrderBy(g => g.Key).ToList();
                var cell = CellOf(model.Key);
                success.Add(new GapScores(model.Key, byLag.Select(g => g.Key).ToList(), byLag.Select(g => g.Count(r => r.Outcome == RunOutcome.Solved) / (double)g.Count()).ToList()) { Cell = cell });
                var solved = byLag.Where(g => g.Any(r => r.SequencesToCriterion is not null)).ToList();
                if (solved.Count > 0)
                    speed.Add(new GapScores(model.Key, solved.Select(g => g.Key).ToList(),
                        solved.Select(g => Median(g.Where(r => r.SequencesToCriterion is not null).Select(r => (double)r.SequencesToCriterion!.Value))).ToList()) { Cell = cell });
            }
            charts.Add(GapCharts.ScoreVsGap(success, new GapChartOptions { Metric = GapMetric.SuccessRate, Title = $"{task.Key}: runs that met the criterion" }));
            if (speed.Count > 0)
                charts.Add(GapCharts.ScoreVsGap(speed, new GapChartOptions
                {
                    Metric = GapMetric.Loss, ValueLabel = "sequences to criterion (median of solved runs)", Bars = false,
                    Title = $"{task.Key}: training sequences until the criterion held",
                }));
        }
        return charts;
    }

    public static string WriteChartPage(string csvPath, string htmlPath)
        => ChartHtml.SavePage(Charts(Read(csvPath)), htmlPath, "Long-gap experiments: success and sequences to criterion against lag");

    internal static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static CellKind? CellOf(string model) => model.StartsWith("LSTM", StringComparison.Ordinal) ? CellKind.Lstm
        : model.StartsWith("RNN", StringComparison.Ordinal) ? CellKind.Rnn : null;

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') || s.Contains(' ') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
