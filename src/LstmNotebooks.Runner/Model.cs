namespace LstmNotebooks.Runner;

/// <summary>How a run is configured. A null <see cref="OutputDirectory"/> executes without writing any file.</summary>
public sealed record RunOptions
{
    /// <summary>Folder that receives the executed .ipynb, the HTML pages and index.html.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Runs notebooks in reduced size: the notebook code sees <c>LSTMNB_QUICK=1</c>.</summary>
    public bool Quick { get; init; }

    /// <summary>Called for every notebook and cell start and end; runs on the executing thread.</summary>
    public Action<RunProgress>? Progress { get; init; }

    /// <summary>The name of the environment variable notebooks read to pick the reduced size.</summary>
    public const string QuickEnvironmentVariable = "LSTMNB_QUICK";
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

public enum CellKind { Markdown, Code, Raw }

public enum CellStatus
{
    /// <summary>Markdown and raw cells: nothing to execute, rendered only.</summary>
    Rendered,
    Succeeded,
    Failed,
    /// <summary>A cell after a failed one: the notebook stopped before it.</summary>
    NotRun,
}

public enum DisplayKind { PlainText, Html, Chart, Table, Other }

public enum StreamName { Stdout, Stderr }

/// <summary>The outcome of one <see cref="NotebookRunner.RunAsync"/> call.</summary>
public sealed record RunReport(IReadOnlyList<NotebookResult> Notebooks, TimeSpan Elapsed, string? IndexPath)
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
    CellKind Kind,
    string Language,
    string Source,
    CellStatus Status,
    int? ExecutionCount,
    IReadOnlyList<CellOutput> Outputs,
    TimeSpan Elapsed);

public abstract record CellOutput;

/// <summary>
/// A displayed value or a cell's return value. <see cref="Data"/> maps mime type to content as stored in the executed
/// .ipynb; <see cref="PageHtml"/>, when set, is what the offline HTML page shows instead (charts differ: the page
/// inlines plotly.js once, the .ipynb loads it the way Plotly.NET.Interactive did).
/// </summary>
public sealed record DisplayOutput(
    DisplayKind Kind,
    IReadOnlyDictionary<string, string> Data,
    ChartSummary? Chart = null,
    TableSummary? Table = null,
    string? PageHtml = null) : CellOutput;

public sealed record StreamOutput(StreamName Stream, string Text) : CellOutput;

/// <summary>A compile error, an exception or a runner error. <see cref="Line"/> is 1-based within the cell.</summary>
public sealed record ErrorOutput(string ErrorName, string Message, int? Line, IReadOnlyList<string> Traceback) : CellOutput;

/// <summary>What a Plotly chart holds: a trace is non-empty when one of its data arrays has an element.</summary>
public sealed record ChartSummary(int TraceCount, int NonEmptyTraceCount, IReadOnlyList<string> TraceTypes, int PointCount);

public sealed record TableSummary(long RowCount, int ColumnCount);
