using System.Buffers.Binary;

namespace LstmNotebooks.Interop;

/// <summary>ONNX element types (TensorProto.DataType) the exporter writes.</summary>
internal enum OnnxType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Double = 11,
}

/// <summary>One dimension of a graph input or output: a fixed size or a named symbolic one (e.g. "batch").</summary>
internal readonly record struct OnnxDim(long Value, string? Param)
{
    public static implicit operator OnnxDim(long value) => new(value, null);
    public static implicit operator OnnxDim(string param) => new(0, param);
}

/// <summary>
/// A single ONNX graph under construction, serialized to a ModelProto. Field numbers are those of onnx.proto
/// (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto,
/// OperatorSetIdProto, StringStringEntryProto); names are unique because every name passes through
/// <see cref="Unique"/> or is one of the few fixed graph input/output names.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>IR version 8 goes with opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;
    public const long Opset = 17;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly HashSet<string> _names = [];
    private readonly Dictionary<string, int> _counters = [];

    /// <summary>A fresh value or node name starting with <paramref name="stem"/>.</summary>
    public string Unique(string stem)
    {
        string name = stem;
        while (!_names.Add(name))
        {
            _counters.TryGetValue(stem, out int n);
            _counters[stem] = ++n;
            name = $"{stem}_{n}";
        }
        return name;
    }

    public void Input(string name, OnnxType type, params OnnxDim[] shape)
    {
        Reserve(name);
        _inputs.Add(ValueInfo(name, type, shape));
    }

    public void Output(string name, OnnxType type, params OnnxDim[] shape) => _outputs.Add(ValueInfo(name, type, shape));

    /// <summary>Reserves a fixed name (a graph input or output) so <see cref="Unique"/> never hands it out.</summary>
    public void Reserve(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"ONNX value name '{name}' is used twice.");
    }

    // ---- initializers (constants stored in the file) -----------------------------------------------------------------

    public string Floats(string stem, ReadOnlySpan<float> values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        return Initializer(stem, OnnxType.Float, raw, dims);
    }

    public string Doubles(string stem, ReadOnlySpan<double> values, params long[] dims)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(8 * i), values[i]);
        return Initializer(stem, OnnxType.Double, raw, dims);
    }

    /// <summary>An int64 constant: a 1-D tensor, or a scalar (rank 0) when <paramref name="scalar"/> is set.</summary>
    public string Int64s(string stem, long[] values, bool scalar = false)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        return Initializer(stem, OnnxType.Int64, raw, scalar ? [] : [values.Length]);
    }

    private string Initializer(string stem, OnnxType type, byte[] raw, long[] dims)
    {
        string name = Unique(stem);
        var t = new ProtoWriter()
            .RepeatedInt64(1, dims)          // dims
            .Int64(2, (long)type)            // data_type
            .String(8, name)                 // name
            .Bytes(9, raw);                  // raw_data: fixed-width little-endian
        _initializers.Add(t);
        return name;
    }

    // ---- nodes ----------------------------------------------------------------------------------------------------------

    /// <summary>Adds a node and returns its outputs' names (fresh names from <paramref name="outputs"/> stems, or
    /// the given fixed names when <paramref name="fixedOutputs"/> is set). An empty input name is an omitted optional input.</summary>
    public string[] Node(string op, string[] inputs, string[] outputs, OnnxAttribute[]? attributes = null, bool fixedOutputs = false)
    {
        var names = fixedOutputs ? outputs : outputs.Select(o => o.Length == 0 ? "" : Unique(o)).ToArray();
        var node = new ProtoWriter();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in names) node.String(2, o);
        node.String(3, Unique("node_" + op));
        node.String(4, op);
        foreach (var a in attributes ?? []) node.Message(5, a.Write);
        _nodes.Add(node);
        return names;
    }

    public string Node1(string op, string[] inputs, string output, params OnnxAttribute[] attributes)
        => Node(op, inputs, [output], attributes)[0];

    // ---- the file -------------------------------------------------------------------------------------------------------

    public byte[] Serialize(string graphName, string docString, string producerVersion, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        var graph = new ProtoWriter();
        foreach (var n in _nodes) graph.Message(1, n);
        graph.String(2, graphName);
        foreach (var t in _initializers) graph.Message(5, t);
        graph.String(10, docString);
        foreach (var i in _inputs) graph.Message(11, i);
        foreach (var o in _outputs) graph.Message(12, o);

        var model = new ProtoWriter()
            .Int64(1, IrVersion)
            .String(2, "LstmNotebooks")
            .String(3, producerVersion)
            .String(4, "org.lstmnotebooks")
            .Int64(5, 1)
            .String(6, docString)
            .Message(7, graph)
            .Message(8, o => o.String(1, "").Int64(2, Opset));
        foreach (var (key, value) in metadata) model.Message(14, e => e.String(1, key).String(2, value));
        // Protocol buffers cannot hold a message of 2 GiB or more; ONNX's answer is external data, which this
        // exporter does not write. A model that large is far outside what the kit trains, but say so rather than
        // write a file no reader accepts.
        if (model.Length >= int.MaxValue)
            ThrowHelper.NotSupported($"The ONNX file would be {model.Length} bytes, but a protocol-buffers message must stay under 2 GiB " +
                                     "(ONNX's external-data files are not written by this exporter).");
        return model.ToArray();
    }

    private static ProtoWriter ValueInfo(string name, OnnxType type, OnnxDim[] shape)
        => new ProtoWriter()
            .String(1, name)
            .Message(2, t => t.Message(1, tensor => tensor                      // TypeProto.tensor_type
                .Int64(1, (long)type)                                            // elem_type
                .Message(2, s =>                                                 // shape
                {
                    foreach (var d in shape)
                        s.Message(1, dim => { if (d.Param is null) dim.Int64(1, d.Value); else dim.String(2, d.Param); });
                })));
}

/// <summary>A node attribute (AttributeProto): name, type discriminator and one value field.</summary>
internal sealed record OnnxAttribute(string Name, Action<ProtoWriter> Value, int Type)
{
    public static OnnxAttribute Int(string name, long value) => new(name, w => w.Int64(3, value), 2);
    public static OnnxAttribute Float(string name, float value) => new(name, w => w.Float(2, value), 1);
    public static OnnxAttribute String(string name, string value) => new(name, w => w.String(4, value), 3);
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, w => w.RepeatedInt64(8, values), 7);
    public static OnnxAttribute Strings(string name, params string[] values)
        => new(name, w => { foreach (var v in values) w.String(9, v); }, 8);

    public void Write(ProtoWriter w)
    {
        w.String(1, Name);
        w.Int64(20, Type);
        Value(w);
    }
}
