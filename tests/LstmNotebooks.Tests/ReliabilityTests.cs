using System.Diagnostics;
using System.Security.Cryptography;
using LstmNotebooks.Interop;

namespace LstmNotebooks.Tests;

/// <summary>
/// One test per class of hostile input (issue 11): records made with <c>with</c>/<c>init</c>, undefined enum values,
/// sizes that overflow 32 bits, indices out of range, nulls, interventions outside the run, non-finite values, weights
/// that overflow in training, cancellation inside a batch, concurrent saves and model files with impossible contents.
/// Each case names what it feeds in; a refusal must name the bad value, not fail somewhere downstream.
/// </summary>
public class ReliabilityTests
{
    private static readonly Model<double> Lstm14 = Lstm.Create(1, 4).WithSeed(1).WithHead(Head.Regression()).Build<double>();
    private static readonly Sequence<double> Five = Sequence.FromScalars([0.1, -0.2, 0.3, -0.4, 0.5]);
    private static readonly Dataset<double> Data8 = TestData.Sine<double>(8, 6, 1);
    private static readonly TrainingOptions Adam = Training.Adam(0.01).WithEpochs(2).WithBatchSize(4);

    private static object Train(TrainingOptions options) => Lstm14.Train(Data8, options);

    /// <summary>Asserts that <paramref name="act"/> is refused with <typeparamref name="TException"/> (or a subclass) whose
    /// message names <paramref name="mention"/>, and that it is not a .NET default message.</summary>
    private static TException Refused<TException>(Func<object?> act, string mention) where TException : Exception
    {
        var e = Assert.ThrowsAny<TException>(act);
        Assert.Contains(mention, e.Message);
        foreach (var generic in new[] { "Value cannot be null.", "Index was out", "Specified argument was out", "Arithmetic operation", "Object reference" })
            Assert.False(e.Message.StartsWith(generic, StringComparison.Ordinal), $"generic message: {e.Message}");
        return e;
    }

    // ---- records: validation lives in the type -------------------------------------------------------------------------

    public static TheoryData<string> InvalidRecordCases => [.. InvalidRecords.Keys];

    private static readonly Dictionary<string, (Func<object?> Act, string Mention)> InvalidRecords = new()
    {
        ["spec with { InputSize = 0 }"] = (() => (Lstm.Create(1, 4) with { InputSize = 0 }).Build(), "was 0"),
        ["spec init { Layers = -1 }"] = (() => new ModelSpec(CellKind.Lstm, 1, 4) { Layers = -1 }.Build(), "was -1"),
        ["spec with { ForgetBias = NaN }"] = (() => (Lstm.Create(1, 4) with { ForgetBias = double.NaN }).Build(), "NaN"),
        ["spec with { InputGateBias = +∞ }"] = (() => (Lstm.Create(1, 4) with { InputGateBias = double.PositiveInfinity }).Build(), "finite"),
        ["spec with { Head = None with { Outputs = 5 } }"] = (() => (Lstm.Create(1, 4) with { Head = HeadSpec.None with { Outputs = 5 } }).Build(), "has 5"),
        ["new HeadSpec(Classification, 1)"] = (() => new HeadSpec(HeadKind.Classification, 1), "at least 2 classes"),
        ["Head.Regression(2) with { Outputs = -1 }"] = (() => Head.Regression(2) with { Outputs = -1 }, "was -1"),
        ["options with { GradientClip = -1 } (would step uphill)"] = (() => Train(Adam with { GradientClip = -1 }), "was -1"),
        ["options with { GradientClip = 0 } (would train nothing)"] = (() => Train(Adam with { GradientClip = 0 }), "was 0"),
        ["options with { Beta1 = 1 }"] = (() => Train(Adam with { Beta1 = 1 }), "[0, 1), but was 1"),
        ["options with { Beta2 = -0.1 }"] = (() => Train(Adam with { Beta2 = -0.1 }), "was -0.1"),
        ["options with { Epsilon = 0 }"] = (() => Train(Adam with { Epsilon = 0 }), "was 0"),
        ["options with { Momentum = 1 }"] = (() => Train(Training.Sgd(0.01) with { Momentum = 1 }), "was 1"),
        ["options with { TruncationWindow = 0 }"] = (() => Train(Adam with { TruncationWindow = 0 }), "was 0"),
        ["options with { Threads = 0 }"] = (() => Train(Adam with { Threads = 0 }), "[1, 64], but was 0"),
        ["options with { Threads = 65 }"] = (() => Train(Adam with { Threads = 65 }), "[1, 64], but was 65"),
        ["options with { ValidationFraction = -0.2 }"] = (() => Train(Adam with { ValidationFraction = -0.2 }), "was -0.2"),
        ["options with { DecayEvery = 0 }"] = (() => Train(Adam with { DecayEvery = 0 }), "was 0"),
        ["options with { DecayFactor = 0 } (lr would become 0)"] = (() => Train(Adam.WithLearningRateDecay(1, 0.5) with { DecayFactor = 0 }), "was 0"),
        ["options with { EarlyStoppingPatience = 0 }"] = (() => Train(Adam.WithValidationSplit(0.25) with { EarlyStoppingPatience = 0 }), "was 0"),
        ["Adam options WithMomentum(0.9) (Adam ignores it)"] = (() => Train(Adam.WithMomentum(0.9)), "Adam does not use it"),
        ["Build<Half>() (float and double only)"] = (() => Lstm.Create(1, 4).Build<Half>(), "not Half"),
    };

