using System.Net;
using System.Text;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;

namespace LstmNotebooks.Runner;

/// <summary>
/// The DataFrame table the kernel extension inside Microsoft.Data.Analysis drew. That extension needs the kernel
/// assemblies, so the runner draws an equivalent static table: an index column, the first rows, and the size.
/// </summary>
internal static class DataFrameTables
{
    public const int MaxRows = 50;

    public static void Register() =>
        Formatter.Register<DataFrame>((frame, writer) => writer.Write(ToHtml(frame)), "text/html");

    public static bool TryFormat(object value, out DisplayOutput output)
    {
        if (value is not DataFrame frame)
        {
            output = null!;
            return false;
        }

        var html = ToHtml(frame);
        var data = new Dictionary<string, string>
        {
            ["text/html"] = html,
            ["text/plain"] = $"DataFrame: {frame.Rows.Count} rows × {frame.Columns.Count} columns",
        };
        output = new DisplayOutput(DisplayKind.Table, data, Table: new TableSummary(frame.Rows.Count, frame.Columns.Count));
        return true;
    }

    public static string ToHtml(DataFrame frame)
    {
        var rows = frame.Rows.Count;
        var shown = Math.Min(rows, MaxRows);
        var sb = new StringBuilder();
        sb.Append("<table class=\"nb-dataframe\" data-rows=\"").Append(rows).Append("\" data-columns=\"")
            .Append(frame.Columns.Count).Append("\"><thead><tr><th><i>index</i></th>");
        foreach (var column in frame.Columns)
        {
            sb.Append("<th>").Append(WebUtility.HtmlEncode(column.Name)).Append("</th>");
        }

        sb.Append("</tr></thead><tbody>");
        for (long r = 0; r < shown; r++)
        {
            sb.Append("<tr><td><i>").Append(r).Append("</i></td>");
            foreach (var column in frame.Columns)
            {
                sb.Append("<td>").Append(WebUtility.HtmlEncode(Convert.ToString(column[r], System.Globalization.CultureInfo.InvariantCulture) ?? "")).Append("</td>");
            }

            sb.Append("</tr>");
        }

        sb.Append("</tbody></table>");
        if (shown < rows)
        {
            sb.Append("<p class=\"nb-more\">… ").Append(rows - shown).Append(" more rows (").Append(rows)
                .Append(" rows × ").Append(frame.Columns.Count).Append(" columns)</p>");
        }

        return sb.ToString();
    }
}
