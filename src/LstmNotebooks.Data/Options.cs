namespace LstmNotebooks.Data;

/// <summary>What to do with null or NaN values in the feature and target columns.</summary>
public enum MissingValuePolicy
{
    /// <summary>Refuse the frame, naming the column, the count and the first row (the default: nothing is silently changed).</summary>
    Reject,
    /// <summary>Drop every row with a missing value in any used column (or in the date column). Time steps then
    /// skip those rows, which changes the spacing of a regular series.</summary>
    Drop,
    /// <summary>Fill gaps linearly between the nearest present values of the same column; leading and trailing gaps take
    /// the nearest present value.</summary>
    Interpolate,
}

/// <summary>How values are rescaled before they reach the model. Statistics come from the training rows only.</summary>
public enum ScalingKind
{
    None,
    /// <summary>(x − mean) / standard deviation (population).</summary>
    ZScore,
    /// <summary>(x − min) / (max − min), into [0, 1] on the training rows.</summary>
    MinMax,
}

/// <summary>Whether a window's target is the value after its last step, or one target per step.</summary>
public enum TargetLayout
{
    /// <summary>One target: the target column <see cref="WindowOptions.Horizon"/> rows after the window's last row (many-to-one).</summary>
    LastStep,
    /// <summary>A target for every step t of the window: the target column <see cref="WindowOptions.Horizon"/> rows after
    /// row t (many-to-many; use an every-step head).</summary>
    EveryStep,
}

/// <summary>Whether the model sees levels or changes.</summary>
public enum Differencing
{
    /// <summary>Inputs are the column values; the target is the target column's value at the target row.</summary>
    None,
    /// <summary>Inputs are changes from the previous row (x_r − x_{r−1}); the target is the change of the target column
    /// from the window's last row to the target row. A trending series (CO₂) then stays inside the range the scaler saw
    /// in training; forecasts add the change back to the last known level.</summary>
    FirstDifference,
}

/// <summary>The three chronological parts of a series.</summary>
public enum DatasetPart { Train, Validation, Test }

/// <summary>Fractions of the rows, in time order: the first <see cref="Train"/> train, the next <see cref="Validation"/>
/// validate, the last <see cref="Test"/> test. They must add up to 1.</summary>
public sealed record SplitFractions(double Train, double Validation, double Test)
{
    public static SplitFractions Default { get; } = new(0.7, 0.15, 0.15);
    public static SplitFractions TrainOnly { get; } = new(1.0, 0.0, 0.0);
}

/// <summary>
/// How a DataFrame becomes windows: which columns feed the model, which one is the target, how long a window is, how
/// far ahead it predicts, how far apart windows start, how the rows split and scale, and what to do with gaps.
/// </summary>
public sealed record WindowOptions(IReadOnlyList<string> FeatureColumns, string TargetColumn, int WindowLength)
{
    /// <summary>Rows between a window's last input row and its target row (1 = the next row).</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>Rows between the starts of consecutive windows.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>A date column that must be strictly increasing; its values label targets in forecasts. Null: no check.</summary>
    public string? DateColumn { get; init; }

    public MissingValuePolicy MissingValues { get; init; } = MissingValuePolicy.Reject;
    public ScalingKind Scaling { get; init; } = ScalingKind.ZScore;
    public SplitFractions Split { get; init; } = SplitFractions.Default;
    public TargetLayout Target { get; init; } = TargetLayout.LastStep;
    public Differencing Differencing { get; init; } = Differencing.None;

    /// <summary>Rows one window needs: its length plus the horizon (in 64 bits: both may be near int.MaxValue).</summary>
    public long RowsPerWindow => (long)WindowLength + Horizon;
}
