using System.Globalization;
using System.Numerics;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using static LstmNotebooks.Plotting.Figure;

namespace LstmNotebooks.Plotting;

public sealed record ForecastChartOptions
{
    private readonly string _valueLabel = "value", _timeLabel = "time step";

    /// <summary>The quantity with its unit for the y axis (e.g. "CO₂ (ppm)").</summary>
    public string ValueLabel { get => _valueLabel; init => _valueLabel = Check.Text(value, nameof(ValueLabel)); }

    /// <summary>The time axis with its unit (e.g. "month", "day", "time step").</summary>
    public string TimeLabel { get => _timeLabel; init => _timeLabel = Check.Text(value, nameof(TimeLabel)); }
    public string? Title { get; init; }

    public ForecastChartOptions WithValueLabel(string label) => this with { ValueLabel = label };
    public ForecastChartOptions WithTimeLabel(string label) => this with { TimeLabel = label };
    public ForecastChartOptions WithTitle(string? title) => this with { Title = title };
}

/// <summary>
/// A forecast in context: the series before the test period, the test period with the model's predictions and any
/// baselines' (e.g. seasonal-naive, last value), and optionally a forecast past the last row.
/// </summary>
/// <param name="History">Actual values before the test period (the training part of the series).</param>
/// <param name="TestActual">Actual values in the test period.</param>
/// <param name="TestPredicted">The model's predictions for the test period, one per actual value.</param>
public sealed record ForecastData(IReadOnlyList<double> History, IReadOnlyList<double> TestActual, IReadOnlyList<double> TestPredicted)
{
    private readonly string _modelName = "LSTM";

    /// <summary>The model's forecast past the last row of the data (no actual values exist there).</summary>
    public IReadOnlyList<double>? Future { get; init; }

    /// <summary>Baseline predictions for the test period, each one per actual value.</summary>
    public IReadOnlyList<NamedSeries> Baselines { get; init; } = [];

    /// <summary>Dates for every point: history, then test period, then future.</summary>
    public IReadOnlyList<DateTime>? Dates { get; init; }

    public string ModelName { get => _modelName; init => _modelName = Check.Text(value, nameof(ModelName)); }

    public ForecastData WithFuture(IReadOnlyList<double>? future) => this with { Future = future };
    public ForecastData WithBaseline(string name, IReadOnlyList<double> predicted) => this with { Baselines = [.. Baselines, new NamedSeries(name, predicted)] };
    public ForecastData WithDates(IReadOnlyList<DateTime>? dates) => this with { Dates = dates };
    public ForecastData WithModelName(string name) => this with { ModelName = name };

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(History);
        ArgumentNullException.ThrowIfNull(TestActual);
        ArgumentNullException.ThrowIfNull(TestPredicted);
        if (TestActual.Count == 0) throw new ArgumentException("The test period is empty; give at least one actual value.", nameof(TestActual));
        if (TestPredicted.Count != TestActual.Count)
            throw new ArgumentException($"There are {TestActual.Count} actual test values but {TestPredicted.Count} predictions; they must pair up one to one.", nameof(TestPredicted));
        Finite(History, "history");
        Finite(TestActual, "actual test value");
        Finite(TestPredicted, "prediction");
        if (Future is not null) Finite(Future, "future forecast");
        foreach (var b in Baselines)
        {
            (b ?? throw new ArgumentNullException(nameof(Baselines), "A baseline is null.")).Validate(nameof(Baselines));
            if (b.Values.Count != TestActual.Count)
                throw new ArgumentException($"Baseline '{b.Name}' has {b.Values.Count} predictions for {TestActual.Count} test values; give one per test value.", nameof(Baselines));
        }
        int points = History.Count + TestActual.Count + (Future?.Count ?? 0);
        if (Dates is not null && Dates.Count != points)
            throw new ArgumentException($"There are {Dates.Count} dates for {points} points (history {History.Count} + test {TestActual.Count} + future {Future?.Count ?? 0}); give one date per point.", nameof(Dates));
    }

    private static void Finite(IReadOnlyList<double> values, string what)
    {
        for (int k = 0; k < values.Count; k++)
            if (!double.IsFinite(values[k])) throw new ArgumentException($"The {what} at position {k} is {values[k]}; every value must be finite.", what);
    }
}

