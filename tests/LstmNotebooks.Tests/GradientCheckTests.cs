namespace LstmNotebooks.Tests;

/// <summary>Central-difference checks in double of the full training gradient (stack + head + loss), 2 layers,
/// for every cell, head and loss, with sequences of different lengths in one batch.</summary>
public class GradientCheckTests
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
        var spec = new ModelSpec(cell, features, 4).WithLayers(2).WithSeed(5).WithHead(head);
        if (variant == "peepholes") spec = spec.WithPeepholes();
        if (variant == "no-forget-gate") spec = spec.WithForgetGate(false);
        var model = spec.Build<double>();
        if (variant == "peepholes")
        {
            // Fresh peepholes are zero; give them values so their gradient and their effect on the others are tested.
            var rng = new Rng(3);
            model = model.WithParameters(model.ParameterInfos.Where(p => p.Name.Contains("peephole"))
                .ToDictionary(p => p.Name, p => Enumerable.Range(0, p.Length).Select(_ => rng.Uniform(-0.5, 0.5)).ToArray()));
        }
        var data = MakeData(headKind, mode, outputs, features, seed: 17);

        var (loss, grad) = model.TrainingGradient(data);
        Assert.Equal(model.Loss(data), loss, 12);

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
                double up = model.WithParameterBuffer(p).Loss(data);
                p[at] = keep - h;
                double down = model.WithParameterBuffer(p).Loss(data);
                p[at] = keep;
                double numeric = (up - down) / (2 * h);
                double error = Math.Abs(numeric - grad[at]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(grad[at]));
                if (error > worst) { worst = error; worstName = $"{info.Name}[{i}] analytic {grad[at]:E6} numeric {numeric:E6}"; }
            }
        }
        Assert.True(worst < 1e-6, $"{cell}/{headKind}/{mode}/{variant}: worst relative gradient error {worst:E2} at {worstName}");
    }
}
