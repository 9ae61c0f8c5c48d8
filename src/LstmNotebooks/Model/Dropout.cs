using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// Dropout masks for one training window, drawn from a counter-based hash rather than a generator's stream: the mask
/// of an element depends on the key (seed, epoch, batch), the layer, the row's place in the whole batch, the step and
/// the unit — never on how rows are split across threads or on what was drawn before. So a run is the same for a
/// given seed at any thread count up to the order of the gradient sums, and continuing a session equals one long run.
/// Inverted dropout: kept elements are scaled by 1/(1 − p), so inference needs no rescaling.
/// </summary>
internal readonly record struct DropoutContext(ulong Key, double BetweenRate, double RecurrentRate)
{
    public bool Any => BetweenRate > 0 || RecurrentRate > 0;

    public static DropoutContext For(ModelSpec spec, long seed, int epoch, int batch)
        => new(Hash(unchecked((ulong)seed), 0xD50F_0D0FUL, (ulong)epoch, (ulong)batch), spec.Dropout, spec.RecurrentDropout);

    /// <summary>The mask value (0 or 1/(1 − p)) of one element of the output of <paramref name="layer"/> fed to the
    /// layer above.</summary>
    public T Between<T>(int layer, int row, int step, int unit) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Keep<T>(Hash(Key, 1 + (ulong)layer, ((ulong)(uint)row << 32) | (uint)step, (ulong)unit), BetweenRate);

    /// <summary>The recurrent mask value of one unit of h_{t−1}, fixed over the whole sequence (Keras).</summary>
    public T Recurrent<T>(int layerDirection, int row, int unit) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Keep<T>(Hash(Key, 0x8000_0000UL + (ulong)layerDirection, (ulong)(uint)row, (ulong)unit), RecurrentRate);

    private static T Keep<T>(ulong hash, double p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (hash >> 11) * (1.0 / (1UL << 53)) < p ? T.Zero : T.CreateTruncating(1 / (1 - p));

    private static ulong Hash(ulong key, ulong a, ulong b, ulong c)
    {
        ulong x = Mix(key + 0x9E3779B97F4A7C15UL * (a + 1));
        x = Mix(x ^ (b * 0xBF58476D1CE4E5B9UL + 0x632BE59BD9B4E8EBUL));
        return Mix(x ^ (c * 0x94D049BB133111EBUL + 0x2545F4914F6CDD1DUL));
    }

    // SplitMix64's finalizer: every input bit reaches every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
