using LstmNotebooks.Data;

namespace LstmNotebooks.Data.Tests;

public class BracketDepthTests
{
    private static BracketDepthOptions Options(long seed = 5) => new() { Count = 200, Steps = 50, MaxDepth = 3, FillerProbability = 0.25, Seed = seed };

    [Fact]
    public void TargetsAreTheDepthAfterEachStepCountedFromTheSymbols()
    {
        var layout = SyntheticTasks.BracketDepthLayout(maxDepth: 3);
        var data = SyntheticTasks.BracketDepth<float>(Options());
        Assert.Equal(200, data.Count);
        Assert.Equal(layout.InputSize, data.Features);
        Assert.True(data.IsPerStep);
        foreach (var sample in data.Samples)
        {
            var symbols = layout.Symbols(sample.Input);
            int depth = 0;
            for (int t = 0; t < symbols.Length; t++)
            {
                depth += symbols[t] switch { BracketDepthLayout.Open => 1, BracketDepthLayout.Close => -1, _ => 0 };
                Assert.InRange(depth, 0, 3);
                Assert.Equal(depth, (int)sample.Target[t, 0]);
            }
            Assert.Equal(sample.Target.Values.ToArray().Select(v => (int)v), layout.Depths(sample.Input));
        }
    }

    [Fact]
    public void TheWalkUsesTheWholeRangeAndMixesInFiller()
    {
        var layout = SyntheticTasks.BracketDepthLayout(maxDepth: 3);
        var data = SyntheticTasks.BracketDepth<double>(Options());
        var symbols = data.Samples.SelectMany(s => layout.Symbols(s.Input)).ToArray();
        var depths = data.Samples.SelectMany(s => layout.Depths(s.Input)).ToArray();
        double filler = symbols.Count(s => s == BracketDepthLayout.Filler) / (double)symbols.Length;
        Assert.InRange(filler, 0.22, 0.28);
        for (int d = 0; d <= 3; d++) Assert.Contains(d, depths); // every depth occurs, so every class has examples
        // A bracket at depth 0 opens and at the maximum closes: the walk never leaves 0…MaxDepth (checked by Depths).
    }

    [Fact]
    public void SameSeedSameDataOtherSeedOtherData()
    {
        static double[] Flat(Dataset<double> d) => d.Samples.SelectMany(s => s.Input.Values.ToArray()).ToArray();
        Assert.Equal(Flat(SyntheticTasks.BracketDepth<double>(Options(1))), Flat(SyntheticTasks.BracketDepth<double>(Options(1))));
        Assert.NotEqual(Flat(SyntheticTasks.BracketDepth<double>(Options(1))), Flat(SyntheticTasks.BracketDepth<double>(Options(2))));
    }

    [Fact]
    public void SymbolsAndBadInputAreNamed()
    {
        Assert.Equal("(", BracketDepthLayout.Symbol(BracketDepthLayout.Open));
        Assert.Equal(")", BracketDepthLayout.Symbol(BracketDepthLayout.Close));
        Assert.Equal("·", BracketDepthLayout.Symbol(BracketDepthLayout.Filler));
        Assert.Throws<ArgumentOutOfRangeException>(() => BracketDepthLayout.Symbol(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.BracketDepthLayout(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.BracketDepth<double>(Options() with { FillerProbability = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticTasks.BracketDepth<double>(Options() with { Count = 0 }));
        var layout = SyntheticTasks.BracketDepthLayout(2);
        var closeFirst = Sequence.OneHot<double>([BracketDepthLayout.Close], 3);
        Assert.Contains("depth would be -1", Assert.Throws<ArgumentException>(() => layout.Depths(closeFirst)).Message);
        Assert.Throws<ArgumentException>(() => layout.Symbols(Sequence.OneHot<double>([0], 4)));
    }
}
