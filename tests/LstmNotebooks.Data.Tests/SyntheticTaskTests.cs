using LstmNotebooks.Data;

namespace LstmNotebooks.Data.Tests;

public class SyntheticTaskTests
{
    [Fact]
    public void SineWaveIsDeterministicPerSeed()
    {
        var a = SyntheticTasks.SineWave<double>(count: 8, steps: 30, seed: 3);
        var b = SyntheticTasks.SineWave<double>(count: 8, steps: 30, seed: 3);
        var c = SyntheticTasks.SineWave<double>(count: 8, steps: 30, seed: 4);
        Assert.Equal(Flatten(a), Flatten(b));
        Assert.NotEqual(Flatten(a), Flatten(c));
        Assert.Equal(8, a.Count);
        Assert.Equal(1, a.Features);
        Assert.Equal(30, a[0].Input.Steps);
    }

    [Fact]
    public void SineWaveTargetContinuesTheCleanWave()
    {
        var data = SyntheticTasks.SineWave<double>(new SineWaveOptions { Count = 20, Steps = 40, Horizon = 3, Seed = 11 });
        foreach (var sample in data.Samples)
        {
            var x = sample.Input.Feature(0);
            Assert.All(x, v => Assert.InRange(v, -1.0, 1.0));
            // A noise-free sine obeys x[t+1] = 2cos(ω)x[t] − x[t−1]; recover 2cos(ω) and extrapolate to the target.
            int m = Enumerable.Range(1, x.Length - 2).MaxBy(t => Math.Abs(x[t]));
            double k = (x[m + 1] + x[m - 1]) / x[m];
            double prev = x[^2], cur = x[^1];
            for (int h = 0; h < 3; h++) (prev, cur) = (cur, k * cur - prev);
            Assert.Equal(cur, sample.Target[0, 0], 6);
        }
    }

    [Fact]
    public void SineWaveEveryStepTargets()
    {
        var data = SyntheticTasks.SineWave<float>(new SineWaveOptions { Count = 3, Steps = 10, Target = TargetLayout.EveryStep, Seed = 1 });
        Assert.True(data.IsPerStep);
        for (int t = 0; t + 1 < 10; t++) Assert.Equal(data[0].Input[t + 1, 0], data[0].Target[t, 0], 5);
    }

    [Fact]
    public void SineWaveFrameFeedsTheWindowingAdapter()
    {
        var clean = SyntheticTasks.SineWaveFrame(length: 100, period: 20, noise: 0, seed: 1);
        Assert.Equal(["step", "value"], clean.Columns.Select(c => c.Name));
        Assert.Equal(Math.Sin(2 * Math.PI * 7 / 20), (double)clean.Columns["value"][7], 12);
        var noisy = SyntheticTasks.SineWaveFrame(100, 20, noise: 0.1, seed: 1);
        Assert.NotEqual(clean.Columns["value"][7], noisy.Columns["value"][7]);
        Assert.Equal(noisy.Columns["value"][7], SyntheticTasks.SineWaveFrame(100, 20, 0.1, 1).Columns["value"][7]);
        var w = TimeSeriesWindows.FromDataFrame<double>(clean, new WindowOptions(["value"], "value", 10) { Scaling = ScalingKind.None });
        Assert.Equal(Math.Sin(2 * Math.PI * 10 / 20), w.Train[0].Target[0, 0], 12);
    }

