using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LstmNotebooks.Interop;

namespace LstmNotebooks;

/// <summary>The floating-point element types of safetensors that this library reads and writes.</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a float32.</summary>
    BF16,
    /// <summary>IEEE single precision (float).</summary>
    F32,
    /// <summary>IEEE double precision.</summary>
    F64,
}

/// <summary>One tensor of a safetensors file: name, element type, shape (row-major) and its raw little-endian bytes.</summary>
public sealed class SafetensorsTensor
{
    private readonly ReadOnlyMemory<byte> _data;

    private SafetensorsTensor(string name, SafetensorsDType dtype, long[] shape, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        _data = data;
    }

    public string Name { get; }
    public SafetensorsDType DType { get; }
    public IReadOnlyList<long> Shape { get; }
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    /// <summary>The tensor's bytes exactly as stored: little-endian, row-major.</summary>
    public ReadOnlySpan<byte> Data => _data.Span;

    /// <summary>A tensor of float (F32) or double (F64) values, stored bit for bit.</summary>
    public static SafetensorsTensor Create<T>(string name, IReadOnlyList<long> shape, ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var d in shape)
            if (d < 0) ThrowHelper.OutOfRange(nameof(shape), d, $"Tensor '{name}' has dimension {d}; dimensions must be ≥ 0.");
        long count = shape.Aggregate(1L, (a, b) => checked(a * b));
        if (count != values.Length)
            ThrowHelper.Argument(nameof(values), $"Tensor '{name}' of shape [{string.Join(", ", shape)}] needs {count} values, but got {values.Length}.");
        var dtype = SafetensorsFile.DTypeOf<T>();
        int size = SafetensorsFile.SizeOf(dtype);
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            if (size == 4) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), float.CreateTruncating(values[i]));
            else BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), double.CreateTruncating(values[i]));
        }
        return new SafetensorsTensor(name, dtype, shape.ToArray(), bytes);
    }

    internal static SafetensorsTensor FromFile(string name, SafetensorsDType dtype, long[] shape, ReadOnlyMemory<byte> data) => new(name, dtype, shape, data);

    /// <summary>The values as <typeparamref name="T"/>. Widening (F16/BF16/F32 → double, F16/BF16 → float) is exact;
    /// narrowing F64 to float would round, so it is refused.</summary>
    public T[] ToArray<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var target = SafetensorsFile.DTypeOf<T>();
        if (SafetensorsFile.SizeOf(DType) > SafetensorsFile.SizeOf(target))
            ThrowHelper.Format($"Tensor '{Name}' holds {DType} values, but {typeof(T).Name} cannot hold them without rounding. " +
                               $"Hint: read it as double (and convert the model with ConvertTo<{typeof(T).Name}>() if you want rounding).");
        var span = _data.Span;
        var result = new T[span.Length / SafetensorsFile.SizeOf(DType)];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = DType switch
            {
                SafetensorsDType.F16 => T.CreateTruncating((float)BinaryPrimitives.ReadHalfLittleEndian(span.Slice(2 * i))),
                SafetensorsDType.BF16 => T.CreateTruncating(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(2 * i)) << 16)),
                SafetensorsDType.F32 => T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(span.Slice(4 * i))),
                _ => T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(span.Slice(8 * i))),
            };
        }
        return result;
    }

    public override string ToString() => $"{Name}: {DType} [{string.Join(", ", Shape)}]";
}

