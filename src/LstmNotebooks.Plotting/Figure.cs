using System.Globalization;
using System.Numerics;
using Microsoft.FSharp.Collections;
using Plotly.NET;
using Dyn = DynamicObj.DynamicObj;

namespace LstmNotebooks.Plotting;

/// <summary>
/// Builds figures from plotly.js attributes directly. The typed Plotly.NET wrappers do not reach every attribute the
/// charts need (hovertemplate, zmid, matches, per-trace colorbars), and one way of building keeps the JSON predictable.
/// </summary>
internal static class Figure
{
    public const string FontFamily = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

    /// <summary>A dynamic object with the non-null properties given.</summary>
    public static Dyn Obj(params (string Name, object? Value)[] properties)
    {
        var o = new Dyn();
        foreach (var (name, value) in properties)
            if (value is not null) o.SetProperty(name, value);
        return o;
    }

    public static Trace Trace(string type, params (string Name, object? Value)[] properties)
    {
        var t = new Trace2D(type);
        foreach (var (name, value) in properties)
            if (value is not null) t.SetProperty(name, value);
        return t;
    }

    public static Dyn Title(string text) => Obj(("text", text));

    public static Dyn Axis(string title, params (string Name, object? Value)[] more)
        => Obj([("title", Title(title)), ("zeroline", false), ("gridcolor", "#E5E8EC"), ("linecolor", "#B0B7BF"),
                ("showline", true), ("automargin", true), .. more]);

    /// <summary>The layout every chart starts from: white background, a title, the shared font.</summary>
    public static Layout Layout(string title, int height, params (string Name, object? Value)[] more)
    {
        var layout = new Layout();
        layout.SetProperty("title", Obj(("text", title), ("x", 0.02), ("xanchor", "left")));
        layout.SetProperty("height", height);
        layout.SetProperty("font", Obj(("family", FontFamily), ("size", 12), ("color", "#1F2328")));
        layout.SetProperty("paper_bgcolor", "#FFFFFF");
        layout.SetProperty("plot_bgcolor", "#FFFFFF");
        layout.SetProperty("hovermode", "closest");
        layout.SetProperty("legend", Obj(("orientation", "h"), ("y", -0.18), ("yanchor", "top"), ("x", 0.0)));
        layout.SetProperty("margin", Obj(("l", 70), ("r", 30), ("t", 70), ("b", 80)));
        foreach (var (name, value) in more)
            if (value is not null) layout.SetProperty(name, value);
        return layout;
    }

    public static GenericChart Chart(IEnumerable<Trace> traces, Layout layout)
    {
        var chart = GenericChart.ofTraceObjects(false, ListModule.OfSeq(traces));
        return GenericChart.setLayout(layout, chart);
    }

    /// <summary>Vertical domains for <paramref name="rows"/> stacked subplots, top first, with a gap between them.</summary>
    public static (double Bottom, double Top)[] Rows(int rows, double gap = 0.04, IReadOnlyList<double>? weights = null)
    {
        var w = weights ?? Enumerable.Repeat(1.0, rows).ToArray();
        double total = w.Sum(), usable = 1.0 - gap * (rows - 1), top = 1.0;
        var domains = new (double, double)[rows];
        for (int r = 0; r < rows; r++)
        {
            double h = usable * w[r] / total;
            domains[r] = (Math.Max(0, top - h), top);
            top -= h + gap;
        }
        return domains;
    }

    /// <summary>plotly's axis names: "x", "x2", … for traces; "xaxis", "xaxis2", … in the layout.</summary>
    public static string AxisRef(char axis, int index) => index == 1 ? axis.ToString() : $"{axis}{index}";
    public static string AxisKey(char axis, int index) => index == 1 ? $"{axis}axis" : $"{axis}axis{index}";

    public static double[] ToDouble<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new double[values.Length];
        for (int i = 0; i < r.Length; i++) r[i] = double.CreateChecked(values[i]);
        return r;
    }

    public static double[] ToDouble<T>(IReadOnlyList<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new double[values.Count];
        for (int i = 0; i < r.Length; i++) r[i] = double.CreateChecked(values[i]);
        return r;
    }

    /// <summary>A label-safe number for titles and annotations (invariant culture, 4 significant digits).</summary>
    public static string Num(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Escapes a user-supplied name for use inside a hovertemplate, where %{…} and &lt; have meaning.</summary>
    public static string Escape(string text)
        => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
               .Replace(">", "&gt;", StringComparison.Ordinal).Replace("%{", "%&#123;", StringComparison.Ordinal);

    public static Dyn VerticalLine(double x, string color, string dash = "dot", string yref = "paper", double y0 = 0, double y1 = 1, string xref = "x")
        => Obj(("type", "line"), ("xref", xref), ("yref", yref), ("x0", x), ("x1", x), ("y0", y0), ("y1", y1),
               ("line", Obj(("color", color), ("width", 1.5), ("dash", dash))));

    public static Dyn HorizontalBand(double y0, double y1, string color, double opacity, string yref = "y")
        => Obj(("type", "rect"), ("xref", "paper"), ("yref", yref), ("x0", 0.0), ("x1", 1.0), ("y0", y0), ("y1", y1),
               ("fillcolor", color), ("opacity", opacity), ("line", Obj(("width", 0))), ("layer", "below"));

    public static Dyn Note(string text, double x, double y, string xref = "x", string yref = "paper", string xanchor = "left",
        string yanchor = "bottom", string color = "#1F2328", bool arrow = false)
        => Obj(("text", text), ("x", x), ("y", y), ("xref", xref), ("yref", yref), ("xanchor", xanchor), ("yanchor", yanchor),
               ("showarrow", arrow), ("font", Obj(("size", 11), ("color", color))));

    public static void Require(bool condition, string paramName, string message)
    {
        if (!condition) throw new ArgumentException(message, paramName);
    }
}
