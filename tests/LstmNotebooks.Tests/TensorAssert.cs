using System.Numerics;

namespace LstmNotebooks.Tests;

/// <summary>Compares whole tensors and, on failure, names the tensor, the worst index and the largest difference.</summary>
public static class TensorAssert
{
    /// <summary>|actual - expected| ≤ abs + rel·|expected| for every element.</summary>
    public static double Close<T>(string name, ReadOnlySpan<double> expected, ReadOnlySpan<T> actual, double rel, double abs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.True(expected.Length == actual.Length, $"{name}: expected {expected.Length} values, got {actual.Length}.");
        double worst = 0, worstExcess = double.NegativeInfinity;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateTruncating(actual[i]);
            double diff = Math.Abs(a - expected[i]);
            double excess = diff - (abs + rel * Math.Abs(expected[i]));
            worst = Math.Max(worst, diff);
            if (excess > worstExcess) { worstExcess = excess; at = i; }
            if (double.IsNaN(a)) { worstExcess = double.PositiveInfinity; at = i; break; }
        }
        if (worstExcess > 0)
            Assert.Fail($"{name}: max |difference| {worst:E3}; worst at index {at}: expected {expected[at]:R}, actual {actual[at]} " +
                        $"(tolerance {abs:E1} + {rel:E1}·|expected|).");
        return worst;
    }
}
