using System.Diagnostics;
using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// Mini-batch BPTT (full or truncated) with the chosen optimizer, clipping, validation, early stopping and step decay.
/// Works on a private copy of the weights; single-threaded and seeded, so runs are bit-reproducible.
/// </summary>
internal static class Trainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static TrainingResult<T> Train(Model<T> start, Dataset<T> data, TrainingOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        var (train, validation) = options.ValidationFraction > 0 ? data.Split(options.ValidationFraction) : (data, null);
        var p = start.Parameters.ToArray();
        var grad = new T[p.Length];
        var optimizer = Optimizer<T>.Create(options, p.Length);
        var rng = new Rng(options.Seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var history = new List<EpochRecord>();
        var clock = Stopwatch.StartNew();
        double bestValidation = double.PositiveInfinity;
        T[]? bestParameters = null;
        int bestEpoch = 0, sinceBest = 0;
        var stop = StopReason.Completed;
        double lr = options.LearningRate;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (options.DecayEvery is int every && epoch > 1 && (epoch - 1) % every == 0) lr *= options.DecayFactor;
            if (options.Shuffle) rng.Shuffle<int>(order);
            double lossSum = 0;
            int targetCount = 0, batchIndex = 0;
            for (int s = 0; s < train.Count; s += options.BatchSize, batchIndex++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = new PackedBatch<T>(train.Samples, order.AsSpan(s, Math.Min(options.BatchSize, train.Count - s)));
                int window = options.TruncationWindow ?? batch.Steps;
                T[]? h = null, c = null;
                for (int t0 = 0; t0 < batch.Steps; t0 += window)
                {
                    Array.Clear(grad);
                    var r = BatchPass.Run(start, p, batch, t0, Math.Min(t0 + window, batch.Steps), h, c, grad, backward: true);
                    (h, c) = (r.FinalHidden, r.FinalCell);
                    if (r.Targets == 0) continue;
                    if (!double.IsFinite(r.Loss)) throw Diverged("loss", r.Loss, epoch, batchIndex);
                    double norm = GlobalNorm(grad);
                    if (!double.IsFinite(norm)) throw Diverged("gradient norm", norm, epoch, batchIndex);
                    if (options.GradientClip is double clip && norm > clip) Scale(grad, clip / norm);
                    optimizer.Step(p, grad, lr);
                    lossSum += r.Loss * r.Targets;
                    targetCount += r.Targets;
                }
            }
            double trainLoss = lossSum / Math.Max(targetCount, 1);
            double? validationLoss = validation is null ? null : start.WithParameterBuffer(p).Loss(validation);
            if (validationLoss is double vl && !double.IsFinite(vl)) throw Diverged("validation loss", vl, epoch, batchIndex);
            history.Add(new EpochRecord(epoch, trainLoss, validationLoss, lr, clock.Elapsed));
            progress?.Report(new TrainingProgress(epoch, options.Epochs, trainLoss, validationLoss, lr, clock.Elapsed));

            if (validationLoss is double v)
            {
                if (v < bestValidation)
                {
                    bestValidation = v;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    if (options.EarlyStoppingPatience is not null) bestParameters = (T[])p.Clone();
                }
                else if (options.EarlyStoppingPatience is int patience && ++sinceBest >= patience)
                {
                    stop = StopReason.EarlyStopped;
                    break;
                }
            }
        }
        var final = bestParameters is not null && stop == StopReason.EarlyStopped ? bestParameters : p;
        if (validation is null) bestEpoch = history.Count;
        return new TrainingResult<T>(start.WithParameterBuffer(final), new TrainingHistory(history, stop, bestEpoch));
    }

    private static TrainingDivergedException Diverged(string what, double value, int epoch, int batch)
        => new($"Training diverged: the {what} became {value} in epoch {epoch}, batch {batch}. The starting model is unchanged. " +
               "Hint: lower the learning rate, set a gradient clip (WithGradientClip), or scale the inputs.", epoch, batch);

    private static double GlobalNorm(ReadOnlySpan<T> g)
    {
        double s = 0;
        foreach (var x in g) { double d = double.CreateTruncating(x); s += d * d; }
        return Math.Sqrt(s);
    }

    private static void Scale(Span<T> g, double factor)
    {
        T f = T.CreateTruncating(factor);
        for (int i = 0; i < g.Length; i++) g[i] *= f;
    }
}
