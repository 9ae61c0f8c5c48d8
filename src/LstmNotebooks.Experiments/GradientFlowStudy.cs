namespace LstmNotebooks.Experiments;

/// <summary>How far back the error signal of one sample reaches, for one model at one lag.</summary>
/// <param name="FirstStepNorm">‖∂L/∂c_0‖ (LSTM) or ‖∂L/∂h_0‖ (RNN): the signal at the step that holds the information.</param>
/// <param name="LastStepNorm">The same norm at the last step, where the loss is read.</param>
/// <param name="Norms">The norms averaged over the samples, aligned at the last step.</param>
/// <param name="Example">The first sample's full flow (for charts).</param>
public sealed record GradientFlowPoint(string Model, int Lag, double FirstStepNorm, double LastStepNorm, double[] Norms, GradientFlow Example)
{
    /// <summary>First-step norm relative to the last step's: 1 means no decay across the gap.</summary>
    public double Ratio => LastStepNorm == 0 ? 0 : FirstStepNorm / LastStepNorm;
}

/// <summary>
/// ‖∂L/∂c_t‖ against lag for LSTM variants and ‖∂L/∂h_t‖ for the RNN, on one sample of a task, with freshly
/// initialised (seeded) models: the vanishing-gradient picture before any training. Averaged over several samples.
/// </summary>
public static class GradientFlowStudy
{
    public static IReadOnlyList<ModelConfig> DefaultModels(int hidden = 16) =>
    [
        ModelConfig.Lstm(hidden, LstmVariant.NoForgetGate1997),
        ModelConfig.Lstm(hidden, LstmVariant.ForgetBias0),
        ModelConfig.Lstm(hidden, LstmVariant.ForgetBias1),
        ModelConfig.Lstm(hidden, LstmVariant.ForgetBias5),
        ModelConfig.Rnn(hidden),
    ];

    public static List<GradientFlowPoint> Measure(LongGapTask task, IReadOnlyList<int> lags, IReadOnlyList<ModelConfig> models, long seed, int samples = 8)
    {
        ArgumentNullException.ThrowIfNull(lags);
        ArgumentNullException.ThrowIfNull(models);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Average over at least one sample.");
        var points = new List<GradientFlowPoint>();
        foreach (int lag in lags)
        {
            var generator = TaskGenerators.Create(task, lag);
            var rng = new Rng(seed);
            var sequences = generator.Generate(samples, ref rng);
            foreach (var config in models)
            {
                if (!config.IsNetwork) throw new ArgumentException($"{config.Name} has no gradient to measure.", nameof(models));
                var model = config.ToSpec(generator, seed)!.Build();
                int steps = sequences.Min(s => s.Sample.Input.Steps);
                var mean = new double[steps];
                GradientFlow? example = null;
                foreach (var s in sequences)
                {
                    var flow = model.GradientFlow(s.Sample);
                    example ??= flow;
                    var norms = flow.HasCellState ? flow.CellNorms() : flow.HiddenNorms();
                    // Align at the end (the loss), so lag k means k steps before the output on every sample.
                    int offset = norms.Length - steps;
                    for (int t = 0; t < steps; t++) mean[t] += norms[offset + t] / samples;
                }
                points.Add(new GradientFlowPoint(config.Name, lag, mean[0], mean[^1], mean, example!));
            }
        }
        return points;
    }
}
