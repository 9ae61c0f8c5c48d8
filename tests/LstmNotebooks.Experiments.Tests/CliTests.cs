using System.Diagnostics;

namespace LstmNotebooks.Experiments.Tests;

/// <summary>The command line turns every bad argument or unreadable file into one line and a non-zero exit.</summary>
public class CliTests
{
    private static (int Exit, string Out, string Error) Cli(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LstmNotebooks.Experiments.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(); throw new TimeoutException($"experiments CLI {string.Join(' ', args)} did not exit"); }
        return (process.ExitCode, output.Result, error.Result);
    }

    [Theory]
    [InlineData("needs a lag of at least 1", "2c", "--lag", "0")]
    [InlineData("hidden size", "2c", "--hidden", "0")]
    [InlineData("learning rate", "2c", "--lr", "NaN")]
    [InlineData("criterion window", "2c", "--window", "0")]
    [InlineData("0/0", "2c", "--test-size", "0")]
    [InlineData("Unknown task 'frob'", "ablation", "frob")]
    [InlineData("symbolic tasks only", "adding", "--model", "hmm")]
    [InlineData("--seeds must be at least 1", "2a", "--seeds", "0")]
    [InlineData("n_seq", "multiplication", "--n-seq", "0")]
    [InlineData("test stream", "continual-reber", "--test-symbols", "0")]
    public void A_bad_argument_ends_in_one_line_and_a_non_zero_exit(string expected, params string[] args)
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"lstm-cli-{Guid.NewGuid():N}");
        var (exit, _, error) = Cli([.. args, "--out", outDir]);
        Assert.Equal(2, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(outDir));   // nothing ran, nothing was written
    }

    [Fact]
    public void A_corrupt_results_file_is_one_line_and_a_non_zero_exit()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"lstm-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(outDir);
        try
        {
            File.WriteAllText(Path.Combine(outDir, "results.csv"), "garbage,x\nnot,a,results,file\n");
            foreach (var args in new[] { new[] { "chart" }, ["2c", "--lag", "5"] })
            {
                var (exit, _, error) = Cli([.. args, "--out", outDir]);
                Assert.Equal(2, exit);
                Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.Contains("results.csv' line 1", error);
                Assert.DoesNotContain("   at ", error);
            }
            var (missing, _, text) = Cli("chart", "--out", Path.Combine(outDir, "none"));
            Assert.Equal(2, missing);
            Assert.Contains("No results in", text);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }
}
