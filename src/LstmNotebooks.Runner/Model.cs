using System.Text.Json.Nodes;

namespace LstmNotebooks.Runner;

/// <summary>How a run is configured. A null <see cref="OutputDirectory"/> executes without writing any file.</summary>
public sealed record RunOptions
{
    /// <summary>Folder that receives the executed .ipynb, the HTML pages and index.html.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Environment variables set for every notebook process (<c>--env NAME=VALUE</c>), on top of the runner's own environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Package sources added to every restore, as a <c>#i "nuget: …"</c> would (<c>--source</c>); absolute paths or URLs.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>A cell that runs longer fails and its notebook process is killed.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A notebook that runs longer, all cells together, fails and its process is killed.</summary>
    public TimeSpan NotebookTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Console text kept per cell; the rest is counted and shown as "… N more lines".</summary>
    public int MaxOutputLines { get; init; } = 2000;

    /// <summary>Go on after a failed cell, as nbconvert's --allow-errors (the notebook still fails).</summary>
    public bool AllowErrors { get; init; }

    /// <summary>Called for every notebook and cell start and end, on a runner thread.</summary>
    public Action<RunProgress>? Progress { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting, the value and what is expected.</summary>
    public void Validate()
    {
        if (CellTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"--cell-timeout must be positive, but is {CellTimeout.TotalSeconds} s.");
        if (NotebookTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"--notebook-timeout must be positive, but is {NotebookTimeout.TotalSeconds} s.");
        if (MaxOutputLines < 1)
            throw new ArgumentException($"--max-output-lines must be at least 1, but is {MaxOutputLines}.");
        foreach (var name in Environment.Keys)
            if (name.Length == 0 || name.Contains('='))
                throw new ArgumentException($"--env: '{name}' is not a valid variable name; expected NAME=VALUE.");
        foreach (var source in Sources)
            if (!Path.IsPathFullyQualified(source) && !Uri.TryCreate(source, UriKind.Absolute, out _))
                throw new ArgumentException($"--source '{source}' must be an absolute folder or a URL (the command line makes relative folders absolute).");
    }
}

public enum ProgressPhase { NotebookStarted, CellStarted, CellFinished, NotebookFinished }

public sealed record RunProgress(
    ProgressPhase Phase,
    string Notebook,
    int NotebookNumber,
    int NotebookCount,
    int CellNumber,
    int CellCount,
    TimeSpan Elapsed,
    CellStatus? CellStatus = null,
    NotebookStatus? NotebookStatus = null);

public enum NotebookStatus { Passed, Failed, Malformed }

/// <summary>The nbformat cell types.</summary>
public enum CellType { Markdown, Code, Raw }

public enum CellStatus
{
    /// <summary>Markdown and raw cells: nothing to execute, rendered only.</summary>
    Rendered,
    Succeeded,
    Failed,
    /// <summary>A cell after a failed one: the notebook stopped before it.</summary>
    NotRun,
}

/// <summary>The kernels .NET Interactive knows by name; the runner executes some of them (see its README).</summary>
public enum KernelName { CSharp, FSharp, Markdown, Html, JavaScript, Value, Mermaid, PowerShell, Http, Sql, Kql, Python }

public enum DisplayKind { PlainText, Html, Chart, Other }

public enum StreamName { Stdout, Stderr }

/// <summary>Why a cell failed.</summary>
public enum ErrorKind
{
    /// <summary>The code did not compile; the diagnostics precede the error as a stderr stream, as in the kernel.</summary>
    Compilation,
    /// <summary>The code threw.</summary>
    Exception,
    /// <summary>A magic command the kernel refuses too, or one the runner cannot honour.</summary>
    MagicCommand,
    PackageRestore,
    /// <summary>The cell ran past --cell-timeout or the notebook past --notebook-timeout; its process was killed.</summary>
    Timeout,
    /// <summary>The notebook process ended while the cell ran (Environment.Exit, a stack overflow, an exception on another thread).</summary>
    ProcessExited,
    /// <summary>The cell is tagged "chart" but shows no Plotly output.</summary>
    MissingChart,
    /// <summary>A fault of the runner itself, reported as the cell's error.</summary>
    Runner,
}

/// <summary>The outcome of one <see cref="NotebookRunner.RunAsync"/> call.</summary>
public sealed record RunReport(IReadOnlyList<NotebookResult> Notebooks, TimeSpan Elapsed, string? IndexPath, IReadOnlyList<string> Notes)
{
    public bool Succeeded => Notebooks.Count > 0 && Notebooks.All(n => n.Status == NotebookStatus.Passed);