/// <summary>Forecasts against what happened, with residuals (actual − predicted) underneath.</summary>
public static class ForecastCharts
{
    public static GenericChart PredictionVsActual(IReadOnlyList<double> actual, IReadOnlyList<double> predicted, ForecastChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        return Build(Enumerable.Range(0, actual.Count).Select(k => (IConvertible)k).ToArray(), actual, predicted, options);
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
        return Build(dates.Select(DateText).ToArray(), actual, predicted, options);
    }

    /// <summary>Generic precision: float or double values.</summary>
    public static GenericChart PredictionVsActual<T>(IReadOnlyList<T> actual, IReadOnlyList<T> predicted, ForecastChartOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        return PredictionVsActual(ToDouble(actual), ToDouble(predicted), options);
    }

    /// <summary>
    /// The whole story of a forecast: the actual series through the end of the test period, the model's and each
    /// baseline's prediction for the test period, the model's forecast past the last row, the test period and the last row
    /// marked, and the model's residuals on the test period underneath. Legend entries carry each predictor's test RMSE.
    /// </summary>
    public static GenericChart Forecast(ForecastData data, ForecastChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ForecastChartOptions();
        data.Validate();
        int h = data.History.Count, n = data.TestActual.Count, f = data.Future?.Count ?? 0;
        IConvertible[] time = data.Dates is { } dates
            ? dates.Select(DateText).ToArray()
            : Enumerable.Range(0, h + n + f).Select(k => (IConvertible)k).ToArray();
        var testX = time[h..(h + n)];
        string label = Escape(options.ValueLabel), timeLabel = Escape(options.TimeLabel);
        double modelRmse = Rmse(data.TestActual, data.TestPredicted);

        // One line for what happened, history and test period alike: the shaded band says where the test begins.
        var traces = new List<GenericChart>
        {
            Traces.Line(time[..(h + n)], data.History.Concat(data.TestActual), "actual", GatePalette.Actual)
                .Styled(TraceStyle.Scatter(hoverTemplate: $"actual<br>{timeLabel} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")),
        };
        traces.Add(Traces.Line(testX, data.TestPredicted, $"{data.ModelName} (test RMSE {Num(modelRmse)})", GatePalette.Predicted, width: 2.5,
                dash: StyleParam.DrawingStyle.Dash)
            .Styled(TraceStyle.Scatter(legendGroup: "model", hoverTemplate: $"{Escape(data.ModelName)}<br>{timeLabel} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")));
        for (int b = 0; b < data.Baselines.Count; b++)
        {
            var baseline = data.Baselines[b];
            string color = baseline.Color ?? GatePalette.Series[(b + 1) % GatePalette.Series.Count];
            traces.Add(Traces.Line(testX, baseline.Values, $"{baseline.Name} (test RMSE {Num(Rmse(data.TestActual, baseline.Values))})", color,
                    width: 1.5, dash: StyleParam.DrawingStyle.Dot)
                .Styled(TraceStyle.Scatter(legendGroup: baseline.Name,
                    hoverTemplate: $"{Escape(baseline.Name)}<br>{timeLabel} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")));
        }
        if (data.Future is { Count: > 0 } future)
        {
            // Start the forecast line at the last actual point so it visibly continues the series.
            var futureX = new[] { time[h + n - 1] }.Concat(time[(h + n)..]).ToArray();
            var futureY = new[] { data.TestActual[^1] }.Concat(future).ToArray();
            traces.Add(Traces.Line(futureX, futureY, $"{data.ModelName} forecast past the last row", GatePalette.Predicted, width: 2.5,
                    dash: StyleParam.DrawingStyle.DashDot, markers: future.Count <= 60)
                .Styled(TraceStyle.Scatter(legendGroup: "model", hoverTemplate: $"forecast<br>{timeLabel} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")));
        }
        var residual = data.TestActual.Zip(data.TestPredicted, (a, p) => a - p).ToArray();
        traces.Add(Traces.Columns(testX, residual, $"residual: actual − {data.ModelName}", TraceStyle.Marker(GatePalette.Residual))
            .Styled(TraceStyle.Bar(xAxis: X(2), yAxis: Y(2),
                hoverTemplate: $"residual<br>{timeLabel} %{{x}}<br>actual − predicted = %{{y:.5g}}<extra></extra>")));

        var shapes = new List<Shape>();
        var notes = new List<Annotation>();
        shapes.Add(VerticalBand(testX[0], testX[^1], GatePalette.Gap, 0.12));
        if (h > 0)
        {
            shapes.Add(VerticalLine(testX[0], Ink, StyleParam.DrawingStyle.Dash));
            notes.Add(Note("test period →", testX[0], 1.0));
        }
        if (f > 0)
        {
            shapes.Add(VerticalLine(time[h + n - 1], GatePalette.Predicted, StyleParam.DrawingStyle.Dash));
            notes.Add(Note("last row · forecast beyond →", time[h + n - 1], 0.93, color: GatePalette.Predicted));
        }
        string baselines = data.Baselines.Count == 0 ? ""
            : " vs " + string.Join(", ", data.Baselines.Select(b => $"{b.Name} {Num(Rmse(data.TestActual, b.Values))}"));
        string title = options.Title ?? $"Forecast: {data.ModelName} test RMSE {Num(modelRmse)}{baselines}";
        return Compose(traces, Layout(title, 600, shapes, notes, barGap: 0.1),
            PanelAxes(options));
    }

