using System.Globalization;
using System.Numerics;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using CS = Plotly.NET.CSharp;

namespace LstmNotebooks.Plotting;

/// <summary>
/// The house style of every figure, built from Plotly.NET's typed objects (<see cref="LinearAxis"/>, <see cref="Layout"/>,
/// <see cref="Shape"/>, <see cref="Annotation"/>, …). Plotly.NET 6 dropped the C# interop of its core, so its F#
/// optional parameters are not optional from C#: each builder here names every parameter of the initializer it
/// forwards to (null = not set), once, so the chart builders can pass only what they mean. The compiler checks every
/// name and type against Plotly.NET; nothing here is a string-keyed property.
/// </summary>
internal static class Figure
{
    public const string FontFamily = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
    public const string Ink = "#1F2328";
    public const string Muted = "#57606A";
    public const string GridColor = "#E5E8EC";
    public const string AxisLineColor = "#B0B7BF";

    // ---- option helpers: C# null → F# None -------------------------------------------------------------------------

    public static FSharpOption<T>? Opt<T>(T? value) where T : struct => value is { } v ? FSharpOption<T>.Some(v) : null;
    public static FSharpOption<T>? Opt<T>(T? value) where T : class => value is null ? null : FSharpOption<T>.Some(value);
    private static FSharpOption<Color>? C(string? hex) => hex is null ? null : FSharpOption<Color>.Some(Plotly.NET.Color.fromString(hex));

    public static Color Color(string hex) => Plotly.NET.Color.fromString(hex);

    public static Color Colors(IEnumerable<string> hex) => Plotly.NET.Color.fromColors(hex.Select(Plotly.NET.Color.fromString));

    // ---- axis ids -----------------------------------------------------------------------------------------------------

    /// <summary>The trace-side reference of subplot <paramref name="index"/> (1-based): "x", "x2", …</summary>
    public static StyleParam.LinearAxisId X(int index) => StyleParam.LinearAxisId.NewX(index);
    public static StyleParam.LinearAxisId Y(int index) => StyleParam.LinearAxisId.NewY(index);

    /// <summary>A range or a domain [lo, hi].</summary>
    public static StyleParam.Range Range(double lo, double hi) => StyleParam.Range.NewMinMax(lo, hi);

    // ---- text ---------------------------------------------------------------------------------------------------------

    public static Font Font(double? size = null, string? color = null)
        => Plotly.NET.Font.init(Family: FSharpOption<StyleParam.FontFamily>.Some(StyleParam.FontFamily.NewCustom(FontFamily)),
            Size: Opt(size), Color: C(color));

    public static Title Title(string text, double? x = null, StyleParam.XAnchorPosition? xAnchor = null, Font? font = null)
        => Plotly.NET.Title.init(
            Text: Opt(text), Font: Opt(font), AutoMargin: null, Pad: null, X: Opt(x), XAnchor: Opt(xAnchor), XRef: null, Y: null,
            YAnchor: null, YRef: null, Standoff: null, Side: null);

    // ---- layout ---------------------------------------------------------------------------------------------------------

