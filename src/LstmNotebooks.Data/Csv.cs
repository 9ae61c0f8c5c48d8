using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data;

public sealed record CsvLoadOptions
{
    /// <summary>The field separator: any character but a quote, a line break or NUL.</summary>
    public char Separator
    {
        get;
        init => field = value is '"' or '\r' or '\n' or '\0'
            ? throw new DataInputException(DataProblem.InvalidOptions,
                $"The CSV separator cannot be {Describe(value)}: quotes enclose fields and line breaks end rows. Hint: ',' or ';' or '\\t'.", paramName: nameof(Separator))
            : value;
    } = ',';

    private static string Describe(char c) => c switch { '"' => "a double quote", '\r' or '\n' => "a line break", _ => "NUL" };

    /// <summary>Read numbers as Double. Microsoft.Data.Analysis guesses Single by default, which turns 315.70 into
    /// 315.7000122; a time series should keep the digits it was published with.</summary>
    public bool NumbersAsDouble { get; init; } = true;
}

/// <summary>CSV in and out through Microsoft.Data.Analysis (DataFrame.LoadCsv / SaveCsv), with invariant culture.</summary>
public static class Csv
{
    /// <summary>Loads a CSV file with a header row through DataFrame.LoadCsv. Column types are guessed from every row
    /// (Microsoft.Data.Analysis looks at the first 10 by default, and then fails on a later row that does not fit):
    /// numbers → Double, ISO dates → DateTime, anything else → String. Empty fields become nulls.</summary>
    public static DataFrame Load(string path, CsvLoadOptions? options = null)
    {
        RequirePath(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The CSV file '{Path.GetFullPath(path)}' does not exist. Hint: paths are relative to the current directory ({Environment.CurrentDirectory}).", path);
        options ??= new CsvLoadOptions();
        using (var reader = new StreamReader(path, Encoding.UTF8)) CheckShape(reader, options.Separator, $"'{path}'");
        try
        {
            int lines = File.ReadLines(path, Encoding.UTF8).Count();
            using var stream = File.OpenRead(path);
            return DataFrame.LoadCsv(stream, options.Separator, header: true, guessRows: Math.Max(lines, 10), encoding: Encoding.UTF8,
                cultureInfo: CultureInfo.InvariantCulture, guessTypeFunction: options.NumbersAsDouble ? GuessType : null);
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentException and not DataInputException)
        {
            throw new InvalidDataException($"'{path}' is not a well-formed CSV file: {e.Message}", e);
        }
    }

    /// <summary>As <see cref="Load"/>, from CSV text (DataFrame.LoadCsvFromString).</summary>
    public static DataFrame Parse(string csv, CsvLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        options ??= new CsvLoadOptions();
        if (csv.Length == 0) throw new InvalidDataException("The CSV text is empty; expected a header row and data rows.");
        CheckShape(new StringReader(csv), options.Separator, "The CSV text");
        int lines = csv.Count(c => c == '\n') + 1;
        try
        {
            return DataFrame.LoadCsvFromString(csv, options.Separator, header: true, guessRows: Math.Max(lines, 10),
                cultureInfo: CultureInfo.InvariantCulture, guessTypeFunction: options.NumbersAsDouble ? GuessType : null);
        }
        catch (Exception e) when (e is not DataInputException)
        {
            throw new InvalidDataException($"The CSV text is not well-formed: {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks that every row has as many fields as the header before Microsoft.Data.Analysis parses the text (it reports
    /// a longer row as "less columns than expected", or fails with an IndexOutOfRangeException). Quoting as RFC 4180 and
    /// LoadCsv read it: a field that starts with a quote runs to the closing quote ("" is a quote inside) and may span
    /// lines; blank lines are skipped.
    /// </summary>
    private static void CheckShape(TextReader reader, char separator, string source)
    {
        int line = 1, recordLine = 1, quoteLine = 0, fields = 1, header = -1, row = 0;
        bool inQuotes = false, fieldStart = true, content = false;
        for (int next = reader.Read(); next >= 0; next = reader.Read())
        {
            char c = (char)next;
            if (inQuotes)
            {
                if (c == '"' && reader.Peek() == '"') reader.Read();
                else if (c == '"') inQuotes = false;
                else if (c == '\n') line++;
                continue;
            }
            if (c == '\n')
            {
                EndRecord();
                line++;
                recordLine = line;
                continue;
            }
            if (c == '\r') continue;
            if (c == separator) { fields++; fieldStart = true; content = true; }
            else if (c == '"' && fieldStart) { inQuotes = true; quoteLine = line; content = true; fieldStart = false; }
            else if (!char.IsWhiteSpace(c)) { content = true; fieldStart = false; }
        }
        if (inQuotes)
            throw new DataInputException(DataProblem.MalformedCsv,
                $"{source} has a quote opened on line {quoteLine} that is never closed. Expected a closing '\"' for every opening one. " +
                "Hint: a quote inside a quoted field is written twice (\"\").", row: header < 0 ? null : row);
        EndRecord();

        void EndRecord()
        {
            if (content)
            {
                if (header < 0) header = fields;
                else
                {
                    if (fields != header)
                        throw new DataInputException(DataProblem.MalformedCsv,
                            $"{source} has {fields} fields in row {row} (line {recordLine}), but its header has {header} columns. Expected {header} fields on every row. " +
                            $"Hint: quote a field that contains the separator '{separator}' (\"a{separator}b\"), or fill the missing fields (an empty field is a missing value).",
                            row: row);
                    row++;
                }
            }
            (fields, fieldStart, content) = (1, true, false);
        }
    }

    /// <summary>Writes <paramref name="frame"/> as CSV (UTF-8, invariant culture, dates as ISO-8601). The frame is not changed.</summary>
    public static void Save(DataFrame frame, string path)
    {
        ArgumentNullException.ThrowIfNull(frame);
        RequirePath(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(path, ToCsvString(frame), new UTF8Encoding(false));
    }

    /// <summary>The CSV text <see cref="Save"/> writes, with "\n" line endings.</summary>
    public static string ToCsvString(DataFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        // DataFrame.SaveCsv writes DateTime in the culture's general format (01/31/2012 00:00:00) and doubles with 17
        // digits (0.1 → 0.10000000000000001). ISO dates and shortest round-trip numbers read back identically and legibly.
        var columns = frame.Columns.Select(c => c.DataType == typeof(DateTime) || c.DataType == typeof(double) || c.DataType == typeof(float)
            ? new StringDataFrameColumn(c.Name, Enumerable.Range(0, (int)c.Length).Select(i => c[i] switch
            {
                DateTime d => FrameReader.Format(d),
                double v => v.ToString("R", CultureInfo.InvariantCulture),
                float v => v.ToString("R", CultureInfo.InvariantCulture),
                _ => null,
            }))
            : c.Clone()).ToList();
        using var stream = new MemoryStream();
        DataFrame.SaveCsv(new DataFrame(columns), stream, encoding: new UTF8Encoding(false), cultureInfo: CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static void RequirePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("The CSV file path is empty. Hint: give a file name such as \"data.csv\" (relative paths start at the current directory).", nameof(path));
    }

    private static Type GuessType(IEnumerable<string> values)
    {
        bool any = false, numbers = true, dates = true;
        foreach (var raw in values)
        {
            var v = raw.Trim();
            if (v.Length == 0) continue;
            any = true;
            if (numbers && !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) numbers = false;
            if (dates && !DateTime.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) dates = false;
            if (!numbers && !dates) return typeof(string);
        }
        if (!any) return typeof(string);
        return numbers ? typeof(double) : dates ? typeof(DateTime) : typeof(string);
    }
}
