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
}
