using System.Globalization;
using System.Text;
using LstmNotebooks.Plotting;
using Plotly.NET;

namespace LstmNotebooks.Experiments;

/// <summary>
/// One CSV row per run; the file accumulates across commands so the chart covers every run so far. Columns are read by
/// their header names, so files written before a column was added still load (the missing values are empty).
/// </summary>
public static class ResultsFile
{
    private static readonly string[] Columns =
    [
        "task", "lag", "setting", "model", "seed", "outcome", "sequences_before_criterion", "sequences_to_criterion",
        "sequences_to_st1", "sequences_trained", "trials", "test_error", "test_accuracy", "chance_accuracy", "test_mse",
        "wall_seconds", "parameters",
    ];

    /// <summary>Columns every results file must have (the first version's).</summary>
    private static readonly string[] Required =
        ["task", "lag", "model", "seed", "outcome", "sequences_to_criterion", "sequences_trained", "test_error", "test_accuracy", "chance_accuracy", "wall_seconds", "parameters"];

    public static readonly string Header = string.Join(',', Columns);
    public const string NotSolved = "not solved within budget";

    public static string ToCsvRow(ExperimentResult r) => ToCsvRow(ToRow(r));

    public static string ToCsvRow(Row r) => string.Join(',',
        r.Task, Int(r.Lag), Quote(r.Setting), Quote(r.Model), Int(r.Seed), r.Outcome,
        Count(r.SequencesBeforeCriterion), r.SequencesToCriterion is long s ? Int(s) : Quote(NotSolved), Count(r.SequencesToFirstStage),
        Int(r.SequencesTrained), Count(r.Trials), Real(r.TestError), Real(r.TestAccuracy), Real(r.ChanceAccuracy),
        double.IsNaN(r.TestMeanSquaredError) ? "" : Real(r.TestMeanSquaredError),
        r.WallSeconds.ToString("F1", CultureInfo.InvariantCulture), Int(r.Parameters));

