using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace LstmNotebooks.Plotting;

/// <summary>How a chart's notebook fragment (<see cref="ChartHtml.NotebookFragment"/>) gets plotly.js.</summary>
public enum PlotlyScript
{
    /// <summary>The fragment carries Plotly.NET's embedded plotly.js (about 3.6 MB), which defines window.Plotly unless
    /// it is defined already: draws offline. Meant for the first chart a process shows; later ones use
    /// <see cref="FromPageOrCdn"/>.</summary>
    Inline,

    /// <summary>Use window.Plotly if the page or an earlier output defined it; otherwise load plotly.js from the CDN
    /// (<see cref="ChartHtml.CdnUrl"/>); with neither, the chart's place shows a message saying so.</summary>
    FromPageOrCdn,

    /// <summary>Use window.Plotly only (the page supplies plotly.js, e.g. with <see cref="ChartHtml.PlotlyJsScript"/>);
    /// never touches the network. Without it the chart's place shows a message.</summary>
    FromPage,
}

/// <summary>
/// The one place charts become HTML: notebook fragments (a div and a script calling Plotly.newPlot) with the caller's
/// choice of how plotly.js arrives, the figure JSON for <c>application/vnd.plotly.v1+json</c>, and self-contained
/// offline pages. plotly.js is the copy Plotly.NET 6 embeds, so the inlined and the CDN script are the same version.
/// </summary>
public static partial class ChartHtml
{
    /// <summary>Plotly's MIME type for a figure ({"data", "layout", "config"}); Jupyter, VS Code and nbconvert render it.</summary>
    public const string FigureMimeType = "application/vnd.plotly.v1+json";

    private const string ResourcePrefix = "Plotly.NET.plotly-";
    private static readonly Lazy<(string Version, string Source)> PlotlyJs = new(LoadPlotlyJs);

    /// <summary>The plotly.js version Plotly.NET embeds (e.g. 2.28.0).</summary>
    public static string PlotlyJsVersion => PlotlyJs.Value.Version;

    /// <summary>The CDN copy of the same plotly.js version: https://cdn.plot.ly/plotly-2.28.0.min.js for Plotly.NET 6.0.0.</summary>
    public static string CdnUrl => $"https://cdn.plot.ly/plotly-{PlotlyJsVersion}.min.js";

