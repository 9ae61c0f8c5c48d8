using System.Numerics;

namespace LstmNotebooks.Data;

/// <summary>The rescaling of one column: scaled = (value − Offset) / Scale. Fitted on training rows only. Offset must
/// be finite and Scale finite and positive, however the scaler is made (constructor, <c>with</c>, <see cref="Fit"/>).</summary>
public sealed record ColumnScaler(string Column, ScalingKind Kind, double Offset, double Scale)
{
    // Initializers check the constructor's arguments, init accessors a `with { … }`.
    public string Column { get; init => field = value ?? throw new ArgumentNullException(nameof(Column), "The column name is null."); }
        = Column ?? throw new ArgumentNullException(nameof(Column), "The column name is null.");
    public ScalingKind Kind { get; init => field = CheckKind(value); } = CheckKind(Kind);
    public double Offset { get; init => field = CheckOffset(value); } = CheckOffset(Offset);
    public double Scale { get; init => field = CheckScale(value); } = CheckScale(Scale);

    private static ScalingKind CheckKind(ScalingKind kind) => Enum.IsDefined(kind) ? kind
        : throw new ArgumentOutOfRangeException(nameof(Kind), kind, $"{kind} is not a ScalingKind. Expected one of: {string.Join(", ", Enum.GetNames<ScalingKind>())}.");

    private static double CheckOffset(double offset) => double.IsFinite(offset) ? offset
        : throw new ArgumentOutOfRangeException(nameof(Offset), offset, $"A scaler's offset must be finite, but was {offset}.");

    private static double CheckScale(double scale) => scale > 0 && double.IsFinite(scale) ? scale
        : throw new ArgumentOutOfRangeException(nameof(Scale), scale, $"A scaler's scale must be a positive finite number (values are divided by it), but was {scale}.");

    /// <summary>Fits <paramref name="kind"/> to <paramref name="values"/> (the training rows). A constant column gets
    /// scale 1, so it maps to 0 instead of dividing by zero.</summary>
    public static ColumnScaler Fit(string column, ScalingKind kind, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(column);
        CheckKind(kind);
        if (kind == ScalingKind.None) return new ColumnScaler(column, kind, 0, 1);
        if (values.IsEmpty)
            throw new DataInputException(DataProblem.TooFewRows, $"Cannot fit {kind} scaling for '{column}' on zero training rows.", column);
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new DataInputException(DataProblem.MissingValues,
                    $"Cannot fit {kind} scaling for '{column}': value {i} is {values[i]}, and every value must be finite. " +
                    "Hint: drop or interpolate missing values first (WindowOptions.MissingValues).", column, i, nameof(values));
        double offset, scale;
        if (kind == ScalingKind.ZScore)
        {
            double mean = 0;
            foreach (var v in values) mean += v;
            mean /= values.Length;
            double variance = 0;
            foreach (var v in values) variance += (v - mean) * (v - mean);
            offset = mean;
            scale = Math.Sqrt(variance / values.Length);
            if (!double.IsFinite(scale))
            {
                // Values near 1e300 overflow those sums (and the scale used to fall back to 1 without a word): a running
                // mean, and deviations divided by the largest one, stay finite.
                mean = 0;
                for (int i = 0; i < values.Length; i++) mean += (values[i] - mean) / (i + 1);
                double largest = 0;
                foreach (var v in values) largest = Math.Max(largest, Math.Abs(v - mean));
                variance = 0;
                foreach (var v in values) variance += (v - mean) / largest * ((v - mean) / largest);
                offset = mean;
                scale = largest * Math.Sqrt(variance / values.Length);
            }
        }
        else
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var v in values) { min = Math.Min(min, v); max = Math.Max(max, v); }
            offset = min;
            scale = max - min;
        }
        if (!double.IsFinite(scale))
            throw new DataInputException(DataProblem.TooLarge,
                $"Cannot fit {kind} scaling for '{column}': its values spread wider than a double can express (scale {scale}). Hint: ZScore scaling copes with a wider range than MinMax, or rescale the column first.", column);
        if (!(scale > 0)) scale = 1;
        return new ColumnScaler(column, kind, offset, scale);
    }

    public double Transform(double value) => (value - Offset) / Scale;
    public double Inverse(double scaled) => scaled * Scale + Offset;

    public double[] Transform(IEnumerable<double> values) => (values ?? throw new ArgumentNullException(nameof(values))).Select(Transform).ToArray();
    public double[] Inverse(IEnumerable<double> scaled) => (scaled ?? throw new ArgumentNullException(nameof(scaled))).Select(Inverse).ToArray();

    public T Inverse<T>(T scaled) where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.CreateChecked(Inverse(double.CreateChecked(scaled)));
}

/// <summary>The scalers of a windowed dataset: one per feature column (in feature order) and one for the target.</summary>
public sealed record DataScaler(IReadOnlyList<ColumnScaler> Features, ColumnScaler Target)
{
    public IReadOnlyList<ColumnScaler> Features { get; init => field = CheckFeatures(value); } = CheckFeatures(Features);
    public ColumnScaler Target { get; init => field = value ?? throw new ArgumentNullException(nameof(Target), "The target scaler is null."); }
        = Target ?? throw new ArgumentNullException(nameof(Target), "The target scaler is null.");

    private static IReadOnlyList<ColumnScaler> CheckFeatures(IReadOnlyList<ColumnScaler> features)
    {
        if (features is null) throw new ArgumentNullException(nameof(Features), "The list of feature scalers is null; give one scaler per feature column (it may be empty).");
        for (int i = 0; i < features.Count; i++)
            if (features[i] is null) throw new ArgumentNullException(nameof(Features), $"Feature scaler {i} is null.");
        return features;
    }

    /// <summary>Model outputs (scaled) back to the target column's units; with differencing that is a change, which
    /// <see cref="WindowedDataset{T}.ToTargetUnits"/> adds to the last level.</summary>
    public double[] InverseTarget(IEnumerable<double> scaled) => Target.Inverse(scaled);
    public double InverseTarget(double scaled) => Target.Inverse(scaled);

    /// <summary>Raw feature rows (one value per feature column) to what the model sees.</summary>
    public double[] TransformFeatures(IReadOnlyList<double> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Count != Features.Count)
            throw new ArgumentException($"A feature row needs {Features.Count} values ({string.Join(", ", Features.Select(f => f.Column))}), but got {row.Count}.", nameof(row));
        return row.Select((v, i) => Features[i].Transform(v)).ToArray();
    }
}