    [Theory]
    [MemberData(nameof(InvalidRecordCases))]
    public void InvalidSpecsHeadsAndOptionsAreRefusedHoweverTheyWereMade(string name)
    {
        var (act, mention) = InvalidRecords[name];
        var before = Lstm14.Parameters.ToArray();
        var e = Refused<Exception>(act, mention);
        Assert.True(e is ArgumentException or InvalidOperationException or NotSupportedException, $"{e.GetType().Name}: {e.Message}");
        Assert.Equal(before, Lstm14.Parameters.ToArray());
    }

    [Fact]
    public void UndefinedEnumValuesAreRefusedEverywhere()
    {
        Refused<ArgumentOutOfRangeException>(() => new ModelSpec((CellKind)7, 1, 4), "7, which is not a CellKind");
        Refused<ArgumentOutOfRangeException>(() => new HeadSpec((HeadKind)42, 3), "42, which is not a HeadKind");
        Refused<ArgumentOutOfRangeException>(() => Head.Regression() with { Output = (HeadOutput)9 }, "9, which is not a HeadOutput");
        Refused<ArgumentOutOfRangeException>(() => Adam with { Optimizer = (OptimizerKind)9 }, "9, which is not a OptimizerKind");
        Refused<ArgumentOutOfRangeException>(() => Lstm14.Trace(Five, new Intervention((InterventionKind)9, 0, 0, 0, 0, 0)), "9, which is not a InterventionKind");
        Refused<InvalidOperationException>(() => Lstm14.Trace(Five, Intervention.ClampGate((Gate)42, 0, 0)), "no 42 gate");
        Refused<ArgumentOutOfRangeException>(() => GateVocabulary.DefaultChannels((CellKind)9), "9 is not a CellKind");
        Refused<ArgumentOutOfRangeException>(() => GateVocabulary.CellName((CellKind)9), "9 is not a CellKind");
    }