    /// <summary>An axis in the house style (light grid, a drawn axis line, no zero line unless asked, margins grown to fit
    /// the tick labels). An empty <paramref name="title"/> leaves the axis untitled. <paramref name="stepLabels"/> puts
    /// a label at each integer position 0, 1, … (e.g. the input symbol of each time step).</summary>
    public static LinearAxis Axis(string title, StyleParam.AxisType? axisType = null, StyleParam.Range? range = null,
        StyleParam.RangeMode? rangeMode = null, StyleParam.LinearAxisId? matches = null, IReadOnlyList<string>? stepLabels = null,
        double? dTick = null, bool? showTickLabels = null,
        StyleParam.ExponentFormat? exponentFormat = null, string? tickFormat = null, bool? showGrid = null, bool zeroLine = false,
        string? zeroLineColor = null, StyleParam.LinearAxisId? anchor = null, StyleParam.Side? side = null,
        StyleParam.LinearAxisId? overlaying = null, StyleParam.Range? domain = null, bool? visible = null)
        => LinearAxis.init<IConvertible, IConvertible, IConvertible, double, IConvertible, string, IConvertible, IConvertible>(
            Visible: Opt(visible), Color: null, Title: title.Length == 0 ? null : FSharpOption<Title>.Some(Title(title)), AxisType: Opt(axisType),
            AutoTypeNumbers: null, AutoRange: null, AutoRangeOptions: null, AutoShift: null, RangeMode: Opt(rangeMode), Range: Opt(range),
            FixedRange: null, ScaleAnchor: null, ScaleRatio: null, Constrain: null, ConstrainToward: null, Matches: Opt(matches),
            MaxAllowed: null, MinAllowed: null, Rangebreaks: null, TickMode: stepLabels is null ? null : Opt(StyleParam.TickMode.Array), NTicks: null,
            Tick0: null, DTick: Opt(dTick), TickVals: Opt(stepLabels is null ? null : Enumerable.Range(0, stepLabels.Count).Cast<IConvertible>()),
            TickText: Opt<IEnumerable<string>>(stepLabels), Ticks: null, TicksOn: null, TickLabelMode: null, TickLabelPosition: null,
            TickLabelStep: null, TickLabelOverflow: null, Mirror: null, TickLen: null, TickWidth: null, TickColor: null,
            ShowTickLabels: Opt(showTickLabels), AutoMargin: Opt(StyleParam.TickAutoMargin.All), ShowSpikes: null, SpikeColor: null,
            SpikeThickness: null, SpikeDash: null, SpikeMode: null, SpikeSnap: null, TickFont: null, TickAngle: null, ShowTickPrefix: null,
            TickPrefix: null, ShowTickSuffix: null, TickSuffix: null, ShowExponent: null, ExponentFormat: Opt(exponentFormat),
            MinExponent: null, Minor: null, SeparateThousands: null, TickFormat: Opt(tickFormat), TickFormatStops: null, HoverFormat: null,
            InsideRange: null, ShowLine: Opt<bool>(true), LineColor: C(AxisLineColor), LineWidth: null, ShowGrid: Opt(showGrid),
            GridColor: C(GridColor), GridDash: null, GridWidth: null, ZeroLine: Opt<bool>(zeroLine),
            ZeroLineColor: C(zeroLine ? zeroLineColor ?? AxisLineColor : null), ZeroLineWidth: null, Shift: null, ShowDividers: null,
            DividerColor: null, DividerWidth: null, Anchor: Opt(anchor), Side: Opt(side), Overlaying: Opt(overlaying), LabelAlias: null,
            Layer: null, Domain: Opt(domain), Position: null, CategoryOrder: null, CategoryArray: null, UIRevision: null,
            RangeSlider: null, RangeSelector: null, Calendar: null, BackgroundColor: null, ShowBackground: null);

    public static Margin Margin(int left = 70, int right = 30, int top = 70, int bottom = 80)
        => Plotly.NET.LayoutObjects.Margin.init<int, int, int, int, int, bool>(
            Left: Opt<int>(left), Right: Opt<int>(right), Top: Opt<int>(top), Bottom: Opt<int>(bottom), Pad: null, Autoexpand: null);

