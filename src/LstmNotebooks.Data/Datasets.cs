using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data;

/// <summary>
/// The real series shipped in the repository's datasets/ folder (see datasets/README.md for source, license and units),
/// loaded through <see cref="Csv"/> and checked: expected columns, numeric values, dates in order.
/// </summary>
public static class Datasets
{
    public const string Co2File = "co2-concentration.csv";
    public const string SeattleWeatherFile = "seattle-weather.csv";
    public const string SineWaveSampleFile = "sine-wave-sample.csv";
    public const string RememberFirstSymbolSampleFile = "remember-first-symbol-sample.csv";

    /// <summary>Environment variable that points at the datasets folder when the repository cannot be found by walking up.</summary>
    public const string DirectoryVariable = "LSTMNOTEBOOKS_DATASETS";

    /// <summary>
    /// The datasets folder: <paramref name="start"/>'s or the current directory's nearest ancestor holding
    /// LstmNotebooks.sln and datasets/, then the application's base directory's, then $LSTMNOTEBOOKS_DATASETS.
    /// </summary>
    public static string FindDirectory(string? start = null)
    {
        var tried = new List<string>();
        foreach (var origin in new[] { start, Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(origin)) continue;
            for (var dir = new DirectoryInfo(Path.GetFullPath(origin)); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "datasets");
                if (File.Exists(Path.Combine(dir.FullName, "LstmNotebooks.sln")) && Directory.Exists(candidate)) return candidate;
            }
            tried.Add(origin);
        }
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } env)
        {
            if (Directory.Exists(env)) return Path.GetFullPath(env);
            tried.Add($"${DirectoryVariable}={env} (does not exist)");
        }
        throw new DirectoryNotFoundException(
            $"Could not find the datasets folder: no ancestor of {string.Join(", ", tried)} holds LstmNotebooks.sln and datasets/. " +
            $"Hint: run from inside the repository, or set {DirectoryVariable} to the datasets folder.");
    }

    /// <summary>Monthly Mauna Loa CO₂: columns Date (DateTime, first of the month), CO2 and "adjusted CO2" (ppm, Double).</summary>
    public static DataFrame LoadCo2(string? directory = null)
        => LoadChecked(directory, Co2File, "Date", ["CO2", "adjusted CO2"]);

    /// <summary>Daily Seattle weather: date (DateTime), precipitation (mm), temp_max and temp_min (°C), wind (Double),
    /// weather (String: drizzle, rain, snow, sun, fog).</summary>
    public static DataFrame LoadSeattleWeather(string? directory = null)
        => LoadChecked(directory, SeattleWeatherFile, "date", ["precipitation", "temp_max", "temp_min", "wind"]);

    /// <summary>Window options for forecasting the monthly CO₂ series from its own past. Differencing is on by default:
    /// the series rises by ~100 ppm, so levels in the test years lie outside anything the training years showed, while
    /// month-to-month changes do not.</summary>
    public static WindowOptions Co2Forecast(int windowLength = 24, int horizon = 1, Differencing differencing = Differencing.FirstDifference)
        => new(["CO2"], "CO2", windowLength)
        {
            Horizon = horizon, DateColumn = "Date", Split = new SplitFractions(0.7, 0.15, 0.15), Differencing = differencing,
        };

    /// <summary>Window options for forecasting tomorrow's maximum temperature from the daily weather.</summary>
    public static WindowOptions SeattleTemperatureForecast(int windowLength = 14, int horizon = 1)
        => new(["temp_max", "temp_min", "precipitation", "wind"], "temp_max", windowLength) { Horizon = horizon, DateColumn = "date" };

    private static DataFrame LoadChecked(string? directory, string file, string dateColumn, string[] numericColumns)
    {
        var path = Path.Combine(directory ?? FindDirectory(), file);
        var frame = Csv.Load(path);
        var dates = FrameReader.Dates(FrameReader.Column(frame, dateColumn, "date"));
        for (int i = 0; i < dates.Length; i++)
        {
            if (dates[i] is null)
                throw new DataInputException(DataProblem.MissingValues, $"'{path}' has no date in '{dateColumn}' at row {i}; the shipped file has one on every row. Hint: restore it from git.", dateColumn, i);
            if (i > 0 && dates[i] <= dates[i - 1])
                throw new DataInputException(DataProblem.DateOutOfOrder,
                    $"'{path}' is out of order at row {i}: {FrameReader.Format(dates[i]!.Value)} after {FrameReader.Format(dates[i - 1]!.Value)}. Hint: restore it from git.", dateColumn, i);
        }
        foreach (var name in numericColumns) FrameReader.Numeric(FrameReader.Column(frame, name, "value"), "value");
        return frame;
    }
}
