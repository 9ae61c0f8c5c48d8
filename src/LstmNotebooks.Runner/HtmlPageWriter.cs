using System.Globalization;
using System.Net;
using System.Text;

namespace LstmNotebooks.Runner;

/// <summary>
/// Writes one self-contained page per notebook: rendered markdown, code, outputs, and plotly.js inlined once, so the
/// page opens offline. A small script at the top records JavaScript errors in the page's root element
/// (<c>data-js-errors</c>), which the browser check in .ci/browser-check reads.
/// </summary>
internal static class HtmlPageWriter
{
    internal const string ErrorRecorder = """
        <script>
        (function () {
          var root = document.documentElement, errors = [];
          root.setAttribute('data-error-recorder', 'on');
          function record(message) { errors.push(String(message)); root.setAttribute('data-js-errors', JSON.stringify(errors)); }
          window.addEventListener('error', function (e) { record((e.message || 'error') + ' at ' + (e.filename || 'page') + ':' + (e.lineno || 0)); });
          window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + ((e.reason && e.reason.message) || e.reason)); });
          var consoleError = console.error;
          console.error = function () { record(Array.prototype.join.call(arguments, ' ')); return consoleError.apply(console, arguments); };
        })();
        </script>
        """;

    internal const string Style = """
        <style>
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #fff; }
        header { padding: 12px 24px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
        header h1 { font-size: 1.3em; margin: 0 0 4px 0; }
        main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
        .status-passed { color: #1a7f37; font-weight: 600; } .status-failed, .status-malformed { color: #cf222e; font-weight: 600; }
        .cell { margin: 14px 0; } .cell.code { border-left: 3px solid #d0d7de; padding-left: 10px; }
        .cell.code.failed { border-left-color: #cf222e; } .cell.code.notrun { opacity: .55; }
        .cell-head { font-size: .8em; color: #57606a; margin-bottom: 4px; }
        pre { background: #f6f8fa; padding: 8px 10px; overflow-x: auto; border-radius: 4px; margin: 4px 0; }
        pre.source { background: #f3f4f6; } pre.stderr { background: #fff8c5; }
        pre.error { background: #ffebe9; color: #82071e; white-space: pre-wrap; }
        .output { margin: 6px 0; overflow-x: auto; }
        table.nb-dataframe, .markdown table { border-collapse: collapse; font-size: .9em; }
        table.nb-dataframe td, table.nb-dataframe th, .markdown td, .markdown th { border: 1px solid #d0d7de; padding: 2px 8px; text-align: right; }
        .markdown code { background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
        a { color: #0969da; }
        </style>
        """;

    public static string Render(NotebookResult result, RunOptions options)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(Encode(result.Name)).Append("</title>\n").Append(ErrorRecorder).Append('\n').Append(Style).Append('\n');
        sb.Append("</head>\n<body>\n<header><h1>").Append(Encode(result.Name)).Append("</h1><div>")
            .Append(StatusSpan(result.Status)).Append(" · ")
            .Append(result.Cells.Count(c => c.Status is CellStatus.Succeeded or CellStatus.Failed)).Append(" of ")
            .Append(result.Cells.Count(c => c.Type == CellType.Code)).Append(" code cells run · ")
            .Append(Seconds(result.Elapsed)).Append(Encode(EnvironmentNote(options)))
            .Append(" · <a href=\"index.html\">all notebooks</a></div>");
        if (result.Failure is { } failure)
        {
            sb.Append("<div class=\"status-failed\">").Append(Encode(failure.ToString())).Append("</div>");
        }