    // ---- sizes ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void SizesAreCheckedIn64BitsBeforeAnythingIsAllocated()
    {
        // 4H × H = 185,364 × 46,341 wraps around to 18,532 in 32 bits: the model used to build with that many weights.
        var e = Refused<ArgumentOutOfRangeException>(() => Lstm.Create(1, 46341).Build(), "185,364 × 46,341 = 8,589,953,124");
        Assert.Contains("weight_hh_l0", e.Message);
        Refused<ArgumentOutOfRangeException>(() => Lstm.Create(1, 100).WithLayers(100_000).Build(), "100,000 layers");
        Refused<ArgumentOutOfRangeException>(() => Lstm.Create(1, 4).WithHead(Head.Regression(int.MaxValue)).Build(), "head.weight");
        Refused<ArgumentException>(() => Sequence.FromFlat<double>([], 65536, 65536), "4,294,967,296 values, but got 0");
        Refused<ArgumentOutOfRangeException>(() => Sequence.OneHot<double>([0], int.MaxValue), "2,147,483,647 values in one array");
        var steps = Sequence.FromFlat<double>(new double[60_000], 60_000, 1);
        Refused<ArgumentOutOfRangeException>(() => SequenceBatch.FromVariableLength(Enumerable.Repeat(steps, 40_000).ToArray()), "2,400,000,000 values");
        Refused<ArgumentException>(() => SequenceBatch.FromPadded<double>([], 65536, 65536, 1, Enumerable.Repeat(1, 65536).ToArray()), "4,294,967,296 values");
        Refused<ArgumentOutOfRangeException>(() => RecurrentState<double>.Zeros(65536, 65536, 1, withCell: false), "4,294,967,296 values");
        // Every step's gate arguments of a 2.1M-step trace: 2.1M × 1024 values, more than one array holds.
        Refused<ArgumentOutOfRangeException>(() => Lstm.Create(1, 256).Build().Trace(Sequence.FromFlat<float>(new float[2_100_000], 2_100_000, 1)),
            "2,100,000 steps");
        // Each thread's scratch array fits, but 32 threads' gates and states over 8 layers × 60,000 steps need ~236 GB:
        // refused before the first step runs. (Inference keeps no gates, so this takes a training pass.)
        var eight = Lstm.Create(1, 512).WithLayers(8).WithHead(Head.Regression()).Build();
        var longRun = Dataset.Create(Enumerable.Repeat(Sample.Create(Sequence.FromFlat<float>(new float[60_000], 60_000, 1), 0f), 32));
        e = Refused<ArgumentOutOfRangeException>(() => eight.Train(longRun, Training.Adam().WithEpochs(1).WithBatchSize(32).WithThreads(32)),
            "GB of memory, but this process can use at most");
        Assert.Contains("60,000 steps", e.Message);
    }

    // ---- indices ----------------------------------------------------------------------------------------------------------

    [Fact]
    public void IndicesOutOfRangeAreRefusedInsteadOfReadingAnotherElement()
    {
        var trace = Lstm14.Trace(Five);
        var layer = trace[0];
        // Unit 4 of 4 at step 2 used to read unit 0 of step 3.
        Refused<ArgumentOutOfRangeException>(() => layer[TraceChannel.CellState, 2, 4], "Unit 4 does not exist; expected 0..3");
        Refused<ArgumentOutOfRangeException>(() => layer[TraceChannel.CellState, 5, 0], "Step 5 does not exist; expected 0..4");
        Refused<ArgumentOutOfRangeException>(() => layer[TraceChannel.HiddenState, -1, 0], "Step -1");
        Refused<ArgumentOutOfRangeException>(() => layer.Series(TraceChannel.ForgetGate, 4), "Unit 4");
        Refused<ArgumentOutOfRangeException>(() => layer.Series(TraceChannel.ForgetGate, -1), "Unit -1");
        Refused<ArgumentOutOfRangeException>(() => trace[1], "Layer 1 does not exist; expected 0..0");
        var flow = Lstm14.GradientFlow(Data8[0]);
        Refused<ArgumentOutOfRangeException>(() => flow.HiddenNorms(1), "Layer 1");
        Refused<ArgumentOutOfRangeException>(() => flow.CellNorms(-1), "Layer -1");
        var two = Lstm.Create(1, 4).WithLayers(2).Build<double>().Run(SequenceBatch.Create([Five]));
        Refused<ArgumentOutOfRangeException>(() => two.LastOutputs(1), "Sample 1 does not exist; expected 0..0");
        // Sample 1 of a batch of 1 used to read layer 1's sample 0.
        Refused<ArgumentOutOfRangeException>(() => two.FinalState.HiddenOf(0, 1).ToArray(), "Sample 1");
        Refused<ArgumentOutOfRangeException>(() => two.FinalState.CellOf(2, 0).ToArray(), "Layer 2 does not exist; expected 0..1");
        Refused<ArgumentOutOfRangeException>(() => Data8[8], "Sample 8 does not exist; expected 0..7");
        Refused<ArgumentException>(() => Data8.Slice(1, int.MaxValue), "count 2147483647");
        // In range still reads the right element.
        Assert.Equal(layer.Values(TraceChannel.CellState)[2 * 4 + 3], layer[TraceChannel.CellState, 2, 3]);
    }

