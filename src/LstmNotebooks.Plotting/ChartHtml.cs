using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.FSharp.Core;
using Plotly.NET;

namespace LstmNotebooks.Plotting;

/// <summary>
/// Self-contained HTML pages: plotly.js (the copy Plotly.NET 6 embeds) is inlined, so a page opens offline and never
/// asks a CDN for anything.
/// </summary>
public static partial class ChartHtml
{
    private static readonly Lazy<(string Version, string Source)> PlotlyJs = new(LoadPlotlyJs);

    /// <summary>The plotly.js version Plotly.NET embeds (e.g. 2.28.0).</summary>
    public static string PlotlyJsVersion => PlotlyJs.Value.Version;

    /// <summary>One chart as a complete HTML document with plotly.js inlined (Plotly.NET's PlotlyJSReference.Full).</summary>
    public static string ToHtml(GenericChart chart, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var options = DisplayOptions.init(
            FSharpOption<string>.Some(title ?? ChartTitle(chart) ?? "LstmNotebooks chart"), FSharpOption<string>.Some("utf-8"),
            null, null, null, null, FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.Full));
        var html = GenericChart.toEmbeddedHTML(GenericChart.setDisplayOptions(options, chart));
        EnsureOffline(html);
        return html;
    }

    /// <summary>Several charts on one page, plotly.js inlined once, each chart under an optional heading.</summary>
    public static string ToHtmlPage(IEnumerable<GenericChart> charts, string title)
    {
        ArgumentNullException.ThrowIfNull(charts);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        var list = charts.ToList();
        if (list.Count == 0) throw new ArgumentException("A page needs at least one chart, but none were given.", nameof(charts));
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title))
          .Append("</title>\n<script type=\"text/javascript\">/* plotly.js ").Append(PlotlyJsVersion).Append(", embedded in Plotly.NET */\n")
          // An inline script ends at the first "</script", wherever it appears; plotly.js must not contain one raw.
          .Append(PlotlyJs.Value.Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase))
          .Append("\n</script>\n<style>body{font-family:system-ui,sans-serif;margin:24px;} .chart{margin-bottom:32px;}</style>\n</head>\n<body>\n<h1>")
          .Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
        var noReference = DisplayOptions.init(null, null, null, null, null, null, FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NoReference));
        foreach (var chart in list)
            sb.Append("<div class=\"chart\">").Append(GenericChart.toChartHTML(GenericChart.setDisplayOptions(noReference, chart))).Append("</div>\n");
        sb.Append("</body>\n</html>\n");
        var html = sb.ToString();
        EnsureOffline(html);
        return html;
    }

    /// <summary>Writes <see cref="ToHtml"/> to <paramref name="path"/> (UTF-8) and returns the full path.</summary>
    public static string Save(GenericChart chart, string path, string? title = null) => Write(path, ToHtml(chart, title));

    /// <summary>Writes <see cref="ToHtmlPage"/> to <paramref name="path"/> (UTF-8) and returns the full path.</summary>
    public static string SavePage(IEnumerable<GenericChart> charts, string path, string title) => Write(path, ToHtmlPage(charts, title));

    private static string Write(string path, string html)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(full, html, new UTF8Encoding(false));
        return full;
    }

    /// <summary>A page that loads any script from elsewhere would break offline; refuse to produce one.</summary>
    private static void EnsureOffline(string html)
    {
        var external = ExternalScript().Match(html);
        if (external.Success)
            throw new InvalidOperationException(
                $"The generated page references an external script ({external.Value}); pages must be self-contained. " +
                "Hint: this means Plotly.NET's display options were changed to a CDN reference.");
        if (!html.Contains("Plotly.newPlot", StringComparison.Ordinal) || !html.Contains("plotly.js v", StringComparison.Ordinal))
            throw new InvalidOperationException("The generated page lacks the inlined plotly.js or the chart's Plotly.newPlot call.");
    }

    [GeneratedRegex("<script[^>]*\\ssrc\\s*=\\s*[\"'][^\"']*[\"']", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalScript();

    private static string? ChartTitle(GenericChart chart)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(GenericChart.toFigureJson(chart));
        return json?["layout"]?["title"]?["text"]?.GetValue<string>();
    }

    private static (string, string) LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{assembly.GetName().Name} {assembly.GetName().Version} carries no embedded plotly-*.min.js; expected one as in Plotly.NET 6.0.0.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return (name["Plotly.NET.plotly-".Length..^".min.js".Length], reader.ReadToEnd());
    }
}
