using System.Numerics;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data;

/// <summary>Where one sample came from: its input rows and its (last) target row, as row indices of the input frame, with
/// the raw target-column values at the window's last row and at the target row (the level a forecast is measured against).</summary>
public sealed record WindowInfo(DatasetPart Part, long FirstRow, long LastRow, long TargetRow, DateTime? TargetDate, double LastLevel, double TargetLevel);

/// <summary>
/// A DataFrame turned into train / validation / test datasets of sliding windows, with the scaler fitted on the
/// training rows and the provenance of every sample.
/// </summary>
public sealed class WindowedDataset<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Dictionary<DatasetPart, Dataset<T>> _parts;
    private readonly Dictionary<DatasetPart, WindowInfo[]> _windows;
    private readonly Dictionary<DatasetPart, int> _rows;
    private readonly double[][] _features;
    private readonly double[] _target;
    private readonly DateTime?[]? _dates;
    private readonly long[] _rowIndex;

    internal WindowedDataset(WindowOptions options, DataScaler scaler, Dictionary<DatasetPart, Dataset<T>> parts,
        Dictionary<DatasetPart, WindowInfo[]> windows, Dictionary<DatasetPart, int> rows, long inputRows,
        double[][] features, double[] target, DateTime?[]? dates, long[] rowIndex)
    {
        Options = options;
        Scaler = scaler;
        _parts = parts;
        _windows = windows;
        _rows = rows;
        InputRows = inputRows;
        UsedRows = target.Length;
        _features = features;
        _target = target;
        _dates = dates;
        _rowIndex = rowIndex;
        DateSeries = dates is null ? null : Array.ConvertAll(dates, d => d!.Value); // the order check left no gaps
    }

    public WindowOptions Options { get; }
    public DataScaler Scaler { get; }

    /// <summary>Rows in the input frame, and rows left after the missing-value policy (fewer only with Drop).</summary>
    public long InputRows { get; }
    public long UsedRows { get; }

    public Dataset<T> Train => _parts[DatasetPart.Train];
    public Dataset<T>? Validation => _parts.GetValueOrDefault(DatasetPart.Validation);
    public Dataset<T>? Test => _parts.GetValueOrDefault(DatasetPart.Test);

    public bool Has(DatasetPart part) => _parts.ContainsKey(part);

    public Dataset<T> Part(DatasetPart part)
    {
        if (_parts.TryGetValue(Defined(part), out var d)) return d;
        throw new InvalidOperationException($"There is no {part} part: its split fraction is 0. Hint: set WindowOptions.Split, e.g. new SplitFractions(0.7, 0.15, 0.15).");
    }

    /// <summary>The target column's values on the used rows (after the missing-value policy), oldest first, in its own
    /// units: the series the windows were cut from.</summary>
    public IReadOnlyList<double> TargetSeries => _target;

    /// <summary>The date of each used row, when the options name a date column; else null.</summary>
    public IReadOnlyList<DateTime>? DateSeries { get; }

    /// <summary>The input frame's row index of each used row (the same as the position unless rows were dropped).</summary>
    public IReadOnlyList<long> RowIndices => _rowIndex;

    /// <summary>The position in <see cref="TargetSeries"/> of input-frame row <paramref name="row"/>.</summary>
    public int Position(long row)
    {
        int p = Array.BinarySearch(_rowIndex, row);
        if (p < 0)
            throw new ArgumentOutOfRangeException(nameof(row), row, _rowIndex.Length > 0 && row >= _rowIndex[0] && row <= _rowIndex[^1]
                ? $"Row {row} of the input frame was dropped by the missing-value policy, so it has no position in the series."
                : $"Row {row} is not in the series: its rows are {(_rowIndex.Length == 0 ? "none" : $"{_rowIndex[0]}..{_rowIndex[^1]}")} of the input frame.");
        return p;
    }

    /// <summary>Rows of the (cleaned) frame that went into each part.</summary>
    public int Rows(DatasetPart part) => _rows.GetValueOrDefault(Defined(part));

    /// <summary>Where each sample of a part came from, in sample order.</summary>
    public IReadOnlyList<WindowInfo> Windows(DatasetPart part) => _windows.TryGetValue(Defined(part), out var w) ? w : [];

    private static DatasetPart Defined(DatasetPart part) => Enum.IsDefined(part) ? part
        : throw new ArgumentOutOfRangeException(nameof(part), part, $"{part} is not a DatasetPart. Expected Train, Validation or Test.");

    /// <summary>A model output for the window <paramref name="window"/> (scaled, and a change when differencing) as a
    /// level in the target column's units.</summary>
    public double ToTargetUnits(WindowInfo window, double output)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (!double.IsFinite(output)) throw new ArgumentOutOfRangeException(nameof(output), output, $"A model output must be finite, but was {output}.");
        double value = Scaler.InverseTarget(output);
        return Options.Differencing == Differencing.FirstDifference ? window.LastLevel + value : value;
    }

    /// <summary>
    /// Runs <paramref name="model"/> on every window of <paramref name="part"/> and returns the predictions and the
    /// targets in the target column's own units (the scaling undone), labelled by target row and date.
    /// </summary>
    public Forecast Forecast(Model<T> model, DatasetPart part = DatasetPart.Test)
    {
        ArgumentNullException.ThrowIfNull(model);
        var data = Part(part);
        CheckForecastModel(model);
        var windows = Windows(part);
        var actual = new double[data.Count];
        var predicted = new double[data.Count];
        for (int s = 0; s < data.Count; s++)
        {
            actual[s] = windows[s].TargetLevel;
            predicted[s] = ToTargetUnits(windows[s], double.CreateChecked(model.Predict(data[s].Input)[0]));
        }
        return new Forecast(Options.TargetColumn, part, windows.Select(w => w.TargetRow).ToArray(),
            windows.All(w => w.TargetDate is not null) ? windows.Select(w => w.TargetDate!.Value).ToArray() : null, actual, predicted);
    }

    /// <summary>
    /// A recursive multi-step forecast: from the series up to and including input-frame row <paramref name="originRow"/>
    /// (default: the last row), <paramref name="model"/> predicts the next value, the prediction is appended to the series
    /// as if it had been observed, and the window slides on, <paramref name="steps"/> times. Nothing after the origin is
    /// read, so from an origin inside the data the known values after it measure how the error compounds; from the last
    /// row it forecasts past the end of the data. Needs a univariate window (the target is the only feature), horizon 1
    /// and a last-step target, so that each prediction is exactly the next input.
    /// </summary>
    public MultiStepForecast ForecastRecursive(Model<T> model, int steps, long? originRow = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckForecastModel(model);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"A recursive forecast needs at least 1 step, but was asked for {steps}.");
        if (Options.FeatureColumns.Count != 1 || Options.FeatureColumns[0] != Options.TargetColumn)
            throw new InvalidOperationException(
                $"A recursive forecast feeds each prediction back as the next input, so the target must be the only feature, but the features are " +
                $"{string.Join(", ", Options.FeatureColumns.Select(c => $"'{c}'"))} and the target is '{Options.TargetColumn}'. " +
                $"Hint: window with new WindowOptions([\"{Options.TargetColumn}\"], \"{Options.TargetColumn}\", …), or forecast one step at a time with Forecast.");
        if (Options.Horizon != 1 || Options.Target != TargetLayout.LastStep)
            throw new InvalidOperationException(
                $"A recursive forecast needs one-step targets (Horizon 1, TargetLayout.LastStep), but the windows have horizon {Options.Horizon} and target layout {Options.Target}.");
        int origin = originRow is long row ? Position(row) : _target.Length - 1;
        bool diff = Options.Differencing == Differencing.FirstDifference;
        int needed = Options.WindowLength + (diff ? 1 : 0);
        if (origin + 1 < needed)
            throw new ArgumentOutOfRangeException(nameof(originRow), originRow,
                $"The origin is at position {origin} of the series, but one window needs {needed} rows up to it (window length {Options.WindowLength}" +
                (diff ? " + 1 for differencing" : "") + "). Hint: choose a later origin.");

        var levels = new List<double>(_target.AsSpan(0, origin + 1).ToArray());
        var feature = Scaler.Features[0];
        var input = new T[Options.WindowLength];
        var predicted = new double[steps];
        for (int k = 0; k < steps; k++)
        {
            int last = levels.Count - 1, first = last - Options.WindowLength + 1;
            for (int t = 0; t < input.Length; t++)
            {
                int r = first + t;
                input[t] = T.CreateChecked(feature.Transform(diff ? levels[r] - levels[r - 1] : levels[r]));
            }
            double value = Scaler.InverseTarget(double.CreateChecked(model.Predict(Sequence.FromFlat<T>(input, input.Length, 1))[0]));
            predicted[k] = diff ? levels[last] + value : value;
            if (!double.IsFinite(predicted[k]))
                throw new InvalidOperationException($"The recursive forecast became {predicted[k]} at step {k + 1}; the model's outputs grew without bound when fed back. Hint: forecast fewer steps.");
            levels.Add(predicted[k]);
        }
        int known = Math.Min(steps, _target.Length - 1 - origin);
        var actual = _target.AsSpan(origin + 1, known).ToArray();
        return new MultiStepForecast(Options.TargetColumn, _rowIndex[origin], _dates?[origin], StepDates(origin, steps), predicted, actual);
    }

    /// <summary>Dates of the <paramref name="steps"/> rows after position <paramref name="origin"/>: the data's own where
    /// they exist, then continued by the series' last spacing (whole calendar months when its last two dates fall on the
    /// same day of the month, otherwise their time difference).</summary>
    internal DateTime[]? StepDates(int origin, int steps)
    {
        if (_dates is null) return null;
        var dates = new DateTime[steps];
        int n = _dates.Length;
        DateTime end = _dates[n - 1]!.Value;
        DateTime? before = n > 1 ? _dates[n - 2]!.Value : null;
        for (int k = 0; k < steps; k++)
        {
            int p = origin + 1 + k;
            if (p < n) { dates[k] = _dates[p]!.Value; continue; }
            if (before is not DateTime b)
                return null; // a single row has no spacing to continue
            int beyond = p - (n - 1);
            int months = (end.Year - b.Year) * 12 + end.Month - b.Month;
            dates[k] = b.Day == end.Day && b.TimeOfDay == end.TimeOfDay && months > 0 ? end.AddMonths(months * beyond) : end + (end - b) * beyond;
        }
        return dates;
    }

    /// <summary>The level of the target column at a position of the series, for baselines.</summary>
    internal double TargetAt(int position) => _target[position];

    private void CheckForecastModel(Model<T> model)
    {
        if (model.Spec.Head.Kind != HeadKind.Regression || model.Spec.Head.Outputs != 1)
            throw new ArgumentException(
                $"Forecasts need a regression head with 1 output, but the model has {model.Spec.Head.Kind}({model.Spec.Head.Outputs}). Hint: .WithHead(Head.Regression(1)).", nameof(model));
        if (model.Spec.InputSize != Options.FeatureColumns.Count)
            throw new ArgumentException(
                $"The model reads {model.Spec.InputSize} features per step, but the windows have {Options.FeatureColumns.Count} ({string.Join(", ", Options.FeatureColumns)}).", nameof(model));
    }
}