    // ---- nulls ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void NullArgumentsAndNullElementsAreRefusedWithAMessage()
    {
        Refused<ArgumentNullException>(() => Lstm14.Trace(Five, null!), "interventions array is null");
        Refused<ArgumentNullException>(() => Lstm14.Trace(Five, Intervention.SetHiddenState(0, 0, 0), null!), "Intervention 1 is null");
        Refused<ArgumentNullException>(() => Lstm14.Predict(new Sequence<double>[] { null! }), "Sequence 0 is null");
        Refused<ArgumentNullException>(() => SequenceBatch.Create(new[] { Five, null! }), "Sequence 1 is null");
        Refused<ArgumentNullException>(() => Dataset.Create(new Sample<double>[] { null! }), "Sample 0 is null");
        Refused<ArgumentNullException>(() => Dataset.FromArrays<double>([[[1.0]]], [null!]), "target of sample 0 is null");
        Refused<ArgumentNullException>(() => Sample.Create(Five, (double[])null!), "target is null");
        Refused<ArgumentNullException>(() => Sample.Create(Five, 1.0) with { Input = null! }, "input sequence is null");
        Refused<ArgumentNullException>(() => Sample.PerStep(null!, Five), "input sequence is null");
        Refused<ArgumentNullException>(() => Sample.ClassPerStep<double>(Five, null!), "class labels is null");
        Refused<ArgumentNullException>(() => Sequence.Create<double>([[1.0], null!]), "Time step 1 is null");
        Refused<ArgumentNullException>(() => Lstm14.WithParameter("bias_ih_l0", null!), "'bias_ih_l0' is null");
        Refused<ArgumentNullException>(() => Lstm14.Parameter(null!), "parameter name is null");
        Refused<ArgumentNullException>(() => Lstm.Create(1, 4) with { Head = null! }, "head is null");
        Refused<ArgumentNullException>(() => new TrainingHistory(null!, StopReason.Completed, 0), "epochs is null");
        Assert.Throws<ArgumentNullException>(() => Sequence.Convert<double, float>(null!));
    }

    // ---- interventions ---------------------------------------------------------------------------------------------------

    [Fact]
    public void InterventionsOutsideTheRunOrTheGatesRangeAreRefused()
    {
        Refused<ArgumentOutOfRangeException>(() => Lstm14.Trace(Five, Intervention.SetCellState(0, 5, 1)), "step 5 does not exist: the sequence has steps 0..4");
        Refused<ArgumentOutOfRangeException>(() => Lstm14.Trace(Five, Intervention.ClampGate(Gate.Forget, 4, 0)), "unit 4 does not exist");
        Refused<ArgumentOutOfRangeException>(() => Lstm14.Trace(Five, Intervention.SetHiddenState(0, 0, 0, layer: 1)), "layer 1 does not exist");
        Refused<ArgumentException>(() => Lstm14.Trace(Five, Intervention.ClampGate(Gate.Forget, 0, 0, fromStep: -1)), "[-1,");
        Refused<ArgumentOutOfRangeException>(() => Lstm14.Trace(Five, Intervention.ClampGate(Gate.Forget, 0, 1.5)), "[0, 1], but the clamp value was 1.5");
        Refused<ArgumentOutOfRangeException>(() => Lstm14.Trace(Five, Intervention.ClampGate(Gate.InputModulation, 0, -2)), "[-1, 1]");
        // "To the end" still works past the last step, and the tanh candidate may be clamped to a negative value.
        Assert.Equal(5, Lstm14.Trace(Five, Intervention.ClampGate(Gate.InputModulation, 0, -0.5, fromStep: 3, toStep: 99)).Steps);
    }

    // ---- non-finite values -----------------------------------------------------------------------------------------------

    [Fact]
    public void ValuesThatBecomeNonFiniteInAnotherPrecisionAreRefused()
    {
        var huge = Lstm14.WithParameter("bias_ih_l0", Enumerable.Range(0, 16).Select(i => i == 5 ? 1e300 : 0.0).ToArray());
        var e = Refused<OverflowException>(() => huge.ConvertTo<float>(), "bias_ih_l0[5]");
        Assert.Contains("Single cannot hold", e.Message);
        Refused<OverflowException>(() => Sequence.Convert<double, float>(Sequence.FromScalars([1.0, -1e300])), "step 1, feature 0");
        Refused<NotSupportedException>(() => Lstm14.ConvertTo<Half>(), "not Half");
        Assert.Equal(Lstm14.Parameters.ToArray().Select(v => (float)v), Lstm14.ConvertTo<float>().Parameters.ToArray());
    }

