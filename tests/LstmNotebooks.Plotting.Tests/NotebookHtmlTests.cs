using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

/// <summary>The notebook fragment and figure JSON the notebook integration (LstmNotebooks.Interactive) writes as a
/// chart's text/html and application/vnd.plotly.v1+json outputs.</summary>
public class NotebookHtmlTests
{
    private static readonly Regex ScriptSrc = new("<script[^>]*\\ssrc\\s*=", RegexOptions.IgnoreCase);

    private static JsonObject EmbeddedFigure(string html)
    {
        var m = Regex.Match(html, "<script type=\"application/vnd\\.plotly\\.v1\\+json\" id=\"(lstmnb-[0-9a-f]{32})-figure\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(m.Success, "the fragment carries the figure as an application/vnd.plotly.v1+json data block");
        Assert.Contains($"var id = \"{m.Groups[1].Value}\";", html);
        return JsonNode.Parse(m.Groups[2].Value)!.AsObject();
    }

    [Fact]
    public void FigureJsonHasDataLayoutAndConfig()
    {
        var chart = ActivationCharts.SigmoidAndTanh();
        var figure = JsonNode.Parse(chart.FigureJson())!.AsObject();
        Assert.Equal(["data", "layout", "config"], figure.Select(p => p.Key));
        Assert.Equal(4, figure["data"]!.AsArray().Count);
        Assert.True((bool)figure["config"]!["responsive"]!);
        Assert.Null(figure["layout"]!["template"]); // no Plotly.NET default template: the house style is explicit
        Assert.Equal("application/vnd.plotly.v1+json", ChartHtml.FigureMimeType);
    }

    [Fact]
    public void InlineFragmentCarriesPlotlyJsRunWithAmdHidden()
    {
        var chart = ActivationCharts.SigmoidAndTanh();
        string html = chart.NotebookFragment(PlotlyScript.Inline);
        Assert.Single(Regex.Matches(html, Regex.Escape($"plotly.js v{ChartHtml.PlotlyJsVersion}")));
        Assert.True(html.Length > 1_000_000, "plotly.js (~3.6 MB) should be inlined");
        // plotly's UMD header sees no define/module/exports, so it sets window.Plotly even under RequireJS.
        Assert.Contains("(function (define, module, exports) {\nif (window.Plotly) { return; }\n", html);
        Assert.Contains("}).call(window);", html);
        Assert.DoesNotMatch(ScriptSrc, html);
        Assert.Contains("window.Plotly.newPlot(el, figure.data, figure.layout, figure.config)", html);
        Assert.Contains("var cdn = null;", html);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(chart.FigureJson()), EmbeddedFigure(html)), "the data block is the chart's figure");
    }

    [Fact]
    public void CdnFragmentReusesWindowPlotlyOrLoadsTheSameVersion()
    {
        string html = ActivationCharts.SigmoidAndTanh().NotebookFragment();
        Assert.Equal("https://cdn.plot.ly/plotly-2.28.0.min.js", ChartHtml.CdnUrl);
        Assert.Contains($"var cdn = \"{ChartHtml.CdnUrl}\";", html);
        Assert.True(html.Length < 100_000, "a CDN fragment must not inline plotly.js");
        Assert.DoesNotContain("plotly.js v", html);
        Assert.Contains("if (window.Plotly && window.Plotly.newPlot) { draw(); }", html);
        // Under RequireJS plotly.js is required as a module; otherwise a script tag is added (with any AMD define hidden).
        Assert.Contains("w.requirejs(['lstmnb-plotly']", html);
        Assert.Contains("w.define = undefined;", html);
        Assert.DoesNotMatch(ScriptSrc, html);
    }

    [Fact]
    public void WindowFragmentNeverTouchesTheNetworkAndSaysWhatIsMissing()
    {
        string html = ActivationCharts.SigmoidAndTanh().NotebookFragment(PlotlyScript.FromPage);
        Assert.DoesNotContain("cdn.plot.ly", html);
        Assert.Contains("var cdn = null;", html);
        Assert.Contains("no window.Plotly", html);
    }

    [Fact]
    public void TheDivShowsAReadableMessageUntilTheChartIsDrawn()
    {
        string html = ActivationCharts.SigmoidAndTanh(new ActivationChartOptions { Title = "σ & tanh" }).NotebookFragment();
        var div = Regex.Match(html, "^<div id=\"(lstmnb-[0-9a-f]{32})\" class=\"lstmnb-chart\" style=\"width:100%;min-height:480px;\"><div[^>]*>([^<]+)</div></div>");
        Assert.True(div.Success, html[..300]);
        Assert.Contains("Chart “σ &amp; tanh”: drawn by plotly.js", div.Groups[2].Value);
        Assert.Contains($"var id = \"{div.Groups[1].Value}\";", html);
        // Every fragment gets its own element id.
        Assert.NotEqual(div.Groups[1].Value, Regex.Match(ActivationCharts.SigmoidAndTanh().NotebookFragment(), "lstmnb-[0-9a-f]{32}").Value);
    }

    [Fact]
    public void UserTextCannotCloseTheScript()
    {
        const string title = "</script><script>alert(1)</script><!-- x";
        string html = ActivationCharts.SigmoidAndTanh(new ActivationChartOptions { Title = title }).NotebookFragment(PlotlyScript.FromPage);
        int scriptStart = html.IndexOf("<script", StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(html[scriptStart..], "</script", RegexOptions.IgnoreCase).Count); // the data block and the drawing script
        Assert.DoesNotContain("<!--", html[scriptStart..]);
        Assert.Equal(title, (string)EmbeddedFigure(html)["layout"]!["title"]!["text"]!);
    }

    [Fact]
    public void PlotlyJsScriptDefinesWindowPlotlyOnce()
    {
        string script = ChartHtml.PlotlyJsScript();
        Assert.StartsWith("<script type=\"text/javascript\">", script);
        Assert.EndsWith("</script>\n", script);
        Assert.Single(Regex.Matches(script, "</script", RegexOptions.IgnoreCase));
        Assert.Matches(@"^\d+\.\d+\.\d+$", ChartHtml.PlotlyJsVersion);
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationCharts.SigmoidAndTanh().NotebookFragment((PlotlyScript)7));
    }
}
