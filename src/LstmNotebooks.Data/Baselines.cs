using System.Numerics;

namespace LstmNotebooks.Data;

/// <summary>Errors of predictions against actual values, in the values' own units.</summary>
public static class ForecastMetrics
{
    /// <summary>√(mean (actual − predicted)²).</summary>
    public static double RootMeanSquaredError(IReadOnlyList<double> actual, IReadOnlyList<double> predicted)
    {
        Check(actual, predicted);
        double sum = 0;
        for (int k = 0; k < actual.Count; k++) sum += (actual[k] - predicted[k]) * (actual[k] - predicted[k]);
        return Math.Sqrt(sum / actual.Count);
    }

    /// <summary>mean |actual − predicted|.</summary>
    public static double MeanAbsoluteError(IReadOnlyList<double> actual, IReadOnlyList<double> predicted)
    {
        Check(actual, predicted);
        double sum = 0;
        for (int k = 0; k < actual.Count; k++) sum += Math.Abs(actual[k] - predicted[k]);
        return sum / actual.Count;
    }

    private static void Check(IReadOnlyList<double> actual, IReadOnlyList<double> predicted)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count != predicted.Count)
            throw new ArgumentException($"There are {actual.Count} actual values but {predicted.Count} predictions; they must pair up one to one.", nameof(predicted));
        if (actual.Count == 0) throw new ArgumentException("There are no values to compare; an error needs at least one pair.", nameof(actual));
    }
}

/// <summary>
/// The naive forecasts a model has to beat, on the same windows and in the same units as
/// <see cref="WindowedDataset{T}.Forecast"/> and <see cref="WindowedDataset{T}.ForecastRecursive"/>, so their errors
/// compare one to one. Each uses only values known at the window's last row.
/// </summary>
public static class Baselines
{
    /// <summary>Last value ("persistence"): every target of a part is predicted as the value at its window's last row.</summary>
    public static Forecast LastValue<T>(WindowedDataset<T> windows, DatasetPart part = DatasetPart.Test)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => OneStep(windows, part, (_, last) => last);

    /// <summary>
    /// Seasonal naive: a target is predicted as the value one season earlier, ŷ_{t+h} = y_{t+h−m(⌊(h−1)/m⌋+1)} for a window
    /// ending at row t, horizon h and season length m rows (Hyndman &amp; Athanasopoulos, "Forecasting: Principles and
    /// Practice", §5.2): for monthly data with a yearly cycle m = 12, the same month last year.
    /// </summary>
    public static Forecast SeasonalNaive<T>(WindowedDataset<T> windows, int season, DatasetPart part = DatasetPart.Test)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckSeason(season);
        ArgumentNullException.ThrowIfNull(windows);
        int horizon = windows.Options.Horizon;
        return OneStep(windows, part, (target, _) => SeasonEarlier(windows, target, horizon, season));
    }

    /// <summary>Last value over a multi-step forecast: every step after the origin row is the value at the origin.</summary>
    public static MultiStepForecast LastValue<T>(WindowedDataset<T> windows, int steps, long? originRow = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => MultiStep(windows, steps, originRow, (origin, _) => windows.TargetAt(origin));

    /// <summary>Seasonal naive over a multi-step forecast: step h after the origin row t is y_{t+h−m(⌊(h−1)/m⌋+1)},
    /// the last observed value of the same point in the season.</summary>
    public static MultiStepForecast SeasonalNaive<T>(WindowedDataset<T> windows, int season, int steps, long? originRow = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckSeason(season);
        return MultiStep(windows, steps, originRow, (origin, h) => SeasonEarlier(windows, origin + h, h, season));
    }

    private static Forecast OneStep<T>(WindowedDataset<T> windows, DatasetPart part, Func<int, double, double> predict)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(windows);
        windows.Part(part); // a clear message when the part is empty
        var infos = windows.Windows(part);
        var predicted = infos.Select(w => predict(windows.Position(w.TargetRow), w.LastLevel)).ToArray();
        return new Forecast(windows.Options.TargetColumn, part, infos.Select(w => w.TargetRow).ToArray(),
            infos.All(w => w.TargetDate is not null) ? infos.Select(w => w.TargetDate!.Value).ToArray() : null,
            infos.Select(w => w.TargetLevel).ToArray(), predicted);
    }

    private static MultiStepForecast MultiStep<T>(WindowedDataset<T> windows, int steps, long? originRow, Func<int, int, double> predict)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"A multi-step forecast needs at least 1 step, but was asked for {steps}.");
        var series = windows.TargetSeries;
        int origin = originRow is long row ? windows.Position(row) : series.Count - 1;
        var predicted = Enumerable.Range(1, steps).Select(h => predict(origin, h)).ToArray();
        int known = Math.Min(steps, series.Count - 1 - origin);
        // The recursive forecast's dates, so a baseline and the model's forecast line up step for step.
        return new MultiStepForecast(windows.Options.TargetColumn, windows.RowIndices[origin], windows.DateSeries?[origin],
            windows.StepDates(origin, steps), predicted, series.Skip(origin + 1).Take(known).ToArray());
    }

    private static double SeasonEarlier<T>(WindowedDataset<T> windows, int target, int horizon, int season)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int source = target - season * ((horizon - 1) / season + 1);
        if (source < 0)
            throw new InvalidOperationException(
                $"The seasonal-naive forecast for position {target} of the series needs the value {season * ((horizon - 1) / season + 1)} rows earlier, " +
                $"before the first row. Hint: a season of {season} rows needs at least {season} rows of history before the first forecast.");
        return windows.TargetAt(source);
    }

    private static void CheckSeason(int season)
    {
        if (season < 1) throw new ArgumentOutOfRangeException(nameof(season), season, $"The season length must be at least 1 row (12 for monthly data with a yearly cycle), but was {season}.");
    }
}
