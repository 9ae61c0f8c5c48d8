using System.Globalization;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data.Tests;

internal static class TestFrames
{
    /// <summary>A frame whose values reveal their row: a = 100 + row, b = 1000 + 10·row, and a daily date.</summary>
    public static DataFrame Indexed(int rows) => new(
        new DateTimeDataFrameColumn("date", Enumerable.Range(0, rows).Select(r => (DateTime?)new DateTime(2020, 1, 1).AddDays(r))),
        new DoubleDataFrameColumn("a", Enumerable.Range(0, rows).Select(r => 100.0 + r)),
        new Int32DataFrameColumn("b", Enumerable.Range(0, rows).Select(r => 1000 + 10 * r)),
        new StringDataFrameColumn("label", Enumerable.Range(0, rows).Select(r => r % 2 == 0 ? "even" : "odd")));

    /// <summary>Every cell, column name and type as text, to prove a frame was left as it was.</summary>
    public static string Snapshot(DataFrame frame)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in frame.Columns)
        {
            sb.Append(c.Name).Append(':').Append(c.DataType.Name).Append(':').Append(c.Length).Append('|');
            for (long i = 0; i < c.Length; i++) sb.Append(Convert.ToString(c[i], CultureInfo.InvariantCulture) ?? "null").Append(',');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LstmNotebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No ancestor of {AppContext.BaseDirectory} holds LstmNotebooks.sln.");
    }

    public static string DatasetsDirectory => Path.Combine(RepoRoot(), "datasets");
}
