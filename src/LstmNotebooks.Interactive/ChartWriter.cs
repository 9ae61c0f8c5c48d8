using System.Text;
using LstmNotebooks.Plotting;
using Plotly.NET;

namespace LstmNotebooks.Interactive;

/// <summary>
/// A chart as a notebook output: a div and a script that draws the figure. The first chart a process writes carries
/// plotly.js inline (the copy Plotly.NET embeds), so charts draw offline; later ones reuse window.Plotly, or load it
/// from the CDN when the page lost it (say, a notebook reopened with the first chart's output cleared).
/// </summary>
internal sealed class ChartWriter
{
    private bool _plotlySent;

    public string Html(GenericChart chart)
    {
        bool inline = !_plotlySent;
        _plotlySent = true;
        return ChartHtml.NotebookFragment(chart, inline ? PlotlyScript.Inline : PlotlyScript.FromPageOrCdn);
    }
}