        sb.Append("</header>\n<main>\n");
        foreach (var cell in result.Cells)
        {
            AppendCell(sb, cell);
        }

        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void AppendCell(StringBuilder sb, CellResult cell)
    {
        var id = $"cell-{cell.Number}";
        if (cell.Type == CellType.Markdown)
        {
            sb.Append("<section class=\"cell markdown\" id=\"").Append(id).Append("\">\n")
                .Append(MarkdownRenderer.ToHtml(cell.Source)).Append("</section>\n");
            return;
        }

        if (cell.Type == CellType.Raw)
        {
            sb.Append("<section class=\"cell raw\" id=\"").Append(id).Append("\"><pre>").Append(Encode(cell.Source)).Append("</pre></section>\n");
            return;
        }

        var state = cell.Status switch { CellStatus.Failed => " failed", CellStatus.NotRun => " notrun", _ => "" };
        sb.Append("<section class=\"cell code").Append(state).Append("\" id=\"").Append(id).Append("\">\n<div class=\"cell-head\">[")
            .Append(cell.ExecutionCount?.ToString(CultureInfo.InvariantCulture) ?? " ").Append("] ").Append(Encode(KernelNames.Label(cell.Kernel)))
            .Append(" · cell ").Append(cell.Number)
            .Append(cell.Status == CellStatus.NotRun ? " · not run" : $" · {Seconds(cell.Elapsed)}").Append("</div>\n")
            .Append("<pre class=\"source\"><code>").Append(Encode(cell.Source)).Append("</code></pre>\n");
        var index = 0;
        foreach (var output in cell.Outputs)
        {
            index++;
            sb.Append("<div class=\"output\">");
            switch (output)
            {
                case DisplayOutput { Chart: { } chart } d:
                    // Marked so that the browser check can count what each chart drew (the traces of its figure, when
                    // the output carries one: the Plotly mime or an html data block). The chart's own html (as the
                    // notebook's formatter wrote it) is shown; a figure without html is drawn from its JSON.
                    sb.Append("<div class=\"nb-chart\"")
                        .Append(chart.TracesKnown ? $" data-expected-traces=\"{chart.TraceCount}\"" : "").Append('>')
                        .Append(d.Data.TryGetValue("text/html", out var chartHtml) ? chartHtml : FigureHtml(d.Data[DisplayOutput.PlotlyMime], $"nb-figure-{cell.Number}-{index}"))
                        .Append("</div>");
                    break;
                case DisplayOutput d when d.Data.TryGetValue("text/html", out var html):
                    sb.Append(html);
                    break;
                case DisplayOutput d:
                    sb.Append("<pre>").Append(Encode(d.Data.TryGetValue("text/plain", out var text) ? text : string.Join("\n", d.Data.Values))).Append("</pre>");
                    break;
                case StreamOutput s:
                    sb.Append("<pre class=\"").Append(s.Stream == StreamName.Stdout ? "stdout" : "stderr").Append("\">").Append(Encode(s.Text)).Append("</pre>");
                    break;
                case ErrorOutput e:
                    sb.Append("<pre class=\"error\">").Append(Encode(e.ErrorName)).Append(e.Line is null ? "" : $" (line {e.Line})").Append(": ")
                        .Append(Encode(e.Message));
                    var trace = e.Traceback.Where(t => !e.Message.Contains(t, StringComparison.Ordinal)).Take(30).ToArray();
                    if (trace.Length > 0)
                    {
                        sb.Append("\n\n").Append(Encode(string.Join("\n", trace)));
                    }

                    sb.Append("</pre>");
                    break;
            }

            sb.Append("</div>\n");
        }

        sb.Append("</section>\n");
    }

    private static string FigureHtml(string figureJson, string id) => $"<div id=\"{id}\"></div><script type=\"text/javascript\">(function () {{ var f = {figureJson.Replace("</", "<\\/", StringComparison.Ordinal)}; " +
            $"Plotly.newPlot('{id}', f.data, f.layout || {{}}, f.config || {{}}); }})();</script>";

    internal static string EnvironmentNote(RunOptions options) =>
        options.Environment.Count == 0 ? "" : " · " + string.Join(" ", options.Environment.Select(kv => $"{kv.Key}={kv.Value}"));

    internal static string StatusSpan(NotebookStatus status) =>
        $"<span class=\"status-{status.ToString().ToLowerInvariant()}\">{status}</span>";

    internal static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s");

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);
}

internal static class IndexPageWriter
{
    public static string Render(IReadOnlyList<NotebookResult> results, RunOptions options, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        var passed = results.Count(r => r.Status == NotebookStatus.Passed);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Notebooks</title>\n")
            .Append(HtmlPageWriter.ErrorRecorder).Append('\n').Append(HtmlPageWriter.Style).Append("\n</head>\n<body>\n<header><h1>Notebooks</h1><div>")
            .Append(passed).Append(" of ").Append(results.Count).Append(" passed · ").Append(HtmlPageWriter.Seconds(elapsed))
            .Append(HtmlPageWriter.Encode(HtmlPageWriter.EnvironmentNote(options))).Append("</div></header>\n<main>\n<table class=\"nb-dataframe\">\n")
            .Append("<thead><tr><th>Notebook</th><th>Status</th><th>Code cells run</th><th>Time</th><th>Executed .ipynb</th><th>Failure</th></tr></thead>\n<tbody>\n");
        foreach (var r in results)
        {
            var page = r.HtmlPath is null ? HtmlPageWriter.Encode(r.Name) : $"<a href=\"{Uri.EscapeDataString(Path.GetFileName(r.HtmlPath))}\">{HtmlPageWriter.Encode(r.Name)}</a>";
            var ipynb = r.ExecutedNotebookPath is null ? "" : $"<a href=\"{Uri.EscapeDataString(Path.GetFileName(r.ExecutedNotebookPath))}\">{HtmlPageWriter.Encode(Path.GetFileName(r.ExecutedNotebookPath))}</a>";
            sb.Append("<tr><td style=\"text-align:left\">").Append(page).Append("</td><td>").Append(HtmlPageWriter.StatusSpan(r.Status))
                .Append("</td><td>").Append(r.Cells.Count(c => c.Status is CellStatus.Succeeded or CellStatus.Failed)).Append(" / ")
                .Append(r.Cells.Count(c => c.Type == CellType.Code)).Append("</td><td>").Append(HtmlPageWriter.Seconds(r.Elapsed))
                .Append("</td><td>").Append(ipynb).Append("</td><td style=\"text-align:left\">")
                .Append(r.Failure is null ? "" : HtmlPageWriter.Encode(r.Failure.ToString())).Append("</td></tr>\n");
        }

        sb.Append("</tbody>\n</table>\n</main>\n</body>\n</html>\n");
        return sb.ToString();
    }
}