    /// <summary>The layout every chart starts from: white background, a left-aligned title, the shared font, closest-point
    /// hover, a horizontal legend under the plot.</summary>
    public static Layout Layout(string title, int height, IEnumerable<Shape>? shapes = null, IEnumerable<Annotation>? annotations = null,
        Margin? margin = null, StyleParam.BarMode? barMode = null, double? barGap = null, double? barGroupGap = null,
        bool? showLegend = null)
    {
        var layout = Plotly.NET.Layout.init<IConvertible>(
            Title: Opt(Title(title, x: 0.02, xAnchor: StyleParam.XAnchorPosition.Left)), ShowLegend: Opt(showLegend),
            Margin: Opt(margin ?? Margin()), AutoSize: null, Width: null, Height: Opt<int>(height), Font: Opt(Font(12, Ink)),
            UniformText: null, Separators: null, PaperBGColor: C("#FFFFFF"), PlotBGColor: C("#FFFFFF"), AutoTypeNumbers: null,
            Colorscale: null, Colorway: null, ModeBar: null, HoverMode: Opt(StyleParam.HoverMode.Closest), ClickMode: null,
            DragMode: null, SelectDirection: null, ActiveSelection: null, NewSelection: null, HoverDistance: null, SpikeDistance: null,
            Hoverlabel: null, Transition: null, DataRevision: null, UIRevision: null, EditRevision: null, SelectRevision: null,
            Template: null, Meta: null, Computed: null, Grid: null, Calendar: null, MinReducedHeight: null, MinReducedWidth: null,
            NewShape: null, ActiveShape: null, HideSources: null, ScatterGap: null, ScatterMode: null, BarGap: Opt(barGap),
            BarGroupGap: Opt(barGroupGap), BarMode: Opt(barMode), BarNorm: null, ExtendPieColors: null, HiddenLabels: null,
            PieColorWay: null, BoxGap: null, BoxGroupGap: null, BoxMode: null, ViolinGap: null, ViolinGroupGap: null, ViolinMode: null,
            WaterfallGap: null, WaterfallGroupGap: null, WaterfallMode: null, FunnelGap: null, FunnelGroupGap: null, FunnelMode: null,
            ExtendFunnelAreaColors: null, FunnelAreaColorWay: null, ExtendSunBurstColors: null, SunBurstColorWay: null,
            ExtendTreeMapColors: null, TreeMapColorWay: null, ExtendIcicleColors: null, IcicleColorWay: null,
            Annotations: Opt<IEnumerable<Annotation>>(annotations?.ToArray()), Shapes: Opt<IEnumerable<Shape>>(shapes?.ToArray()), Selections: null, Images: null, Sliders: null,
            UpdateMenus: null);
        var legend = Legend.init(
            BGColor: null, BorderColor: null, BorderWidth: null, EntryWidth: null, EntryWidthMode: null, Font: null, GroupClick: null,
            GroupTitleFont: null, ItemClick: null, ItemDoubleClick: null, ItemSizing: null, ItemWidth: null,
            Orientation: Opt(StyleParam.Orientation.Horizontal), Title: null, TraceGroupGap: null, TraceOrder: null, UIRevision: null,
            VerticalAlign: null, Visible: null, X: Opt<double>(0.0), XAnchor: null, XRef: null, Y: Opt<double>(-0.18),
            YAnchor: Opt(StyleParam.YAnchorPosition.Top), YRef: null);
        return Plotly.NET.Layout.setLegend(StyleParam.SubPlotId.NewLegend(1), legend).Invoke(layout);
    }

    /// <summary>The chart config: resizes with its container, no plotly logo.</summary>
    public static Config Config()
        => Plotly.NET.Config.init(
            StaticPlot: null, TypesetMath: null, PlotlyServerUrl: null, Editable: null, Edits: null, EditSelection: null,
            Autosizable: null, Responsive: Opt<bool>(true), FillFrame: null, FrameMargins: null, ScrollZoom: null, DoubleClick: null,
            DoubleClickDelay: null, ShowAxisDragHandles: null, ShowAxisRangeEntryBoxes: null, ShowTips: null, ShowLink: null,
            LinkText: null, SendData: null, ShowSources: null, DisplayModeBar: null, ShowSendToCloud: null, ShowEditInChartStudio: null,
            ModeBarButtonsToRemove: null, ModeBarButtonsToAdd: null, ModeBarButtons: null, ToImageButtonOptions: null,
            Displaylogo: Opt<bool>(false), Watermark: null, plotGlPixelRatio: null, SetBackground: null, TopojsonURL: null,
            MapboxAccessToken: null, Logging: null, NotifyOnLogging: null, QueueLength: null, GlobalTransforms: null, Locale: null,
            Locales: null);

