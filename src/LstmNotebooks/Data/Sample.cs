using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// An input sequence and its target. The target is one row (for a last-step head) or one row per input step (for an
/// every-step head); a row holds the regression/binary outputs, or one class index for classification.
/// </summary>
public sealed record Sample<T>(Sequence<T> Input, Sequence<T> Target) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    // The initializer checks the constructor's arguments, the init accessor a `with { … }`.
    public Sequence<T> Input { get; init => field = ThrowHelper.RequireNotNull(value, nameof(Input), "The input sequence"); }
        = ThrowHelper.RequireNotNull(Input, nameof(Input), "The input sequence");
    public Sequence<T> Target { get; init => field = ThrowHelper.RequireNotNull(value, nameof(Target), "The target sequence"); }
        = ThrowHelper.RequireNotNull(Target, nameof(Target), "The target sequence");
}

public static class Sample
{
    /// <summary>A sample whose target is one row of values, read at the last step.</summary>
    public static Sample<T> Create<T>(Sequence<T> input, params T[] target) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ThrowHelper.RequireNotNull(input, nameof(input), "The input sequence");
        ThrowHelper.RequireNotNull(target, nameof(target), "The target");
        if (target.Length == 0) ThrowHelper.Argument(nameof(target), "The target has no values; a target row needs at least one (a class index, or one value per output).");
        return new(input, Sequence.FromFlat<T>(target, 1, target.Length));
    }

    /// <summary>A sample with one target row per input step (many-to-many).</summary>
    public static Sample<T> PerStep<T>(Sequence<T> input, Sequence<T> targets) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ThrowHelper.RequireNotNull(input, nameof(input), "The input sequence");
        ThrowHelper.RequireNotNull(targets, nameof(targets), "The per-step target sequence");
        if (targets.Steps != input.Steps)
            ThrowHelper.Argument(nameof(targets), $"Per-step targets have {targets.Steps} steps, but the input has {input.Steps}.");
        return new(input, targets);
    }

    /// <summary>A classification sample: the class index of the whole sequence.</summary>
    public static Sample<T> Class<T>(Sequence<T> input, int classIndex) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (classIndex < 0) ThrowHelper.OutOfRange(nameof(classIndex), classIndex, $"A class index must be ≥ 0, but was {classIndex}.");
        return new(input, Sequence.FromFlat<T>([T.CreateChecked(classIndex)], 1, 1));
    }

    /// <summary>A classification sample with one class index per step.</summary>
    public static Sample<T> ClassPerStep<T>(Sequence<T> input, IReadOnlyList<int> classes) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ThrowHelper.RequireNotNull(input, nameof(input), "The input sequence");
        ThrowHelper.RequireNotNull(classes, nameof(classes), "The list of class labels");
        if (classes.Count != input.Steps)
            ThrowHelper.Argument(nameof(classes), $"There are {classes.Count} class labels, but the input has {input.Steps} steps.");
        var values = new T[classes.Count];
        for (int t = 0; t < values.Length; t++)
        {
            if (classes[t] < 0) ThrowHelper.OutOfRange(nameof(classes), classes[t], $"Class index at step {t} is {classes[t]}; it must be ≥ 0.");
            values[t] = T.CreateChecked(classes[t]);
        }
        return new(input, Sequence.FromFlat<T>(values, classes.Count, 1));
    }
}
