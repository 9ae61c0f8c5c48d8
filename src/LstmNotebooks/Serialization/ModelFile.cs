using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace LstmNotebooks;

/// <summary>
/// The model file, format version 2, little-endian:
/// magic "LSTMNBMD" · u16 version · u8 element size (4 float, 8 double) · spec (cell u8, input i32, hidden i32,
/// layers i32, has-forget-bias u8, forget bias f64, has-input-gate-bias u8, input-gate bias f64, peepholes u8, forget gate u8, seed i64, head kind u8, head
/// outputs i32, head mode u8; since version 2: bidirectional u8, projection size i32, dropout f64, recurrent dropout
/// f64, learned initial state u8) · i64 parameter count · raw parameters · SHA-256 of everything before it.
/// Weights and rates are stored as their exact bits, so a round trip is bit-exact. Version 1 files (no version-2
/// fields: unidirectional, no projection, no dropout, zero initial state) still load.
/// </summary>
public static class ModelFile
{
    public const ushort FormatVersion = 2;
    private const ushort FirstVersion = 1;
    private static ReadOnlySpan<byte> Magic => "LSTMNBMD"u8;
    private const int HashSize = 32;

    /// <summary>Saves atomically (see <see cref="Interop.AtomicFile"/>): a reader never sees a half-written file, and two
    /// saves to the same path at once both complete, the later one's file remaining.</summary>
    public static void Save<T>(Model<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        Interop.AtomicFile.Write(path, stream => Save(model, stream));
    }