    /// <summary>Appends rows (writing the header to a new file). A file with another header is refused, not mixed.</summary>
    public static void Append(string path, IEnumerable<ExperimentResult> results)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(results);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        if (exists)
        {
            string first = File.ReadLines(path).First();
            if (first != Header)
                throw new InvalidDataException($"'{path}' has another header ('{first}'); appending would mix column layouts. Hint: use a new --out folder, or move the old file away.");
        }
        using var writer = new StreamWriter(path, append: true, new UTF8Encoding(false));
        if (!exists) writer.WriteLine(Header);
        foreach (var r in results) writer.WriteLine(ToCsvRow(r));
    }

    /// <summary>A stored row (the curve is not stored). Counts are null when not solved or not applicable.</summary>
    public sealed record Row(LongGapTask Task, int Lag, string Setting, string Model, long Seed, RunOutcome Outcome,
        long? SequencesBeforeCriterion, long? SequencesToCriterion, long? SequencesToFirstStage, long SequencesTrained, long? Trials,
        double TestError, double TestAccuracy, double ChanceAccuracy, double TestMeanSquaredError, double WallSeconds, int Parameters);

    /// <summary>Reads a results file; a malformed one is refused with its line and column (InvalidDataException).</summary>
    public static List<Row> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rows = new List<Row>();
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header)) throw new InvalidDataException($"'{path}' is empty; a results file starts with the header '{Header}'.");
        var names = Split(header) ?? throw new InvalidDataException($"'{path}' line 1: a quoted field is not closed; expected the header '{Header}'.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) index[names[i].Trim()] = i;
        var missing = Required.Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"'{path}' line 1: the header lacks the columns {string.Join(", ", missing)}. Hint: is this a results.csv written by this tool?");
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = Split(line) ?? throw new InvalidDataException($"'{path}' line {lineNumber}: a quoted field is not closed. Hint: the file may be truncated or hand-edited.");
            if (f.Count != names.Count)
                throw new InvalidDataException($"'{path}' line {lineNumber}: expected {names.Count} fields as in the header, found {f.Count}. Hint: the file may be truncated or hand-edited.");
            string Field(string column) => index.TryGetValue(column, out int i) ? f[i] : "";
            T Parse<T>(string column, Func<string, (bool Ok, T Value)> parse)
            {
                var (ok, value) = parse(Field(column));
                if (!ok) throw new InvalidDataException($"'{path}' line {lineNumber}, column {column}: '{Field(column)}' is not a valid value.");
                return value;
            }
            long? OptionalCount(string column) => Field(column) is var v && (v.Length == 0 || v == NotSolved) ? null
                : Parse<long?>(column, x => long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? (true, n) : (false, null));
            rows.Add(new Row(
                Parse("task", x => Enum.TryParse<LongGapTask>(x, out var t) && Enum.IsDefined(t) ? (true, t) : (false, default)),
                Parse("lag", x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? (true, n) : (false, 0)),
                Field("setting"),
                Field("model"),
                Parse("seed", x => long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? (true, n) : (false, 0L)),
                Parse("outcome", x => Enum.TryParse<RunOutcome>(x, out var o) && Enum.IsDefined(o) ? (true, o) : (false, default)),
                OptionalCount("sequences_before_criterion"),
                OptionalCount("sequences_to_criterion"),
                OptionalCount("sequences_to_st1"),
                Parse("sequences_trained", x => long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? (true, n) : (false, 0L)),
                OptionalCount("trials"),
                Parse("test_error", Real),
                Parse("test_accuracy", Real),
                Parse("chance_accuracy", Real),
                Field("test_mse").Length == 0 ? double.NaN : Parse("test_mse", Real),
                Parse("wall_seconds", Real),
                Parse("parameters", x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? (true, n) : (false, 0))));
        }
        return rows;

        static (bool, double) Real(string x) => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (true, d) : (false, 0);
    }

    public static Row ToRow(ExperimentResult r) => new(r.Task, r.Lag, r.Setting, r.Model, r.Seed, r.Outcome, r.SequencesBeforeCriterion,
        r.SequencesToCriterion, r.SequencesToFirstStage, r.SequencesTrained, r.Trials, r.TestErrorRate, r.TestAccuracy, r.ChanceAccuracy,
        r.TestMeanSquaredError, r.WallTime.TotalSeconds, r.Parameters);

    /// <summary>Charts straight from results (notebooks): the same as from the CSV.</summary>
    public static IReadOnlyList<GenericChart> Charts(IEnumerable<ExperimentResult> results) => Charts(results.Select(ToRow));

    /// <summary>
    /// A Markdown table, one line per task × lag × setting × model: runs solved; both counts as median (range) over the
    /// solved runs — sequences before the criterion began to hold (the paper's count) and the total including the
    /// criterion window; test error by the criterion; test accuracy against chance; test MSE; and wall time.
    /// </summary>
    public static string Summary(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| task | lag | setting | model | solved | sequences before the criterion held: median (range) | total incl. window | test: fail criterion, median (range) | test accuracy (chance) | test MSE | wall time per run |");
        sb.AppendLine("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var g in rows.GroupBy(r => (r.Task, r.Lag, r.Setting, r.Model)).OrderBy(g => g.Key.Task).ThenBy(g => g.Key.Lag)
                     .ThenBy(g => g.Key.Setting, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal))
        {
            var before = g.Where(r => r.SequencesBeforeCriterion is not null).Select(r => (double)r.SequencesBeforeCriterion!.Value).ToList();
            var total = g.Where(r => r.SequencesToCriterion is not null).Select(r => (double)r.SequencesToCriterion!.Value).ToList();
            int solved = g.Count(r => r.Outcome == RunOutcome.Solved);
            string unsolved = $"not solved within {g.Max(r => r.SequencesTrained):N0}";
            double wall = Median(g.Select(r => r.WallSeconds));
            var mse = g.Select(r => r.TestMeanSquaredError).Where(double.IsFinite).ToList();
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Key.Task} | {g.Key.Lag} | {g.Key.Setting} | {g.Key.Model} | {solved}/{g.Count()} | {(before.Count == 0 ? unsolved : MedianRange(before, "N0"))} | {(total.Count == 0 ? "—" : MedianRange(total, "N0"))} | {MedianRange(g.Select(r => 100 * r.TestError).ToList(), "0.00", " %")} | {Median(g.Select(r => r.TestAccuracy)):P1} ({g.First().ChanceAccuracy:P1}) | {(mse.Count == 0 ? "—" : Median(mse).ToString("G3", CultureInfo.InvariantCulture))} | {(wall < 120 ? $"{wall:F0} s" : $"{wall / 60:F1} min")} |"));
        }
        return sb.ToString();
    }

    /// <summary>"median (min–max)", or the single value.</summary>
    public static string MedianRange(IReadOnlyList<double> values, string format, string unit = "")
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return "—";
        string F(double v) => v.ToString(format, CultureInfo.InvariantCulture) + unit;
        if (values.Count == 1) return F(values[0]);
        return $"{F(Median(values))} ({F(values.Min())}–{F(values.Max())})";
    }

    /// <summary>Per task: success rate against lag and median sequences before the criterion held against lag, one
    /// series per model (and setting).</summary>
    public static IReadOnlyList<GenericChart> Charts(IEnumerable<Row> rows)
    {
        var charts = new List<GenericChart>();
        foreach (var task in rows.GroupBy(r => r.Task).OrderBy(g => g.Key))
        {
            var success = new List<GapScores>();
            var speed = new List<GapScores>();
            foreach (var model in task.GroupBy(r => r.Setting.Length == 0 ? r.Model : $"{r.Model}, {r.Setting}").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var byLag = model.GroupBy(r => r.Lag).OrderBy(g => g.Key).ToList();
                var cell = CellOf(model.Key);
                success.Add(new GapScores(model.Key, byLag.Select(g => g.Key).ToList(), byLag.Select(g => g.Count(r => r.Outcome == RunOutcome.Solved) / (double)g.Count()).ToList()) { Cell = cell });
                var solved = byLag.Where(g => g.Any(r => r.SequencesBeforeCriterion is not null)).ToList();
                if (solved.Count > 0)
                    speed.Add(new GapScores(model.Key, solved.Select(g => g.Key).ToList(),
                        solved.Select(g => Median(g.Where(r => r.SequencesBeforeCriterion is not null).Select(r => (double)r.SequencesBeforeCriterion!.Value))).ToList()) { Cell = cell });
            }
            charts.Add(GapCharts.ScoreVsGap(success, new GapChartOptions { Metric = GapMetric.SuccessRate, Title = $"{task.Key}: runs that met the criterion" }));
            if (speed.Count > 0)
                charts.Add(GapCharts.ScoreVsGap(speed, new GapChartOptions
                {
                    Metric = GapMetric.Loss, ValueLabel = "sequences before the criterion held (median of solved runs)", Bars = false,
                    Title = $"{task.Key}: training sequences until the criterion began to hold",
                }));
        }
        return charts;
    }

    public static string WriteChartPage(string csvPath, string htmlPath)
        => ChartHtml.SavePage(Charts(Read(csvPath)), htmlPath, "Long-gap experiments: success and sequences to criterion against lag");

    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static CellKind? CellOf(string model) => model.StartsWith("LSTM", StringComparison.Ordinal) ? CellKind.Lstm
        : model.StartsWith("RNN", StringComparison.Ordinal) ? CellKind.Rnn : null;

    private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Count(long? v) => v is long n ? Int(n) : "";
    private static string Real(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') || s.Contains(' ') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;

    /// <summary>The fields of a CSV line (RFC 4180 quoting); null when a quote is left open.</summary>
    private static List<string>? Split(string line)
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
        if (quoted) return null;
        fields.Add(current.ToString());
        return fields;
    }
}
