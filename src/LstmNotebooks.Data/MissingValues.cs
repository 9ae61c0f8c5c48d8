namespace LstmNotebooks.Data;

/// <summary>Applies a <see cref="MissingValuePolicy"/> to copies of the columns; the frame itself is never touched.</summary>
internal static class MissingValues
{
    public static (double[][] Series, DateTime?[]? Dates, long[] RowIndex) Apply(string[] names, double[][] series, DateTime?[]? dates,
        long[] rowIndex, MissingValuePolicy policy, string? dateColumn)
    {
        int n = rowIndex.Length;
        // A column may be both a feature and the target; count it once.
        var distinct = names.Select((name, i) => (name, i)).GroupBy(p => p.name, StringComparer.Ordinal).Select(g => g.First()).ToArray();
        var missing = distinct.Select(p => (p.name, Rows: Enumerable.Range(0, n).Where(r => !double.IsFinite(series[p.i][r])).ToArray()))
            .Where(m => m.Rows.Length > 0).ToArray();
        bool dateGaps = dates is not null && dates.Any(d => d is null);
        if (missing.Length == 0 && !(policy == MissingValuePolicy.Drop && dateGaps)) return (series, dates, rowIndex);
        if (policy == MissingValuePolicy.Drop)
        {
            var keep = Enumerable.Range(0, n).Where(r => series.All(s => double.IsFinite(s[r])) && (dates is null || dates[r] is not null)).ToArray();
            return (series.Select(s => keep.Select(r => s[r]).ToArray()).ToArray(), dates is null ? null : keep.Select(r => dates[r]).ToArray(),
                keep.Select(r => rowIndex[r]).ToArray());
        }

        int total = missing.Sum(m => m.Rows.Length);
        int firstRow = missing.Min(m => m.Rows[0]);
        string firstColumn = missing.First(m => m.Rows[0] == firstRow).name;
        string perColumn = string.Join(", ", missing.Select(m => $"'{m.name}': {m.Rows.Length}"));
        switch (policy)
        {
            case MissingValuePolicy.Reject:
                throw new DataInputException(DataProblem.MissingValues,
                    $"Found {total} missing values (null, NaN or infinite) in the feature and target columns ({perColumn}); the first is in '{firstColumn}' at row {rowIndex[firstRow]}. " +
                    "Expected every value to be present. Hint: set MissingValues = MissingValuePolicy.Drop to drop those rows, " +
                    "or MissingValuePolicy.Interpolate to fill them linearly.", firstColumn, rowIndex[firstRow], "frame");
            case MissingValuePolicy.Interpolate:
            {
                var filled = new double[series.Length][];
                for (int c = 0; c < series.Length; c++)
                {
                    filled[c] = (double[])series[c].Clone();
                    var present = Enumerable.Range(0, n).Where(r => double.IsFinite(series[c][r])).ToArray();
                    if (present.Length == 0)
                        throw new DataInputException(DataProblem.MissingValues,
                            $"Column '{names[c]}' has no values at all ({n} rows, all null or NaN), so there is nothing to interpolate from. " +
                            "Hint: choose another column.", names[c], rowIndex.Length > 0 ? rowIndex[0] : null, "frame");
                    Interpolate(filled[c], present);
                }
                return (filled, dates, rowIndex);
            }
            default:
                throw new DataInputException(DataProblem.InvalidOptions, $"Unknown missing-value policy {policy}.", paramName: "options");
        }
    }

    private static void Interpolate(double[] values, int[] present)
    {
        for (int r = 0; r < present[0]; r++) values[r] = values[present[0]];
        for (int r = present[^1] + 1; r < values.Length; r++) values[r] = values[present[^1]];
        for (int k = 0; k + 1 < present.Length; k++)
        {
            int a = present[k], b = present[k + 1];
            for (int r = a + 1; r < b; r++) values[r] = values[a] + (values[b] - values[a]) * (r - a) / (b - a);
        }
    }
}
