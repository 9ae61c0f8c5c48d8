using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

/// <summary>
/// What a notebook process tells the runner, one JSON object per line on its standard output, as it happens: a cell
/// started, an output, console text, a cell finished. The runner keeps everything it was told, so a process that
/// dies or hangs still leaves every output up to that moment.
/// </summary>
internal static class Protocol
{
    public const string ChildVerb = "__notebook";

    public static JsonObject CellStarted(int cell) => new() { ["t"] = "cell", ["n"] = cell };

    public static JsonObject CellFinished(int cell, CellStatus status, int? count, TimeSpan elapsed) => new()
    {
        ["t"] = "end", ["n"] = cell, ["status"] = status.ToString(), ["count"] = count, ["ms"] = elapsed.TotalMilliseconds,
    };

    public static JsonObject Stream(int cell, StreamName name, string text, long droppedLines) => new()
    {
        ["t"] = "stream", ["n"] = cell, ["name"] = name.ToString(), ["text"] = text, ["dropped"] = droppedLines,
    };

    public static JsonObject Output(int cell, CellOutput output, bool update = false) => output switch
    {
        DisplayOutput d => new JsonObject
        {
            ["t"] = update ? "update" : "display", ["n"] = cell, ["id"] = d.DisplayId, ["result"] = d.IsResult,
            ["data"] = new JsonObject(d.Data.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        },
        ErrorOutput e => new JsonObject
        {
            ["t"] = "error", ["n"] = cell, ["kind"] = e.Kind.ToString(), ["name"] = e.ErrorName, ["message"] = e.Message, ["line"] = e.Line,
            ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode?)l).ToArray()),
        },
        StreamOutput s => Stream(cell, s.Stream, s.Text, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(output), output.GetType().Name, "unknown output kind"),
    };

    public static DisplayOutput ReadDisplay(JsonObject m) => new(
        m["data"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal),
        m["result"]?.GetValue<bool>() ?? false) { DisplayId = m["id"]?.GetValue<string>() };

    public static ErrorOutput ReadError(JsonObject m) => new(
        Enum.Parse<ErrorKind>(m["kind"]!.GetValue<string>()), m["name"]!.GetValue<string>(), m["message"]!.GetValue<string>(),
        m["line"]?.GetValue<int>(), m["traceback"]!.AsArray().Select(l => l!.GetValue<string>()).ToArray());

    /// <summary>What the runner asks of a notebook process, sent on its standard input.</summary>
    public static JsonObject Request(string notebookPath, RunOptions options) => new()
    {
        ["path"] = notebookPath,
        ["sources"] = new JsonArray(options.Sources.Select(s => (JsonNode?)s).ToArray()),
        ["maxOutputLines"] = options.MaxOutputLines,
        ["allowErrors"] = options.AllowErrors,
    };
}

/// <summary>
/// Writes protocol lines; safe from any thread. Console text leaves at the end of every line written (a process that
/// dies next, by Environment.Exit or a stack overflow, must have sent what it printed); a line built from many small
/// writes, and the dropped-line count of a capped cell, are batched until a newline, 64 KB or the 100 ms timer.
/// </summary>
internal sealed class ProtocolWriter : IDisposable
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    private readonly Lock _gate = new();
    private readonly Stream _stream;
    private readonly Timer _timer;
    private readonly StringBuilder _pending = new();
    private int _pendingCell;
    private StreamName _pendingName;
    private long _pendingDropped;

    public ProtocolWriter(Stream stream)
    {
        _stream = stream;
        _timer = new Timer(_ => Flush(), null, 100, 100);
        // Environment.Exit runs this; a partial line printed just before it is kept.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Flush();
    }

    public void Send(JsonObject message)
    {
        lock (_gate)
        {
            FlushPending();
            WriteLine(message);
        }
    }

    public void Write(int cell, StreamName name, string text, long droppedLines)
    {
        lock (_gate)
        {
            if (_pending.Length > 0 && (_pendingCell != cell || _pendingName != name)) FlushPending();
            _pendingCell = cell;
            _pendingName = name;
            _pending.Append(text);
            _pendingDropped = droppedLines;
            if (_pending.Length > 64 * 1024 || text.Contains('\n', StringComparison.Ordinal)) FlushPending();
        }
    }

    public void Flush()
    {
        lock (_gate) FlushPending();
    }

    private void FlushPending()
    {
        if (_pending.Length == 0 && _pendingDropped == 0) return;
        WriteLine(Protocol.Stream(_pendingCell, _pendingName, _pending.ToString(), _pendingDropped));
        _pending.Clear();
        _pendingDropped = 0;
    }

    private void WriteLine(JsonObject message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString(Compact) + "\n");
        try
        {
            _stream.Write(bytes);
            _stream.Flush();
        }
        catch (IOException)
        {
            // The runner went away (killed on a timeout); nothing is listening any more.
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }
}
