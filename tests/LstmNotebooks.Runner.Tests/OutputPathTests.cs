using LstmNotebooks.Runner;
using static LstmNotebooks.Runner.Tests.TempNotebooks;

namespace LstmNotebooks.Runner.Tests;

public sealed class OutputPathTests
{
    [Fact]
    public void NotebooksThatWouldShareAnOutputNameGetUniqueNamesAndANote()
    {
        var notebooks = new[] { "/n/A/x.ipynb", "/n/B/x.ipynb", "/n/A/x-ipynb.ipynb", "/n/A/x.dib", "/n/A/index.ipynb", "/n/A/x-2.ipynb" };

        var (names, notes) = OutputPlan.Plan(notebooks, "/out");

        Assert.Equal(["x", "x-3", "x-ipynb", "x-4", "index-2", "x-2"], names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains(notes, n => n.Contains("/n/B/x.ipynb is written as x-3.ipynb"));
        Assert.Contains(notes, n => n.Contains("index.ipynb is written as index-2.ipynb"));
    }

    [Fact]
    public void AnOutputFolderThatHoldsASourceNotebookOrIsAFileIsRefused()
    {
        using var temp = new TempNotebooks();
        var notebook = temp.Write("x.ipynb", Code("1"));
        var file = temp.WriteText("file.txt", "");

        Assert.Contains("would overwrite the source notebooks", Assert.Throws<UsageException>(() => OutputPlan.Plan([notebook], temp.Directory)).Message);
        Assert.Contains("is an existing file", Assert.Throws<UsageException>(() => OutputPlan.Plan([notebook], file)).Message);
    }

    [Fact]
    public async Task TwoNotebooksWithOneNameInTwoFoldersBothKeepTheirExecutedCopies()
    {
        using var temp = new TempNotebooks();
        Directory.CreateDirectory(Path.Combine(temp.Directory, "A"));
        Directory.CreateDirectory(Path.Combine(temp.Directory, "B"));
        var a = temp.Write(Path.Combine("A", "x.ipynb"), Code("\"from A\""));
        var b = temp.Write(Path.Combine("B", "x.ipynb"), Code("\"from B\""));

        var report = await NotebookRunner.RunManyAsync([a, b], new RunOptions { OutputDirectory = temp.OutDirectory });

        Assert.Contains("from A", File.ReadAllText(Path.Combine(temp.OutDirectory, "x.ipynb")));
        Assert.Contains("from B", File.ReadAllText(Path.Combine(temp.OutDirectory, "x-2.ipynb")));
        Assert.Single(report.Notes);
    }
}
