namespace LstmNotebooks.Interop.Tests;

/// <summary>What the exported file contains: the opset, one recurrent node per layer, ONNX's gate orders, the
/// element type, the metadata; and what the exporter refuses.</summary>
public class OnnxStructureTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [Theory]
    [InlineData(CellKind.Lstm, "LSTM")]
    [InlineData(CellKind.Gru, "GRU")]
    [InlineData(CellKind.Rnn, "RNN")]
    public void OneOperatorNodePerLayer(CellKind cell, string op)
    {
        var model = new ModelSpec(cell, inputSize: 2, hiddenSize: 3).WithLayers(3).WithHead(Head.Regression()).Build();
        var file = OnnxFile.Parse(model.ToOnnx());
        Assert.Contains(file.Opsets, o => o.Domain == "" && o.Version >= 14);
        var recurrent = file.Nodes.Where(n => n.OpType == op).ToList();
        Assert.Equal(3, recurrent.Count);
        Assert.DoesNotContain(file.Nodes, n => n.OpType is "LSTM" or "GRU" or "RNN" && n.OpType != op);
        foreach (var n in recurrent)
        {
            Assert.Equal(3L, n.Attributes["hidden_size"]);
            Assert.False(n.Attributes.ContainsKey("layout"), "ONNX Runtime's CPU kernels take layout 0 (time-major) only");
            if (cell == CellKind.Gru) Assert.Equal(1L, n.Attributes["linear_before_reset"]); // PyTorch's GRU
        }
        // Layer k+1 reads layer k's Y after the (T, D, B, H) → (T, B, D·H) reshape, never the graph input.
        Assert.Equal(Onnx.InputName + "_t", recurrent[0].Inputs[0]);
        Assert.All(recurrent.Skip(1), n => Assert.StartsWith("x_l", n.Inputs[0]));
        Assert.Single(file.Nodes, n => n.OpType == "Gemm");
    }

    [Fact]
    public void LstmGatesAreReorderedToIofc()
    {
        var model = Lstm.Create(inputSize: 2, hiddenSize: 3).WithPeepholes().Build();
        model = model.WithParameter("weight_peephole_l0", [1, 2, 3, 4, 5, 6, 7, 8, 9]); // rows i, f, o
        var file = OnnxFile.Parse(model.ToOnnx());
        int h = 3;
        // PyTorch's blocks [i|f|g|o] → ONNX's [i|o|f|c].
        var wih = model.Parameter("weight_ih_l0").ToArray();
        int block = h * 2;
        var expected = new[] { 0, 3, 1, 2 }.SelectMany(b => wih.Skip(b * block).Take(block)).Select(v => (double)v);
        Assert.Equal(expected, file.Values("W_l0"));
        var bih = model.Parameter("bias_ih_l0").ToArray();
        var bhh = model.Parameter("bias_hh_l0").ToArray();
        var bias = new[] { 0, 3, 1, 2 }.SelectMany(b => bih.Skip(b * h).Take(h))
            .Concat(new[] { 0, 3, 1, 2 }.SelectMany(b => bhh.Skip(b * h).Take(h))).Select(v => (double)v);
        Assert.Equal(bias, file.Values("B_l0"));
        Assert.Equal([1, 2, 3, 7, 8, 9, 4, 5, 6], file.Values("P_l0")); // [i|o|f]
        Assert.Equal([1L, 4 * h, 2], file.Initializers.Single(i => i.Name == "W_l0").Dims);
    }

    [Fact]
    public void GruGatesAreReorderedToZrh()
    {
        var model = Gru.Create(inputSize: 1, hiddenSize: 2).Build();
        var file = OnnxFile.Parse(model.ToOnnx());
        var whh = model.Parameter("weight_hh_l0").ToArray();
        var expected = new[] { 1, 0, 2 }.SelectMany(b => whh.Skip(b * 4).Take(4)).Select(v => (double)v); // [r|z|n] → [z|r|h]
        Assert.Equal(expected, file.Values("R_l0"));
    }

    [Fact]
    public void ADoubleModelExportsTheSameGraphInDouble()
    {
        var spec = Lstm.Create(inputSize: 2, hiddenSize: 3).WithLayers(2).WithHead(Head.Classification(3).EveryStep());
        var options = OnnxExportOptions.Default.WithSequenceLengths().WithInitialState();
        var single = OnnxFile.Parse(spec.Build<float>().ToOnnx(options));
        var model = spec.Build<double>();
        var dbl = OnnxFile.Parse(model.ToOnnx(options));
        Assert.Equal(single.Nodes.Select(n => (n.OpType, string.Join(",", n.Inputs))), dbl.Nodes.Select(n => (n.OpType, string.Join(",", n.Inputs))));
        Assert.All(dbl.Initializers.Where(i => i.DataType != 7), i => Assert.Equal(11, i.DataType));   // DOUBLE (int64 shapes aside)
        Assert.All(dbl.Inputs.Where(i => i.Name != Onnx.SequenceLengthsName), i => Assert.Equal(11, i.ElemType));
        Assert.All(dbl.Outputs, o => Assert.Equal(11, o.ElemType));
        // Weights travel bit for bit: head.bias is copied unchanged.
        Assert.Equal(model.Parameter("head.bias").ToArray(), dbl.Values("head_bias"));
        Assert.Equal(11L, dbl.Nodes.Single(n => n.OpType == "Cast" && n.Outputs[0].StartsWith("valid_f")).Attributes["to"]); // the padding mask too
    }

    [Fact]
    public void MetadataCarriesTheSpecAndOnnxRuntimeSeesTheDocumentedNames()
    {
        var model = Lstm.Create(inputSize: 2, hiddenSize: 3).WithHead(Head.Binary(2)).Build();
        var (metadata, inputs, outputs) = Ort.Describe(model.ToOnnx(OnnxExportOptions.Default.WithSequenceLengths().WithInitialState()));
        Assert.Equal([Onnx.InputName, Onnx.SequenceLengthsName, Onnx.InitialHiddenName, Onnx.InitialCellName], inputs);
        Assert.Equal([Onnx.OutputName, Onnx.FinalHiddenName, Onnx.FinalCellName, Onnx.PredictionName], outputs);
        Assert.Contains("\"cell\":\"lstm\"", metadata["lstmnotebooks.spec"]);
        Assert.Equal("batch_first", metadata["lstmnotebooks.layout"]);
        var rnn = Rnn.Create(inputSize: 1, hiddenSize: 2).Build();
        Assert.Equal([Onnx.OutputName, Onnx.FinalHiddenName], Ort.Describe(rnn.ToOnnx()).Outputs);
    }

    [Fact]
    public void TheCellWithoutAForgetGateIsRefusedByName()
    {
        var model = Lstm.Create(inputSize: 1, hiddenSize: 2).WithForgetGate(false).Build();
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnx());
        Assert.Contains("without a forget gate", e.Message);
        Assert.Contains("WithForgetGate(false)", e.Message);
        Assert.Contains("Hint:", e.Message);
        Assert.NotEmpty(Onnx.UnsupportedFeatures(model.Spec));
        Assert.Empty(Onnx.UnsupportedFeatures(Lstm.Create(1, 2).WithPeepholes()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AProjectedLstmIsRefusedByName(bool bidirectional)
    {
        var model = Lstm.Create(inputSize: 2, hiddenSize: 5).WithProjection(2).WithLayers(2).WithBidirectional(bidirectional).Build();
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnx());
        log.WriteLine(e.Message);
        // The feature, where it lives, expected vs actual, and a way out.
        Assert.StartsWith("This LSTM model cannot be exported to ONNX: projections (proj_size = 2, WithProjection(2); weight_hr_l0, ", e.Message);
        Assert.Contains(bidirectional ? "weight_hr_l0_reverse, weight_hr_l1, weight_hr_l1_reverse)" : "weight_hr_l0, weight_hr_l1)", e.Message);
        Assert.Contains("hidden_size = 5 wide", e.Message);
        Assert.Contains("2 wide", e.Message);
        Assert.Contains($"Hint: export a model built without that feature", e.Message);
        Assert.Contains($"PyTorch serves it: SaveSafetensors, then load_state_dict into torch.nn.LSTM(input_size=2, hidden_size=5, num_layers=2{(bidirectional ? ", bidirectional=True" : "")}, proj_size=2, batch_first=True)", e.Message);
        Assert.Single(Onnx.UnsupportedFeatures(model.Spec));
        Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
    }

    [Fact]
    public void EveryRefusedFeatureIsListed()
    {
        var model = Lstm.Create(inputSize: 1, hiddenSize: 3).WithProjection(1).WithForgetGate(false).Build();
        var reasons = Onnx.UnsupportedFeatures(model);
        Assert.Equal(2, reasons.Count);
        Assert.Contains(reasons, r => r.StartsWith("the 1997 cell without a forget gate", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("projections (proj_size = 1", StringComparison.Ordinal));
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnx());
        log.WriteLine(e.Message);
        Assert.Contains(string.Join("; ", reasons), e.Message);
        Assert.DoesNotContain("PyTorch serves it", e.Message); // PyTorch has no LSTM without a forget gate
    }

    [Fact]
    public void WhatOnnxExpressesIsNotRefused()
    {
        // Bidirectional layers (direction), peepholes (P, same convention), a learned initial state (constants),
        // dropout (off at inference) and gate-bias initialisations are all expressible.
        Assert.Empty(Onnx.UnsupportedFeatures(Lstm.Create(2, 3).WithLayers(2).WithBidirectional().WithPeepholes().WithLearnedInitialState()
            .WithDropout(0.2).WithRecurrentDropout(0.1).WithForgetBias(1).WithInputGateBias(-1).WithHead(Head.Classification(2))));
        Assert.Empty(Onnx.UnsupportedFeatures(Gru.Create(2, 3).WithBidirectional().WithLearnedInitialState()));
        Assert.Empty(Onnx.UnsupportedFeatures(Rnn.Create(2, 3).WithBidirectional().WithLearnedInitialState()));
    }

    [Fact]
    public void ABidirectionalLayerIsOneNodeWithBothDirections()
    {
        var model = Gru.Create(inputSize: 2, hiddenSize: 3).WithLayers(2).WithBidirectional().Build();
        var file = OnnxFile.Parse(model.ToOnnx());
        var nodes = file.Nodes.Where(n => n.OpType == "GRU").ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("bidirectional", n.Attributes["direction"]));
        // W (D, 3H, In): layer 1 reads [forward, reverse] = 2H features; the reverse direction's rows follow the forward's.
        Assert.Equal([2L, 9, 2], file.Initializers.Single(i => i.Name == "W_l0").Dims);
        Assert.Equal([2L, 9, 6], file.Initializers.Single(i => i.Name == "W_l1").Dims);
        var reverse = model.Parameter("weight_hh_l1_reverse").ToArray();
        var expected = new[] { 1, 0, 2 }.SelectMany(b => reverse.Skip(b * 9).Take(9)).Select(v => (double)v); // [r|z|n] → [z|r|h]
        Assert.Equal(expected, file.Values("R_l1").Skip(27));
    }
}