/// <summary>Predictions against targets in the target's units, one entry per window.</summary>
public sealed record Forecast(string TargetColumn, DatasetPart Part, IReadOnlyList<long> TargetRows, IReadOnlyList<DateTime>? Dates,
    IReadOnlyList<double> Actual, IReadOnlyList<double> Predicted)
{
    public double[] Residuals
    {
        get
        {
            ArgumentNullException.ThrowIfNull(Actual);
            ArgumentNullException.ThrowIfNull(Predicted);
            if (Actual.Count != Predicted.Count)
                throw new InvalidOperationException($"This forecast has {Actual.Count} actual values but {Predicted.Count} predictions; they must pair up one to one.");
            return Actual.Zip(Predicted, (a, p) => a - p).ToArray();
        }
    }

    public double RootMeanSquaredError => Measure(ForecastMetrics.RootMeanSquaredError);
    public double MeanAbsoluteError => Measure(ForecastMetrics.MeanAbsoluteError);

    // A record built by hand can pair badly; say so about this forecast before the metric sees the lists.
    private double Measure(Func<IReadOnlyList<double>, IReadOnlyList<double>, double> metric)
    {
        NonEmpty(Residuals);
        return metric(Actual, Predicted);
    }

    private static double[] NonEmpty(double[] residuals) => residuals.Length > 0 ? residuals
        : throw new InvalidOperationException("This forecast has no values, so it has no error to measure. Hint: forecast a part that has windows.");
}

