namespace LstmNotebooks.Interop.Tests;

/// <summary>What the exported file contains: the opset, one recurrent node per layer, ONNX's gate orders, the
/// element type, the metadata; and what the exporter refuses.</summary>
public class OnnxStructureTests
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
}
