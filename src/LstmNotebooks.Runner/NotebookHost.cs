using System.Text;
using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

/// <summary>
/// The notebook process: <c>lstmnb __notebook</c>, started by the runner once per notebook. It reads its request from
/// standard input, runs the notebook and reports on standard output (see <see cref="Protocol"/>). Text the notebook
/// writes outside any cell, and what the runtime prints when the process dies (a stack overflow, an unhandled
/// exception), goes to standard error, which the runner keeps for its report.
/// </summary>
internal static class NotebookHost
{
    public static async Task<int> RunAsync()
    {
        var protocolStream = ProtocolStream();
        var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
        var request = JsonNode.Parse(await Console.In.ReadToEndAsync())!.AsObject();
        Console.SetIn(TextReader.Null);
        using var writer = new ProtocolWriter(protocolStream);
        ConsoleRouting.Install(stderr);
        ValueFormatter.RegisterKernelDefaults();
        using var displays = CellScope.RouteDisplayedValues();

        var document = NotebookParser.Load(request["path"]!.GetValue<string>()) with { Path = Path.GetFullPath(request["path"]!.GetValue<string>()) };
        var sources = request["sources"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray();
        using (var executor = new NotebookExecutor(document, writer, sources, request["maxOutputLines"]!.GetValue<int>(), request["allowErrors"]!.GetValue<bool>()))
            await executor.ExecuteAsync(CancellationToken.None);
        writer.Send(new JsonObject { ["t"] = "done" });
        writer.Flush();
        return 0;
    }

    /// <summary>
    /// The process's standard output as a plain pipe. Not <see cref="Console.OpenStandardOutput()"/>: on Unix its writes
    /// take a lock on <see cref="Console.Out"/>, which a cell's Console.WriteLine already holds (SyncTextWriter) while it
    /// waits for the protocol writer, whose flush timer waits for that lock: a cell printing in a loop deadlocked.
    /// </summary>
    private static Stream ProtocolStream() => OperatingSystem.IsWindows()
        ? Console.OpenStandardOutput()
        : new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
}
