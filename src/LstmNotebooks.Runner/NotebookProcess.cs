using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

/// <summary>
/// Runs one notebook in a process of its own (the runner started again with <see cref="Protocol.ChildVerb"/>): a fresh
/// environment and working directory, and nothing it does (Environment.Exit, a stack overflow, a crash on another
/// thread, a loop that never ends) can reach the runner or the next notebook. Keeps every output the process
/// reported; kills it when a cell or the notebook runs past its timeout.
/// </summary>
internal sealed class NotebookProcess
{
    private const int StderrLinesKept = 60;
    private readonly Lock _gate = new();
    private readonly NotebookDocument _document;
    private readonly RunOptions _options;
    private readonly Action<ProgressPhase, int, CellStatus?> _progress;
    private readonly Dictionary<int, CellState> _cells = [];
    private readonly Queue<string> _stderr = new();
    private int? _running;
    private int? _lastStarted;
    private DateTime _cellStartedAt;
    private bool _done;

    public NotebookProcess(NotebookDocument document, RunOptions options, Action<ProgressPhase, int, CellStatus?> progress)
    {
        _document = document;
        _options = options;
        _progress = progress;
    }

    private sealed class CellState
    {
        public List<CellOutput> Outputs { get; } = [];
        public CellStatus? Status { get; set; }
        public int? Count { get; set; }
        public TimeSpan Elapsed { get; set; }
        public long Dropped { get; set; }
    }

