using System.Net;
using System.Numerics;
using System.Reflection;
using System.Text;
using System.Text.Json;
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
        foreach (var type in SpanHolders())
            typeof(KitFormatters).GetMethod(nameof(RegisterJsonSummary), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type).Invoke(null, null);
    }

    /// <summary>
    /// Every public kit type, closed over float and double, that System.Text.Json cannot serialise because it (or a kit
    /// type it exposes) has a ref-struct property, such as <see cref="Model{T}.Parameters"/> or <see cref="Sequence{T}.Values"/>.
    /// </summary>
    internal static IReadOnlyList<Type> SpanHolders()
    {
        var kit = typeof(Model<>).Assembly;
        var memo = new Dictionary<Type, bool>();
        return kit.GetExportedTypes()
            .Where(t => !(t.IsAbstract && t.IsSealed) && !t.IsInterface && !t.IsEnum)
            .SelectMany(t => t.IsGenericTypeDefinition ? Close(t) : [t])
            .Where(t => HoldsSpan(t, kit, memo))
            .ToArray();
    }

    private static IEnumerable<Type> Close(Type definition)
    {
        if (definition.GetGenericArguments().Length != 1) return [];
        var closed = new List<Type>();
        foreach (var element in new[] { typeof(float), typeof(double) })
        {
            try { closed.Add(definition.MakeGenericType(element)); }
            catch (ArgumentException) { } // a constraint float or double does not meet
        }
        return closed;
    }

    private static bool HoldsSpan(Type type, Assembly kit, Dictionary<Type, bool> memo)
    {
        if (memo.TryGetValue(type, out var known)) return known;
        memo[type] = false; // a type that refers to itself holds a span only through another property
        bool holds = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Any(p => p.PropertyType.IsByRefLike || Parts(p.PropertyType).Any(part => part.Assembly == kit && HoldsSpan(part, kit, memo)));
        return memo[type] = holds;
    }

    private static IEnumerable<Type> Parts(Type type)
        => type.IsArray ? Parts(type.GetElementType()!)
            : type.IsGenericType ? type.GetGenericArguments().SelectMany(Parts).Prepend(type)
            : [type];

    // #!share and #!set hand a value to another kernel after formatting it as application/json, even when the object
    // itself then passes by reference; a value whose JSON formatting throws is dropped without a word, so a model could
    // not be shared between C# and F# cells. Its type and summary are enough JSON for that.
    private static void RegisterJsonSummary<TValue>() where TValue : notnull
        => Formatter.Register<TValue>((value, writer) => writer.Write(JsonSerializer.Serialize(new { type = TypeName(value.GetType()), summary = value.ToString() })),
            JsonFormatter.MimeType);

    private static string TypeName(Type type)
        => type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>" : type.Name;

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