    /// <summary>Traces (one single-trace chart each, as Plotly.NET.CSharp's <c>Chart.*</c> build them) under one layout,
    /// with the given axes set on it (x axis n under "xaxisn", y axis n under "yaxisn").</summary>
    public static GenericChart Compose(IEnumerable<GenericChart> traces, Layout layout, params (StyleParam.LinearAxisId Id, LinearAxis Axis)[] axes)
    {
        foreach (var (id, axis) in axes)
        {
            var subplot = id.IsX ? StyleParam.SubPlotId.NewXAxis(Index(id)) : StyleParam.SubPlotId.NewYAxis(Index(id));
            layout = Plotly.NET.Layout.setLinearAxis(subplot, axis).Invoke(layout);
        }
        var chart = CS.Chart.Combine(traces);
        return GenericChart.setConfig(Config(), GenericChart.setLayout(layout, chart));
    }

    private static int Index(StyleParam.LinearAxisId id) => id switch
    {
        StyleParam.LinearAxisId.X x => x.Item,
        StyleParam.LinearAxisId.Y y => y.Item,
        _ => throw new ArgumentException($"Axis {id} is not an x or y axis with an index.", nameof(id)),
    };

    // ---- shapes and notes -----------------------------------------------------------------------------------------------

    public static Line Line(string? color = null, double? width = null, StyleParam.DrawingStyle? dash = null, StyleParam.Shape? shape = null)
        => Plotly.NET.Line.init(
            BackOff: null, AutoColorScale: null, CAuto: null, CMax: null, CMid: null, CMin: null, Color: C(color), ColorAxis: null,
            Colorscale: null, ReverseScale: null, ShowScale: null, ColorBar: null, Dash: Opt(dash), Shape: Opt(shape), Simplify: null,
            Smoothing: null, Width: Opt(width), MultiWidth: null, OutlierColor: null, OutlierWidth: null);

    public static Shape Shape<TX, TY>(StyleParam.ShapeType type, TX x0, TX x1, TY y0, TY y1, string xRef = "x", string yRef = "y",
        Line? line = null, string? fillColor = null, double? opacity = null, StyleParam.Layer? layer = null)
        where TX : IConvertible where TY : IConvertible
        => Plotly.NET.LayoutObjects.Shape.init<TX, TX, TY, TY>(
            Editable: null, FillColor: C(fillColor), FillRule: null, Label: null, ShowLegend: null, Legend: null, LegendRank: null,
            LegendGroup: null, LegendGroupTitle: null, LegendWidth: null, Layer: Opt(layer), Line: Opt(line), Name: null,
            Opacity: Opt(opacity), Path: null, TemplateItemName: null, ShapeType: Opt(type), Visible: null,
            X0: FSharpOption<TX>.Some(x0), X1: FSharpOption<TX>.Some(x1), XAnchor: null, Xref: Opt(xRef), XSizeMode: null,
            Y0: FSharpOption<TY>.Some(y0), Y1: FSharpOption<TY>.Some(y1), YAnchor: null, Yref: Opt(yRef), YSizeMode: null);

    /// <summary>A vertical line at x over the whole plot height (paper coordinates) of the given x axis.</summary>
    public static Shape VerticalLine<TX>(TX x, string color, StyleParam.DrawingStyle? dash = null, string xRef = "x", string yRef = "paper",
        double y0 = 0, double y1 = 1) where TX : IConvertible
        => Shape(StyleParam.ShapeType.Line, x, x, y0, y1, xRef, yRef, Line(color, 1.5, dash ?? StyleParam.DrawingStyle.Dot));

