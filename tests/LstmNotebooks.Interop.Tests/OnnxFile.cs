using System.Buffers.Binary;
using System.Text;

namespace LstmNotebooks.Interop.Tests;

/// <summary>
/// An independent reader of the ONNX fields the tests inspect (field numbers from onnx.proto): the opset, the
/// nodes (op type, inputs, outputs, int/string attributes) and the initializers (name, type, dims, raw bytes).
/// It shares no code with the exporter's writer, so it checks the bytes rather than repeating the writer's view.
/// </summary>
public sealed class OnnxFile
{
    public sealed record Node(string OpType, string[] Inputs, string[] Outputs, Dictionary<string, object> Attributes);
    public sealed record Initializer(string Name, int DataType, long[] Dims, byte[] Raw);

    public long IrVersion { get; private set; }
    public List<(string Domain, long Version)> Opsets { get; } = [];
    public List<Node> Nodes { get; } = [];
    public List<Initializer> Initializers { get; } = [];
    public List<(string Name, int ElemType)> Inputs { get; } = [];
    public List<(string Name, int ElemType)> Outputs { get; } = [];

    public static OnnxFile Parse(byte[] bytes)
    {
        var f = new OnnxFile();
        foreach (var (field, value) in Fields(bytes))
        {
            if (field == 1) f.IrVersion = (long)(ulong)value;
            else if (field == 8)
            {
                string domain = ""; long version = 0;
                foreach (var (k, v) in Fields((byte[])value)) { if (k == 1) domain = Str(v); else if (k == 2) version = (long)(ulong)v; }
                f.Opsets.Add((domain, version));
            }
            else if (field == 7) f.ReadGraph((byte[])value);
        }
        return f;
    }

    private void ReadGraph(byte[] graph)
    {
        foreach (var (field, value) in Fields(graph))
        {
            switch (field)
            {
                case 1: Nodes.Add(ReadNode((byte[])value)); break;
                case 5: Initializers.Add(ReadInitializer((byte[])value)); break;
                case 11: Inputs.Add(ReadValueInfo((byte[])value)); break;
                case 12: Outputs.Add(ReadValueInfo((byte[])value)); break;
            }
        }
    }

    private static Node ReadNode(byte[] node)
    {
        var inputs = new List<string>(); var outputs = new List<string>(); string op = "";
        var attributes = new Dictionary<string, object>();
        foreach (var (field, value) in Fields(node))
        {
            if (field == 1) inputs.Add(Str(value));
            else if (field == 2) outputs.Add(Str(value));
            else if (field == 4) op = Str(value);
            else if (field == 5)
            {
                string name = ""; object? v = null; var ints = new List<long>();
                foreach (var (k, a) in Fields((byte[])value))
                {
                    if (k == 1) name = Str(a);
                    else if (k == 3) v = (long)(ulong)a;
                    else if (k == 4) v = Str(a);
                    else if (k == 8) ints.Add((long)(ulong)a);
                }
                attributes[name] = v ?? ints.ToArray();
            }
        }
        return new Node(op, inputs.ToArray(), outputs.ToArray(), attributes);
    }

    private static Initializer ReadInitializer(byte[] tensor)
    {
        var dims = new List<long>(); int type = 0; string name = ""; byte[] raw = [];
        foreach (var (field, value) in Fields(tensor))
        {
            if (field == 1) dims.Add((long)(ulong)value);
            else if (field == 2) type = (int)(ulong)value;
            else if (field == 8) name = Str(value);
            else if (field == 9) raw = (byte[])value;
        }
        return new Initializer(name, type, dims.ToArray(), raw);
    }

    private static (string, int) ReadValueInfo(byte[] info)
    {
        string name = ""; int elem = 0;
        foreach (var (field, value) in Fields(info))
        {
            if (field == 1) name = Str(value);
            else if (field == 2)
                foreach (var (k, t) in Fields((byte[])value))
                    if (k == 1) foreach (var (k2, e) in Fields((byte[])t)) if (k2 == 1) elem = (int)(ulong)e;
        }
        return (name, elem);
    }

    public double[] Values(string initializer)
    {
        var t = Initializers.Single(i => i.Name == initializer);
        return t.DataType switch
        {
            1 => Enumerable.Range(0, t.Raw.Length / 4).Select(i => (double)BinaryPrimitives.ReadSingleLittleEndian(t.Raw.AsSpan(4 * i))).ToArray(),
            11 => Enumerable.Range(0, t.Raw.Length / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(t.Raw.AsSpan(8 * i))).ToArray(),
            _ => throw new InvalidOperationException($"Initializer {initializer} has type {t.DataType}."),
        };
    }

    private static string Str(object v) => Encoding.UTF8.GetString((byte[])v);

    /// <summary>Top-level fields of one message: varints as ulong, length-delimited as byte[], fixed32 as uint.</summary>
    private static IEnumerable<(int Field, object Value)> Fields(byte[] message)
    {
        int pos = 0;
        while (pos < message.Length)
        {
            ulong tag = Varint(message, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: yield return (field, Varint(message, ref pos)); break;
                case 2:
                    int len = (int)Varint(message, ref pos);
                    yield return (field, message.AsSpan(pos, len).ToArray());
                    pos += len;
                    break;
                case 5: yield return (field, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(pos))); pos += 4; break;
                case 1: yield return (field, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(pos))); pos += 8; break;
                default: throw new InvalidDataException($"Wire type {wire} at byte {pos}.");
            }
        }
    }

    private static ulong Varint(byte[] b, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[pos++];
            result |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80) return result;
        }
    }
}
