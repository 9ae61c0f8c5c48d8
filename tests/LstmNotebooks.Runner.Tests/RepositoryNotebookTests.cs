using LstmNotebooks.Runner;

namespace LstmNotebooks.Runner.Tests;

/// <summary>
/// One test per notebook in the repository's notebooks/ folder, run in quick mode: no cell may fail, and the outputs
/// must carry what the notebook is for (charts with non-empty traces, tables with rows). New notebooks are picked up
/// without touching this file. Notebooks that load the core library expect it built in Release first
/// (dotnet build -c Release), as .ci/run does.
/// </summary>
public sealed class RepositoryNotebookTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in NotebookRunner.FindNotebooks(NotebooksFolder))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    public static string NotebooksFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LstmNotebooks.sln")))
                {
                    return Path.Combine(dir.FullName, "notebooks");
                }
            }

            throw new DirectoryNotFoundException($"no LstmNotebooks.sln above {AppContext.BaseDirectory}; the tests expect to run inside the repository.");
        }
    }

    /// <summary>Runs one repository notebook in quick mode and returns its result; also usable from other test code.</summary>
    public static async Task<NotebookResult> RunQuickAsync(string fileName, string? outputDirectory = null)
    {
        var report = await NotebookRunner.RunAsync(Path.Combine(NotebooksFolder, fileName), new RunOptions { Quick = true, OutputDirectory = outputDirectory });
        return Assert.Single(report.Notebooks);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_in_quick_mode_and_shows_its_charts_and_tables(string notebook)
    {
        using var temp = new TempNotebooks();
        var result = await RunQuickAsync(notebook, temp.OutDirectory);

        Assert.True(result.Status == NotebookStatus.Passed, result.Describe());
        Assert.All(result.Cells.Where(c => c.Kind == CellKind.Code), c => Assert.Equal(CellStatus.Succeeded, c.Status));

        var displays = result.AllOutputs.OfType<DisplayOutput>().ToArray();
        var charts = displays.Where(d => d.Kind == DisplayKind.Chart).ToArray();
        var tables = displays.Where(d => d.Kind == DisplayKind.Table).ToArray();
        var code = string.Join("\n", result.Cells.Where(c => c.Kind == CellKind.Code).Select(c => c.Source));
        if (code.Contains("Chart.", StringComparison.Ordinal))
        {
            Assert.True(charts.Length > 0, $"{notebook} builds charts but displayed none.\n{result.Describe()}");
        }

        if (code.Contains("DataFrame", StringComparison.Ordinal))
        {
            Assert.True(tables.Length > 0, $"{notebook} uses a DataFrame but displayed no table.\n{result.Describe()}");
        }

        Assert.All(charts, c =>
        {
            Assert.True(c.Chart!.TraceCount > 0, $"{notebook}: a chart has no traces");
            Assert.True(c.Chart.NonEmptyTraceCount == c.Chart.TraceCount,
                $"{notebook}: {c.Chart.TraceCount - c.Chart.NonEmptyTraceCount} of {c.Chart.TraceCount} traces have no data ({string.Join(", ", c.Chart.TraceTypes)})");
        });
        Assert.All(tables, t => Assert.True(t.Table!.RowCount > 0, $"{notebook}: a table has no rows"));
        Assert.True(File.Exists(result.HtmlPath) && File.Exists(result.ExecutedNotebookPath));
    }
}