    // ---- training ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void AStepThatOverflowsAWeightRaisesDivergenceAndKeepsTheWeightsFinite()
    {
        var model = Lstm.Create(1, 4).WithSeed(1).WithHead(Head.Regression()).Build();
        var data = TestData.Sine<float>(8, 6, 1);
        var before = model.Parameters.ToArray();
        foreach (var options in new[] { Training.Sgd(1e300).WithEpochs(2).WithBatchSize(4), Training.Adam(1e39).WithEpochs(2).WithBatchSize(4) })
        {
            var session = model.StartTraining(options);
            var e = Assert.Throws<TrainingDivergedException>(() => session.Train(data));
            Assert.Contains("The starting model is unchanged", e.Message);
            Assert.Matches(@"the update of \w+(\.\w+)?\[\d+\] became", e.Message);
            Assert.Equal(before, model.Parameters.ToArray());
            Assert.All(session.Model.Parameters.ToArray(), v => Assert.True(float.IsFinite(v)));
            Assert.Contains("cannot train further", Assert.Throws<InvalidOperationException>(() => session.Train(data)).Message);
            Assert.Throws<TrainingDivergedException>(() => model.Train(data, options));
        }
    }

    [Fact]
    public void EpochCountsUpToIntMaxValueTrainUntilEarlyStopping()
    {
        // "Train until early stopping" with int.MaxValue epochs used to overflow the loop bound and train nothing.
        var options = Training.Adam(0.05).WithValidationSplit(0.25).WithEarlyStopping(1).WithShuffle(false) with { Epochs = int.MaxValue };
        var fit = Lstm14.Train(Data8, options);
        Assert.Equal(StopReason.EarlyStopped, fit.History.StopReason);
        Assert.InRange(fit.History.Epochs.Count, 2, 1000);
        var session = Lstm14.StartTraining(options);
        session.Train(Data8, epochs: 1);
        Assert.Equal(StopReason.EarlyStopped, session.Train(Data8, epochs: int.MaxValue).History.StopReason);
    }

    [Fact]
    public void CancellationIsHonouredInsideALongBatch()
    {
        // Inside the time loop: a workspace whose token is cancelled stops the pass at its first step.
        var small = Lstm.Create(1, 4).WithHead(Head.Regression()).Build();
        var sine = TestData.Sine<float>(2, 6, 1);
        using var workspace = small.CreateWorkspace(threads: 1);
        Assert.ThrowsAny<OperationCanceledException>(() => workspace.TrainWindow(small.ParameterArray, sine.Samples, [0, 1], 0, 2, 0, 6, firstWindow: true,
            new float[small.ParameterCount], default, cancellation: new CancellationToken(canceled: true)));

        // Through Train: one batch of 8 × 4,000 steps at H = 256 is ~50 GFLOP (seconds even on an idle machine). The only
        // check before this change came before the batch, when the token was not yet cancelled, so it ran to the end.
        var model = Lstm.Create(1, 256).WithHead(Head.Regression()).Build();
        var samples = Enumerable.Range(0, 8).Select(i => Sample.Create(
            Sequence.FromFlat<float>(Enumerable.Range(0, 4000).Select(t => MathF.Sin(0.01f * t + i)).ToArray(), 4000, 1), 0.5f));
        var data = Dataset.Create(samples);
        var before = model.Parameters.ToArray();
        // Several epochs: the per-step check is shown above; here Train must surface exactly the caller's
        // cancellation and leave the model untouched, even when a loaded machine fires the 100 ms timer late.
        foreach (var options in new[] { Training.Adam().WithEpochs(20).WithBatchSize(8), Training.Adam().WithEpochs(20).WithBatchSize(8).WithThreads(2).WithTruncation(2000) })
        {
            using var cts = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            cts.CancelAfter(TimeSpan.FromMilliseconds(100));
            // Exactly OperationCanceledException (not an AggregateException from the threaded shards).
            var e = Assert.ThrowsAny<OperationCanceledException>(() => model.Train(data, options, cancellationToken: cts.Token));
            Assert.Equal(cts.Token, e.CancellationToken);
        }
        Assert.Equal(before, model.Parameters.ToArray());
    }

