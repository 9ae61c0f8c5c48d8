using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Json;
using LstmNotebooks.Tests;
using Xunit.Abstractions;

namespace LstmNotebooks.Interop.Tests;

/// <summary>safetensors: the bytes follow the format, round trips are bit-exact, PyTorch-written files and the libtorch
/// fixtures' weights load, and every kind of bad or mismatched file is refused with a message that names the problem.</summary>
public class SafetensorsTests(ITestOutputHelper log)
{
    public static TheoryData<string> Specs => new() { "lstm", "lstm-peep", "gru", "rnn", "lstm-bi-proj", "gru-bi", "rnn-bi-learned" };

    private static ModelSpec SpecOf(string name) => name switch
    {
        "lstm" => Lstm.Create(inputSize: 3, hiddenSize: 4).WithLayers(2).WithForgetBias(1).WithHead(Head.Classification(3)).WithSeed(9),
        "lstm-peep" => Lstm.Create(inputSize: 2, hiddenSize: 3).WithPeepholes().WithHead(Head.Binary(2).EveryStep()),
        "gru" => Gru.Create(inputSize: 2, hiddenSize: 5).WithLayers(2).WithHead(Head.Regression(2)),
        "lstm-bi-proj" => Lstm.Create(inputSize: 3, hiddenSize: 5).WithProjection(2).WithLayers(2).WithBidirectional().WithDropout(0.25)
            .WithLearnedInitialState().WithHead(Head.Regression(2)).WithSeed(4),
        "gru-bi" => Gru.Create(inputSize: 2, hiddenSize: 3).WithLayers(2).WithBidirectional().WithHead(Head.Classification(2).EveryStep()),
        "rnn-bi-learned" => Rnn.Create(inputSize: 2, hiddenSize: 3).WithBidirectional().WithLearnedInitialState().WithRecurrentDropout(0.1),
        _ => Rnn.Create(inputSize: 1, hiddenSize: 3),
    };

    [Fact]
    public void BidirectionalAndProjectedTensorsCarryPyTorchsNamesAndShapes()
    {
        // nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2).state_dict(), as PyTorch documents it: per layer
        // and direction weight_ih (4H, in), weight_hh (4H, P), bias_ih, bias_hh (4H), weight_hr (P, H); layer 1 reads
        // [forward, reverse] = 2P features. Then the kit's learned state (L·D rows) and the head, nn.Linear(2P, 2).
        var expected = new List<(string, int[])>();
        foreach (var l in new[] { 0, 1 })
            foreach (var sfx in new[] { "", "_reverse" })
                expected.AddRange([
                    ($"weight_ih_l{l}{sfx}", [20, l == 0 ? 3 : 4]), ($"weight_hh_l{l}{sfx}", [20, 2]), ($"bias_ih_l{l}{sfx}", [20]),
                    ($"bias_hh_l{l}{sfx}", [20]), ($"weight_hr_l{l}{sfx}", [2, 5])]);
        expected.AddRange([("h0", [4, 2]), ("c0", [4, 5]), ("head.weight", [2, 4]), ("head.bias", [2])]);

        var model = SpecOf("lstm-bi-proj").Build();
        using var stream = new MemoryStream();
        model.SaveSafetensors(stream);
        var bytes = stream.ToArray();
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var tensors = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Select(p => (p.Name, p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray())).ToList();
        Assert.Equal(expected.Select(e => e.Item1), tensors.Select(t => t.Name));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Item2, tensors[i].Item2);
        Assert.StartsWith("torch.nn.LSTM(input_size=3, hidden_size=5, num_layers=2, bidirectional=True, proj_size=2, dropout=0.25, batch_first=True); " +
                          "head = torch.nn.Linear(4, 2); h0, c0: the learned initial state",
            header.RootElement.GetProperty("__metadata__").GetProperty("lstmnotebooks.pytorch").GetString());
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void RoundTripIsBitExact(string name)
    {
        RoundTrip<float>(SpecOf(name));
        RoundTrip<double>(SpecOf(name));
    }