    /// <summary>A data value as an annotation position on its axis: plotly.js places annotations in log10 units on a
    /// log axis (y = 100 there means 10¹⁰⁰), while traces and shapes take the value itself.</summary>
    public static double AnnotationOnAxis(double value, bool logAxis) => logAxis ? Math.Log10(value) : value;

    /// <summary>A horizontal line at y across the plot width.</summary>

    public static Shape HorizontalLine(double y, string color, StyleParam.DrawingStyle? dash = null, string yRef = "y", double width = 1.5)
        => Shape(StyleParam.ShapeType.Line, 0.0, 1.0, y, y, "paper", yRef, Line(color, width, dash ?? StyleParam.DrawingStyle.Dash));

    public static Shape HorizontalBand(double y0, double y1, string color, double opacity, string yRef = "y")
        => Shape(StyleParam.ShapeType.Rectangle, 0.0, 1.0, y0, y1, "paper", yRef, Line(width: 0), color, opacity, StyleParam.Layer.Below);

    public static Shape VerticalBand<TX>(TX x0, TX x1, string color, double opacity, string xRef = "x") where TX : IConvertible
        => Shape(StyleParam.ShapeType.Rectangle, x0, x1, 0.0, 1.0, xRef, "paper", Line(width: 0), color, opacity, StyleParam.Layer.Below);

    /// <summary>A text note without an arrow (paper y by default, so it sits at a fixed height above or in the plot).</summary>
    public static Annotation Note<TX, TY>(string text, TX x, TY y, string xRef = "x", string yRef = "paper",
        StyleParam.XAnchorPosition? xAnchor = null, StyleParam.YAnchorPosition? yAnchor = null, string color = Ink, int? yShift = null)
        where TX : IConvertible where TY : IConvertible
        => Annotation.init<TX, TY, int, IConvertible, int, IConvertible, IConvertible, string, IConvertible, string>(
            X: FSharpOption<TX>.Some(x), Y: FSharpOption<TY>.Some(y), Align: null, ArrowColor: null, ArrowHead: null, ArrowSide: null,
            ArrowSize: null, AX: null, AXRef: null, AY: null, AYRef: null, BGColor: null, BorderColor: null, BorderPad: null,
            BorderWidth: null, CaptureEvents: null, ClickToShow: null, Font: Opt(Font(11, color)), Height: null, HoverLabel: null,
            HoverText: null, Name: null, Opacity: null, ShowArrow: Opt<bool>(false), StandOff: null, StartArrowHead: null,
            StartArrowSize: null, StartStandOff: null, TemplateItemName: null, Text: Opt(text), TextAngle: null, VAlign: null,
            Visible: null, Width: null, XAnchor: Opt(xAnchor ?? StyleParam.XAnchorPosition.Left), XClick: null, XRef: Opt(xRef),
            XShift: null, YAnchor: Opt(yAnchor ?? StyleParam.YAnchorPosition.Bottom), YClick: null, YRef: Opt(yRef), YShift: Opt(yShift));

    /// <summary>The label of a horizontal reference line (chance, a bound, the unedited run), in the right margin next
    /// to the line's end, where it cannot cover a bar or a data label. Charts with such labels widen the right margin.</summary>
    public static Annotation LineLabel(string text, double y, string color, string yRef = "y")
        => Note(text, 1.0, y, xRef: "paper", yRef: yRef, yAnchor: StyleParam.YAnchorPosition.Middle, color: color);

    /// <summary>The right margin that leaves room for <see cref="LineLabel"/>s.</summary>
    public const int LabelMargin = 120;

    // ---- values -------------------------------------------------------------------------------------------------------

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

    /// <summary>plotly's trace-side axis names: "x", "x2", … (for shape and annotation references).</summary>
    public static string AxisRef(char axis, int index) => index == 1 ? axis.ToString() : $"{axis}{index}";

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

    public static void Require(bool condition, string paramName, string message)
    {
        if (!condition) throw new ArgumentException(message, paramName);
    }
}
