using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// How often a model decides right — the one definition the tests, the experiments and the notebooks use. A decision
/// is the most probable class (ties go to the lowest index, as a constant guess would) for a classification head, and
/// each output on the target's side of ½ for a binary head; an every-step head is judged at every valid step.
/// </summary>
public static class Metrics
{
    private const int Chunk = 64;

    /// <summary>The fraction of decisions that are right on <paramref name="data"/>: per sample (last-step heads) or
    /// per step (every-step heads); for a binary head, per output (as Keras's binary accuracy).</summary>
    public static double Accuracy<T>(Model<T> model, Dataset<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        RequireDecisions(model);
        model.CheckDataset(data);
        long right = 0, total = 0;
        for (int s = 0; s < data.Count; s += Chunk)
        {
            int n = Math.Min(Chunk, data.Count - s);
            var inputs = new Sequence<T>[n];
            for (int b = 0; b < n; b++) inputs[b] = data[s + b].Input;
            var run = model.Run(SequenceBatch.FromVariableLength(inputs));
            for (int b = 0; b < n; b++) Score(model.Spec.Head, run, b, data[s + b], ref right, ref total);
        }
        return (double)right / total;
    }

    /// <summary>The accuracy with interventions applied to every sample (a gate clamped, a state overwritten): how
    /// much of the model's skill a part of its memory carries. Runs one trace per sample.</summary>
    public static double Accuracy<T>(Model<T> model, Dataset<T> data, params Intervention[] interventions)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(interventions);
        if (interventions.Length == 0) return Accuracy(model, data);
        RequireDecisions(model);
        model.CheckDataset(data);
        long right = 0, total = 0;
        var head = model.Spec.Head;
        foreach (var sample in data.Samples)
        {
            var outputs = model.Trace(sample.Input, interventions).Outputs;
            if (head.Output == HeadOutput.LastStep) Judge(head, outputs[^1], sample.Target.Step(0), ref right, ref total);
            else for (int t = 0; t < outputs.Length; t++) Judge(head, outputs[t], sample.Target.Step(t), ref right, ref total);
        }
        return (double)right / total;
    }

    /// <summary>The fraction of rows whose most probable class is the label.</summary>
    public static double Accuracy<T>(IReadOnlyList<T[]> probabilities, IReadOnlyList<int> labels) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
            ThrowHelper.Argument(nameof(labels), $"There are {probabilities.Count} rows of probabilities but {labels.Count} labels; they must pair up.");
        if (labels.Count == 0)
            ThrowHelper.Argument(nameof(labels), "Accuracy over no rows is undefined (0/0). Hint: score at least one sequence.");
        int right = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            var row = probabilities[i] ?? throw new ArgumentNullException(nameof(probabilities), $"Row {i} is null.");
            if (row.Length == 0) ThrowHelper.Argument(nameof(probabilities), $"Row {i} is empty; a decision needs at least one class.");
            if (ArgMax<T>(row) == labels[i]) right++;
        }
        return (double)right / labels.Count;
    }

    /// <summary>The index of the largest value; ties go to the lowest index. −1 for an empty span.</summary>
    public static int ArgMax<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (values.IsEmpty) return -1;
        int best = 0;
        for (int k = 1; k < values.Length; k++) if (values[k] > values[best]) best = k;
        return best;
    }

    private static void RequireDecisions<T>(Model<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (model.Spec.Head.Kind is not (HeadKind.Classification or HeadKind.Binary))
            ThrowHelper.InvalidOperation(
                $"Accuracy counts decisions, which a {model.Spec.Head.Kind} head does not make. " +
                "Hint: Model.Loss(data) gives a regression model's mean squared error.");
    }

    private static void Score<T>(HeadSpec head, RunResult<T> run, int b, Sample<T> sample, ref long right, ref long total)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int o = run.Outputs;
        if (head.Output == HeadOutput.LastStep)
        {
            Judge(head, run.HeadOutputs.Slice(b * o, o), sample.Target.Step(0), ref right, ref total);
            return;
        }
        for (int t = 0; t < sample.Input.Steps; t++)
            Judge(head, run.HeadOutputs.Slice((b * run.Steps + t) * o, o), sample.Target.Step(t), ref right, ref total);
    }

    private static void Judge<T>(HeadSpec head, ReadOnlySpan<T> outputs, ReadOnlySpan<T> target, ref long right, ref long total)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (head.Kind == HeadKind.Classification)
        {
            if (ArgMax(outputs) == int.CreateTruncating(target[0])) right++;
            total++;
            return;
        }
        T half = T.CreateTruncating(0.5);
        for (int k = 0; k < outputs.Length; k++)
        {
            if (outputs[k] >= half == target[k] >= half) right++;
            total++;
        }
    }
}
