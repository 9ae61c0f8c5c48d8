using System.Runtime.Intrinsics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Tests;

/// <summary>
/// The backward kernels flush subnormal gradients to zero (a 2.6× slowdown otherwise, once a gradient decays through
/// the subnormal range on a long sequence). Flushing must change nothing beyond float rounding: the float gradients of
/// a sequence whose gradient underflows still match the same model computed in double.
/// </summary>
public class DenormalTests
{
    [Fact]
    public void FlushZeroesExactlyTheSubnormals()
    {
        float minF = 1.17549435E-38f;
        Assert.Equal(0f, VectorMath.FlushSubnormal(float.Epsilon));
        Assert.Equal(0f, VectorMath.FlushSubnormal(-minF / 2));
        Assert.Equal(0f, VectorMath.FlushSubnormal(BitConverter.Int32BitsToSingle(0x007FFFFF))); // largest subnormal
        Assert.Equal(minF, VectorMath.FlushSubnormal(minF));
        Assert.Equal(-minF, VectorMath.FlushSubnormal(-minF));
        Assert.Equal(1.5f, VectorMath.FlushSubnormal(1.5f));
        Assert.True(float.IsNaN(VectorMath.FlushSubnormal(float.NaN)));
        Assert.Equal(float.NegativeInfinity, VectorMath.FlushSubnormal(float.NegativeInfinity));
        Assert.Equal(0.0, VectorMath.FlushSubnormal(double.Epsilon));
        Assert.Equal(2.2250738585072014E-308, VectorMath.FlushSubnormal(2.2250738585072014E-308));
        Assert.Equal(1e-300, VectorMath.FlushSubnormal(1e-300));
        Assert.True(double.IsNaN(VectorMath.FlushSubnormal(double.NaN)));
    }

    [Fact]
    public void CellBackwardFlushesAlikeAtEveryWidthAndLeavesNoSubnormal()
    {
        const int h = 37; // 2 × 16 + 5: 512-bit, 256-bit and scalar lanes all take part
        var rng = new Rng(4);
        float[] R(int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(lo, hi)).ToArray();
        var gates = R(4 * h, 0.01, 0.99);
        var cPrev = R(h, -1, 1);
        var c = R(h, -1, 1);
        // dh and dc around the smallest normal: some subnormal on entry, some products that would underflow.
        var dh = Enumerable.Range(0, h).Select(i => (float)(1e-36 * Math.Pow(10, -(i % 9)) * (i % 2 == 0 ? 1 : -1))).ToArray();
        var dc = Enumerable.Range(0, h).Select(i => (float)(3e-37 * Math.Pow(10, -(i % 7)))).ToArray();
        var flags = new LstmCellFlags(false, true);
        float[] daS = new float[4 * h], dcS = (float[])dc.Clone();
        for (int j = 0; j < h; j++) LstmKernels.BackwardScalar<float>(gates, cPrev, c, default, flags, dh, dcS, daS, default, default, j, h);
        foreach (var w in Vector512.IsHardwareAccelerated ? new[] { VectorWidth.Vector512, VectorWidth.Vector } : [VectorWidth.Vector])
        {
            float[] daV = new float[4 * h], dcV = (float[])dc.Clone();
            LstmKernels.Backward<float>(gates, cPrev, c, default, flags, dh, dcV, daV, default, default, w);
            Assert.Equal(daS, daV);
            Assert.Equal(dcS, dcV);
        }
        Assert.DoesNotContain(daS.Concat(dcS), v => v != 0 && float.IsSubnormal(v));
        Assert.Contains(daS, v => v != 0); // not everything flushed: the normal part survives
    }

    [Fact]
    public void GradientsThatUnderflowOnALongSequenceStillMatchDouble()
    {
        const int steps = 400, hidden = 16;
        var model = Lstm.Create(1, hidden).WithSeed(3).Build<float>();
        var modelD = model.ConvertTo<double>();
        var rng = new Rng(8);
        var x = Enumerable.Range(0, steps).Select(_ => rng.Uniform(-1, 1)).ToArray();
        var dOut = new double[steps * hidden];
        for (int j = 0; j < hidden; j++) dOut[(steps - 1) * hidden + j] = rng.Uniform(-1, 1); // loss on the last step only
        var zeros = new double[hidden];
        var gD = modelD.Backpropagate(SequenceBatch.FromPadded<double>(x, 1, steps, 1, [steps]), null, dOut, zeros, zeros);
        var gF = model.Backpropagate(SequenceBatch.FromPadded<float>(x.Select(v => (float)v).ToArray(), 1, steps, 1, [steps]), null,
            dOut.Select(v => (float)v).ToArray(), new float[hidden], new float[hidden]);

        // The premise: in double, ∂L/∂c_0 is far below float's smallest normal, so the float pass carried its gradient
        // through the subnormal range, where it was flushed.
        double dc0 = gD.InitialState.Cell.ToArray().Max(Math.Abs);
        Assert.True(dc0 < 1.17549435E-38, $"the test needs a gradient that underflows in float; max |∂L/∂c_0| = {dc0:E2} in double");
        foreach (var name in model.ParameterInfos.Select(p => p.Name))
        {
            var expected = gD.Parameter(name).ToArray();
            double scale = expected.Max(Math.Abs);
            TensorAssert.Close($"grad {name}", expected, gF.Parameter(name), 1e-5, 1e-6 + 1e-5 * scale);
        }
        TensorAssert.Close("grad x", gD.Input.ToArray(), gF.Input, 1e-5, 1e-6 + 1e-5 * gD.Input.ToArray().Max(Math.Abs));
    }
}
