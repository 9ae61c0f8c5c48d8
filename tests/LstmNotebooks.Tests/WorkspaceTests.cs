using System.Numerics;
using LstmNotebooks.Kernels;

namespace LstmNotebooks.Tests;

/// <summary>The compute object: buffers sized once (no allocation per call in steady state), results that do not
/// depend on the thread count (parameter gradients: only up to the order of a sum, and fixed for a count), scratch
/// that is never read before it is written, and inference without per-step history.</summary>
public class WorkspaceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static SequenceBatch<T> Batch<T>(int batch, int steps, int features, long seed, bool variable = true)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        var sequences = Enumerable.Range(0, batch).Select(b =>
        {
            int len = variable ? Math.Max(1, steps - (b * 3) % steps) : steps;
            return Sequence.FromFlat(Enumerable.Range(0, len * features).Select(_ => T.CreateTruncating(rng.Uniform(-1, 1))).ToArray(), len, features);
        }).ToArray();
        return SequenceBatch.FromVariableLength(sequences);
    }

    private static T[] Random<T>(int n, long seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.Uniform(-1, 1))).ToArray();
    }

    public static TheoryData<CellKind, int> CellsAndThreads()
    {
        var data = new TheoryData<CellKind, int>();
        foreach (var cell in Enum.GetValues<CellKind>())
            foreach (int threads in new[] { 1, 2, 3 })
                data.Add(cell, threads);
        return data;
    }

    [Theory, MemberData(nameof(CellsAndThreads))]
    public void RunAndBackpropagateThroughAReusedWorkspaceAllocateNothing(CellKind cell, int threads)
    {
        var model = new ModelSpec(cell, 3, 16).WithLayers(2).WithSeed(1).WithHead(Head.Regression(2).EveryStep()).Build<float>();
        var batch = Batch<float>(9, 20, 3, seed: 2);
        int units = 2, outputs = batch.Batch * batch.Steps * 16, states = units * batch.Batch * 16;
        var dOut = Random<float>(outputs, 3);
        var dh = Random<float>(states, 4);
        var dc = cell == CellKind.Lstm ? Random<float>(states, 5) : [];
        using var workspace = model.CreateWorkspace(threads);
        for (int i = 0; i < 3; i++) { workspace.Run(batch); workspace.Backpropagate(batch, null, dOut, dh, dc); }

        // Steady state: some round of five calls of each kind allocates nothing, on any thread. (Not necessarily the
        // first: the runtime's tiered JIT and ArrayPool's trimming under memory pressure allocate at moments that
        // follow the machine's load; an allocation made by the calls themselves would show in every round.)
        long run = -1, runWorkers = -1, backward = -1, backwardWorkers = -1;
        for (int round = 0; round < 6 && (run | runWorkers | backward | backwardWorkers) != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            runWorkers = 0;
            for (int i = 0; i < 5; i++) { workspace.Run(batch); runWorkers += workspace.WorkerAllocatedBytes; }
            run = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            backwardWorkers = 0;
            for (int i = 0; i < 5; i++) { workspace.Backpropagate(batch, null, dOut, dh, dc); backwardWorkers += workspace.WorkerAllocatedBytes; }
            backward = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(threads, workspace.LastThreadCount);
        Assert.Equal(0, run);
        Assert.Equal(0, backward);
        Assert.Equal(0, runWorkers);
        Assert.Equal(0, backwardWorkers);
    }

    [Fact]
    public void ATrainingStepThroughAReusedSessionAllocatesNothing()
    {
        // Sequences of two lengths, truncation windows, batches of 8: once the session's buffers fit the largest
        // window, an optimizer step (forward, backward, clipping, Adam) allocates 0 bytes on any thread. (A Train call
        // itself allocates its result: the returned model and the epoch's record.)
        var rng = new Rng(6);
        Dataset<float> Data(int steps) => Dataset.Create(Enumerable.Range(0, 16).Select(i =>
            Sample.PerStep(Sequence.FromFlat(Enumerable.Range(0, steps * 2).Select(_ => (float)rng.Uniform(-1, 1)).ToArray(), steps, 2),
                Sequence.FromScalars(Enumerable.Range(0, steps).Select(_ => (float)rng.Uniform(-1, 1))))));
        var shortData = Data(12);
        var longData = Data(40);
        foreach (int threads in new[] { 1, 2 })
        {
            var model = Lstm.Create(2, 12).WithLayers(2).WithSeed(3).WithHead(Head.Regression().EveryStep()).Build<float>();
            using var session = model.StartTraining(Training.Adam(1e-3).WithBatchSize(8).WithThreads(threads).WithTruncation(5).WithGradientClip(1));
            session.Train(longData, epochs: 1);
            session.Train(shortData, epochs: 1);
            // Steady state: some round of 44 steps allocates nothing (see the test above for why not always the first).
            var rounds = new List<long>();
            for (int round = 0; round < 6 && (rounds.Count == 0 || rounds[^1] != 0); round++)
            {
                session.StepAllocatedBytes = 0;
                long before = session.Steps;
                session.Train(shortData, epochs: 2);
                session.Train(longData, epochs: 2);
                Assert.Equal(2 * 2 * 3 + 2 * 2 * 8, session.Steps - before);
                rounds.Add(session.StepAllocatedBytes);
            }
            Assert.True(rounds[^1] == 0, $"{threads} thread(s): every round of 44 steps allocated: {string.Join(", ", rounds)} bytes");
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Gru, false)]
    [InlineData(CellKind.Rnn, false)]
    [InlineData(CellKind.Lstm, true)]
    [InlineData(CellKind.Gru, true)]
    public void ResultsDoNotDependOnTheThreadCountAndScratchIsNeverReadBeforeItIsWritten(CellKind cell, bool everything)
    {
        // Poisoned workspaces fill their scratch with NaN before every call: a single stale read would show.
        var spec = new ModelSpec(cell, 2, 6).WithLayers(2).WithSeed(4).WithHead(Head.Classification(3));
        if (cell == CellKind.Lstm) spec = spec.WithPeepholes();
        if (everything)
        {
            spec = spec.WithBidirectional().WithDropout(0.2).WithRecurrentDropout(0.2).WithLearnedInitialState();
            if (cell == CellKind.Lstm) spec = spec.WithProjection(4);
        }
        var model = spec.Build<double>();
        var batch = Batch<double>(7, 9, 2, seed: 5);
        int units = 2 * spec.Directions;
        var dOut = Random<double>(batch.Batch * batch.Steps * spec.Directions * spec.OutputSize, 6);
        var dh = Random<double>(units * batch.Batch * spec.OutputSize, 7);
        var dc = cell == CellKind.Lstm ? Random<double>(units * batch.Batch * spec.HiddenSize, 8) : [];
        var reference = model.Run(batch);
        var referenceGrad = model.CreateWorkspace(threads: 1).Backpropagate(batch, null, dOut, dh, dc);
        var (expectedOutput, expectedHead, expectedState) = (reference.Output.ToArray(), reference.HeadOutputs.ToArray(), reference.FinalState.Hidden.ToArray());
        var (expectedParams, expectedInput, expectedH0) =
            (referenceGrad.Parameters.ToArray(), referenceGrad.Input.ToArray(), referenceGrad.InitialState.Hidden.ToArray());
        foreach (int threads in new[] { 1, 2, 3, 7 })
        {
            using var workspace = model.CreateWorkspace(threads, poison: true);
            for (int round = 0; round < 2; round++)
            {
                var run = workspace.Run(batch);
                Assert.True(expectedOutput.AsSpan().SequenceEqual(run.Output), $"{threads} threads: outputs differ");
                Assert.True(expectedHead.AsSpan().SequenceEqual(run.HeadOutputs), $"{threads} threads: head outputs differ");
                Assert.True(expectedState.AsSpan().SequenceEqual(run.FinalState.Hidden), $"{threads} threads: h_n differs");
                var g = workspace.Backpropagate(batch, null, dOut, dh, dc);
                Assert.True(expectedInput.AsSpan().SequenceEqual(g.Input), $"{threads} threads: ∂L/∂x differs");
                Assert.True(expectedH0.AsSpan().SequenceEqual(g.InitialState.Hidden), $"{threads} threads: ∂L/∂h0 differs");
                var p = g.Parameters;
                if (threads == 1) Assert.True(expectedParams.AsSpan().SequenceEqual(p), "1 thread: parameter gradients differ");
                for (int i = 0; i < p.Length; i++) Assert.Equal(expectedParams[i], p[i], 1e-13);
            }
        }
        // The training gradient: bit-identical for a given thread count, poisoned or not, and close across counts.
        var data = GradientCheckTests.MakeData(HeadKind.Classification, HeadOutput.LastStep, 3, 2, seed: 9);
        var dropout = DropoutContext.For(spec, seed: 3, epoch: 1, batch: 0);
        var (loss1, grad1) = model.TrainingGradient(data, dropout, threads: 1);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var (loss, grad) = model.TrainingGradient(data, dropout, threads: threads, poison: true);
            var (lossAgain, gradAgain) = model.TrainingGradient(data, dropout, threads: threads);
            Assert.Equal(lossAgain, loss);
            Assert.True(gradAgain.AsSpan().SequenceEqual(grad), $"{threads} threads: training gradient not reproducible");
            Assert.Equal(loss1, loss, 1e-14);
            for (int i = 0; i < grad.Length; i++) Assert.Equal(grad1[i], grad[i], 1e-13);
        }
    }

    [Fact]
    public void InferenceKeepsNoPerStepHistory()
    {
        // The issue's S5 shape (B128 T100 I128 H512): Run used to keep every step's gates and states (262 MB).
        var model = Lstm.Create(128, 512).Build<float>();
        var shard = new Shard<float>(model.Network, poison: false, pinned: false);
        long inference = shard.Layout(128, 100, 0, new PassOptions(PassMode.Inference)).Elements * 4L;
        long history = shard.Layout(128, 100, 0, new PassOptions(PassMode.History, Backward: true)).Elements * 4L;
        long outputs = 128L * 100 * 512 * 4;
        output.WriteLine($"S5 scratch: inference {inference / 1e6:F1} MB (of which the returned outputs {outputs / 1e6:F1} MB), training history {history / 1e6:F1} MB");
        // Inference: the outputs it returns (26 MB), its input and a few steps of pre-activations.
        Assert.True(inference < outputs + 128L * 100 * 128 * 4 + 8_000_000, $"inference plans {inference / 1e6:F1} MB");
        Assert.True(history > 8 * outputs, $"history plans {history / 1e6:F1} MB");
    }

    [Fact]
    public void TheThreadCountFollowsTheSizeOfTheWorkUnlessGiven()
    {
        Assert.Equal(1, ThreadPolicy.Choose(null, rows: 1, flops: 1e12));     // one row cannot be split
        Assert.Equal(1, ThreadPolicy.Choose(null, rows: 64, flops: 1e6));     // too little work
        Assert.Equal(Math.Min(Environment.ProcessorCount, 64), ThreadPolicy.Choose(null, rows: 64, flops: 1e12));
        Assert.Equal(3, ThreadPolicy.Choose(3, rows: 64, flops: 1));          // explicit wins
        Assert.Equal(2, ThreadPolicy.Choose(5, rows: 2, flops: 1e12));        // at most one thread per row
        var s1 = Lstm.Create(1, 32).Build<float>();
        using var w = s1.CreateWorkspace();
        w.Run(Batch<float>(1, 100, 1, seed: 1, variable: false));
        Assert.Equal(1, w.LastThreadCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => s1.CreateWorkspace(0));
    }

    /// <summary>A model's workspace packs the weights once and reuses the packing (a model's parameters never change):
    /// inference, then a backward pass (which needs the extra backward packing), then inference and a trace again give
    /// the bits of fresh workspaces, for every cell, with a projection and with a head.</summary>
    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Lstm, true)]
    [InlineData(CellKind.Gru, false)]
    [InlineData(CellKind.Rnn, false)]
    public void AReusedPackingGivesTheBitsOfAFreshOne(CellKind cell, bool projected)
    {
        var spec = new ModelSpec(cell, 3, 20).WithLayers(2).WithSeed(7).WithHead(Head.Regression(2));
        if (projected) spec = spec.WithProjection(8);
        var model = spec.Build<float>();
        var batch = Batch<float>(5, 9, 3, seed: 8);
        int units = 2, hout = projected ? 8 : 20;
        var dOut = Random<float>(batch.Batch * batch.Steps * hout, 9);
        var dh = Random<float>(units * batch.Batch * hout, 10);
        var dc = cell == CellKind.Lstm ? Random<float>(units * batch.Batch * 20, 11) : [];

        float[] RunOnce(Workspace<float> ws)
        {
            var r = ws.Run(batch);
            return [.. r.Output, .. r.HeadOutputs, .. r.FinalState.Hidden];
        }
        float[] BackOnce(Workspace<float> ws) => ws.Backpropagate(batch, null, dOut, dh, dc).Parameters.ToArray();

        using var reused = model.CreateWorkspace(threads: 1);
        var run1 = RunOnce(reused);
        var grad = BackOnce(reused);
        var run2 = RunOnce(reused);
        var grad2 = BackOnce(reused);
        using (var fresh = model.CreateWorkspace(threads: 1)) Assert.Equal(RunOnce(fresh), run1);
        using (var fresh = model.CreateWorkspace(threads: 1)) Assert.Equal(BackOnce(fresh), grad);
        Assert.Equal(run1, run2);
        Assert.Equal(grad, grad2);
        // A trace through the reused workspace (after its backward packing) against a fresh one.
        var sequence = Sequence.FromFlat(batch.Values.Slice(0, 9 * 3).ToArray(), 9, 3);
        var traced = reused.Trace(model.ParameterArray, sequence, []);
        using (var fresh = model.CreateWorkspace(threads: 1))
            Assert.Equal(fresh.Trace(model.ParameterArray, sequence, []).Layer(1)[TraceChannel.HiddenState, 8, 0], traced.Layer(1)[TraceChannel.HiddenState, 8, 0]);
    }

    [Fact]
    public void AWorkspaceResultCarriesIntoItsNextCall()
    {
        // Feeding a workspace's own final state back as the next initial state (a stream in chunks) is safe.
        var model = Lstm.Create(2, 5).WithLayers(2).WithSeed(3).Build<double>();
        var whole = Batch<double>(3, 12, 2, seed: 4, variable: false);
        var first = SequenceBatch.FromPadded<double>(Slice(whole, 0, 7), 3, 7, 2, [7, 7, 7]);
        var second = SequenceBatch.FromPadded<double>(Slice(whole, 7, 5), 3, 5, 2, [5, 5, 5]);
        using var workspace = model.CreateWorkspace(threads: 2);
        var a = workspace.Run(first);
        var b = workspace.Run(second, a.FinalState);
        var all = model.Run(whole);
        Assert.True(all.FinalState.Hidden.SequenceEqual(b.FinalState.Hidden));
        Assert.True(all.FinalState.Cell.SequenceEqual(b.FinalState.Cell));

        static double[] Slice(SequenceBatch<double> batch, int from, int count)
        {
            var result = new List<double>();
            for (int s = 0; s < batch.Batch; s++)
                result.AddRange(batch.Values.Slice((s * batch.Steps + from) * batch.Features, count * batch.Features).ToArray());
            return result.ToArray();
        }
    }

    private sealed class Parts(int failing) : IPartitionedWork
    {
        public int[] Runs { get; } = new int[8];
        public void RunPart(int index)
        {
            Interlocked.Increment(ref Runs[index]);
            if (index == failing) throw new InvalidOperationException($"part {index} failed");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryPartRunsOnceAndAFailureReachesTheCaller(bool dedicated)
    {
        using var forkJoin = new ForkJoin(dedicated);
        for (int round = 0; round < 50; round++)
        {
            var work = new Parts(failing: -1);
            forkJoin.Run(work, 5);
            Assert.Equal(new[] { 1, 1, 1, 1, 1, 0, 0, 0 }, work.Runs);
        }
        var failing = new Parts(failing: 3);
        Assert.Equal("part 3 failed", Assert.Throws<InvalidOperationException>(() => forkJoin.Run(failing, 6)).Message);
        Assert.Equal(new[] { 1, 1, 1, 1, 1, 1, 0, 0 }, failing.Runs);
        var after = new Parts(failing: -1);
        forkJoin.Run(after, 2);
        Assert.Equal(new[] { 1, 1, 0, 0, 0, 0, 0, 0 }, after.Runs);
    }

    private sealed class Meeting : IPartitionedWork
    {
        private readonly ManualResetEventSlim _partOneStarted = new();
        public int[] Threads { get; } = new int[2];
        public bool Met { get; private set; }

        public void RunPart(int index)
        {
            Threads[index] = Environment.CurrentManagedThreadId;
            if (index == 1) _partOneStarted.Set();
            // Part 0 runs on the caller: it waits (not forever) for part 1 to start elsewhere.
            else Met = _partOneStarted.Wait(TimeSpan.FromSeconds(20));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ASecondPartRunsOnAnotherThreadWhileTheFirstIsBusy(bool dedicated)
    {
        using var forkJoin = new ForkJoin(dedicated);
        for (int round = 0; round < 3; round++)
        {
            var work = new Meeting();
            forkJoin.Run(work, 2);
            Assert.True(work.Met, $"round {round}: part 1 did not start while part 0 was running");
            Assert.NotEqual(work.Threads[0], work.Threads[1]);
        }
    }

    // ---- alignment: every vector the kernels load from a kept workspace lies in one 64-byte line ----------------------

    private static long Address<T>(ReadOnlySpan<T> span) where T : unmanaged
        => System.Runtime.CompilerServices.Unsafe.ByteOffset(ref System.Runtime.CompilerServices.Unsafe.NullRef<T>(),
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span));

    private static long LineOffset<T>(ReadOnlySpan<T> span) where T : unmanaged => Address(span) & 63;

    private static void StorageStartsALine<T>() where T : unmanaged
    {
        foreach (int length in new[] { 1, 2, 3, 15, 16, 17, 100, 4097, 30_000 })
            foreach (bool pinned in new[] { true, false })
            {
                var storage = AlignedArray<T>.Allocate(length, pinned);
                try
                {
                    Assert.Equal(length, storage.Span.Length);
                    Assert.True(LineOffset<T>(storage.Span) == 0,
                        $"{typeof(T).Name}[{length}] {(pinned ? "pinned" : "rented")}: starts {LineOffset<T>(storage.Span)} bytes into a line, expected 0");
                    storage.Span.Fill(default);   // the whole length is usable
                }
                finally { storage.Return(); }
            }
        int line = 64 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        foreach (int n in new[] { 0, 1, line - 1, line, line + 1, 5 * line + 3 })
        {
            int up = AlignedArray<T>.RoundUp(n);
            Assert.True(up >= n && up % line == 0 && up - n < line, $"RoundUp({n}) = {up}, expected the next multiple of {line}");
        }
    }

    [Fact]
    public void AlignedStorageStartsACacheLine()
    {
        StorageStartsALine<float>();
        StorageStartsALine<double>();
        StorageStartsALine<Half>();
    }

    /// <summary>Odd sizes (H = 5: 4H = 20 floats, not a line), two layers, both directions, a projection and a head put
    /// every part of the prepared weights after parts of arbitrary lengths; each must still start a line, as must the
    /// scratch slab of a kept workspace.</summary>
    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Lstm, true)]
    [InlineData(CellKind.Gru, false)]
    public void AKeptWorkspaceKeepsEveryWeightAndItsScratchOnCacheLines(CellKind cell, bool projected)
    {
        var spec = new ModelSpec(cell, 3, 5).WithLayers(2).WithBidirectional().WithSeed(4).WithHead(Head.Classification(3));
        if (projected) spec = spec.WithProjection(3);
        var model = spec.Build<float>();
        var batch = Batch<float>(3, 7, 3, seed: 5);
        using var ws = model.CreateWorkspace(threads: 1);
        var run = ws.Run(batch);
        var dh = Random<float>(run.FinalState.Hidden.Length, 7);
        var dc = cell == CellKind.Lstm ? Random<float>(4 * 3 * 5, 8) : [];
        ws.Backpropagate(batch, null, Random<float>(run.Output.Length, 6), dh, dc);
        var n = model.Network;
        var prepared = ws.PreparedWeights;
        for (int u = 0; u < n.Units.Length; u++)
        {
            var parts = new (string Name, long Offset)[]
            {
                ("W_ih packed", LineOffset(n.Wih(prepared, u, out _))),
                ("W_hh packed", LineOffset(n.Whh(prepared, u, out _))),
                ("W_hh packed for backward", LineOffset(n.WhhBackward(prepared, u, out _))),
                ("b_ih + b_hh", LineOffset(n.InputBias(prepared, u))),
            };
            foreach (var (name, offset) in parts) Assert.True(offset == 0, $"unit {u}: {name} starts {offset} bytes into a cache line, expected 0");
        }
        if (projected) Assert.Equal(0, LineOffset(n.WhrT(prepared, 1)));
        Assert.Equal(0, LineOffset(n.HeadWT(prepared)));
        var shard = new Shard<float>(n, poison: false, pinned: true);
        shard.Plan(3, 7, 0, new PassOptions(PassMode.History, Backward: true));
        Assert.Equal(0, LineOffset(shard.Slab));
        shard.Dispose();
    }

    [Fact]
    public void ASlabThatGrowsALittleEachCallReallocatesSeldom()
    {
        // A notebook loop over ever longer sequences: without headroom every call would allocate a new pinned slab.
        var model = Lstm.Create(3, 8).Build<float>();
        var shard = new Shard<float>(model.Network, poison: false, pinned: true);
        int moves = 0;
        long last = -1;
        for (int steps = 10; steps <= 200; steps++)
        {
            shard.Plan(4, steps, 0, new PassOptions(PassMode.History, Backward: true));
            long at = Address(shard.Slab);
            if (at != last) moves++;
            last = at;
        }
        shard.Dispose();
        Assert.True(moves <= 10, $"the slab was allocated {moves} times over 191 growing calls, expected at most 10");
    }
}
