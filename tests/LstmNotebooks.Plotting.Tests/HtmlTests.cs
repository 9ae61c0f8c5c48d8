using System.Text.RegularExpressions;
using LstmNotebooks.Plotting;

namespace LstmNotebooks.Plotting.Tests;

public class HtmlTests
{
    [Fact]
    public void SingleChartPageInlinesPlotlyJsAndLoadsNothingFromOutside()
    {
        var chart = ActivationCharts.SigmoidAndTanh();
        string html = ChartHtml.ToHtml(chart);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains($"plotly.js v{ChartHtml.PlotlyJsVersion}", html);
        Assert.True(html.Length > 1_000_000, "plotly.js (~3.5 MB) should be inlined");
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotMatch(new Regex("<script[^>]*\\ssrc=", RegexOptions.IgnoreCase), html);
        // The page is titled after the chart.
        Assert.Contains($"<title>{System.Net.WebUtility.HtmlEncode(Fig.Of(chart).Title)}</title>", html);
    }

    [Fact]
    public void PageWithSeveralChartsInlinesPlotlyJsOnce()
    {
        var trace = Models.LstmTrace();
        string html = ChartHtml.ToHtmlPage([trace.GateHeatmaps(), trace.StateLines([0])], "Gates & states");
        Assert.Single(Regex.Matches(html, Regex.Escape($"plotly.js v{ChartHtml.PlotlyJsVersion}")));
        // Two chart fragments, each drawing with Plotly.newPlot once the page's plotly.js is there.
        Assert.Equal(2, Regex.Matches(html, "class=\"lstmnb-chart\"").Count);
        Assert.Equal(2, Regex.Matches(html, Regex.Escape("<script type=\"application/vnd.plotly.v1+json\"")).Count);
        Assert.Contains("<title>Gates &amp; states</title>", html);
        Assert.DoesNotMatch(new Regex("<script[^>]*\\ssrc=", RegexOptions.IgnoreCase), html);
        Assert.Throws<ArgumentException>(() => ChartHtml.ToHtmlPage([], "empty"));
    }

    [Fact]
    public void SaveWritesTheFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"lstmnotebooks-{Guid.NewGuid():N}");
        try
        {
            string path = ActivationCharts.SigmoidAndTanh().SaveOfflineHtml(Path.Combine(dir, "nested", "activations.html"));
            Assert.True(File.Exists(path));
            // Same page but for the random chart id Plotly.NET generates.
            Assert.InRange(File.ReadAllText(path).Length - ChartHtml.ToHtml(ActivationCharts.SigmoidAndTanh()).Length, -200, 200);
            Assert.Contains("Plotly.newPlot", File.ReadAllText(path));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }
}