    [Fact]
    public void RememberFirstSymbolEncodesSignalDistractorsAndQuery()
    {
        var layout = SyntheticTasks.RememberFirstSymbolLayout(gap: 12, symbols: 3, distractors: 4);
        var data = SyntheticTasks.RememberFirstSymbol<double>(12, count: 200, seed: 5, symbols: 3, distractors: 4);
        Assert.Equal(8, layout.InputSize);
        Assert.Equal(13, layout.SequenceLength);
        Assert.Equal(0, layout.ArrivalStep);
        Assert.Equal(12, layout.RecallStep);
        Assert.Equal(layout.InputSize, data.Features);
        var classes = new int[3];
        foreach (var s in data.Samples)
        {
            Assert.Equal(13, s.Input.Steps);
            int first = ArgMax(s.Input.Step(0));
            Assert.InRange(first, 0, 2);
            Assert.Equal(first, (int)s.Target[0, 0]);
            classes[first]++;
            for (int t = 1; t < 12; t++) Assert.InRange(ArgMax(s.Input.Step(t)), 3, 6);
            Assert.Equal(layout.QueryFeature, ArgMax(s.Input.Step(12)));
            for (int t = 0; t < 13; t++) Assert.Equal(1.0, s.Input.Step(t).ToArray().Sum());
        }
        Assert.All(classes, n => Assert.InRange(n, 40, 100)); // roughly balanced
        Assert.Equal(Flatten(data), Flatten(SyntheticTasks.RememberFirstSymbol<double>(12, 200, 5, 3, 4)));
    }

    [Fact]
    public void RememberFirstSymbolTrainsWithAClassificationHead()
    {
        var layout = SyntheticTasks.RememberFirstSymbolLayout(gap: 3);
        var data = SyntheticTasks.RememberFirstSymbol<double>(layout.Gap, count: 16, seed: 1);
        var model = Lstm.Create(layout.InputSize, 4).WithHead(Head.Classification(layout.Classes)).Build<double>();
        Assert.True(double.IsFinite(model.Loss(data)));
    }

    [Fact]
    public void InvalidGeneratorArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.RememberFirstSymbol<double>(gap: 0, count: 1, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.RememberFirstSymbol<double>(gap: 3, count: 1, seed: 1, symbols: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.SineWave<double>(new SineWaveOptions { MinPeriod = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.SineWave<double>(new SineWaveOptions { Noise = -1 }));
    }

    /// <summary>The committed sample CSVs are exactly what the generators produce. Set LSTMNOTEBOOKS_UPDATE_SAMPLES=1 to
    /// rewrite them after an intended generator change.</summary>
    [Theory]
    [InlineData(Datasets.SineWaveSampleFile)]
    [InlineData(Datasets.RememberFirstSymbolSampleFile)]
    public void CommittedSampleFilesMatchTheGenerators(string file)
    {
        string expected = file == Datasets.SineWaveSampleFile ? SyntheticTasks.SineWaveSampleCsv() : SyntheticTasks.RememberFirstSymbolSampleCsv();
        string path = Path.Combine(TestFrames.DatasetsDirectory, file);
        if (Environment.GetEnvironmentVariable("LSTMNOTEBOOKS_UPDATE_SAMPLES") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path), $"{path} is missing; run the tests with LSTMNOTEBOOKS_UPDATE_SAMPLES=1 to create it.");
        Assert.Equal(expected, File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleFilesLoadBackAsTheirDatasets()
    {
        var sine = Csv.Load(Path.Combine(TestFrames.DatasetsDirectory, Datasets.SineWaveSampleFile));
        Assert.Equal(4 * 20, sine.Rows.Count);
        Assert.Equal(["sample", "step", "x0", "y0"], sine.Columns.Select(c => c.Name));
        var data = SyntheticTasks.SineWave<double>(new SineWaveOptions { Count = 4, Steps = 20, Noise = 0.05, Seed = 42 });
        Assert.Equal(Math.Round(data[2].Input[7, 0], 6), (double)sine.Columns["x0"][2 * 20 + 7], 12);
        Assert.Equal(Math.Round(data[3].Target[0, 0], 6), (double)sine.Columns["y0"][3 * 20 + 19], 12);
        Assert.Null(sine.Columns["y0"][3 * 20 + 18]);

        var remember = Csv.Load(Path.Combine(TestFrames.DatasetsDirectory, Datasets.RememberFirstSymbolSampleFile));
        Assert.Equal(6 * 9, remember.Rows.Count);
        Assert.Equal("?", remember.Columns["symbol"][8]);
    }

    private static double[] Flatten(Dataset<double> data)
        => data.Samples.SelectMany(s => s.Input.Values.ToArray().Concat(s.Target.Values.ToArray())).ToArray();

    private static int ArgMax(ReadOnlySpan<double> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
