using System.Globalization;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data;

/// <summary>Reads and checks columns of a DataFrame without touching it: every method copies what it needs.</summary>
internal static class FrameReader
{
    private static readonly HashSet<Type> NumericTypes =
    [
        typeof(double), typeof(float), typeof(decimal), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong),
    ];

    public static bool IsNumeric(Type type) => NumericTypes.Contains(type);

    public static DataFrameColumn Column(DataFrame frame, string name, string role)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (string.IsNullOrEmpty(name))
            throw new DataInputException(DataProblem.InvalidOptions, $"The {role} column name is empty. Expected one of: {Available(frame)}.", paramName: "options");
        int index = frame.Columns.IndexOf(name);
        if (index >= 0) return frame.Columns[index];
        var close = frame.Columns.Select(c => c.Name).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        throw new DataInputException(DataProblem.MissingColumn,
            $"The {role} column '{name}' does not exist. Available columns: {Available(frame)}. " +
            (close is null ? "Hint: column names are case-sensitive; check the spelling or the CSV header." : $"Hint: did you mean '{close}'? Column names are case-sensitive."),
            name, paramName: "options");
    }

    public static string Available(DataFrame frame)
        => frame.Columns.Count == 0 ? "(none: the frame has no columns)" : string.Join(", ", frame.Columns.Select(c => $"'{c.Name}' ({TypeName(c.DataType)})"));

    public static string TypeName(Type type) => type == typeof(string) ? "String" : type.Name;

    /// <summary>The column as doubles, null (NaN here) where the frame has null or NaN; throws for non-numeric columns.</summary>
    public static double[] Numeric(DataFrameColumn column, string role)
    {
        if (!IsNumeric(column.DataType))
            throw new DataInputException(DataProblem.NonNumericColumn,
                $"The {role} column '{column.Name}' holds {TypeName(column.DataType)} values, not numbers. " +
                $"Expected a numeric column (Double, Single, Int32, Int64, Decimal, …), but found {TypeName(column.DataType)}" +
                (column.Length > 0 && column[0] is { } first ? $" (first value: \"{first}\")" : "") + ". " +
                "Hint: convert it first (parse the text, or encode categories as one-hot numeric columns), or choose another column.",
                column.Name, paramName: "options");
        var values = new double[column.Length];
        for (long i = 0; i < column.Length; i++)
            values[i] = column[i] is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : double.NaN;
        return values;
    }

    /// <summary>The column as dates: a DateTime column, or text in an unambiguous date format.</summary>
    public static DateTime?[] Dates(DataFrameColumn column)
    {
        var dates = new DateTime?[column.Length];
        if (column.DataType == typeof(DateTime))
        {
            for (long i = 0; i < column.Length; i++) dates[i] = (DateTime?)column[i];
            return dates;
        }
        if (column.DataType == typeof(DateTimeOffset))
        {
            for (long i = 0; i < column.Length; i++) dates[i] = column[i] is DateTimeOffset o ? o.UtcDateTime : null;
            return dates;
        }
        if (column.DataType != typeof(string))
            throw new DataInputException(DataProblem.InvalidDate,
                $"The date column '{column.Name}' holds {TypeName(column.DataType)} values. Expected DateTime values or ISO-8601 text " +
                "(e.g. 2012-01-31). Hint: pick the column that holds the dates, or leave DateColumn null to skip the order check.",
                column.Name, paramName: "options");
        for (long i = 0; i < column.Length; i++)
        {
            if (column[i] is not string text || text.Length == 0) continue;
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
                throw new DataInputException(DataProblem.InvalidDate,
                    $"The date column '{column.Name}' has \"{text}\" at row {i}, which is not a date. Expected ISO-8601 dates such as 2012-01-31. " +
                    "Hint: fix or drop that row before windowing.", column.Name, i, "options");
            dates[i] = d;
        }
        return dates;
    }

    public static string Format(DateTime d) => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
