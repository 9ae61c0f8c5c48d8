using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// The head's loss, mean-reduced as PyTorch's defaults: MSE over every output element, softmax cross-entropy over
/// rows, binary cross-entropy (with logits, computed stably) over every element. Sums run in double.
/// </summary>
internal static class Losses
{
    /// <summary>Returns the loss and writes ∂loss/∂y into dy. y, dy: M×O; targets: M×TargetWidth.</summary>
    public static double Compute<T>(HeadSpec head, ReadOnlySpan<T> y, ReadOnlySpan<T> targets, Span<T> dy, int m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int o = head.Outputs;
        double loss = 0;
        switch (head.Kind)
        {
            case HeadKind.Regression:
            {
                double n = (double)m * o;
                for (int i = 0; i < m * o; i++)
                {
                    double d = double.CreateTruncating(y[i]) - double.CreateTruncating(targets[i]);
                    loss += d * d;
                    dy[i] = T.CreateTruncating(2 * d / n);
                }
                return loss / n;
            }
            case HeadKind.Classification:
            {
                Span<double> prob = o <= 256 ? stackalloc double[o] : new double[o];
                for (int r = 0; r < m; r++)
                {
                    int target = int.CreateTruncating(targets[r]);
                    var row = y.Slice(r * o, o);
                    // −log p_target as logZ − z_target: finite even when p_target underflows to 0.
                    loss += Softmax(row, prob) - double.CreateTruncating(row[target]);
                    for (int c = 0; c < o; c++) dy[r * o + c] = T.CreateTruncating((prob[c] - (c == target ? 1 : 0)) / m);
                }
                return loss / m;
            }
            case HeadKind.Binary:
            {
                double n = (double)m * o;
                for (int i = 0; i < m * o; i++)
                {
                    double z = double.CreateTruncating(y[i]), t = double.CreateTruncating(targets[i]);
                    loss += Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                    dy[i] = T.CreateTruncating((1 / (1 + Math.Exp(-z)) - t) / n);
                }
                return loss / n;
            }
            default:
                ThrowHelper.InvalidOperation("A model without a head has no loss. Hint: build it .WithHead(Head.Regression(…)) or another head.");
                return 0;
        }
    }

    /// <summary>The head's outputs as a person reads them: softmax probabilities, sigmoid probabilities, or values.</summary>
    public static void Activate<T>(HeadKind kind, Span<T> y, int m, int o) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (kind == HeadKind.Binary)
            for (int i = 0; i < m * o; i++) y[i] = T.CreateTruncating(1 / (1 + Math.Exp(-double.CreateTruncating(y[i]))));
        else if (kind == HeadKind.Classification)
        {
            Span<double> prob = o <= 256 ? stackalloc double[o] : new double[o];
            for (int r = 0; r < m; r++)
            {
                var row = y.Slice(r * o, o);
                Softmax<T>(row, prob);
                for (int c = 0; c < o; c++) row[c] = T.CreateTruncating(prob[c]);
            }
        }
    }

    /// <summary>Softmax of one row of logits into <paramref name="prob"/>, shifted by the row's maximum so exp never
    /// overflows; returns the log normaliser log Σ exp(z).</summary>
    private static double Softmax<T>(ReadOnlySpan<T> row, Span<double> prob) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var v in row) max = Math.Max(max, double.CreateTruncating(v));
        for (int c = 0; c < row.Length; c++) sum += prob[c] = Math.Exp(double.CreateTruncating(row[c]) - max);
        for (int c = 0; c < row.Length; c++) prob[c] /= sum;
        return max + Math.Log(sum);
    }
}
