using System.Net;
using System.Numerics;
using System.Text;
using LstmNotebooks.Plotting;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace LstmNotebooks.Interactive;

/// <summary>
/// The kit's values as notebooks show them: a Plotly.NET chart is drawn (see <see cref="ChartHtml.NotebookFragment"/>); a <see cref="Model{T}"/>
/// is a summary table; a <see cref="Trace{T}"/> is its gate heatmaps; a <see cref="TrainingHistory"/> its loss curves;
/// a <see cref="GradientFlow"/> its norms against the lag.
/// </summary>
internal static class KitFormatters
{
    public static void Register()
    {
        // One writer per registration: it remembers whether this process has sent plotly.js to the page yet.
        var charts = new ChartWriter();
        RegisterChart<GenericChart>(charts, chart => chart);
        RegisterChart<Trace<float>>(charts, trace => trace.GateHeatmaps());
        RegisterChart<Trace<double>>(charts, trace => trace.GateHeatmaps());
        RegisterChart<TrainingHistory>(charts, history => history.TrainingCurves());
        RegisterChart<GradientFlow>(charts, flow => GradientCharts.FlowVsLag([new NamedGradientFlow(GateVocabulary.CellName(flow.Cell), flow)]));
        RegisterModel<float>();
        RegisterModel<double>();
    }

    private static void RegisterChart<TValue>(ChartWriter charts, Func<TValue, GenericChart> toChart)
    {
        Formatter.Register<TValue>((value, writer) => writer.Write(charts.Html(toChart(value))), "text/html");
        // HTML only, as Plotly.NET.Interactive does: the kernel sends every mime value as a string, and a front end that
        // preferred application/vnd.plotly.v1+json would be handed a string where it expects an object. The figure is
        // inside the HTML as a data block of that type instead.
        Formatter.SetPreferredMimeTypesFor(typeof(TValue), "text/html");
    }

    private static void RegisterModel<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Formatter.Register<Model<T>>((model, writer) => writer.Write(ModelSummary.Html(model)), "text/html");
        Formatter.Register<Model<T>>((model, writer) => writer.Write(model.ToString()), "text/plain");
        Formatter.SetPreferredMimeTypesFor(typeof(Model<T>), "text/html");
    }
}

/// <summary>A model as a table: its spec, its head and every parameter tensor with its shape and value range.</summary>
internal static class ModelSummary
{
    public static string Html<T>(Model<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var spec = model.Spec;
        var sb = new StringBuilder();
        sb.Append("<div class=\"lstmnb-model\"><p><b>").Append(Encode(GateVocabulary.CellName(spec.Cell))).Append("</b> model, ")
          .Append(typeof(T) == typeof(float) ? "float32" : typeof(T) == typeof(double) ? "float64" : typeof(T).Name)
          .Append(", ").Append(model.ParameterCount.ToString("N0")).Append(" parameters</p>");
        sb.Append("<table><thead><tr><th>setting</th><th>value</th></tr></thead><tbody>");
        // The spec's own properties, so a setting added to ModelSpec shows up here without a change.
        foreach (var property in typeof(ModelSpec).GetProperties().Where(p => p.GetIndexParameters().Length == 0))
        {
            var value = property.GetValue(spec);
            Row(sb, property.Name, value switch
            {
                null => "—",
                HeadSpec head => head.Kind == HeadKind.None ? "none" : $"{head.Kind}, {head.Outputs} output(s), {head.Output}",
                _ => value.ToString() ?? "",
            });
        }
        sb.Append("</tbody></table><table><thead><tr><th>tensor</th><th>shape</th><th>values</th><th>min</th><th>max</th><th>mean |w|</th></tr></thead><tbody>");
        foreach (var info in model.ParameterInfos)
        {
            var values = model.Parameter(info.Name).Span;
            double min = double.PositiveInfinity, max = double.NegativeInfinity, abs = 0;
            foreach (var v in values)
            {
                double d = double.CreateTruncating(v);
                min = Math.Min(min, d);
                max = Math.Max(max, d);
                abs += Math.Abs(d);
            }
            sb.Append("<tr><td><code>").Append(Encode(info.Name)).Append("</code></td><td>").Append(string.Join(" × ", info.Shape))
              .Append("</td><td>").Append(info.Length.ToString("N0")).Append("</td><td>").Append(Number(min)).Append("</td><td>")
              .Append(Number(max)).Append("</td><td>").Append(Number(info.Length == 0 ? 0 : abs / info.Length)).Append("</td></tr>");
        }
        return sb.Append("</tbody></table></div>").ToString();
    }

    private static void Row(StringBuilder sb, string name, string value)
        => sb.Append("<tr><td>").Append(Encode(name)).Append("</td><td>").Append(Encode(value)).Append("</td></tr>");

    private static string Number(double d) => double.IsFinite(d) ? d.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "—";

    private static string Encode(string s) => WebUtility.HtmlEncode(s);
}
