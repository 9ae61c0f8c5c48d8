using System.Numerics;
using Plotly.NET;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

public sealed record ForecastChartOptions
{
    /// <summary>The quantity with its unit for the y axis (e.g. "CO₂ (ppm)").</summary>
    public string ValueLabel { get; init; } = "value";

    /// <summary>The time axis with its unit (e.g. "month", "day", "time step").</summary>
    public string TimeLabel { get; init; } = "time step";
    public string? Title { get; init; }
}

/// <summary>Forecasts against what happened, with residuals (actual − predicted) underneath.</summary>
public static class ForecastCharts
{
    public static GenericChart PredictionVsActual(IReadOnlyList<double> actual, IReadOnlyList<double> predicted, ForecastChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        return Build(Enumerable.Range(0, actual.Count).Cast<object>().ToArray(), actual, predicted, options);
    }

    /// <summary>As <see cref="PredictionVsActual(IReadOnlyList{double}, IReadOnlyList{double}, ForecastChartOptions?)"/>,
    /// with dates on the time axis.</summary>
    public static GenericChart PredictionVsActual(IReadOnlyList<DateTime> dates, IReadOnlyList<double> actual, IReadOnlyList<double> predicted,
        ForecastChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dates);
        ArgumentNullException.ThrowIfNull(actual);
        if (dates.Count != actual.Count)
            throw new ArgumentException($"There are {dates.Count} dates but {actual.Count} actual values; give one date per value.", nameof(dates));
        return Build(dates.Select(d => (object)d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss",
            System.Globalization.CultureInfo.InvariantCulture)).ToArray(), actual, predicted, options);
    }

    /// <summary>Generic precision: float or double values.</summary>
    public static GenericChart PredictionVsActual<T>(IReadOnlyList<T> actual, IReadOnlyList<T> predicted, ForecastChartOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        return PredictionVsActual(ToDouble(actual), ToDouble(predicted), options);
    }

    private static GenericChart Build(object[] x, IReadOnlyList<double> actual, IReadOnlyList<double> predicted, ForecastChartOptions? options)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        options ??= new ForecastChartOptions();
        if (actual.Count != predicted.Count)
            throw new ArgumentException($"There are {actual.Count} actual values but {predicted.Count} predictions; they must pair up one to one.", nameof(predicted));
        Require(actual.Count > 0, nameof(actual), "There are no values to plot.");
        for (int i = 0; i < actual.Count; i++)
            if (!double.IsFinite(actual[i]) || !double.IsFinite(predicted[i]))
                throw new ArgumentException($"Point {i} is not finite (actual {actual[i]}, predicted {predicted[i]}); every value must be a finite number.", nameof(actual));
        var residual = actual.Zip(predicted, (a, p) => a - p).ToArray();
        double rmse = Math.Sqrt(residual.Average(r => r * r)), mae = residual.Average(Math.Abs);
        string label = Escape(options.ValueLabel), time = Escape(options.TimeLabel);
        var traces = new List<Trace>
        {
            Trace("scatter", ("name", "actual"), ("mode", "lines"), ("x", x), ("y", actual.ToArray()),
                ("line", Obj(("color", GatePalette.Actual), ("width", 2))),
                ("hovertemplate", $"actual<br>{time} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")),
            Trace("scatter", ("name", "predicted"), ("mode", "lines"), ("x", x), ("y", predicted.ToArray()),
                ("line", Obj(("color", GatePalette.Predicted), ("width", 2), ("dash", "dash"))),
                ("hovertemplate", $"predicted<br>{time} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")),
            Trace("bar", ("name", "residual (actual − predicted)"), ("x", x), ("y", residual),
                ("marker", Obj(("color", GatePalette.Residual))),
                ("hovertemplate", $"residual<br>{time} %{{x}}<br>actual − predicted = %{{y:.5g}}<extra></extra>"),
                ("xaxis", "x2"), ("yaxis", "y2")),
        };
        return Chart(traces, Layout(options.Title ?? $"Prediction vs actual (RMSE {Num(rmse)}, MAE {Num(mae)})", 560,
            ("xaxis", Axis("", ("anchor", "y"), ("showticklabels", false))),
            ("yaxis", Axis(options.ValueLabel, ("domain", new[] { 0.36, 1.0 }), ("anchor", "x"))),
            ("xaxis2", Axis(options.TimeLabel, ("anchor", "y2"), ("matches", "x"))),
            ("yaxis2", Axis($"residual ({options.ValueLabel})", ("domain", new[] { 0.0, 0.28 }), ("anchor", "x2"), ("zeroline", true), ("zerolinecolor", "#8C959F"))),
            ("bargap", 0.1)));
    }
}