    public IEnumerable<NotebookFailure> Failures => Notebooks.Where(n => n.Failure is not null).Select(n => n.Failure!);
}

public sealed record NotebookResult(
    string SourcePath,
    string Name,
    NotebookStatus Status,
    IReadOnlyList<CellResult> Cells,
    NotebookFailure? Failure,
    TimeSpan Elapsed,
    string? ExecutedNotebookPath,
    string? HtmlPath)
{
    public IEnumerable<CellOutput> AllOutputs => Cells.SelectMany(c => c.Outputs);
}

/// <summary>What went wrong and where. <see cref="CellNumber"/> counts every cell from 1, markdown included, as an editor shows them.</summary>
public sealed record NotebookFailure(string Notebook, int? CellNumber, int? Line, string Message)
{
    public override string ToString()
    {
        var where = CellNumber is null ? "" : Line is null ? $"cell {CellNumber}: " : $"cell {CellNumber}, line {Line}: ";
        return $"{Notebook}: {where}{Message}";
    }
}

public sealed record CellResult(
    int Number,
    CellType Type,
    KernelName Kernel,
    string Source,
    CellStatus Status,
    int? ExecutionCount,
    IReadOnlyList<CellOutput> Outputs,
    TimeSpan Elapsed);

public abstract record CellOutput;

/// <summary>
/// A displayed value (<c>display_data</c>) or a cell's return value (<c>execute_result</c>, <see cref="IsResult"/>).
/// <see cref="Data"/> maps mime type to content as stored in the executed .ipynb.
/// </summary>
public sealed record DisplayOutput(IReadOnlyDictionary<string, string> Data, bool IsResult = false) : CellOutput
{
    public const string PlotlyMime = "application/vnd.plotly.v1+json";

    /// <summary>
    /// A chart is a Plotly output, whatever library made it: text/html drawing with Plotly.newPlot (the kernel sends
    /// every mime value as a string, so kits format charts as html only), or an output carrying <see cref="PlotlyMime"/>.
    /// </summary>
    public DisplayKind Kind =>
        Chart is not null ? DisplayKind.Chart
        : Data.ContainsKey("text/html") ? DisplayKind.Html
        : Data.ContainsKey("text/plain") ? DisplayKind.PlainText
        : DisplayKind.Other;

    /// <summary>The figure's traces (see <see cref="ChartSummary.Of"/>); null when this is not a chart.</summary>
    public ChartSummary? Chart => ChartSummary.Of(Data);

    internal string? DisplayId { get; init; }
}

public sealed record StreamOutput(StreamName Stream, string Text) : CellOutput;

/// <summary>A compile error, an exception, a refused magic command, a timeout … <see cref="Line"/> is 1-based within the cell.</summary>
public sealed record ErrorOutput(ErrorKind Kind, string ErrorName, string Message, int? Line, IReadOnlyList<string> Traceback) : CellOutput;

/// <summary>What a Plotly figure holds: a trace is non-empty when one of its data arrays has an element.</summary>
public sealed partial record ChartSummary(int TraceCount, int NonEmptyTraceCount, IReadOnlyList<string> TraceTypes, int PointCount)
{
    private const string NewPlot = "Plotly.newPlot";

    /// <summary>
    /// False for html that calls Plotly.newPlot without a figure data block: a chart whose traces cannot be read
    /// without running its script (the counts are then 0).
    /// </summary>
    public bool TracesKnown { get; init; } = true;

    /// <summary>
    /// The chart in an output's mime bundle, in this order: the <see cref="DisplayOutput.PlotlyMime"/> value itself;
    /// text/html with a <c>&lt;script type="application/vnd.plotly.v1+json"&gt;</c> data block (the figure, as a
    /// page or a checker can read it without running any script); text/html that calls Plotly.newPlot (traces
    /// unknown). Null when the output is not a chart.
    /// </summary>
    public static ChartSummary? Of(IReadOnlyDictionary<string, string> data)
    {
        if (data.TryGetValue(DisplayOutput.PlotlyMime, out var json)) return FromFigureJson(json);
        return data.TryGetValue("text/html", out var html) ? FromHtml(html) : null;
    }

    /// <summary>The chart of an html output (see <see cref="Of"/>), or null when it draws no Plotly chart.</summary>
    public static ChartSummary? FromHtml(string html)
    {
        if (FigureDataBlock(html) is { } figure) return FromFigureJson(figure);
        return html.Contains(NewPlot, StringComparison.Ordinal) ? new ChartSummary(0, 0, [], 0) { TracesKnown = false } : null;
    }

    /// <summary>
    /// The JSON inside the first <c>&lt;script type="application/vnd.plotly.v1+json" …&gt;</c> element, with the
    /// <c>&lt;\/</c> escape (an inline script ends at the first "&lt;/script") undone; null when there is none.
    /// </summary>
    internal static string? FigureDataBlock(string html)
    {
        var match = DataBlock().Match(html);
        return match.Success ? match.Groups["figure"].Value.Replace("<\\/", "</", StringComparison.Ordinal) : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(
        """<script\b[^>]*\btype\s*=\s*["']application/vnd\.plotly\.v1\+json["'][^>]*>(?<figure>.*?)</script\s*>""",
        System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex DataBlock();

    /// <summary>Reads {"data": [...], "layout": …}; a figure that is not JSON counts as a chart without traces.</summary>
    public static ChartSummary FromFigureJson(string json)
    {
        JsonNode? figure;
        try
        {
            figure = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return new ChartSummary(0, 0, [], 0);
        }

        var traces = (figure as JsonObject)?["data"] as JsonArray ?? [];
        var types = new List<string>();
        var nonEmpty = 0;
        var points = 0;
        foreach (var trace in traces.OfType<JsonObject>())
        {
            types.Add(trace["type"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : "scatter");
            var longest = trace.Select(p => p.Value is JsonArray a ? a.Count : 0).DefaultIfEmpty(0).Max();
            if (longest > 0) nonEmpty++;
            points += longest;
        }

        return new ChartSummary(types.Count, nonEmpty, types, points);
    }
}
