using System.Numerics;
using LstmNotebooks.Tests;
using Xunit.Abstractions;

namespace LstmNotebooks.Interop.Tests;

/// <summary>Exported ONNX files run in ONNX Runtime (CPU) give the kit's outputs, final states and head outputs.</summary>
public class OnnxRuntimeTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<CellKind, int, bool, bool> Stacks()
    {
        var data = new TheoryData<CellKind, int, bool, bool>();
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
            foreach (int layers in new[] { 1, 2 })
                foreach (bool bidirectional in new[] { false, true })
                    foreach (bool lens in new[] { false, true })
                        data.Add(cell, layers, bidirectional, lens);
        return data;
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void RecurrentStackMatchesTheKit(CellKind cell, int layers, bool bidirectional, bool variableLengths)
    {
        var model = new ModelSpec(cell, inputSize: 3, hiddenSize: 5).WithLayers(layers).WithBidirectional(bidirectional).WithSeed(11).Build();
        var diffs = Compare(model, OnnxExportOptions.Default.WithSequenceLengths(variableLengths), variableLengths);
        Report($"{cell} L={layers} {(bidirectional ? "bidirectional" : "forward")} {(variableLengths ? "sequence_lens" : "full length")}", diffs);
    }

    public static TheoryData<string> Heads => new()
    {
        "regression last", "regression every", "classification last", "classification every", "binary last", "binary every",
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void HeadsMatchTheKit(string head)
    {
        var parts = head.Split(' ');
        HeadSpec spec = parts[0] switch
        {
            "regression" => Head.Regression(2),
            "classification" => Head.Classification(4),
            _ => Head.Binary(3),
        };
        if (parts[1] == "every") spec = spec.EveryStep();
        var model = Lstm.Create(inputSize: 2, hiddenSize: 6).WithLayers(2).WithHead(spec).WithSeed(5).Build();
        foreach (bool lens in new[] { false, true })
        {
            var diffs = Compare(model, OnnxExportOptions.Default.WithSequenceLengths(lens), lens);
            Report($"LSTM 2×6, {head} head, {(lens ? "sequence_lens" : "full length")}", diffs);
        }
    }

    [Fact]
    public void PeepholesFollowTheOnnxConvention()
    {
        // ONNX: i, f see P ⊙ C_{t-1}, o sees P ⊙ C_t, as the kit's cell (Gers & Schmidhuber 2000). Random peepholes,
        // since a fresh model's are zero and would prove nothing.
        var model = Lstm.Create(inputSize: 2, hiddenSize: 4).WithPeepholes().WithLayers(2).WithSeed(3).Build();
        var rng = new Random(17);
        model = model.WithParameters(Enumerable.Range(0, 2).ToDictionary(
            l => $"weight_peephole_l{l}", _ => Enumerable.Range(0, 12).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray()));
        Report("LSTM peepholes L=2 sequence_lens", Compare(model, OnnxExportOptions.Default.WithSequenceLengths(), variableLengths: true));
    }

    public static TheoryData<CellKind, bool> CellsAndDirections()
    {
        var data = new TheoryData<CellKind, bool>();
        foreach (bool bidirectional in new[] { false, true })
            foreach (var cell in Enum.GetValues<CellKind>())
                data.Add(cell, bidirectional);
        return data;
    }

    [Theory]
    [MemberData(nameof(CellsAndDirections))]
    public void InitialStateAndTimeMajorLayout(CellKind cell, bool bidirectional)
    {
        var model = new ModelSpec(cell, inputSize: 2, hiddenSize: 4).WithLayers(2).WithBidirectional(bidirectional)
            .WithHead(Head.Regression(1).EveryStep()).WithSeed(8).Build();
        var options = OnnxExportOptions.Default.TimeMajor().WithInitialState().WithSequenceLengths();
        Report($"{cell} L=2 {(bidirectional ? "bidirectional" : "forward")} time-major, h0/c0, sequence_lens",
            Compare(model, options, variableLengths: true, initialState: true));
    }

    public static TheoryData<string, bool> BidirectionalHeads()
    {
        var data = new TheoryData<string, bool>();
        foreach (var head in new[] { "classification last", "regression every", "binary every" })
            foreach (bool lens in new[] { false, true })
                data.Add(head, lens);
        return data;
    }

    [Theory]
    [MemberData(nameof(BidirectionalHeads))]
    public void ABidirectionalHeadReadsBothDirections(string head, bool variableLengths)
    {
        // Last step: the head reads [forward h_n, reverse h_n] (the reverse pass ends at step 0); every step: [→h_t, ←h_t].
        var parts = head.Split(' ');
        HeadSpec spec = parts[0] switch { "regression" => Head.Regression(2), "classification" => Head.Classification(3), _ => Head.Binary(2) };
        if (parts[1] == "every") spec = spec.EveryStep();
        var model = Lstm.Create(inputSize: 2, hiddenSize: 4).WithLayers(2).WithBidirectional().WithHead(spec).WithSeed(21).Build();
        Report($"LSTM 2×4 bidirectional, {head} head, {(variableLengths ? "sequence_lens" : "full length")}",
            Compare(model, OnnxExportOptions.Default.WithSequenceLengths(variableLengths), variableLengths));
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void TheReversePassStartsAtEachSequencesOwnLastStep(CellKind cell)
    {
        // Independent of the kit's batching: each padded sequence's ORT outputs equal the kit's run of that sequence
        // alone (as pack_padded_sequence gives), so ORT's reverse pass did not start in the padding.
        var model = new ModelSpec(cell, inputSize: 2, hiddenSize: 3).WithLayers(2).WithBidirectional().WithSeed(4).Build();
        int[] lengths = [6, 2, 4];
        const int steps = 6, features = 2;
        var rng = new Random(99);
        var x = new float[lengths.Length * steps * features];
        for (int b = 0; b < lengths.Length; b++)
            for (int i = 0; i < lengths[b] * features; i++) x[b * steps * features + i] = (float)(rng.NextDouble() * 2 - 1);
        var ort = Ort.Run(model.ToOnnx(OnnxExportOptions.Default.WithSequenceLengths()),
            new Ort.Inputs<float>().Add(Onnx.InputName, x, lengths.Length, steps, features).AddInt32(Onnx.SequenceLengthsName, lengths, lengths.Length));
        int width = 2 * model.Spec.HiddenSize;
        double worst = 0;
        for (int b = 0; b < lengths.Length; b++)
        {
            var alone = model.Run(SequenceBatch.FromPadded<float>(x.AsSpan(b * steps * features, lengths[b] * features).ToArray(), 1, lengths[b], features, [lengths[b]]));
            var rows = ort[Onnx.OutputName].Values.AsSpan(b * steps * width, lengths[b] * width).ToArray();
            worst = Math.Max(worst, TensorAssert.Close<double>($"output[{b}] (length {lengths[b]})", ToDoubles(alone.Output), rows, rel: 0, abs: Tolerance));
            Assert.All(ort[Onnx.OutputName].Values.AsSpan((b * steps + lengths[b]) * width, (steps - lengths[b]) * width).ToArray(), v => Assert.Equal(0, v));
        }
        Report($"{cell} L=2 bidirectional, each sequence alone vs padded in ORT", new() { [Onnx.OutputName] = worst });
    }

    [Theory]
    [MemberData(nameof(CellsAndDirections))]
    public void ALearnedInitialStateIsCarriedAsConstants(CellKind cell, bool bidirectional)
    {
        // Random learned state, since a fresh model's is zero and would prove nothing.
        var model = new ModelSpec(cell, inputSize: 2, hiddenSize: 4).WithLayers(2).WithBidirectional(bidirectional)
            .WithLearnedInitialState().WithHead(Head.Regression(1)).WithSeed(6).Build();
        var rng = new Random(5);
        model = model.WithParameters(model.ParameterInfos.Where(i => i.Name is "h0" or "c0")
            .ToDictionary(i => i.Name, i => Enumerable.Range(0, i.Length).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray()));
        string what = $"{cell} L=2 {(bidirectional ? "bidirectional" : "forward")} learned h0/c0";
        Report(what + ", sequence_lens", Compare(model, OnnxExportOptions.Default.WithSequenceLengths(), variableLengths: true));
        Report(what + ", time-major full length", Compare(model, OnnxExportOptions.Default.TimeMajor(), variableLengths: false));
        // A run given a state uses it instead of the learned one, in the kit and in the file.
        Report(what + " overridden by the h0/c0 inputs", Compare(model, OnnxExportOptions.Default.WithInitialState().WithSequenceLengths(),
            variableLengths: true, initialState: true));
        var file = OnnxFile.Parse(model.ToOnnx());
        Assert.Contains(file.Initializers, i => i.Name == "h0_l1" && i.Dims.SequenceEqual(new long[] { model.Spec.Directions, 1, 4 }));
        Assert.Equal(cell == CellKind.Lstm, file.Initializers.Any(i => i.Name == "c0_l0"));
        Assert.DoesNotContain(file.Inputs, i => i.Name is "h0" or "c0");
    }

    [Fact]
    public void DropoutIsOffInTheServedGraphAsInTheKitsRun()
    {
        var spec = Lstm.Create(inputSize: 3, hiddenSize: 5).WithLayers(2).WithBidirectional().WithDropout(0.5).WithRecurrentDropout(0.3)
            .WithHead(Head.Classification(3)).WithSeed(13);
        var model = spec.Build();
        var file = OnnxFile.Parse(model.ToOnnx());
        Assert.DoesNotContain(file.Nodes, n => n.OpType == "Dropout");
        // Same weights without dropout: the same graph, bit for bit (dropout is a training-time setting only).
        var plain = (spec with { Dropout = 0, RecurrentDropout = 0 }).Build();
        Assert.Equal(plain.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.Equal(OnnxFile.Parse(plain.ToOnnx()).Initializers.Select(i => i.Name), file.Initializers.Select(i => i.Name));
        Report("LSTM 2×5 bidirectional, dropout 0.5 + recurrent 0.3 (inference: off), sequence_lens",
            Compare(model, OnnxExportOptions.Default.WithSequenceLengths(), variableLengths: true));
    }

    [Fact]
    public void ADoubleModelConvertedToFloatServesInOnnxRuntime()
    {
        // ONNX Runtime's CPU kernels for LSTM/GRU/RNN take float only, so a double model is served as ConvertTo<float>().
        var model = Lstm.Create(inputSize: 3, hiddenSize: 4).WithLayers(2).WithHead(Head.Classification(3)).WithSeed(2).Build<double>();
        Report("LSTM<double>.ConvertTo<float>() L=2 classification",
            Compare(model.ConvertTo<float>(), OnnxExportOptions.Default.WithSequenceLengths(), variableLengths: true));
    }

    // ---- the comparison ---------------------------------------------------------------------------------------------

    private static Dictionary<string, double> Compare<T>(Model<T> model, OnnxExportOptions options, bool variableLengths, bool initialState = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var spec = model.Spec;
        const int batch = 3, steps = 7;
        // State rows are layer-major then direction (L·D, B, H), as PyTorch's h_n; the output row is D·H wide.
        int features = spec.InputSize, hidden = spec.HiddenSize, layers = spec.Layers * spec.Directions;
        int[] lengths = variableLengths ? [7, 3, 5] : [steps, steps, steps];
        var rng = new Random(1234);
        var x = new T[batch * steps * features];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < lengths[b] * features; i++) x[b * steps * features + i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        var batchData = SequenceBatch.FromPadded<T>(x, batch, steps, features, lengths);
        bool lstm = spec.Cell == CellKind.Lstm;
        RecurrentState<T>? state = null;
        T[] h0 = [], c0 = [];
        if (initialState)
        {
            h0 = Enumerable.Range(0, layers * batch * hidden).Select(_ => T.CreateTruncating(rng.NextDouble() - 0.5)).ToArray();
            c0 = lstm ? Enumerable.Range(0, layers * batch * hidden).Select(_ => T.CreateTruncating(rng.NextDouble() - 0.5)).ToArray() : [];
            state = RecurrentState<T>.Create(h0, c0, layers, batch, hidden, lstm);
        }
        var run = model.Run(batchData, state);

        var inputs = new Ort.Inputs<T>();
        if (options.BatchFirst) inputs.Add(Onnx.InputName, x, batch, steps, features);
        else inputs.Add(Onnx.InputName, TimeMajor(x, batch, steps, features), steps, batch, features);
        if (options.SequenceLengths) inputs.AddInt32(Onnx.SequenceLengthsName, lengths, batch);
        if (options.InitialState)
        {
            inputs.Add(Onnx.InitialHiddenName, h0, layers, batch, hidden);
            if (lstm) inputs.Add(Onnx.InitialCellName, c0, layers, batch, hidden);
        }
        var ort = Ort.Run(model.ToOnnx(options), inputs);

        var diffs = new Dictionary<string, double>();
        var output = ToDoubles(run.Output);
        if (!options.BatchFirst) output = TimeMajor(output, batch, steps, spec.Directions * hidden);
        diffs[Onnx.OutputName] = Check(Onnx.OutputName, output, ort[Onnx.OutputName]);
        diffs[Onnx.FinalHiddenName] = Check(Onnx.FinalHiddenName, ToDoubles(run.FinalState.Hidden), ort[Onnx.FinalHiddenName]);
        if (lstm) diffs[Onnx.FinalCellName] = Check(Onnx.FinalCellName, ToDoubles(run.FinalState.Cell), ort[Onnx.FinalCellName]);
        else Assert.False(ort.ContainsKey(Onnx.FinalCellName));
        if (spec.Head.Kind != HeadKind.None)
        {
            var head = ToDoubles(run.HeadOutputs);
            if (!options.BatchFirst && spec.Head.Output == HeadOutput.EveryStep) head = TimeMajor(head, batch, steps, spec.Head.Outputs);
            diffs[Onnx.PredictionName] = Check(Onnx.PredictionName, head, ort[Onnx.PredictionName]);
        }
        else Assert.False(ort.ContainsKey(Onnx.PredictionName));
        return diffs;
    }

    private static double Check(string name, double[] expected, Ort.Output actual)
    {
        Assert.Equal(expected.Length, actual.Values.Length);
        return TensorAssert.Close<double>(name, expected, actual.Values, rel: 0, abs: Tolerance);
    }

    private static double[] ToDoubles<T>(ReadOnlySpan<T> v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = double.CreateTruncating(v[i]);
        return r;
    }

    private static TV[] TimeMajor<TV>(TV[] batchFirst, int batch, int steps, int width)
    {
        var r = new TV[batchFirst.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                Array.Copy(batchFirst, (b * steps + t) * width, r, (t * batch + b) * width, width);
        return r;
    }

    private void Report(string what, Dictionary<string, double> diffs)
        => log.WriteLine($"{what}: max |kit − ORT| " + string.Join(", ", diffs.Select(d => $"{d.Key} {d.Value:E2}")));
}

/// <summary>The README's "serve it with ONNX Runtime" code, as written there, against Predict.</summary>
public class ReadmeServingTests
{
    [Fact]
    public void TheReadmeCodeGivesPredictsProbabilities()
    {
        var model = Lstm.Create(inputSize: 6, hiddenSize: 8).WithHead(Head.Classification(classes: 2)).WithSeed(7).Build();
        string path = Path.Combine(Path.GetTempPath(), $"lstmnb-{Guid.NewGuid():N}.onnx");
        var rng = new Random(3);
        var sequences = new[] { 31, 31, 12 }.Select(n => Sequence.OneHot<float>(Enumerable.Range(0, n).Select(_ => rng.Next(6)).ToArray(), 6)).ToArray();
        try
        {
            // --- as in README.md ---
            model.ExportOnnx(path, OnnxExportOptions.Default.WithSequenceLengths());

            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
            const int batch = 3, steps = 31;
            float[] x = new float[batch * steps * 6];
            int[] lengths = [31, 31, 12];
            for (int b = 0; b < batch; b++) sequences[b].Values.CopyTo(x.AsSpan(b * steps * 6));
            using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(x, [batch, steps, 6]);
            using var lens = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(lengths, [batch]);
            using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
            using var results = session.Run(runOptions, [Onnx.InputName, Onnx.SequenceLengthsName], [input, lens], [Onnx.PredictionName]);
            ReadOnlySpan<float> probabilities = results[0].GetTensorDataAsSpan<float>();
            // ---
            var expected = model.Predict(sequences).SelectMany(p => p).Select(p => (double)p).ToArray();
            TensorAssert.Close("prediction", expected, probabilities, rel: 0, abs: 1e-5);
        }
        finally { File.Delete(path); }
    }
}
