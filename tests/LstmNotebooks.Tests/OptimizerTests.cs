using System.Numerics;

namespace LstmNotebooks.Tests;

/// <summary>Adam's vector update against its scalar specification, bit for bit, at every length around the vector
/// (whole blocks, the tail, both), over several steps (the moments carry over), and the index of the first update that
/// overflows wherever it lies.</summary>
public class OptimizerTests
{
    [Fact]
    public void AdamVectorStepMatchesTheScalarSpecificationAtEveryLength()
    {
        for (int n = 0; n <= 4 * Vector<float>.Count + 3; n++)
        {
            var rng = new Rng(n + 1);
            var p = Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
            using var vector = new AdamOptimizer<float>(n, 0.9, 0.999, 1e-8);
            using var scalar = new AdamOptimizer<float>(n, 0.9, 0.999, 1e-8);
            float[] pv = (float[])p.Clone(), ps = (float[])p.Clone(), nv = new float[n], ns = new float[n];
            for (int step = 1; step <= 4; step++)
            {
                // Gradients of every magnitude Adam meets, subnormal and zero among them.
                var g = Enumerable.Range(0, n).Select(i => (i % 5) switch
                {
                    0 => 0f, 1 => 1e-40f, 2 => (float)rng.Uniform(-1e3, 1e3), _ => (float)rng.Uniform(-1, 1),
                }).ToArray();
                Assert.Equal(-1, vector.Step(pv, g, 1e-2, nv));
                Assert.Equal(-1, scalar.StepScalar(ps, g, 1e-2, ns));
                for (int i = 0; i < n; i++)
                    if (BitConverter.SingleToInt32Bits(nv[i]) != BitConverter.SingleToInt32Bits(ns[i]))
                        Assert.Fail($"n = {n}, step {step}: parameter {i} is {nv[i]:R} in vectors, {ns[i]:R} by the specification.");
                for (int i = 0; i < n; i++)
                {
                    if (BitConverter.DoubleToInt64Bits(vector.FirstMoment[i]) != BitConverter.DoubleToInt64Bits(scalar.FirstMoment[i]))
                        Assert.Fail($"n = {n}, step {step}: m[{i}] is {vector.FirstMoment[i]:R} in vectors, {scalar.FirstMoment[i]:R} by the specification.");
                    if (BitConverter.DoubleToInt64Bits(vector.SecondMoment[i]) != BitConverter.DoubleToInt64Bits(scalar.SecondMoment[i]))
                        Assert.Fail($"n = {n}, step {step}: v[{i}] is {vector.SecondMoment[i]:R} in vectors, {scalar.SecondMoment[i]:R} by the specification.");
                }
                nv.CopyTo(pv, 0);
                ns.CopyTo(ps, 0);
            }
        }
    }

    [Fact]
    public void AdamReportsTheFirstUpdateThatOverflowsWhereverItLies()
    {
        for (int n = 1; n <= 4 * Vector<float>.Count + 3; n++)
            for (int at = 0; at < n; at++)
            {
                // Only element `at` (and, later, at + 3) has a gradient; an update of lr = 1e39 is beyond float.
                var g = new float[n];
                g[at] = 1;
                if (at + 3 < n) g[at + 3] = -1;
                using var adam = new AdamOptimizer<float>(n, 0.9, 0.999, 1e-8);
                var next = new float[n];
                Assert.Equal(at, adam.Step(new float[n], g, 1e39, next));
            }
    }
}