    // ---- files ------------------------------------------------------------------------------------------------------------

    private static byte[] Saved(Model<double> model)
    {
        using var ms = new MemoryStream();
        model.Save(ms);
        return ms.ToArray();
    }

    /// <summary>The file with its checksum recomputed, as a deliberate (not an accidental) change would leave it.</summary>
    private static MemoryStream Rehashed(byte[] bytes)
    {
        var body = bytes[..^32];
        return new MemoryStream([.. body, .. SHA256.HashData(body)]);
    }

    [Fact]
    public void ModelFilesWithNonFiniteOrImpossibleContentsAreRefused()
    {
        // Header: magic 8, version 2, element size 1, cell 1, input/hidden/layers 3 × 4, has-forget-bias 1, forget bias 8.
        var bytes = Saved(Lstm.Create(1, 4).WithForgetBias(1).Build<double>());
        BitConverter.GetBytes(double.NaN).CopyTo(bytes, 25);
        var e = Refused<InvalidDataException>(() => Model.Load<double>(Rehashed(bytes)), "forget bias must be finite, but was NaN");
        Assert.Contains("invalid spec", e.Message);

        bytes = Saved(Lstm14);
        BitConverter.GetBytes(double.PositiveInfinity).CopyTo(bytes, bytes.Length - 32 - 8);
        Refused<InvalidDataException>(() => Model.Load<double>(Rehashed(bytes)), "non-finite weight");

        bytes = Saved(Lstm14);
        BitConverter.GetBytes(46341).CopyTo(bytes, 16);
        Refused<InvalidDataException>(() => Model.Load<double>(Rehashed(bytes)), "hidden 46,341");
    }

    [Fact]
    public void SavingIsAtomicWhenTwoThreadsSaveTheSamePathAtOnce()
    {
        // Both file formats write through one atomic writer; each is raced by two savers and a reader.
        var formats = new (string File, Action<Model<double>, string> Save, Func<string, Model<double>> Load)[]
        {
            ("model.lnb", (m, p) => m.Save(p), Model.Load<double>),
            ("model.safetensors", (m, p) => m.SaveSafetensors(p), Safetensors.Load<double>),
        };
        var a = Lstm14;
        var b = Lstm14.WithParameter("bias_ih_l0", Enumerable.Repeat(0.25, 16).ToArray());
        foreach (var (file, save, load) in formats)
        {
            string folder = Directory.CreateTempSubdirectory("lstmnb-save-").FullName;
            try
            {
                string path = Path.Combine(folder, file);
                save(a, path);
                for (int round = 0; round < 20; round++)
                {
                    var errors = new Exception?[3];
                    using var start = new Barrier(3);
                    var threads = new[]
                    {
                        new Thread(() => { start.SignalAndWait(); try { save(a, path); } catch (Exception e) { errors[0] = e; } }),
                        new Thread(() => { start.SignalAndWait(); try { save(b, path); } catch (Exception e) { errors[1] = e; } }),
                        new Thread(() => { start.SignalAndWait(); try { for (int i = 0; i < 5; i++) load(path); } catch (Exception e) { errors[2] = e; } }),
                    };
                    foreach (var t in threads) t.Start();
                    foreach (var t in threads) t.Join();
                    Assert.All(errors, e => Assert.Null(e));
                    var loaded = load(path).Parameters.ToArray();
                    Assert.True(loaded.SequenceEqual(a.Parameters.ToArray()) || loaded.SequenceEqual(b.Parameters.ToArray()), $"{file} holds one of the two models");
                }
                Assert.Equal([file], Directory.GetFiles(folder).Select(Path.GetFileName));
                Refused<DirectoryNotFoundException>(() => { save(a, Path.Combine(folder, "missing", file)); return null; }, "folder");
                Refused<ArgumentException>(() => { save(a, folder); return null; }, "is a folder");
            }
            finally { Directory.Delete(folder, recursive: true); }
        }
    }
}
