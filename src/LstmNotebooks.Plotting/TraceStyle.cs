using Microsoft.FSharp.Core;
using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>
/// The trace attributes Plotly.NET.CSharp's <c>Chart.Line/Point/Column/Heatmap</c> do not take (hover templates, custom
/// data, the subplot axes a trace is drawn on, z ranges, …), set through Plotly.NET's typed <see cref="Trace2DStyle"/>.
/// As in <see cref="Figure"/>, each forwards every parameter by name because Plotly.NET 6's F# optionals are not optional
/// from C#.
/// </summary>
internal static class TraceStyle
{
    /// <summary>Applies a trace style to every trace of a (single-trace) chart.</summary>
    public static GenericChart Styled(this GenericChart chart, FSharpFunc<Trace, Trace> style) => GenericChart.mapTrace(style, chart);

    /// <summary>
    /// Custom data with one row per heatmap row (e.g. the step labels repeated for every unit), for %{customdata} in
    /// the hover text. DynamicObj on purpose: Plotly.NET's typed <c>CustomData</c> is a flat sequence of IConvertible,
    /// and a heatmap needs a matrix.
    /// </summary>
    public static GenericChart WithGridCustomData(this GenericChart chart, string[][] rows)
        => GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(trace =>
        {
            trace.SetProperty("customdata", rows);
            return trace;
        }), chart);

    public static Plotly.NET.TraceObjects.Marker Marker(string? color = null, IEnumerable<string>? colors = null, int? size = null,
        StyleParam.MarkerSymbol? symbol = null, IEnumerable<StyleParam.MarkerSymbol>? symbols = null, Line? outline = null, double? opacity = null)
        => Plotly.NET.TraceObjects.Marker.init(
            Angle: null, AngleRef: null, AutoColorScale: null, CAuto: null, CMax: null, CMid: null, CMin: null,
            Color: colors is null ? (color is null ? null : FSharpOption<Color>.Some(Figure.Color(color))) : FSharpOption<Color>.Some(Colors(colors)),
            Colors: null, ColorAxis: null, ColorBar: null, Colorscale: null, CornerRadius: null, Gradient: null,
            Outline: Opt(outline), MaxDisplayed: null, Opacity: Opt(opacity), MultiOpacity: null, Pattern: null, ReverseScale: null,
            ShowScale: null, Size: Opt(size), MultiSize: null, SizeMin: null, SizeMode: null, SizeRef: null, StandOff: null,
            MultiStandOff: null, Symbol: Opt(symbol), MultiSymbol: Opt(symbols), Symbol3D: null, MultiSymbol3D: null, OutlierColor: null,
            OutlierWidth: null);

    public static ColorBar ColorBar(string title, double? y = null, StyleParam.VerticalAlign? yAnchor = null, double? len = null,
        double? thickness = null, double? x = null, string? tickFormat = null)
        => Plotly.NET.ColorBar.init<IConvertible, IConvertible>(
            BGColor: null, BorderColor: null, BorderWidth: null, DTick: null, ExponentFormat: null, LabelAlias: null, Len: Opt(len),
            LenMode: null, MinExponent: null, NTicks: null, Orientation: null, OutlineColor: null, OutlineWidth: null,
            SeparateThousands: null, ShowExponent: null, ShowTickLabels: null, ShowTickPrefix: null, ShowTickSuffix: null,
            Thickness: Opt(thickness), ThicknessMode: null, Tick0: null, TickAngle: null, TickColor: null, TickFont: null,
            TickFormat: Opt(tickFormat), TickFormatStops: null, TickLabelOverflow: null, TickLabelPosition: null, TickLabelStep: null,
            TickLen: null, TickMode: null, TickPrefix: null, Ticks: null, TickSuffix: null, TickText: null, TickVals: null,
            TickWidth: null, Title: Opt(Title(title)), X: Opt(x), XAnchor: null, XPad: null, XRef: null, Y: Opt(y), YAnchor: Opt(yAnchor),
            YPad: null, YRef: null);

    public static FSharpFunc<Trace, Trace> Scatter(string? hoverTemplate = null, IEnumerable<IConvertible>? customData = null,
        StyleParam.LinearAxisId? xAxis = null, StyleParam.LinearAxisId? yAxis = null, string? legendGroup = null, bool? showLegend = null,
        bool? connectGaps = null, IEnumerable<string>? text = null, StyleParam.Fill? fill = null, string? fillColor = null)
        => Trace2DStyle.Scatter<IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, string, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, Trace>(
            Name: null, Visible: null, ShowLegend: Opt(showLegend), Legend: null, LegendRank: null, LegendGroup: Opt(legendGroup),
            LegendGroupTitle: null, Opacity: null, Mode: null, Ids: null, IdsEncoded: null, X: null, MultiX: null, X0: null, DX: null,
            Y: null, MultiY: null, Y0: null, DY: null, Text: null, MultiText: Opt(text), MultiTextEncoded: null, TextPosition: null,
            MultiTextPosition: null, TextTemplate: null, MultiTextTemplate: null, HoverText: null, MultiHoverText: null, HoverInfo: null,
            HoverTemplate: Opt(hoverTemplate), MultiHoverTemplate: null, XHoverFormat: null, YHoverFormat: null, Meta: null,
            CustomData: Opt(customData), CustomDataEncoded: null, XAxis: Opt(xAxis), YAxis: Opt(yAxis), Orientation: null, GroupNorm: null,
            AlignmentGroup: null, OffsetGroup: null, StackGroup: null, XPeriod: null, XPeriodAlignment: null, XPeriod0: null,
            YPeriod: null, YPeriodAlignment: null, YPeriod0: null, Marker: null, Line: null, TextFont: null, XError: null, YError: null,
            SelectedPoints: null, SelectedPointsEncoded: null, Selected: null, Unselected: null, ClipOnAxis: null,
            ConnectGaps: Opt(connectGaps), Fill: Opt(fill), FillColor: fillColor is null ? null : FSharpOption<Color>.Some(Figure.Color(fillColor)),
            FillPattern: null, HoverLabel: null, HoverOn: null, StackGaps: null, XCalendar: null, YCalendar: null, UIRevision: null,
            XEncoded: null, YEncoded: null);

    public static FSharpFunc<Trace, Trace> Bar(string? hoverTemplate = null, IEnumerable<IConvertible>? customData = null,
        StyleParam.LinearAxisId? xAxis = null, StyleParam.LinearAxisId? yAxis = null, string? legendGroup = null, bool? showLegend = null,
        IEnumerable<string>? text = null, StyleParam.TextPosition? textPosition = null, bool? clipOnAxis = null, double? @base = null,
        double? width = null, string? offsetGroup = null, Font? textFont = null)
        => Trace2DStyle.Bar<IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, double, double, double, string, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, Trace>(
            Name: null, Visible: null, ShowLegend: Opt(showLegend), Legend: null, LegendRank: null, LegendGroup: Opt(legendGroup),
            LegendGroupTitle: null, Opacity: null, Ids: null, IdsEncoded: null, X: null, MultiX: null, XEncoded: null, X0: null, DX: null,
            Y: null, MultiY: null, YEncoded: null, Y0: null, DY: null, Base: Opt(@base), Width: Opt(width), MultiWidth: null,
            MultiWidthEncoded: null, Offset: null, MultiOffset: null, MultiOffsetEncoded: null, Text: null, MultiText: Opt(text),
            MultiTextEncoded: null, TextPosition: Opt(textPosition), MultiTextPosition: null, TextTemplate: null, MultiTextTemplate: null,
            HoverText: null, MultiHoverText: null, HoverInfo: null, HoverTemplate: Opt(hoverTemplate), MultiHoverTemplate: null,
            XHoverFormat: null, YHoverFormat: null, Meta: null, CustomData: Opt(customData), CustomDataEncoded: null, XAxis: Opt(xAxis),
            YAxis: Opt(yAxis), Orientation: null, AlignmentGroup: null, OffsetGroup: Opt(offsetGroup), XPeriod: null,
            XPeriodAlignment: null, XPeriod0: null, YPeriod: null, YPeriodAlignment: null, YPeriod0: null, Marker: null, TextAngle: null,
            TextFont: Opt(textFont), XError: null, YError: null, SelectedPoints: null, SelectedPointsEncoded: null, Selected: null,
            Unselected: null, ClipOnAxis: Opt(clipOnAxis), Constraintext: null, HoverLabel: null, InsideTextAnchor: null,
            InsideTextFont: null, OutsideTextFont: null, XCalendar: null, YCalendar: null, UIRevision: null);

    public static FSharpFunc<Trace, Trace> Heatmap(string? hoverTemplate = null, IEnumerable<IConvertible>? customData = null,
        StyleParam.LinearAxisId? xAxis = null, StyleParam.LinearAxisId? yAxis = null, double? zMin = null, double? zMax = null,
        double? zMid = null, bool? zAuto = null, ColorBar? colorBar = null, int? xGap = null, int? yGap = null)
        => Trace2DStyle.Heatmap<IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IEnumerable<double>, double, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, IConvertible, double, double, double, Trace>(
            Name: null, Visible: null, ShowLegend: null, Legend: null, LegendRank: null, LegendGroup: null, LegendGroupTitle: null,
            Opacity: null, Ids: null, IdsEncoded: null, X: null, MultiX: null, XEncoded: null, X0: null, DX: null, XType: null,
            XGap: Opt(xGap), Y: null, MultiY: null, YEncoded: null, Y0: null, DY: null, YType: null, YGap: Opt(yGap), Z: null,
            ZEncoded: null, Text: null, MultiText: null, MultiTextEncoded: null, TextTemplate: null, HoverText: null, MultiHoverText: null,
            HoverInfo: null, HoverTemplate: Opt(hoverTemplate), MultiHoverTemplate: null, XHoverFormat: null, YHoverFormat: null,
            Meta: null, CustomData: Opt(customData), CustomDataEncoded: null, XAxis: Opt(xAxis), YAxis: Opt(yAxis), ColorAxis: null,
            XPeriod: null, XPeriodAlignment: null, XPeriod0: null, YPeriod: null, YPeriodAlignment: null, YPeriod0: null, TextFont: null,
            ColorBar: Opt(colorBar), AutoColorScale: null, ColorScale: null, ShowScale: null, ReverseScale: null, ZAuto: Opt(zAuto),
            ZHoverFormat: null, ZMax: Opt(zMax), ZMid: Opt(zMid), ZMin: Opt(zMin), ZSmooth: null, ConnectGaps: null, HoverLabel: null,
            HoverOnGaps: null, Transpose: null, XCalendar: null, YCalendar: null, UIRevision: null);
}
