using System.Numerics;

namespace LstmNotebooks.Tests;

/// <summary>The finite check of upstream gradients: whole vectors first, then element by element. It must name the
/// first NaN or ∞ wherever it lies — in a vector, in the tail, at either end — for every length around the vector.</summary>
public class FiniteCheckTests
{
    [Fact] public void FloatFindsTheFirstNonFiniteValueAtEveryLengthAndPosition() => Every<float>();
    [Fact] public void DoubleFindsTheFirstNonFiniteValueAtEveryLengthAndPosition() => Every<double>();

    private static void Every<T>() where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
    {
        T[] bad = [T.NaN, T.PositiveInfinity, T.NegativeInfinity];
        for (int length = 0; length <= 4 * Vector<T>.Count + 3; length++)
        {
            // Finite values of every kind the vector test must pass: zeros, subnormals, the largest finite.
            var values = Enumerable.Range(0, length).Select(i => (i % 4) switch
            {
                0 => T.Zero, 1 => T.Epsilon, 2 => T.MaxValue, _ => -T.CreateTruncating(i),
            }).ToArray();
            Assert.Equal(-1, ThrowHelper.FirstNonFinite<T>(values));
            for (int at = 0; at < length; at++)
                foreach (var b in bad)
                {
                    var copy = (T[])values.Clone();
                    copy[at] = b;
                    if (at + 2 < length) copy[at + 2] = T.NaN; // a later one must not win
                    Assert.True(ThrowHelper.FirstNonFinite<T>(copy) == at, $"length {length}, {b} at {at}: found {ThrowHelper.FirstNonFinite<T>(copy)}");
                }
        }
    }

    [Fact]
    public void BackpropagateNamesTheNonFiniteUpstreamGradient()
    {
        var model = Lstm.Create(2, 16).WithSeed(1).Build<float>();
        var batch = SequenceBatch.FromPadded<float>(new float[3 * 5 * 2], 3, 5, 2, [5, 5, 5]);
        var dy = new float[3 * 5 * 16];
        dy[37] = float.PositiveInfinity;
        using var ws = model.CreateWorkspace(1);
        var e = Assert.Throws<ArgumentException>(() => ws.Backpropagate(batch, null, dy, default, default));
        Assert.Equal("dOutput", e.ParamName);
        Assert.Contains("∂L/∂output contains Infinity at index 37", e.Message); // invariant culture
    }
}