    private static void RoundTrip<T>(ModelSpec spec) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var model = spec.Build<T>();
        // Values whose bits a text or rounding path would change: −0, the smallest subnormal, the largest finite, 1/3;
        // in the forward tensors and in those only bidirectional, projected or learned-state models have.
        foreach (var name in new[] { "weight_hh_l0", "weight_hh_l0_reverse", "weight_hr_l1_reverse", "h0" }.Where(n => model.ParameterInfos.Any(i => i.Name == n)))
        {
            var w = model.Parameter(name).ToArray();
            w[0] = -T.Zero; w[1] = T.Epsilon; w[2] = T.CreateTruncating(typeof(T) == typeof(float) ? float.MaxValue : double.MaxValue); w[3] = T.One / T.CreateTruncating(3);
            model = model.WithParameter(name, w);
        }

        using var first = new MemoryStream();
        model.SaveSafetensors(first);
        var loaded = Safetensors.Load<T>(new MemoryStream(first.ToArray()));
        Assert.Equal(model.Spec, loaded.Spec);
        Assert.Equal(Bits(model.Parameters), Bits(loaded.Parameters));
        using var second = new MemoryStream();
        loaded.SaveSafetensors(second);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Fact]
    public void TheBytesFollowTheFormat()
    {
        var model = SpecOf("lstm").Build();
        using var stream = new MemoryStream();
        model.SaveSafetensors(stream);
        var bytes = stream.ToArray();
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8); // data 8-byte aligned, header padded with spaces
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var data = bytes.AsSpan(8 + (int)n);
        var meta = header.RootElement.GetProperty("__metadata__");
        log.WriteLine($"__metadata__: {meta.GetRawText()}");
        Assert.Equal("pt", meta.GetProperty("format").GetString());
        Assert.StartsWith("torch.nn.LSTM(input_size=3, hidden_size=4, num_layers=2, batch_first=True)", meta.GetProperty("lstmnotebooks.pytorch").GetString());
        long end = 0;
        foreach (var info in model.ParameterInfos)
        {
            var t = header.RootElement.GetProperty(info.Name);
            Assert.Equal("F32", t.GetProperty("dtype").GetString());
            Assert.Equal(info.Shape, t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
            var offsets = t.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            Assert.Equal(end, offsets[0]);
            end = offsets[1];
            var values = model.Parameter(info.Name).Span;
            for (int i = 0; i < values.Length; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BinaryPrimitives.ReadInt32LittleEndian(data.Slice((int)offsets[0] + 4 * i)));
        }
        Assert.Equal(data.Length, end);
        Assert.Equal(model.ParameterInfos.Count + 1, header.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void AFileWrittenAsPythonWritesItLoadsWithASpec()
    {
        // safetensors.torch.save_file(lstm.state_dict()) sorts tensors by dtype then name, writes {"format": "pt"} and
        // no kit spec: bias_hh_l0, bias_ih_l0, weight_hh_l0, weight_ih_l0.
        var spec = Lstm.Create(inputSize: 1, hiddenSize: 1);
        var values = new Dictionary<string, float[]>
        {
            ["bias_hh_l0"] = [0.1f, 0.2f, 0.3f, 0.4f], ["bias_ih_l0"] = [-0.1f, -0.2f, -0.3f, -0.4f],
            ["weight_hh_l0"] = [0.5f, -0.5f, 0.25f, -0.25f], ["weight_ih_l0"] = [1f, 2f, 3f, 4f],
        };
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        var data = new List<byte>();
        foreach (var (name, v) in values)
        {
            header.Append($",\"{name}\":{{\"dtype\":\"F32\",\"shape\":[4{(name.StartsWith("weight") ? ",1" : "")}],\"data_offsets\":[{data.Count},{data.Count + 16}]}}");
            foreach (var x in v) data.AddRange(BitConverter.GetBytes(x));
        }
        header.Append('}');
        var model = Safetensors.Load<float>(new MemoryStream(File(header.ToString(), data.ToArray())), spec);
        var direct = spec.Build().WithParameters(values);
        Assert.Equal(Bits(direct.Parameters), Bits(model.Parameters));
        var seq = Sequence.FromScalars(new[] { 0.5f, -1f, 2f });
        Assert.Equal(direct.Predict(seq), model.Predict(seq));
    }

    public static TheoryData<string> ParityCases => new(ParityCase.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(ParityCases))]
    public void TheLibtorchFixturesWeightsThroughSafetensorsGiveTheSameOutputs(string name)
    {
        var c = ParityCase.All.Single(x => x.Name == name);
        var (output, state) = c.DType == "float64" ? ThroughFile<double>(c, 0, 1e-9) : ThroughFile<float>(c, 1e-5, 1e-6);
        log.WriteLine($"{c.Name}: through a {(c.DType == "float64" ? "F64" : "F32")} safetensors file, max |difference| to libtorch: " +
                      $"output {output:E2}, final state {state:E2}; outputs bit-identical to the directly loaded model");
    }

    private static (double Output, double State) ThroughFile<T>(ParityCase c, double rel, double abs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var spec = new ModelSpec(c.Kind, c.InputSize, c.HiddenSize).WithLayers(c.Layers).WithBidirectional(c.Bidirectional);
        if (c.ProjSize > 0) spec = spec.WithProjection(c.ProjSize);
        // As PyTorch would write the state dict: its own dtype, its names and shapes (from the spec's layout), no kit metadata.
        var shapes = spec.Build<T>().ParameterInfos.ToDictionary(i => i.Name, i => i.Shape.Select(d => (long)d).ToArray());
        var file = new SafetensorsFile(c.Params.Select(p => SafetensorsTensor.Create<T>(p.Key, shapes[p.Key], Cast<T>(p.Value))),
            new Dictionary<string, string> { ["format"] = "pt" });
        using var stream = new MemoryStream();
        file.Write(stream);
        var model = Safetensors.Load<T>(new MemoryStream(stream.ToArray()), spec);
        var direct = spec.Build<T>().WithParameters(c.Params.ToDictionary(p => p.Key, p => Cast<T>(p.Value)));

        bool lstm = c.Kind == CellKind.Lstm;
        var batch = SequenceBatch.FromPadded<T>(Cast<T>(c.Tensors["x"]), c.Batch, c.Steps, c.InputSize, Enumerable.Repeat(c.Steps, c.Batch).ToArray());
        var state = RecurrentState<T>.Create(Cast<T>(c.Tensors["h0"]), lstm ? Cast<T>(c.Tensors["c0"]) : [], c.Layers * c.Directions, c.Batch,
            c.OutputSize, lstm, cellSize: c.HiddenSize);
        var run = model.Run(batch, state);
        var reference = direct.Run(batch, state);
        Assert.Equal(Bits(reference.Output), Bits(run.Output));
        double o = TensorAssert.Close(c.Name + " output", c.Tensors["output"], run.Output, rel, abs);
        double s = TensorAssert.Close(c.Name + " h_n", c.Tensors["h_n"], run.FinalState.Hidden, rel, abs);
        if (lstm) s = Math.Max(s, TensorAssert.Close(c.Name + " c_n", c.Tensors["c_n"], run.FinalState.Cell, rel, abs));
        return (o, s);
    }

    [Fact]
    public void HalfAndBfloat16WidenExactlyAndF64IntoFloatIsRefused()
    {
        var spec = Rnn.Create(inputSize: 1, hiddenSize: 1);
        Half[] half = [(Half)0.5, (Half)(-1.25), (Half)0.1, (Half)3];
        // bfloat16 of 0.1f: the upper 16 bits (truncation gives an exactly representable value).
        ushort[] bf16 = [0x3F00, 0xBFA0, (ushort)(BitConverter.SingleToInt32Bits(0.1f) >>> 16), 0x4040];
        byte[] halfBytes = half.SelectMany(h => BitConverter.GetBytes(h)).ToArray();
        byte[] bfBytes = bf16.SelectMany(b => BitConverter.GetBytes(b)).ToArray();
        string names = "\"weight_ih_l0\":{0},\"weight_hh_l0\":{1},\"bias_ih_l0\":{2},\"bias_hh_l0\":{3}";
        foreach (var (dtype, bytes, expected) in new[]
                 {
                     ("F16", halfBytes, half.Select(h => (double)(float)h).ToArray()),
                     ("BF16", bfBytes, bf16.Select(b => (double)BitConverter.Int32BitsToSingle(b << 16)).ToArray()),
                 })
        {
            var entries = Enumerable.Range(0, 4).Select(i => $"{{\"dtype\":\"{dtype}\",\"shape\":[1{(i < 2 ? ",1" : "")}],\"data_offsets\":[{2 * i},{2 * i + 2}]}}").ToArray();
            var file = File("{" + string.Format(names, entries) + "}", bytes);
            var d = Safetensors.Load<double>(new MemoryStream(file), spec);
            Assert.Equal(expected, d.Parameters.ToArray());
            var f = Safetensors.Load<float>(new MemoryStream(file), spec);
            Assert.Equal(expected, f.Parameters.ToArray().Select(x => (double)x));
        }
        using var f64 = new MemoryStream();
        spec.Build<double>().SaveSafetensors(f64);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load<float>(new MemoryStream(f64.ToArray())));
        Assert.Contains("F64", e.Message);
        Assert.Contains("ConvertTo<Single>()", e.Message);
        var widened = Safetensors.Load<double>(new MemoryStream(Save(spec.Build<float>())));
        Assert.Equal(spec.Build<float>().Parameters.ToArray().Select(x => (double)x), widened.Parameters.ToArray());
    }

    // ---- bad files ------------------------------------------------------------------------------------------------------

    private static readonly ModelSpec Small = Lstm.Create(inputSize: 2, hiddenSize: 2).WithHead(Head.Regression());

    public static TheoryData<string, string> BadBytes => new()
    {
        { "empty", "truncated: 0 bytes" },
        { "five bytes", "truncated: 5 bytes" },
        { "header length past the end", "but only" },
        { "header length absurd", "at most 100000000 bytes" },
        { "header length short", "not valid JSON" },
        { "header not an object", "does not start with '{'" },
        { "not utf-8", "not valid UTF-8" },
        { "data truncated", "ends at byte" },
        { "trailing bytes", "bytes after its last tensor" },
        { "unknown dtype", "dtype 'X32', which is not a safetensors dtype" },
        { "integer dtype", "dtype I32; weights are floating point" },
        { "overlapping offsets", "must not overlap" },
        { "gap between tensors", "without gaps" },
        { "offsets past the data", "ends at byte 48, but the data holds only 40 bytes" },
        { "end before begin", "the end lies before the begin" },
        { "size differs from shape", "which takes 16 bytes, but its data_offsets" },
        { "negative dimension", "every entry must be a non-negative integer" },
        { "three offsets", "exactly 2 integers" },
        { "no dtype", "no \"dtype\" string" },
        { "duplicate name", "names 'weight_ih_l0' twice" },
        { "metadata not strings", "metadata values must be strings" },
        { "tensor entry not an object", "must be an object with dtype, shape and data_offsets" },
    };

    [Theory]
    [MemberData(nameof(BadBytes))]
    public void BadBytesAreRefused(string corruption, string message)
    {
        var good = Save(Small.Build());
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        byte[] bad = corruption switch
        {
            "empty" => [],
            "five bytes" => good[..5],
            "header length past the end" => WithLength(good, good.Length),
            "header length absurd" => WithLength(good, 200_000_000),
            "header length short" => WithLength(good, n - 9),
            "header not an object" => Patch(good, 8, (byte)'['),
            "not utf-8" => Patch(good, 12, 0xFF),
            "data truncated" => good[..^4],
            "trailing bytes" => [.. good, 0, 0, 0, 0],
            "unknown dtype" => Replace(good, "\"F32\"", "\"X32\""),
            "integer dtype" => Replace(good, "\"F32\"", "\"I32\""),
            "overlapping offsets" => File(Tensors(("a", "[0,16]"), ("b", "[8,24]"), ("c", "[24,40]")), new byte[40]),
            "gap between tensors" => File(Tensors(("a", "[0,16]"), ("b", "[20,36]"), ("c", "[36,52]")), new byte[52]),
            "offsets past the data" => File(Tensors(("a", "[0,16]"), ("b", "[16,32]"), ("c", "[32,48]")), new byte[40]),
            "end before begin" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", new byte[16]),
            "size differs from shape" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new byte[12]),
            "negative dimension" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", new byte[16]),
            "three offsets" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8,16]}}", new byte[16]),
            "no dtype" => File("{\"a\":{\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]),
            "duplicate name" => File("{\"weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[16]),
            "metadata not strings" => File("{\"__metadata__\":{\"epochs\":3}}", []),
            "tensor entry not an object" => File("{\"a\":[1,2]}", []),
            _ => throw new ArgumentException(corruption),
        };
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load<float>(new MemoryStream(bad), Small));
        log.WriteLine($"{corruption}: {e.Message}");
        Assert.Contains(message, e.Message);
    }

    public static TheoryData<string, string> Mismatches => new()
    {
        { "missing tensor", "lacks 1 tensor that a 1-layer Lstm (input 2, hidden 2, Regression head of 1) needs: 'bias_hh_l0' [8]" },
        { "extra tensor", "holds 1 tensor that a 1-layer Lstm (input 2, hidden 2, Regression head of 1) does not have: 'weight_hh_l1'" },
        { "wrong shape", "'weight_ih_l0' has shape [8, 3], but a 1-layer Lstm (input 2, hidden 2, Regression head of 1) needs [8, 2]" },
        { "NaN weight", "'weight_hh_l0' holds NaN at index [2, 1]; weights must be finite" },
        { "infinite weight", "'head.bias' holds Infinity at index [0]; weights must be finite" },
        { "no spec in metadata", "carries no model spec" },
        { "unknown cell in the spec", "holds an unreadable model spec under \"lstmnotebooks.spec\": The JSON value could not be converted to LstmNotebooks.ModelSpec. Path: $.cell" },
        { "unknown property in the spec", "holds an unreadable model spec" },
        { "invalid spec", "holds an invalid model spec" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void MismatchedFilesAreRefused(string mismatch, string message)
    {
        var model = Small.Build();
        var tensors = model.ParameterInfos.ToDictionary(i => i.Name, i => (Shape: i.Shape.Select(d => (long)d).ToArray(), Values: model.Parameter(i.Name).ToArray()));
        var metadata = new Dictionary<string, string>(model.ToSafetensors().Metadata);
        switch (mismatch)
        {
            case "missing tensor": tensors.Remove("bias_hh_l0"); break;
            case "extra tensor": tensors["weight_hh_l1"] = ([8, 2], new float[16]); break;
            case "wrong shape": tensors["weight_ih_l0"] = ([8, 3], new float[24]); break;
            case "NaN weight": tensors["weight_hh_l0"].Values[5] = float.NaN; break;
            case "infinite weight": tensors["head.bias"].Values[0] = float.PositiveInfinity; break;
            case "no spec in metadata": metadata.Remove("lstmnotebooks.spec"); break;
            case "unknown cell in the spec": metadata["lstmnotebooks.spec"] = metadata["lstmnotebooks.spec"].Replace("\"lstm\"", "\"lstm2\""); break;
            case "invalid spec": metadata["lstmnotebooks.spec"] = metadata["lstmnotebooks.spec"].Replace("\"layers\":1", "\"layers\":0"); break;
            case "unknown property in the spec": metadata["lstmnotebooks.spec"] = metadata["lstmnotebooks.spec"].Replace("{\"cell\"", "{\"wormholes\":true,\"cell\""); break;
        }
        var file = new SafetensorsFile(tensors.Select(t => SafetensorsTensor.Create<float>(t.Key, t.Value.Shape, t.Value.Values)), metadata);
        using var stream = new MemoryStream();
        file.Write(stream);
        bool fromMetadata = mismatch.Contains("spec");
        var e = Assert.Throws<InvalidDataException>(() => fromMetadata
            ? Safetensors.Load<float>(new MemoryStream(stream.ToArray()))
            : Safetensors.Load<float>(new MemoryStream(stream.ToArray()), Small));
        log.WriteLine($"{mismatch}: {e.Message}");
        Assert.Contains(message, e.Message);
    }

    public static TheoryData<string, string> Architectures => new()
    {
        { "bidirectional file, forward spec", "holds 4 tensors that a 1-layer Lstm (input 2, hidden 3, no head) does not have: 'weight_ih_l0_reverse', " },
        { "forward file, bidirectional spec", "lacks 4 tensors that a 1-layer bidirectional Lstm (input 2, hidden 3, no head) needs: 'weight_ih_l0_reverse' [12, 2]" },
        { "projected file, plain spec", "holds 1 tensor that a 1-layer Lstm (input 2, hidden 3, no head) does not have: 'weight_hr_l0'" },
        { "plain file, projected spec", "lacks 1 tensor that a 1-layer Lstm (input 2, hidden 3, projection 2, no head) needs: 'weight_hr_l0' [2, 3]" },
        { "learned-state file, plain spec", "holds 2 tensors that a 1-layer Lstm (input 2, hidden 3, no head) does not have: 'h0', 'c0'" },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void AnArchitectureMismatchPointsToTheSpecOption(string mismatch, string message)
    {
        var plain = Lstm.Create(inputSize: 2, hiddenSize: 3);
        var (fileSpec, loadSpec, hint) = mismatch switch
        {
            "bidirectional file, forward spec" => (plain.WithBidirectional(), plain, "the file is bidirectional (its …_reverse tensors): add .WithBidirectional() to the spec."),
            "forward file, bidirectional spec" => (plain, plain.WithBidirectional(), "the spec is bidirectional but the file has no …_reverse tensors: drop .WithBidirectional()."),
            "projected file, plain spec" => (plain.WithProjection(2), plain, "the file has projections (weight_hr_l…, proj_size 2): add .WithProjection(2) to the spec."),
            "plain file, projected spec" => (plain, plain.WithProjection(2), "the spec has projections but the file has no weight_hr_l… tensors: drop .WithProjection(…)."),
            _ => (plain.WithLearnedInitialState(), plain, "the file has a learned initial state (h0/c0): add .WithLearnedInitialState() to the spec."),
        };
        var bytes = Save(fileSpec.Build());
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load<float>(new MemoryStream(bytes), loadSpec));
        log.WriteLine($"{mismatch}: {e.Message}");
        Assert.Contains(message, e.Message);
        Assert.EndsWith("Hint: " + hint, e.Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Safetensors.Load<float>(Path.Combine(Path.GetTempPath(), "no-such-model.safetensors")));
        Assert.Contains("no-such-model.safetensors", e.Message);
    }

    [Fact]
    public void SavingToAPathWritesTheSameBytesAsAStream()
    {
        var model = SpecOf("gru").Build();
        string path = Path.Combine(Path.GetTempPath(), $"lstmnb-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.SaveSafetensors(path);
            Assert.Equal(Save(model), System.IO.File.ReadAllBytes(path));
            Assert.Equal(Bits(model.Parameters), Bits(Safetensors.Load<float>(path).Parameters));
            Assert.False(System.IO.File.Exists(path + ".tmp"));
        }
        finally { System.IO.File.Delete(path); }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------------

    private static byte[] Save<T>(Model<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var s = new MemoryStream();
        model.SaveSafetensors(s);
        return s.ToArray();
    }

    /// <summary>A file from a header text and data bytes, written byte by byte as the format says (no library code).</summary>
    private static byte[] File(string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    private static string Tensors(params (string Name, string Offsets)[] t)
        => "{" + string.Join(",", t.Select(x => $"\"{x.Name}\":{{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":{x.Offsets}}}")) + "}";

    private static byte[] WithLength(byte[] file, long n)
    {
        var copy = file.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, (ulong)n);
        return copy;
    }

    private static byte[] Patch(byte[] file, int at, byte value)
    {
        var copy = file.ToArray();
        copy[at] = value;
        return copy;
    }

    private static byte[] Replace(byte[] file, string from, string to)
    {
        var text = Encoding.Latin1.GetString(file);
        int i = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(i >= 0 && from.Length == to.Length);
        return Encoding.Latin1.GetBytes(text[..i] + to + text[(i + from.Length)..]);
    }

    private static long[] Bits<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
            r[i] = values[i] is float f ? BitConverter.SingleToInt32Bits(f) : BitConverter.DoubleToInt64Bits(double.CreateTruncating(values[i]));
        return r;
    }

    private static T[] Cast<T>(double[] values) where T : unmanaged, IBinaryFloatingPointIeee754<T> => values.Select(T.CreateTruncating).ToArray();
}