    private static GenericChart Build(IConvertible[] x, IReadOnlyList<double> actual, IReadOnlyList<double> predicted, ForecastChartOptions? options)
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
        GenericChart[] traces =
        [
            Traces.Line(x, actual, "actual", GatePalette.Actual)
                .Styled(TraceStyle.Scatter(hoverTemplate: $"actual<br>{time} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")),
            Traces.Line(x, predicted, "predicted", GatePalette.Predicted, dash: StyleParam.DrawingStyle.Dash)
                .Styled(TraceStyle.Scatter(hoverTemplate: $"predicted<br>{time} %{{x}}<br>{label} = %{{y:.5g}}<extra></extra>")),
            Traces.Columns(x, residual, "residual (actual − predicted)", TraceStyle.Marker(GatePalette.Residual))
                .Styled(TraceStyle.Bar(xAxis: X(2), yAxis: Y(2),
                    hoverTemplate: $"residual<br>{time} %{{x}}<br>actual − predicted = %{{y:.5g}}<extra></extra>")),
        ];
        return Compose(traces, Layout(options.Title ?? $"Prediction vs actual (RMSE {Num(rmse)}, MAE {Num(mae)})", 560, barGap: 0.1),
            PanelAxes(options));
    }

    /// <summary>Values on top, residuals in a strip below, time axes linked.</summary>
    private static (StyleParam.LinearAxisId, LinearAxis)[] PanelAxes(ForecastChartOptions options) =>
    [
        (X(1), Axis("", anchor: Y(1), showTickLabels: false)),
        (Y(1), Axis(options.ValueLabel, domain: Range(0.36, 1.0), anchor: X(1))),
        (X(2), Axis(options.TimeLabel, anchor: Y(2), matches: X(1))),
        (Y(2), Axis($"residual ({options.ValueLabel})", domain: Range(0.0, 0.28), anchor: X(2), zeroLine: true, zeroLineColor: "#8C959F")),
    ];

    private static double Rmse(IReadOnlyList<double> actual, IReadOnlyList<double> predicted)
        => Math.Sqrt(actual.Zip(predicted, (a, p) => (a - p) * (a - p)).Average());

    private static IConvertible DateText(DateTime d)
        => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
