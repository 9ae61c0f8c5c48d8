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

    [Fact]
    public void AStepSharedInPartsHasTheBitsOfOneStep()
    {
        using var forkJoin = new ForkJoin(dedicated: true);
        foreach (int n in new[] { 1, 63, 64, 1000, 4 * Vector<float>.Count + 3 })
            foreach (int parts in new[] { 2, 3 })
                foreach (var kind in new[] { OptimizerKind.Adam, OptimizerKind.Sgd })
                {
                    var options = (kind == OptimizerKind.Adam ? Training.Adam(1e-2) : Training.Sgd(1e-2, momentum: 0.9));
                    using var whole = Optimizer<float>.Create(options, n);
                    using var shared = Optimizer<float>.Create(options, n);
                    var job = new OptimizerStepJob<float>();
                    var rng = new Rng(n + parts);
                    float[] p1 = Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(-1, 1)).ToArray(), p2 = (float[])p1.Clone();
                    float[] n1 = new float[n], n2 = new float[n];
                    for (int step = 1; step <= 3; step++)
                    {
                        var g = Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(-3, 3)).ToArray();
                        Assert.Equal(-1, whole.Step(p1, g, 1e-2, n1));
                        forkJoin.Run(job.Set(shared, p2, g, n, 1e-2, n2, parts), parts);
                        Assert.Equal(-1, job.FirstBad);
                        for (int i = 0; i < n; i++)
                            if (BitConverter.SingleToInt32Bits(n1[i]) != BitConverter.SingleToInt32Bits(n2[i]))
                                Assert.Fail($"{kind}, n = {n}, {parts} parts, step {step}: parameter {i} is {n2[i]:R}, one step gives {n1[i]:R}.");
                        n1.CopyTo(p1, 0);
                        n2.CopyTo(p2, 0);
                    }
                }
    }

    [Fact]
    public void AStepSharedInPartsReportsTheFirstOverflowOfAnyPart()
    {
        using var forkJoin = new ForkJoin(dedicated: true);
        const int n = 1000;
        foreach (int at in new[] { 0, 499, 500, 999 })
        {
            var g = new float[n];
            g[at] = 1;
            if (at + 300 < n) g[at + 300] = 1;   // a later overflow, in the same part or the next
            using var adam = new AdamOptimizer<float>(n, 0.9, 0.999, 1e-8);
            var job = new OptimizerStepJob<float>();
            forkJoin.Run(job.Set(adam, new float[n], g, n, 1e39, new float[n], 2), 2);
            Assert.Equal(at, job.FirstBad);
        }
    }
}
