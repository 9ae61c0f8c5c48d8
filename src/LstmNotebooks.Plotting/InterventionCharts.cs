using System.Globalization;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

/// <summary>A model's score with one intervention applied (or none, for the baseline run).</summary>
/// <param name="Name">What was done, e.g. "clamp o = 0 (unit 3, steps 10–50)".</param>
/// <param name="Value">The score with it, e.g. test accuracy as a fraction.</param>
public sealed record InterventionEffect(string Name, double Value)
{
    /// <summary>The unedited run: drawn first, in the model's color, with its value as a reference line.</summary>
    public bool IsBaseline { get; init; }

    /// <summary>A longer description for the hover text.</summary>
    public string? Detail { get; init; }

    public static InterventionEffect Baseline(string name, double value) => new(name, value) { IsBaseline = true };
    public InterventionEffect WithDetail(string? detail) => this with { Detail = detail };
}

public sealed record InterventionChartOptions
{
    private readonly double? _chance;
    private readonly string _valueLabel = "test accuracy";

    /// <summary>Values are fractions in [0, 1] (accuracy), shown as percentages; false for amounts in their own unit.</summary>
    public bool Fraction { get; init; } = true;
    public string ValueLabel { get => _valueLabel; init => _valueLabel = Check.Text(value, nameof(ValueLabel)); }

    /// <summary>Chance level drawn as a dashed line (e.g. 0.5 for two classes); null for none.</summary>
    public double? ChanceLevel { get => _chance; init => _chance = Check.Finite(value, nameof(ChanceLevel)); }
    public string? Title { get; init; }

    public InterventionChartOptions WithChance(double? chance) => this with { ChanceLevel = chance };
    public InterventionChartOptions WithValueLabel(string label, bool fraction = true) => this with { ValueLabel = label, Fraction = fraction };
    public InterventionChartOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>What interventions inside a run (clamping a gate, editing the cell state) do to the model's answers.</summary>
public static class InterventionCharts
{
    /// <summary>
    /// One bar per intervention with its score printed on it (so a score of 0 still shows), the unedited baseline
    /// first and as a dotted reference line, and the chance level as a dashed line.
    /// </summary>
    public static GenericChart Effects(IEnumerable<InterventionEffect> effects, InterventionChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(effects);
        options ??= new InterventionChartOptions();
        var list = effects.Select(e => e ?? throw new ArgumentNullException(nameof(effects), "One of the effects is null.")).ToList();
        Require(list.Count > 0, nameof(effects), "No intervention effects were given.");
        if (list.Select(e => e.Name).Distinct().Count() != list.Count)
            throw new ArgumentException("Two effects have the same name; each bar needs its own label.", nameof(effects));
        foreach (var e in list)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(e.Name, nameof(effects));
            if (!double.IsFinite(e.Value) || (options.Fraction && e.Value is < 0 or > 1))
                throw new ArgumentException($"'{e.Name}' has {options.ValueLabel} {e.Value}; expected {(options.Fraction ? "a fraction in [0, 1]" : "a finite number")}.", nameof(effects));
        }
        if (options.Fraction && options.ChanceLevel is double ch) Check.Fraction(ch, nameof(options.ChanceLevel));
        var ordered = list.Where(e => e.IsBaseline).Concat(list.Where(e => !e.IsBaseline)).ToArray();
        string format = options.Fraction ? "%{y:.1%}" : "%{y:.4g}";
        var bars = Traces.Columns(ordered.Select(e => e.Name), ordered.Select(e => e.Value), options.ValueLabel,
                TraceStyle.Marker(colors: ordered.Select(e => e.IsBaseline ? GatePalette.Lstm : GatePalette.Intervention)), showLegend: false)
            .Styled(TraceStyle.Bar(text: ordered.Select(e => Text(e.Value, options.Fraction)), textPosition: StyleParam.TextPosition.Outside,
                clipOnAxis: false, customData: ordered.Select(e => (IConvertible)(e.Detail ?? (e.IsBaseline ? "no intervention" : e.Name))),
                hoverTemplate: $"<b>%{{x}}</b><br>%{{customdata}}<br>{Escape(options.ValueLabel)} = {format}<extra></extra>"));
        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        if (options.ChanceLevel is double chance)
        {
            shapes.Add(HorizontalLine(chance, Muted));
            notes.Add(LineLabel($"chance ({Text(chance, options.Fraction)})", chance, Muted));
        }
        if (ordered.FirstOrDefault(e => e.IsBaseline) is { } baseline)
        {
            shapes.Add(HorizontalLine(baseline.Value, GatePalette.Lstm, StyleParam.DrawingStyle.Dot, width: 1));
            notes.Add(LineLabel($"unedited ({Text(baseline.Value, options.Fraction)})", baseline.Value, GatePalette.Lstm));
        }
        double top = Math.Max(list.Max(e => e.Value), options.ChanceLevel ?? 0);
        string title = options.Title ?? $"What each intervention does to the {options.ValueLabel}";
        return Compose([bars], Layout(title, 460, shapes, notes, Margin(70, LabelMargin, 70, 110)),
            (X(1), Axis("intervention", axisType: StyleParam.AxisType.Category)),
            (Y(1), options.Fraction
                ? Axis(options.ValueLabel + " (%)", tickFormat: ".0%", range: Range(0, 1.08))
                : Axis(options.ValueLabel, range: list.Min(e => e.Value) >= 0 ? Range(0, top > 0 ? top * 1.15 : 1) : null, zeroLine: true)));
    }

    private static string Text(double v, bool fraction)
        => fraction ? v.ToString("P1", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal) : v.ToString("G4", CultureInfo.InvariantCulture);
}
