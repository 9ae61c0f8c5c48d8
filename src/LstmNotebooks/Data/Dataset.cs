using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// An immutable, ordered collection of samples with consistent shapes: every input has the same number of features
/// and every target row the same width; lengths may vary (the 1997 long-gap tasks do).
/// </summary>
public sealed class Dataset<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Sample<T>[] _samples;

    internal Dataset(Sample<T>[] samples)
    {
        _samples = samples;
        for (int s = 0; s < samples.Length; s++)
            if (samples[s] is null) throw new ArgumentNullException(nameof(samples), $"Sample {s} is null.");
        Features = samples[0].Input.Features;
        TargetWidth = samples[0].Target.Features;
        for (int s = 0; s < samples.Length; s++)
        {
            var sample = samples[s];
            if (sample.Input.Features != Features)
                ThrowHelper.Argument(nameof(samples),
                    $"Sample {s} has {sample.Input.Features} features per time step, but sample 0 has {Features}. All inputs need the same width.");
            if (sample.Target.Features != TargetWidth)
                ThrowHelper.Argument(nameof(samples),
                    $"Sample {s} has a target row of {sample.Target.Features} values, but sample 0 has {TargetWidth}.");
            if (sample.Target.Steps != 1 && sample.Target.Steps != sample.Input.Steps)
                ThrowHelper.Argument(nameof(samples),
                    $"Sample {s} has {sample.Target.Steps} target rows for {sample.Input.Steps} input steps; expected 1 (last step) or {sample.Input.Steps} (every step).");
        }
    }

    public int Count => _samples.Length;
    public int Features { get; }
    public int TargetWidth { get; }
    public Sample<T> this[int index] => _samples[ThrowHelper.RequireIndex(index, _samples.Length, nameof(index), "Sample")];
    public IReadOnlyList<Sample<T>> Samples => _samples;

    /// <summary>True when the samples have one target row per step.</summary>
    public bool IsPerStep => _samples[0].Target.Steps == _samples[0].Input.Steps && _samples[0].Input.Steps > 1;

    public int MaxSteps => _samples.Max(s => s.Input.Steps);

    /// <summary>Chronological split: the first part trains, the last <paramref name="validationFraction"/> validates.
    /// Time series must not be shuffled across the split.</summary>
    public (Dataset<T> Train, Dataset<T> Validation) Split(double validationFraction)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            ThrowHelper.OutOfRange(nameof(validationFraction), validationFraction, $"The validation fraction must be in (0, 1), but was {validationFraction}.");
        int validation = (int)Math.Round(Count * validationFraction);
        if (validation < 1 || validation >= Count)
            ThrowHelper.Argument(nameof(validationFraction),
                $"A validation fraction of {validationFraction} of {Count} samples leaves {Count - validation} for training and {validation} for validation; both need at least one.");
        return (Slice(0, Count - validation), Slice(Count - validation, validation));
    }

    public Dataset<T> Slice(int start, int count)
    {
        if (start < 0 || count <= 0 || (long)start + count > Count)
            ThrowHelper.Argument(nameof(count), $"Slice [{start}, {(long)start + count}) (start {start}, count {count}) does not fit a dataset of {Count} samples (and must not be empty).");
        return new Dataset<T>(_samples.AsSpan(start, count).ToArray());
    }

    public override string ToString() => $"Dataset<{typeof(T).Name}>({Count} samples, {Features} features, target width {TargetWidth})";
}

public static class Dataset
{
    public static Dataset<T> Create<T>(IEnumerable<Sample<T>> samples) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(samples);
        var array = samples.ToArray();
        if (array.Length == 0) ThrowHelper.Argument(nameof(samples), "A dataset needs at least one sample, but was given none.");
        return new Dataset<T>(array);
    }

    /// <summary>From jagged arrays: <c>inputs[sample][step][feature]</c> and <c>targets[sample][output]</c> (last-step targets).</summary>
    public static Dataset<T> FromArrays<T>(IReadOnlyList<T[][]> inputs, IReadOnlyList<T[]> targets) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Count != targets.Count)
            ThrowHelper.Argument(nameof(targets), $"There are {inputs.Count} input sequences but {targets.Count} targets; they must pair up.");
        var samples = new Sample<T>[inputs.Count];
        for (int s = 0; s < samples.Length; s++)
        {
            if (inputs[s] is null) throw new ArgumentNullException(nameof(inputs), $"The input of sample {s} is null.");
            if (targets[s] is null) throw new ArgumentNullException(nameof(targets), $"The target of sample {s} is null.");
            try { samples[s] = Sample.Create(Sequence.Create(inputs[s]), targets[s]); }
            catch (ArgumentException e) { throw new ArgumentException($"Sample {s}: {e.Message}", nameof(inputs), e); }
        }
        return Create(samples);
    }
}
