using Plotly.NET;
using Plotly.NET.CSharp;
using static LstmNotebooks.Plotting.Figure;
using CS = Plotly.NET.CSharp;

namespace LstmNotebooks.Plotting;

/// <summary>
/// Single-trace charts from Plotly.NET.CSharp's typed <c>Chart.Line/Point/Column/Heatmap</c> in the house style, without
/// Plotly.NET's default template (every chart sets its own layout). Attributes the C# chart API does not take are added
/// with <see cref="TraceStyle"/>.
/// </summary>
internal static class Traces
{
    public static GenericChart Line<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string name, string color, double width = 2,
        StyleParam.DrawingStyle? dash = null, bool markers = false, int markerSize = 5, StyleParam.Shape? shape = null, bool showLegend = true, bool webGL = false)
        where TX : IConvertible where TY : IConvertible
        => CS.Chart.Line<TX, TY, string>(x, y, ShowMarkers: markers, Name: name, ShowLegend: showLegend, UseWebGL: webGL,
            Line: Figure.Line(color, width, dash ?? StyleParam.DrawingStyle.Solid, shape),
            Marker: markers ? TraceStyle.Marker(color, size: markerSize) : default(Optional<Plotly.NET.TraceObjects.Marker>),
            UseDefaults: false);

    public static GenericChart Points<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string name, Plotly.NET.TraceObjects.Marker marker,
        IEnumerable<string>? text = null, bool showLegend = true)
        where TX : IConvertible where TY : IConvertible
        => CS.Chart.Point<TX, TY, string>(x, y, Name: name, ShowLegend: showLegend, Marker: marker,
            MultiText: text is null ? default(Optional<IEnumerable<string>>) : new Optional<IEnumerable<string>>(text, true), UseDefaults: false);

    /// <summary>Vertical bars (plotly "bar" with vertical orientation: Plotly.NET calls them columns).</summary>
    public static GenericChart Columns<TKey>(IEnumerable<TKey> keys, IEnumerable<double> values, string name, Plotly.NET.TraceObjects.Marker marker,
        bool showLegend = true)
        where TKey : IConvertible
        => CS.Chart.Column<double, TKey, string>(values, Keys: new Optional<IEnumerable<TKey>>(keys, true), Name: name,
            ShowLegend: showLegend, Marker: marker, UseDefaults: false);

    /// <summary>Vertical bars on a two-level category axis (e.g. layer, then gate).</summary>
    public static GenericChart Columns<TKey>(IEnumerable<IEnumerable<TKey>> multiKeys, IEnumerable<double> values, string name,
        Plotly.NET.TraceObjects.Marker marker, bool showLegend = true)
        where TKey : IConvertible
        => CS.Chart.Column<double, TKey, string>(values, MultiKeys: new Optional<IEnumerable<IEnumerable<TKey>>>(multiKeys, true), Name: name,
            ShowLegend: showLegend, Marker: marker, UseDefaults: false);

    public static GenericChart Heatmap<TX, TY>(IEnumerable<IEnumerable<double>> z, IEnumerable<TX> x, IEnumerable<TY> y, string name,
        StyleParam.Colorscale colorScale)
        where TX : IConvertible where TY : IConvertible
        => CS.Chart.Heatmap<double, TX, TY, string>(z, X: new Optional<IEnumerable<TX>>(x, true), Y: new Optional<IEnumerable<TY>>(y, true),
            Name: name, ColorScale: colorScale, UseDefaults: false);
}