    public static void Save<T>(Model<T> model, Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        var spec = model.Spec;
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write((byte)ElementSize<T>());
            w.Write((byte)spec.Cell);
            w.Write(spec.InputSize);
            w.Write(spec.HiddenSize);
            w.Write(spec.Layers);
            w.Write((byte)(spec.ForgetBias is null ? 0 : 1));
            w.Write(spec.ForgetBias ?? 0.0);
            w.Write((byte)(spec.InputGateBias is null ? 0 : 1));
            w.Write(spec.InputGateBias ?? 0.0);
            w.Write((byte)(spec.Peepholes ? 1 : 0));
            w.Write((byte)(spec.ForgetGate ? 1 : 0));
            w.Write(spec.Seed);
            w.Write((byte)spec.Head.Kind);
            w.Write(spec.Head.Outputs);
            w.Write((byte)spec.Head.Output);
            w.Write((byte)(spec.Bidirectional ? 1 : 0));
            w.Write(spec.ProjectionSize);
            w.Write(spec.Dropout);
            w.Write(spec.RecurrentDropout);
            w.Write((byte)(spec.LearnedInitialState ? 1 : 0));
            w.Write((long)model.ParameterCount);
            foreach (var v in model.Parameters)
            {
                if (typeof(T) == typeof(float)) w.Write(float.CreateTruncating(v));
                else w.Write(double.CreateTruncating(v));
            }
        }
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        stream.Write(body);
        stream.Write(SHA256.HashData(body));
    }

    public static Model<T> Load<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path)) ThrowHelper.Argument(nameof(path), "The model file path is empty. Hint: give the path Model.Save wrote.");
        if (Directory.Exists(path)) ThrowHelper.Argument(nameof(path), $"'{Path.GetFullPath(path)}' is a folder, not a model file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{Path.GetFullPath(path)}'.", path);
        using var stream = File.OpenRead(path);
        return Load<T>(stream);
    }

    public static Model<T> Load<T>(Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (spec, elementSize, payload) = ReadChecked(stream);
        if (elementSize != ElementSize<T>())
            ThrowHelper.Format(
                $"The model file holds {(elementSize == 4 ? "float" : "double")} weights, but Load<{typeof(T).Name}> was asked for. " +
                $"Hint: load it as Load<{(elementSize == 4 ? "float" : "double")}> and call ConvertTo<{typeof(T).Name}>().");
        var p = new T[payload.Length / elementSize];
        for (int i = 0; i < p.Length; i++)
        {
            var bytes = payload.AsSpan(i * elementSize, elementSize);
            p[i] = elementSize == 4
                ? T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(bytes))
                : T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(bytes));
            if (!T.IsFinite(p[i])) ThrowHelper.Format($"The model file holds a non-finite weight ({p[i]}) at index {i}; it is corrupted.");
        }
        return Model<T>.FromBuffer(spec, p);
    }

    /// <summary>Reads a file's spec and precision without building the model.</summary>
    public static (ModelSpec Spec, Type ElementType) Inspect(Stream stream)
    {
        var (spec, size, _) = ReadChecked(stream);
        return (spec, size == 4 ? typeof(float) : typeof(double));
    }

    private static (ModelSpec Spec, int ElementSize, byte[] Payload) ReadChecked(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int headerMin = Magic.Length + 2;
        // The magic first, so another kind of file (perhaps a large one) is refused before it is read into memory.
        var head = new byte[headerMin];
        int got = stream.ReadAtLeast(head, headerMin, throwOnEndOfStream: false);
        if (got < headerMin || !head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            ThrowHelper.Format($"This is not a LstmNotebooks model file: it does not start with \"LSTMNBMD\" ({got} bytes read). " +
                               "Hint: model files are written by Model.Save.");
        using var copy = new MemoryStream();
        copy.Write(head);
        stream.CopyTo(copy);
        var all = copy.ToArray();
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(all.AsSpan(Magic.Length));
        if (version < FirstVersion || version > FormatVersion)
            ThrowHelper.Format($"The model file has format version {version}, but this library reads version {FirstVersion} or {FormatVersion}. " +
                               "Hint: save it again with a matching LstmNotebooks version.");
        if (all.Length < headerMin + HashSize)
            ThrowHelper.Format($"The model file is truncated: {all.Length} bytes, too short for a header and checksum.");
        var body = all.AsSpan(0, all.Length - HashSize);
        var stored = all.AsSpan(all.Length - HashSize);
        using var reader = new BinaryReader(new MemoryStream(all, 0, all.Length - HashSize));
        try
        {
            reader.ReadBytes(Magic.Length + 2);
            int elementSize = reader.ReadByte();
            var cell = (CellKind)reader.ReadByte();
            int input = reader.ReadInt32(), hidden = reader.ReadInt32(), layers = reader.ReadInt32();
            bool hasBias = reader.ReadByte() != 0;
            double bias = reader.ReadDouble();
            bool hasInputBias = reader.ReadByte() != 0;
            double inputBias = reader.ReadDouble();
            bool peep = reader.ReadByte() != 0, forget = reader.ReadByte() != 0;
            long seed = reader.ReadInt64();
            var headKind = (HeadKind)reader.ReadByte();
            int outputs = reader.ReadInt32();
            var mode = (HeadOutput)reader.ReadByte();
            bool bidirectional = false, learnedState = false;
            int projection = 0;
            double dropout = 0, recurrentDropout = 0;
            if (version >= 2)
            {
                bidirectional = reader.ReadByte() != 0;
                projection = reader.ReadInt32();
                dropout = reader.ReadDouble();
                recurrentDropout = reader.ReadDouble();
                learnedState = reader.ReadByte() != 0;
            }
            long count = reader.ReadInt64();
            long payloadBytes = body.Length - reader.BaseStream.Position;
            if (elementSize is not (4 or 8)) ThrowHelper.Format($"The model file declares {elementSize}-byte weights; only 4 (float) and 8 (double) exist. It is corrupted.");
            if (count < 0 || count > payloadBytes / elementSize || count * elementSize != payloadBytes)
                ThrowHelper.Format($"The model file is truncated or corrupted: it declares {count} weights ({(double)count * elementSize:0} bytes) but holds {payloadBytes} bytes of them.");
            if (!SHA256.HashData(body).AsSpan().SequenceEqual(stored))
                ThrowHelper.Format("The model file is corrupted: its SHA-256 checksum does not match its contents.");
            if (!Enum.IsDefined(cell) || !Enum.IsDefined(headKind) || !Enum.IsDefined(mode))
                ThrowHelper.Format($"The model file names an unknown cell ({(int)cell}) or head ({(int)headKind}, {(int)mode}); it was written by another kind of program.");
            var spec = new ModelSpec(cell, input, hidden)
            {
                Layers = layers, ForgetBias = hasBias ? bias : null, InputGateBias = hasInputBias ? inputBias : null, Peepholes = peep, ForgetGate = forget, Seed = seed,
                Head = headKind == HeadKind.None ? HeadSpec.None : new HeadSpec(headKind, outputs, mode),
                Bidirectional = bidirectional, ProjectionSize = projection, Dropout = dropout, RecurrentDropout = recurrentDropout,
                LearnedInitialState = learnedState,
            };
            spec.Validate();
            var expected = new ParameterLayout(spec).Count;
            if (expected != count)
                ThrowHelper.Format($"The model file's spec needs {expected} weights, but it holds {count}; it is corrupted.");
            return (spec, elementSize, reader.ReadBytes((int)payloadBytes));
        }
        catch (EndOfStreamException)
        {
            ThrowHelper.Format($"The model file is truncated: it ends inside the header ({all.Length} bytes).");
            throw; // unreachable
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"The model file holds an invalid spec: {e.Message}", e);
        }
    }

    private static int ElementSize<T>() => typeof(T) == typeof(float) ? 4 : typeof(T) == typeof(double) ? 8
        : throw new NotSupportedException($"Only float and double models exist, not {typeof(T).Name}.");
}
