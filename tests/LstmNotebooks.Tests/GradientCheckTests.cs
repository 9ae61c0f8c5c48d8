namespace LstmNotebooks.Tests;

/// <summary>Central-difference checks in double of the full training gradient (stack + head + loss), 2 layers,
/// for every cell, head and loss, with sequences of different lengths in one batch.</summary>
public class GradientCheckTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<CellKind, HeadKind, HeadOutput, string> Configurations()
    {
        var data = new TheoryData<CellKind, HeadKind, HeadOutput, string>();
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
            foreach (var head in new[] { HeadKind.Regression, HeadKind.Classification, HeadKind.Binary })
                foreach (var mode in new[] { HeadOutput.LastStep, HeadOutput.EveryStep })
                    data.Add(cell, head, mode, "plain");
        data.Add(CellKind.Lstm, HeadKind.Regression, HeadOutput.LastStep, "peepholes");
        data.Add(CellKind.Lstm, HeadKind.Classification, HeadOutput.EveryStep, "peepholes");
        data.Add(CellKind.Lstm, HeadKind.Regression, HeadOutput.LastStep, "no-forget-gate");
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
        {
            data.Add(cell, HeadKind.Regression, HeadOutput.LastStep, "bidirectional");
            data.Add(cell, HeadKind.Classification, HeadOutput.EveryStep, "bidirectional");
            data.Add(cell, HeadKind.Regression, HeadOutput.EveryStep, "dropout");
            data.Add(cell, HeadKind.Binary, HeadOutput.LastStep, "recurrent-dropout");
            data.Add(cell, HeadKind.Classification, HeadOutput.LastStep, "learned-state");
            data.Add(cell, HeadKind.Regression, HeadOutput.EveryStep, "everything");
        }
        data.Add(CellKind.Lstm, HeadKind.Regression, HeadOutput.LastStep, "projection");
        data.Add(CellKind.Lstm, HeadKind.Binary, HeadOutput.EveryStep, "projection");
        data.Add(CellKind.Lstm, HeadKind.Classification, HeadOutput.LastStep, "bidirectional-projection");
        return data;
    }

    internal static Dataset<double> MakeData(HeadKind head, HeadOutput mode, int outputs, int features, long seed)
    {
        var rng = new Rng(seed);
        var samples = new List<Sample<double>>();
        int[] lengths = [5, 3, 4];
        foreach (var len in lengths)
        {
            var x = Sequence.FromFlat<double>(Enumerable.Range(0, len * features).Select(_ => rng.Uniform(-1, 1)).ToArray(), len, features);
            int rows = mode == HeadOutput.EveryStep ? len : 1;
            double[] target = head switch
            {
                HeadKind.Classification => Enumerable.Range(0, rows).Select(_ => (double)rng.NextInt(outputs)).ToArray(),
                HeadKind.Binary => Enumerable.Range(0, rows * outputs).Select(_ => rng.NextDouble()).ToArray(),
                _ => Enumerable.Range(0, rows * outputs).Select(_ => rng.Uniform(-1, 1)).ToArray(),
            };
            int width = head == HeadKind.Classification ? 1 : outputs;
            samples.Add(new Sample<double>(x, Sequence.FromFlat<double>(target, rows, width)));
        }
        return Dataset.Create(samples);
    }

    [Theory, MemberData(nameof(Configurations))]
    public void TrainingGradientMatchesCentralDifferences(CellKind cell, HeadKind headKind, HeadOutput mode, string variant)
    {
        const int outputs = 3, features = 2;
        var head = new HeadSpec(headKind, outputs, mode);
        bool everything = variant == "everything";
        var spec = new ModelSpec(cell, features, 4).WithLayers(2).WithSeed(5).WithHead(head);
        if (variant == "peepholes") spec = spec.WithPeepholes();
        if (variant == "no-forget-gate") spec = spec.WithForgetGate(false);
        if (variant.Contains("bidirectional") || everything) spec = spec.WithBidirectional();
        if (variant.Contains("projection") || (everything && cell == CellKind.Lstm)) spec = spec.WithProjection(3);
        if (variant == "dropout" || everything) spec = spec.WithDropout(0.3);
        if (variant == "recurrent-dropout" || everything) spec = spec.WithRecurrentDropout(0.3);
        if (variant == "learned-state" || everything) spec = spec.WithLearnedInitialState();
        var model = spec.Build<double>();
        // Fresh peepholes and learned initial states are zero; give them values so their gradient and their effect
        // on the others are tested.
        var rng = new Rng(3);
        model = model.WithParameters(model.ParameterInfos.Where(p => p.Name.Contains("peephole") || p.Name is "h0" or "c0")
            .ToDictionary(p => p.Name, p => Enumerable.Range(0, p.Length).Select(_ => rng.Uniform(-0.5, 0.5)).ToArray()));
        var data = MakeData(headKind, mode, outputs, features, seed: 17);

        // Dropout: the gradient of the loss with the masks of one training window held fixed.
        var dropout = spec.Dropout > 0 || spec.RecurrentDropout > 0 ? DropoutContext.For(spec, seed: 21, epoch: 1, batch: 0) : default;
        var (loss, grad) = model.TrainingGradient(data, dropout);
        if (!dropout.Any) Assert.Equal(model.Loss(data), loss, 12);
        else Assert.NotEqual(model.Loss(data), loss); // the masks change the loss; inference has none
        double Loss(Model<double> m) => dropout.Any ? m.TrainingGradient(data, dropout).Loss : m.Loss(data);

        var p = model.Parameters.ToArray();
        double worst = 0;
        string worstName = "";
        foreach (var info in model.ParameterInfos)
        {
            for (int i = 0; i < info.Length; i++)
            {
                int at = info.Offset + i;
                const double h = 1e-6;
                double keep = p[at];
                p[at] = keep + h;
                double up = Loss(model.WithParameterBuffer(p));
                p[at] = keep - h;
                double down = Loss(model.WithParameterBuffer(p));
                p[at] = keep;
                double numeric = (up - down) / (2 * h);
                double error = Math.Abs(numeric - grad[at]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(grad[at]));
                if (error > worst) { worst = error; worstName = $"{info.Name}[{i}] analytic {grad[at]:E6} numeric {numeric:E6}"; }
            }
        }
        output.WriteLine($"{cell}/{headKind}/{mode}/{variant}: worst relative gradient error {worst:E2} ({model.ParameterCount} parameters)");
        Assert.True(worst < 1e-6, $"{cell}/{headKind}/{mode}/{variant}: worst relative gradient error {worst:E2} at {worstName}");
    }
}
