using System.Numerics;

namespace LstmNotebooks.Data;

/// <summary>The rescaling of one column: scaled = (value − Offset) / Scale. Fitted on training rows only.</summary>
public sealed record ColumnScaler(string Column, ScalingKind Kind, double Offset, double Scale)
{
    /// <summary>Fits <paramref name="kind"/> to <paramref name="values"/> (the training rows). A constant column gets
    /// scale 1, so it maps to 0 instead of dividing by zero.</summary>
    public static ColumnScaler Fit(string column, ScalingKind kind, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (kind == ScalingKind.None) return new ColumnScaler(column, kind, 0, 1);
        if (values.IsEmpty)
            throw new DataInputException(DataProblem.TooFewRows, $"Cannot fit {kind} scaling for '{column}' on zero training rows.", column);
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
        }
        else
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var v in values) { min = Math.Min(min, v); max = Math.Max(max, v); }
            offset = min;
            scale = max - min;
        }
        if (!(scale > 0) || !double.IsFinite(scale)) scale = 1;
        return new ColumnScaler(column, kind, offset, scale);
    }

    public double Transform(double value) => (value - Offset) / Scale;
    public double Inverse(double scaled) => scaled * Scale + Offset;

    public double[] Transform(IEnumerable<double> values) => values.Select(Transform).ToArray();
    public double[] Inverse(IEnumerable<double> scaled) => scaled.Select(Inverse).ToArray();

    public T Inverse<T>(T scaled) where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.CreateChecked(Inverse(double.CreateChecked(scaled)));
}

/// <summary>The scalers of a windowed dataset: one per feature column (in feature order) and one for the target.</summary>
public sealed record DataScaler(IReadOnlyList<ColumnScaler> Features, ColumnScaler Target)
{
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
