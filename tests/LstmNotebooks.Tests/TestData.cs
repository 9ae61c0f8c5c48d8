namespace LstmNotebooks.Tests;

internal static class TestData
{
    /// <summary>Windows of a sine wave; the target is the next value.</summary>
    public static Dataset<T> Sine<T>(int count, int window, long seed) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        var samples = new List<Sample<T>>();
        for (int s = 0; s < count; s++)
        {
            double phase = rng.Uniform(0, 2 * Math.PI), step = 0.3;
            var xs = Enumerable.Range(0, window + 1).Select(t => T.CreateTruncating(Math.Sin(phase + step * t))).ToArray();
            samples.Add(Sample.Create(Sequence.FromScalars(xs.Take(window)), xs[window]));
        }
        return Dataset.Create(samples);
    }

    /// <summary>"Remember the first symbol": step 0 shows class 0 or 1 (one-hot in features 0..1); then <paramref name="gap"/>
    /// steps of random distractors (features 2..5); the target is the first symbol's class.</summary>
    public static Dataset<T> RememberFirst<T>(int count, int gap, long seed) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        var samples = new List<Sample<T>>();
        for (int s = 0; s < count; s++)
        {
            int cls = rng.NextInt(2);
            var symbols = new List<int> { cls };
            for (int t = 0; t < gap; t++) symbols.Add(2 + rng.NextInt(4));
            samples.Add(Sample.Class(Sequence.OneHot<T>(symbols, 6), cls));
        }
        return Dataset.Create(samples);
    }

    public static double Accuracy<T>(Model<T> model, Dataset<T> data) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        int right = 0;
        foreach (var s in data.Samples)
        {
            var p = model.Predict(s.Input);
            int predicted = Array.IndexOf(p, p.Max());
            if (predicted == int.CreateTruncating(s.Target.Values[0])) right++;
        }
        return (double)right / data.Count;
    }
}