/// <summary>
/// A safetensors file (the Hugging Face format PyTorch users exchange weights in): an 8-byte little-endian header
/// length N, N bytes of UTF-8 JSON <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
/// {string: string}}</c> padded with spaces, then the tensors' raw little-endian bytes, back to back. Reading checks
/// everything the reference implementation checks (header length and size, JSON, duplicate names, dtypes, sizes
/// against shapes, offsets that tile the data exactly: no overlap, no hole, nothing out of range).
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>The reference implementation refuses headers above 100 MB, so no valid file has one.</summary>
    public const long MaxHeaderBytes = 100_000_000;
    private const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafetensorsTensor> _byName;

    public SafetensorsFile(IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        _byName = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            if (t.Name == MetadataKey) ThrowHelper.Argument(nameof(tensors), $"A tensor cannot be named '{MetadataKey}': the format reserves that key.");
            if (!_byName.TryAdd(t.Name, t)) ThrowHelper.Argument(nameof(tensors), $"Tensor name '{t.Name}' appears twice; names must be unique.");
        }
        Tensors = list;
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
    }

    /// <summary>Tensors in file order (data offset order when read).</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }
    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafetensorsTensor? Find(string name) => _byName.GetValueOrDefault(name);

    // ---- writing ---------------------------------------------------------------------------------------------------------

    public void Write(string path) => AtomicFile.Write(path, Write);

    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var json = new MemoryStream();
        // Relaxed escaping keeps the header readable (quotes in metadata values as \", not \u0022); it is a file, not HTML.
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (Metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in Metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in Tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.ToString());
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset += t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int pad = (int)((8 - json.Length % 8) % 8);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(json.Length + pad));
        stream.Write(length);
        stream.Write(json.GetBuffer().AsSpan(0, (int)json.Length));
        for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
        foreach (var t in Tensors) stream.Write(t.Data);
    }

    // ---- reading ---------------------------------------------------------------------------------------------------------

    public static SafetensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        return Parse(File.ReadAllBytes(path));
    }

    public static SafetensorsFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Parse(copy.ToArray());
    }

    private static SafetensorsFile Parse(byte[] all)
    {
        const string what = "The safetensors file";
        if (all.Length < 8)
            ThrowHelper.Format($"{what} is truncated: {all.Length} bytes, fewer than the 8-byte header length that starts every safetensors file.");
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(all);
        if (declared > MaxHeaderBytes)
            ThrowHelper.Format($"{what} declares a {declared}-byte JSON header, but safetensors headers are at most {MaxHeaderBytes} bytes. " +
                               "Hint: this is not a safetensors file, or its first 8 bytes are damaged.");
        int n = (int)declared;
        if (8L + n > all.Length)
            ThrowHelper.Format($"{what} declares a {n}-byte JSON header, but only {all.Length - 8} bytes follow the header length: " +
                               "the file is truncated or its header length is wrong.");
        string header;
        try { header = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(all, 8, n); }
        catch (DecoderFallbackException) { ThrowHelper.Format($"{what}'s {n}-byte header is not valid UTF-8: the header length is wrong or the file is corrupted."); throw; }
        if (!header.StartsWith('{'))
            ThrowHelper.Format($"{what}'s header does not start with '{{' (it starts with {Describe(header)}): the header length is wrong or this is not a safetensors file.");

        var data = new ReadOnlyMemory<byte>(all, 8 + n, all.Length - 8 - n);
        var entries = new List<(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                ThrowHelper.Format($"{what}'s header is JSON but not an object.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name)) ThrowHelper.Format($"{what}'s header names '{p.Name}' twice; names must be unique.");
                if (p.Name == MetadataKey) ReadMetadata(p.Value, metadata);
                else entries.Add(ReadEntry(p.Name, p.Value));
            }
        }
        catch (JsonException e)
        {
            ThrowHelper.Format($"{what}'s header is not valid JSON ({e.Message}): the header length is wrong or the file is corrupted.");
        }

        // The tensors must tile the data region exactly, in offset order: no overlap, no gap, nothing past the end.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string previous = "the start of the data";
        foreach (var e in entries)
        {
            if (e.Begin < expected)
                ThrowHelper.Format($"{what}'s tensor '{e.Name}' starts at byte {e.Begin}, inside {previous} (which ends at {expected}): tensors must not overlap.");
            if (e.Begin > expected)
                ThrowHelper.Format($"{what}'s tensor '{e.Name}' starts at byte {e.Begin}, but {previous} ends at {expected}: tensors must follow each other without gaps.");
            if (e.End > data.Length)
                ThrowHelper.Format($"{what}'s tensor '{e.Name}' ends at byte {e.End}, but the data holds only {data.Length} bytes: " +
                                   "the offsets are out of range or the file is truncated.");
            expected = e.End;
            previous = $"tensor '{e.Name}'";
        }
        if (expected != data.Length)
            ThrowHelper.Format($"{what} has {data.Length - expected} bytes after its last tensor ({data.Length} bytes of data, tensors cover {expected}): " +
                               "the offsets or the header length are wrong.");
        var tensors = entries.Select(e => SafetensorsTensor.FromFile(e.Name, e.DType, e.Shape, data.Slice((int)e.Begin, (int)(e.End - e.Begin))));
        return new SafetensorsFile(tensors, metadata);
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            ThrowHelper.Format($"The safetensors file's \"{MetadataKey}\" is a JSON {value.ValueKind.ToString().ToLowerInvariant()}, but it must be an object of strings.");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                ThrowHelper.Format($"The safetensors file's metadata entry '{m.Name}' is a JSON {m.Value.ValueKind.ToString().ToLowerInvariant()}, but metadata values must be strings.");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                ThrowHelper.Format($"The safetensors file's metadata names '{m.Name}' twice; keys must be unique.");
        }
    }

    private static (string, SafetensorsDType, long[], long, long) ReadEntry(string name, JsonElement v)
    {
        string where = $"The safetensors file's tensor '{name}'";
        if (v.ValueKind != JsonValueKind.Object) ThrowHelper.Format($"{where} is described by a JSON {v.ValueKind.ToString().ToLowerInvariant()}, but it must be an object with dtype, shape and data_offsets.");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            ThrowHelper.Format($"{where} has no \"dtype\" string.");
        var dtype = ParseDType(dt.GetString()!, where);
        var shape = Integers(v, "shape", where, -1);
        var offsets = Integers(v, "data_offsets", where, 2);
        if (offsets[1] < offsets[0])
            ThrowHelper.Format($"{where} has data_offsets [{offsets[0]}, {offsets[1]}]: the end lies before the begin.");
        long count = 1;
        try { foreach (var d in shape) count = checked(count * d); count = checked(count * SizeOf(dtype)); }
        catch (OverflowException) { ThrowHelper.Format($"{where} has shape [{string.Join(", ", shape)}], whose byte size overflows: the header is corrupted."); }
        if (count != offsets[1] - offsets[0])
            ThrowHelper.Format($"{where} is {dtype} of shape [{string.Join(", ", shape)}], which takes {count} bytes, but its data_offsets " +
                               $"[{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}.");
        return (name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement v, string field, string where, int count)
    {
        if (!v.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array)
            ThrowHelper.Format($"{where} has no \"{field}\" array.");
        var result = new List<long>();
        foreach (var e in a.EnumerateArray())
        {
            long x = e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long parsed) ? parsed : -1;
            if (x < 0) ThrowHelper.Format($"{where} has {field} {a.GetRawText()}; every entry must be a non-negative integer.");
            result.Add(x);
        }
        if (count >= 0 && result.Count != count)
            ThrowHelper.Format($"{where} has {field} {a.GetRawText()}; it must hold exactly {count} integers [begin, end].");
        return result.ToArray();
    }

    /// <summary>Every dtype the format defines; the non-floating ones are known but not weights.</summary>
    private static readonly HashSet<string> OtherKnownDTypes =
        ["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

    private static SafetensorsDType ParseDType(string text, string where)
    {
        if (Enum.TryParse<SafetensorsDType>(text, ignoreCase: false, out var d) && Enum.IsDefined(d) && !char.IsDigit(text[0])) return d;
        string supported = string.Join(", ", Enum.GetNames<SafetensorsDType>());
        if (OtherKnownDTypes.Contains(text))
            ThrowHelper.Format($"{where} has dtype {text}; weights are floating point, and this library reads {supported}.");
        ThrowHelper.Format($"{where} has dtype '{text}', which is not a safetensors dtype this library knows; it reads {supported}.");
        return default; // unreachable
    }

    internal static int SizeOf(SafetensorsDType d) => d switch { SafetensorsDType.F16 or SafetensorsDType.BF16 => 2, SafetensorsDType.F32 => 4, _ => 8 };

    internal static SafetensorsDType DTypeOf<T>() => typeof(T) == typeof(float) ? SafetensorsDType.F32 : typeof(T) == typeof(double) ? SafetensorsDType.F64
        : throw new NotSupportedException($"Only float and double tensors are written, not {typeof(T).Name}.");

    private static string Describe(string header) => header.Length == 0 ? "nothing" : $"'{header[..Math.Min(8, header.Length)]}'";
}
