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

/// <summary>How a notebook chart fragment gets plotly.js.</summary>
public enum PlotlyScript
{
    /// <summary>plotly.js inlined in the fragment (≈3.6 MB): draws offline.</summary>
    Inline,
    /// <summary>Use window.Plotly when the page has it, else load it from the CDN.</summary>
    FromPageOrCdn,
}

public static partial class ChartHtml
{
    /// <summary>Plotly's mime type for a figure ({"data", "layout", "config"}).</summary>
    public const string FigureMimeType = "application/vnd.plotly.v1+json";

    /// <summary>The figure as Plotly's JSON mime type wants it: {"data": […], "layout": {…}, "config": {…}}.</summary>
    public static string FigureJson(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return GenericChart.toFigureJson(chart);
    }

    /// <summary>
    /// A notebook output for one chart: a div and a script that draws it. It needs neither RequireJS nor a network when
    /// <paramref name="script"/> is <see cref="PlotlyScript.Inline"/>; with RequireJS present (Jupyter's classic page)
    /// plotly's UMD bundle would register itself as an AMD module instead of window.Plotly, so define is hidden while it
    /// loads. If plotly.js cannot be had, the div says so instead of staying blank.
    /// </summary>
    public static string NotebookFragment(GenericChart chart, PlotlyScript script)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var id = "lstmnb-" + Guid.NewGuid().ToString("N");
        var sb = new StringBuilder();
        if (script == PlotlyScript.Inline)
            sb.Append("<script type=\"text/javascript\">window.__lstmnbDefine = window.define; window.define = undefined;</script>\n")
              .Append("<script type=\"text/javascript\">/* plotly.js ").Append(PlotlyJsVersion).Append(", embedded in Plotly.NET */\n")
              .Append(PlotlyJs.Value.Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase))
              .Append("\n</script>\n<script type=\"text/javascript\">window.define = window.__lstmnbDefine;</script>\n");
        // The figure travels as a data block of Plotly's own mime type: the drawing script reads it, and a tool that
        // checks notebook outputs can find and parse every chart without knowing this fragment.
        sb.Append("<div id=\"").Append(id).Append("\" class=\"lstmnb-chart\"></div>\n<script type=\"").Append(FigureMimeType).Append("\" id=\"")
          .Append(id).Append("-figure\">").Append(GenericChart.toFigureJson(chart).Replace("</", "<\\/", StringComparison.Ordinal)).Append("</script>\n")
          .Append("<script type=\"text/javascript\">\n(function () {\n")
          .Append("  var id = \"").Append(id).Append("\";\n")
          .Append("  function draw() { var f = JSON.parse(document.getElementById(id + '-figure').textContent); window.Plotly.newPlot(id, f.data, f.layout || {}, f.config || {}); }\n")
          .Append("  function fail(why) { var d = document.getElementById(id); if (d) d.textContent = 'This chart needs plotly.js, which could not be loaded (' + why + ').'; }\n")
          .Append("  if (window.Plotly) { draw(); return; }\n")
          .Append("  var cdn = 'https://cdn.plot.ly/plotly-").Append(PlotlyJsVersion).Append(".min.js';\n")
          .Append("  window.__lstmnbPlotly = window.__lstmnbPlotly || new Promise(function (resolve, reject) {\n")
          .Append("    var s = document.createElement('script'), saved = window.define;\n")
          .Append("    window.define = undefined;\n")
          .Append("    s.src = cdn;\n")
          .Append("    s.onload = function () { window.define = saved; resolve(); };\n")
          .Append("    s.onerror = function () { window.define = saved; reject('no access to ' + cdn); };\n")
          .Append("    document.head.appendChild(s);\n  });\n")
          .Append("  window.__lstmnbPlotly.then(draw, fail);\n})();\n</script>\n");
        return sb.ToString();
    }
}