    /// <summary>
    /// A <c>&lt;script&gt;</c> element that defines window.Plotly from the embedded plotly.js (once per page is enough).
    /// It runs plotly's bundle with AMD and CommonJS hidden: where RequireJS is present (Jupyter classic defines
    /// <c>define</c>/<c>require</c>), the bundle would otherwise register an anonymous module and leave window.Plotly
    /// undefined. It does nothing when window.Plotly already exists.
    /// </summary>
    public static string PlotlyJsScript()
        => new StringBuilder(PlotlyJs.Value.Source.Length + 400)
            .Append("<script type=\"text/javascript\">/* plotly.js ").Append(PlotlyJsVersion)
            .Append(", embedded in Plotly.NET; run with define/module/exports hidden so it always sets window.Plotly */\n")
            .Append("(function (define, module, exports) {\nif (window.Plotly) { return; }\n")
            // An inline script ends at the first "</script", wherever it appears; plotly.js must not contain one raw.
            .Append(PlotlyJs.Value.Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase))
            .Append("\n}).call(window);\n</script>\n")
            .ToString();

    /// <summary>
    /// The chart's figure as JSON: {"data": [...], "layout": {...}, "config": {...}}, the payload of a
    /// <see cref="FigureMimeType"/> output.
    /// </summary>
    public static string FigureJson(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return GenericChart.toJson(chart);
    }

    /// <summary>
    /// A notebook output for one chart: a div, the figure as a data block of <see cref="FigureMimeType"/> (so a tool
    /// that checks outputs can find and parse every chart without knowing this fragment), and a script that draws it
    /// with Plotly.newPlot once plotly.js is there. <paramref name="script"/> says where plotly.js comes from. The div
    /// holds a readable message until the chart is drawn (shown as is where scripts do not run), replaced by the reason
    /// when plotly.js cannot be had. Needs no RequireJS, and works when it is present (Jupyter classic).
    /// </summary>
    public static string NotebookFragment(GenericChart chart, PlotlyScript script = PlotlyScript.FromPageOrCdn)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (!Enum.IsDefined(script)) throw new ArgumentOutOfRangeException(nameof(script), script, "Unknown way of getting plotly.js.");
        string json = FigureJson(chart);
        var figure = JsonNode.Parse(json);
        string title = figure?["layout"]?["title"]?["text"]?.GetValue<string>() ?? "chart";
        int height = figure?["layout"]?["height"]?.GetValue<int>() ?? 450;
        string id = "lstmnb-" + Guid.NewGuid().ToString("N");
        var sb = new StringBuilder();
        sb.Append("<div id=\"").Append(id).Append("\" class=\"lstmnb-chart\" style=\"width:100%;min-height:").Append(height).Append("px;\">")
          .Append("<div style=\"font:13px system-ui,sans-serif;color:#57606A;padding:12px;border:1px dashed #B0B7BF;\">")
          .Append(WebUtility.HtmlEncode($"Chart “{title}”: drawn by plotly.js. If this text stays, scripts did not run here or plotly.js could not be loaded."))
          .Append("</div></div>\n");
        if (script == PlotlyScript.Inline) sb.Append(PlotlyJsScript());
        // "<" only occurs inside JSON strings; as \u003c it can neither end the data block nor open a comment, and the
        // JSON stays valid.
        sb.Append("<script type=\"").Append(FigureMimeType).Append("\" id=\"").Append(id).Append("-figure\">")
          .Append(json.Replace("<", "\\u003c", StringComparison.Ordinal)).Append("</script>\n")
          .Append("<script type=\"text/javascript\">\n(function () {\n")
          .Append("var id = \"").Append(id).Append("\";\n")
          .Append(script == PlotlyScript.FromPageOrCdn ? "var cdn = \"" + CdnUrl + "\";\n" : "var cdn = null;\n")
          .Append(DrawScript)
          .Append("})();\n</script>\n");
        return sb.ToString();
    }

    // The loader: draw at once when window.Plotly exists; else (CDN mode) load plotly.js once per page, queueing the
    // charts that wait for it. Under RequireJS plotly.js is loaded as a module (a plain <script> would hand its
    // anonymous define() to RequireJS and never set window.Plotly); under another AMD loader define is hidden while
    // the script runs.
    private const string DrawScript = """
        function say(text) {
          var el = document.getElementById(id);
          if (el) { el.innerHTML = '<div style="font:13px system-ui,sans-serif;color:#8A1C1C;padding:12px;border:1px dashed #D0A0A0;"></div>'; el.firstChild.textContent = text; }
        }
        function draw() {
          var el = document.getElementById(id), block = document.getElementById(id + '-figure');
          if (!el || !block) { return; }
          var figure = JSON.parse(block.textContent);
          el.innerHTML = '';
          window.Plotly.newPlot(el, figure.data, figure.layout, figure.config);
        }
        function load(done) {
          var w = window;
          if (w.__lstmnbPlotlyWaiting) { w.__lstmnbPlotlyWaiting.push(done); return; }
          w.__lstmnbPlotlyWaiting = [done];
          function finish(error) {
            var waiting = w.__lstmnbPlotlyWaiting || [];
            w.__lstmnbPlotlyWaiting = null;
            for (var k = 0; k < waiting.length; k++) { waiting[k](error); }
          }
          if (typeof w.requirejs === 'function' && typeof w.define === 'function' && w.define.amd) {
            w.requirejs.config({ paths: { 'lstmnb-plotly': cdn.replace(/\.js$/, '') } });
            w.requirejs(['lstmnb-plotly'],
              function (plotly) { w.Plotly = w.Plotly || plotly; finish(w.Plotly ? null : 'plotly.js loaded as a module but gave no Plotly object'); },
              function (e) { finish('could not load plotly.js from ' + cdn + ' (' + (e && e.message ? e.message : 'require failed') + ')'); });
            return;
          }
          var hidden = typeof w.define === 'function' && w.define.amd ? w.define : null;
          if (hidden) { w.define = undefined; }
          var s = document.createElement('script');
          s.src = cdn; s.async = true; s.charset = 'utf-8';
          s.onload = function () { if (hidden) { w.define = hidden; } finish(w.Plotly ? null : 'plotly.js loaded from ' + cdn + ' but did not define window.Plotly'); };
          s.onerror = function () { if (hidden) { w.define = hidden; } finish('could not load plotly.js from ' + cdn + ' (offline?)'); };
          (document.head || document.body || document.documentElement).appendChild(s);
        }
        try {
          if (window.Plotly && window.Plotly.newPlot) { draw(); }
          else if (cdn) { load(function (error) { if (error) { say('This chart needs plotly.js: ' + error + '. Run the notebook where plotly.js can load, or show an earlier chart with plotly.js inlined.'); } else { draw(); } }); }
          else { say('This chart needs plotly.js, which is not loaded on this page (no window.Plotly). Show the first chart with plotly.js inlined, or open the saved offline page.'); }
        } catch (e) { say('The chart could not be drawn: ' + (e && e.message ? e.message : e)); }

        """;

    /// <summary>One chart as a complete, self-contained HTML document (plotly.js inlined).</summary>
    public static string ToHtml(GenericChart chart, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return Page([chart], title ?? ChartTitle(chart) ?? "LstmNotebooks chart", heading: false);
    }

    /// <summary>Several charts on one page, plotly.js inlined once, under the page title.</summary>
    public static string ToHtmlPage(IEnumerable<GenericChart> charts, string title)
    {
        ArgumentNullException.ThrowIfNull(charts);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        var list = charts.ToList();
        if (list.Count == 0) throw new ArgumentException("A page needs at least one chart, but none were given.", nameof(charts));
        return Page(list, title, heading: true);
    }

    /// <summary>Writes <see cref="ToHtml"/> to <paramref name="path"/> (UTF-8) and returns the full path.</summary>
    public static string Save(GenericChart chart, string path, string? title = null) => Write(path, ToHtml(chart, title));

    /// <summary>Writes <see cref="ToHtmlPage"/> to <paramref name="path"/> (UTF-8) and returns the full path.</summary>
    public static string SavePage(IEnumerable<GenericChart> charts, string path, string title) => Write(path, ToHtmlPage(charts, title));

    private static string Page(IReadOnlyList<GenericChart> charts, string title, bool heading)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n")
          .Append(PlotlyJsScript())
          .Append("<style>body{font-family:system-ui,sans-serif;margin:24px;} .chart{margin-bottom:32px;}</style>\n</head>\n<body>\n");
        if (heading) sb.Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
        foreach (var chart in charts)
            sb.Append("<div class=\"chart\">\n").Append(NotebookFragment(chart ?? throw new ArgumentNullException(nameof(charts), "A chart is null."),
                PlotlyScript.FromPage)).Append("</div>\n");
        sb.Append("</body>\n</html>\n");
        var html = sb.ToString();
        EnsureOffline(html);
        return html;
    }

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
                $"The generated page references an external script ({external.Value}); pages must be self-contained.");
        if (!html.Contains("Plotly.newPlot", StringComparison.Ordinal) || !html.Contains("plotly.js v", StringComparison.Ordinal))
            throw new InvalidOperationException("The generated page lacks the inlined plotly.js or the chart's Plotly.newPlot call.");
    }

    [GeneratedRegex("<script[^>]*\\ssrc\\s*=\\s*[\"'][^\"']*[\"']", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalScript();

    private static string? ChartTitle(GenericChart chart)
        => JsonNode.Parse(GenericChart.toJson(chart))?["layout"]?["title"]?["text"]?.GetValue<string>();

    private static (string, string) LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{assembly.GetName().Name} {assembly.GetName().Version} carries no embedded plotly-*.min.js; expected one as in Plotly.NET 6.0.0.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return (name[ResourcePrefix.Length..^".min.js".Length], reader.ReadToEnd());
    }
}