/// <summary>
/// A forecast of <see cref="Predicted"/>.Count steps after the origin row, each step built on the previous ones.
/// <see cref="Actual"/> holds the values the data has for the first steps (all of them from an origin far enough inside
/// the data, none from the last row); the metrics compare those steps only and are NaN when there are none.
/// </summary>
public sealed record MultiStepForecast(string TargetColumn, long OriginRow, DateTime? OriginDate, IReadOnlyList<DateTime>? Dates,
    IReadOnlyList<double> Predicted, IReadOnlyList<double> Actual)
{
    /// <summary>How many steps lie inside the data (have an actual value).</summary>
    public int Known => Actual.Count;

    public double RootMeanSquaredError => Known == 0 ? double.NaN : ForecastMetrics.RootMeanSquaredError(Actual, Predicted.Take(Known).ToArray());
    public double MeanAbsoluteError => Known == 0 ? double.NaN : ForecastMetrics.MeanAbsoluteError(Actual, Predicted.Take(Known).ToArray());
}

/// <summary>DataFrame → sequence datasets by sliding windows (see <see cref="WindowOptions"/>).</summary>
public static class TimeSeriesWindows
{
    /// <summary>
    /// Splits the rows chronologically (train, then validation, then test; no shuffling across time), fits the scaler on
    /// the training rows, and cuts each part into windows of its own rows, so no window reaches into the next part.
    /// Window k of a part covers rows [s, s+L) with s = k·stride, and its target is row s+L−1+horizon.
    /// The input frame is not modified.
    /// </summary>
    public static WindowedDataset<T> FromDataFrame<T>(DataFrame frame, WindowOptions options) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options);

        // Resolve and read every column before judging values, so a misspelt name is reported before anything else.
        var featureColumns = options.FeatureColumns.Select(n => FrameReader.Column(frame, n, "feature")).ToArray();
        var targetColumn = FrameReader.Column(frame, options.TargetColumn, "target");
        var dateColumn = options.DateColumn is null ? null : FrameReader.Column(frame, options.DateColumn, "date");
        var features = featureColumns.Select(c => FrameReader.Numeric(c, "feature")).ToArray();
        var target = FrameReader.Numeric(targetColumn, "target");
        var dates = dateColumn is null ? null : FrameReader.Dates(dateColumn);
        long inputRows = frame.Rows.Count;

        var names = options.FeatureColumns.Append(options.TargetColumn).ToArray();
        var series = features.Append(target).ToArray();
        var rowIndex = Enumerable.Range(0, (int)inputRows).Select(i => (long)i).ToArray();
        (series, dates, rowIndex) = MissingValues.Apply(names, series, dates, rowIndex, options.MissingValues, options.DateColumn);
        features = series[..^1];
        target = series[^1];
        int n = target.Length;

        if (dates is not null) CheckOrder(dates, rowIndex, options.DateColumn!);
        long needed = options.RowsPerWindow + (options.Differencing == Differencing.FirstDifference ? 1 : 0);
        if (n < needed)
            throw new DataInputException(DataProblem.TooFewRows,
                $"The frame has {n} usable rows{(n != inputRows ? $" (of {inputRows}, after dropping rows with missing values)" : "")}, " +
                $"fewer than one window needs: window length {options.WindowLength} + horizon {options.Horizon}" +
                (needed > options.RowsPerWindow ? " + 1 (differencing uses the row before the first)" : "") + $" = {needed} rows. " +
                "Hint: use a shorter window or horizon, or more data.", row: null, paramName: nameof(frame));

        bool diff = options.Differencing == Differencing.FirstDifference;
        // Input value of feature f at row r: its level, or its change from row r−1 (row 0 has none, so no window starts there).
        double FeatureValue(int f, int r) => diff ? features[f][r] - features[f][r - 1] : features[f][r];
        // Target for a window whose last input row is `last`, read at row `at`: the level there, or the change since `last`.
        double TargetValue(int last, int at) => diff ? target[at] - target[last] : target[at];

        var split = RowSplit(n, options, diff);
        CheckSize<T>(split, options, features.Length, diff);
        var (trainStart, trainCount) = split[DatasetPart.Train];
        int firstRow = diff ? 1 : 0;
        var featureScalers = features.Select((_, f) => ColumnScaler.Fit(options.FeatureColumns[f], options.Scaling,
            Enumerable.Range(firstRow, trainCount - firstRow).Select(r => FeatureValue(f, r)).ToArray())).ToArray();
        var targetScaler = ColumnScaler.Fit(options.TargetColumn, options.Scaling, diff
            ? Enumerable.Range(trainStart, trainCount - options.Horizon).Select(r => TargetValue(r, r + options.Horizon)).ToArray()
            : target.AsSpan(trainStart, trainCount));
        var scaler = new DataScaler(featureScalers, targetScaler);

        var parts = new Dictionary<DatasetPart, Dataset<T>>();
        var windows = new Dictionary<DatasetPart, WindowInfo[]>();
        var rows = new Dictionary<DatasetPart, int>();
        int width = features.Length;
        foreach (var (part, (start, count)) in split)
        {
            rows[part] = count;
            if (count == 0) continue;
            var samples = new List<Sample<T>>();
            var infos = new List<WindowInfo>();
            // long: with a stride near int.MaxValue the next start would wrap around to a negative row.
            for (long next = Math.Max(start, firstRow); next + options.RowsPerWindow <= start + count; next += options.Stride)
            {
                int s = (int)next;
                var input = new T[options.WindowLength * width];
                for (int t = 0; t < options.WindowLength; t++)
                    for (int f = 0; f < width; f++)
                        input[t * width + f] = Value<T>(featureScalers[f].Transform(FeatureValue(f, s + t)), options.FeatureColumns[f], rowIndex[s + t]);
                var inputSeq = Sequence.FromFlat<T>(input, options.WindowLength, width);
                int last = s + options.WindowLength - 1, targetRow = last + options.Horizon;
                Sample<T> sample;
                if (options.Target == TargetLayout.LastStep)
                    sample = Sample.Create(inputSeq, Value<T>(targetScaler.Transform(TargetValue(last, targetRow)), options.TargetColumn, rowIndex[targetRow]));
                else
                {
                    var perStep = new T[options.WindowLength];
                    for (int t = 0; t < options.WindowLength; t++)
                        perStep[t] = Value<T>(targetScaler.Transform(TargetValue(s + t, s + t + options.Horizon)), options.TargetColumn, rowIndex[s + t + options.Horizon]);
                    sample = Sample.PerStep(inputSeq, Sequence.FromFlat<T>(perStep, options.WindowLength, 1));
                }
                samples.Add(sample);
                infos.Add(new WindowInfo(part, rowIndex[s], rowIndex[last], rowIndex[targetRow], dates?[targetRow], target[last], target[targetRow]));
            }
            parts[part] = Dataset.Create(samples);
            windows[part] = infos.ToArray();
        }
        return new WindowedDataset<T>(options, scaler, parts, windows, rows, inputRows, features, target, dates, rowIndex);
    }

    /// <summary>The number of windows <paramref name="rows"/> consecutive rows give: ⌊(rows − length − horizon) / stride⌋ + 1, or 0.</summary>
    public static int WindowCount(int rows, int windowLength, int horizon = 1, int stride = 1)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"The number of rows must be 0 or more, but was {rows}.");
        if (windowLength < 1) throw new ArgumentOutOfRangeException(nameof(windowLength), windowLength, $"The window length must be at least 1 row, but was {windowLength}.");
        if (horizon < 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"The horizon must be 0 or more rows, but was {horizon}.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"The stride must be at least 1 row, but was {stride}.");
        long spare = rows - ((long)windowLength + horizon);
        return spare < 0 ? 0 : (int)(spare / stride + 1);
    }

    /// <summary>A scaled value in the model's precision; a float cannot hold what lies beyond ±3.4e38.</summary>
    private static T Value<T>(double value, string column, long row) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var v = T.CreateChecked(value);
        if (!T.IsFinite(v))
            throw new DataInputException(DataProblem.TooLarge,
                $"Column '{column}' at row {row} gives {value:R} after scaling, which {typeof(T).Name} cannot hold (it would become {v}). " +
                $"Hint: scale the column (Scaling = ScalingKind.ZScore), or window it as double.", column, row, "frame");
        return v;
    }

    /// <summary>Refuses, before any window is cut, windows that no array or no memory this process has could hold.</summary>
    private static void CheckSize<T>(Dictionary<DatasetPart, (int Start, int Count)> split, WindowOptions o, int width, bool diff) where T : unmanaged
    {
        long windows = split.Sum(p => (long)WindowCount(Math.Max(p.Value.Count - (diff && p.Key == DatasetPart.Train ? 1 : 0), 0), o.WindowLength, o.Horizon, o.Stride));
        double perWindow = (double)o.WindowLength * width, values = windows * (perWindow + (o.Target == TargetLayout.EveryStep ? o.WindowLength : 1));
        if (Limits.Exceeded($"Cutting {windows:N0} windows of {o.WindowLength:N0} rows × {width} features", perWindow, values,
                System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), "use a shorter window, a larger Stride, or fewer feature columns.") is { } problem)
            throw new DataInputException(DataProblem.TooLarge, problem, paramName: "options");
    }

    private static void ValidateOptions(WindowOptions o)
    {
        [System.Diagnostics.CodeAnalysis.DoesNotReturn] static void Bad(string message) => throw new DataInputException(DataProblem.InvalidOptions, message, paramName: "options");
        if (o.FeatureColumns is null || o.FeatureColumns.Count == 0) Bad("No feature columns were given. Expected at least one column name in FeatureColumns.");
        var duplicate = o.FeatureColumns!.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) Bad($"Feature column '{duplicate.Key}' is listed {duplicate.Count()} times; expected each column once.");
        if (o.WindowLength < 1) Bad($"The window length must be at least 1 row, but was {o.WindowLength}.");
        if (o.Stride < 1) Bad($"The stride must be at least 1 row, but was {o.Stride}.");
        if (o.Horizon < 0) Bad($"The horizon must be 0 or more rows, but was {o.Horizon}.");
        if (o.Horizon == 0 && o.FeatureColumns.Contains(o.TargetColumn))
            Bad($"With horizon 0 the target row is the window's last row, and '{o.TargetColumn}' is also a feature, so the answer would be in the input. " +
                "Hint: use Horizon = 1 or more, or remove the target from the features.");
        if (!Enum.IsDefined(o.MissingValues)) Bad($"Unknown missing-value policy {o.MissingValues}.");
        if (!Enum.IsDefined(o.Scaling)) Bad($"Unknown scaling {o.Scaling}.");
        if (!Enum.IsDefined(o.Target)) Bad($"Unknown target layout {o.Target}.");
        if (!Enum.IsDefined(o.Differencing)) Bad($"Unknown differencing {o.Differencing}.");
        if (o.Differencing == Differencing.FirstDifference && o.Horizon < 1)
            Bad($"Differencing predicts the change from the window's last row, which needs a horizon of at least 1 row, but the horizon was {o.Horizon}.");
        var s = o.Split ?? throw new DataInputException(DataProblem.InvalidOptions, "Split is null; expected fractions such as new SplitFractions(0.7, 0.15, 0.15).", paramName: "options");
        if (!(s.Train > 0 && s.Train <= 1) || !(s.Validation >= 0) || !(s.Test >= 0) || Math.Abs(s.Train + s.Validation + s.Test - 1) > 1e-9)
            Bad($"Split fractions must be train in (0, 1], validation and test ≥ 0, adding up to 1, but were train {s.Train}, validation {s.Validation}, test {s.Test} " +
                $"(sum {s.Train + s.Validation + s.Test:G6}).");
    }

    private static Dictionary<DatasetPart, (int Start, int Count)> RowSplit(int n, WindowOptions o, bool diff)
    {
        var s = o.Split;
        int validation = s.Validation > 0 ? (int)Math.Round(n * s.Validation) : 0;
        int test = s.Test > 0 ? (int)Math.Round(n * s.Test) : 0;
        int train = n - validation - test;
        var split = new Dictionary<DatasetPart, (int, int)>
        {
            [DatasetPart.Train] = (0, train),
            [DatasetPart.Validation] = (train, validation),
            [DatasetPart.Test] = (train + validation, test),
        };
        foreach (var (part, (_, count)) in split)
        {
            bool wanted = part switch { DatasetPart.Train => true, DatasetPart.Validation => s.Validation > 0, _ => s.Test > 0 };
            // With differencing the first row of the series has no predecessor, so the training part needs one row more.
            long needed = o.RowsPerWindow + (diff && part == DatasetPart.Train ? 1 : 0);
            if (wanted && count < needed)
                throw new DataInputException(DataProblem.TooFewRows,
                    $"The {part.ToString().ToLowerInvariant()} part gets {count} of {n} rows (fraction {(part == DatasetPart.Train ? s.Train : part == DatasetPart.Validation ? s.Validation : s.Test)}), " +
                    $"fewer than one window needs: {needed} rows (window length {o.WindowLength} + horizon {o.Horizon}{(needed > o.RowsPerWindow ? " + 1 for differencing" : "")}). " +
                    "Hint: use a larger fraction for that part, a shorter window, or set its fraction to 0.", paramName: "options");
        }
        return split;
    }

    private static void CheckOrder(DateTime?[] dates, long[] rowIndex, string column)
    {
        for (int i = 0; i < dates.Length; i++)
        {
            if (dates[i] is null)
                throw new DataInputException(DataProblem.MissingValues,
                    $"The date column '{column}' has no date at row {rowIndex[i]}. Expected a date on every row. " +
                    "Hint: MissingValues = MissingValuePolicy.Drop drops rows without a date.", column, rowIndex[i], "frame");
            if (i > 0 && dates[i] <= dates[i - 1])
                throw new DataInputException(DataProblem.DateOutOfOrder,
                    $"The date column '{column}' is out of order at row {rowIndex[i]}: {FrameReader.Format(dates[i]!.Value)} " +
                    $"{(dates[i] == dates[i - 1] ? "repeats" : "comes before")} {FrameReader.Format(dates[i - 1]!.Value)} at row {rowIndex[i - 1]}. " +
                    "Expected strictly increasing dates, oldest first. Hint: sort the frame by date (frame.OrderBy(\"" + column + "\")) and remove duplicate dates.",
                    column, rowIndex[i], "frame");
        }
    }
}