    public async Task<IReadOnlyList<CellResult>> RunAsync(CancellationToken cancellationToken)
    {
        var start = ChildStartInfo();
        start.WorkingDirectory = Path.GetDirectoryName(_document.Path)!;
        foreach (var (name, value) in _options.Environment) start.Environment[name] = value;

        var began = DateTime.UtcNow;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        await process.StandardInput.WriteAsync(Protocol.Request(_document.Path, _options).ToJsonString());
        process.StandardInput.Close();
        var reading = ReadProtocolAsync(process.StandardOutput);
        var readingErrors = ReadStderrAsync(process.StandardError);

        string? killedFor = null;
        while (!process.HasExited)
        {
            var exited = process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAny(exited, Task.Delay(100, CancellationToken.None));
            if (process.HasExited) break;
            var now = DateTime.UtcNow;
            lock (_gate)
            {
                if (cancellationToken.IsCancellationRequested)
                    killedFor = "the run was cancelled";
                else if (_running is { } cell && now - _cellStartedAt > _options.CellTimeout)
                    killedFor = string.Create(CultureInfo.InvariantCulture,
                        $"cell {cell} did not finish within {_options.CellTimeout.TotalSeconds:0.###} s (--cell-timeout); its process was killed");
                else if (now - began > _options.NotebookTimeout)
                    killedFor = string.Create(CultureInfo.InvariantCulture,
                        $"the notebook did not finish within {_options.NotebookTimeout.TotalSeconds:0.###} s (--notebook-timeout); its process was killed");
            }

            if (killedFor is not null)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended by itself in the meantime.
                }

                break;
            }
        }

        await process.WaitForExitAsync(CancellationToken.None);
        await reading;
        await readingErrors;
        return Results(killedFor, process.ExitCode);
    }

    /// <summary>The runner itself, started again: through the dotnet host, so it works from dotnet run, the built dll, a test host and an installed tool.</summary>
    private static ProcessStartInfo ChildStartInfo()
    {
        var runner = typeof(NotebookProcess).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", runner, Protocol.ChildVerb }) start.ArgumentList.Add(arg);
        return start;
    }

    private static string DotnetHost()
    {
        var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self).Equals(exe, StringComparison.OrdinalIgnoreCase)) return self;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        // <root>/shared/Microsoft.NETCore.App/<version>/ is where the running runtime lives; the host is in <root>.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }

    private async Task ReadProtocolAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            JsonObject message;
            try
            {
                message = JsonNode.Parse(line)!.AsObject();
            }
            catch (System.Text.Json.JsonException)
            {
                lock (_gate) KeepStderr(line);
                continue;
            }

            Apply(message);
        }
    }

    private async Task ReadStderrAsync(StreamReader errors)
    {
        while (await errors.ReadLineAsync() is { } line)
            lock (_gate) KeepStderr(line);
    }

    /// <summary>The first lines say what happened ("Stack overflow.", "Unhandled exception. …"); the rest is counted.</summary>
    private void KeepStderr(string line)
    {
        if (_stderr.Count < StderrLinesKept) _stderr.Enqueue(line);
        else if (_stderr.Count == StderrLinesKept) _stderr.Enqueue("…");
    }

    private CellState Cell(int number) => _cells.TryGetValue(number, out var s) ? s : _cells[number] = new CellState();

    private void Apply(JsonObject m)
    {
        var type = m["t"]!.GetValue<string>();
        var number = m["n"]?.GetValue<int>() ?? 0;
        (ProgressPhase Phase, CellStatus? Status)? report = null;
        lock (_gate)
        {
            switch (type)
            {
                case "cell":
                    Cell(number);
                    _running = _lastStarted = number;
                    _cellStartedAt = DateTime.UtcNow;
                    report = (ProgressPhase.CellStarted, null);
                    break;
                case "end":
                    var state = Cell(number);
                    state.Status = Enum.Parse<CellStatus>(m["status"]!.GetValue<string>());
                    state.Count = m["count"]?.GetValue<int>();
                    state.Elapsed = TimeSpan.FromMilliseconds(m["ms"]!.GetValue<double>());
                    _running = null;
                    report = (ProgressPhase.CellFinished, state.Status);
                    break;
                case "stream":
                    var cell = Cell(number);
                    cell.Dropped = Math.Max(cell.Dropped, m["dropped"]?.GetValue<long>() ?? 0);
                    Append(cell, new StreamOutput(Enum.Parse<StreamName>(m["name"]!.GetValue<string>()), m["text"]!.GetValue<string>()));
                    break;
                case "display":
                    Cell(number).Outputs.Add(Protocol.ReadDisplay(m));
                    break;
                case "update":
                    var update = Protocol.ReadDisplay(m);
                    foreach (var outputs in _cells.Values.Select(c => c.Outputs))
                        for (var i = 0; i < outputs.Count; i++)
                            if (outputs[i] is DisplayOutput d && d.DisplayId == update.DisplayId)
                                outputs[i] = update with { IsResult = d.IsResult };
                    break;
                case "error":
                    Cell(number).Outputs.Add(Protocol.ReadError(m));
                    break;
                case "done":
                    _done = true;
                    break;
            }
        }

        if (report is { } r) _progress(r.Phase, number, r.Status);
    }

    private static void Append(CellState cell, StreamOutput output)
    {
        if (output.Text.Length == 0) return;
        if (cell.Outputs.Count > 0 && cell.Outputs[^1] is StreamOutput last && last.Stream == output.Stream)
            cell.Outputs[^1] = last with { Text = last.Text + output.Text };
        else
            cell.Outputs.Add(output);
    }

    private IReadOnlyList<CellResult> Results(string? killedFor, int exitCode)
    {
        lock (_gate)
        {
            // The cell that was running when the process ended is the one that failed; if none was, the last one that ran.
            if (!_done || killedFor is not null)
            {
                var culprit = _running ?? _lastStarted;
                var error = killedFor is not null
                    ? new ErrorOutput(ErrorKind.Timeout, "Timeout", killedFor + ".", null, _stderr.ToArray())
                    : new ErrorOutput(ErrorKind.ProcessExited, "ProcessExited", Died(exitCode, culprit), null, _stderr.ToArray());
                if (culprit is { } c)
                {
                    var state = Cell(c);
                    state.Outputs.Add(error);
                    state.Status = CellStatus.Failed;
                }
                else
                {
                    // It died before any cell (e.g. it could not start): report it on the first code cell.
                    var first = _document.Cells.FirstOrDefault(x => x.Type == CellType.Code);
                    if (first is not null)
                    {
                        var state = Cell(first.Number);
                        state.Outputs.Add(error);
                        state.Status = CellStatus.Failed;
                    }
                }
            }

            var results = new List<CellResult>();
            foreach (var cell in _document.Cells)
            {
                if (cell.Type != CellType.Code)
                {
                    results.Add(new CellResult(cell.Number, cell.Type, KernelName.Markdown, cell.Source, CellStatus.Rendered, null, [], TimeSpan.Zero));
                    continue;
                }

                var kernel = Directives.Split(cell.Source, _document.DefaultKernel)[0].Kernel;
                if (!_cells.TryGetValue(cell.Number, out var state))
                {
                    results.Add(new CellResult(cell.Number, cell.Type, kernel, cell.Source, CellStatus.NotRun, null, [], TimeSpan.Zero));
                    continue;
                }

                var outputs = state.Outputs.ToList();
                if (state.Dropped > 0)
                    outputs.Add(new StreamOutput(StreamName.Stdout,
                        $"… {state.Dropped} more lines (output capped at {_options.MaxOutputLines} lines per cell; --max-output-lines)\n"));
                results.Add(new CellResult(cell.Number, cell.Type, kernel, cell.Source, state.Status ?? CellStatus.Failed, state.Count, outputs, state.Elapsed));
            }

            return results;
        }
    }

    private string Died(int exitCode, int? cell)
    {
        var printed = string.Join("\n", _stderr);
        var what = printed.Contains("Stack overflow", StringComparison.Ordinal) ? "a stack overflow"
            : printed.Contains("Unhandled exception", StringComparison.Ordinal) ? "an unhandled exception (on a thread of its own?)"
            : $"exit code {exitCode} (Environment.Exit?)";
        var where = cell is null ? "before any cell ran" : $"while cell {cell} was running or after it";
        var first = _stderr.FirstOrDefault(l => l.Trim().Length > 0);
        return $"the notebook process ended {where}: {what}" + (first is null ? "." : $"; it printed: {first.Trim()}");
    }
}
