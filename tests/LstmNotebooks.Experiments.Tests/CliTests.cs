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

    [Theory]
    [InlineData("Unrecognized command or argument 'frob'", "--help` lists the commands", "frob")]
    [InlineData("Required command was not provided", "--help` lists the commands")]
    [InlineData("Cannot parse argument 'abc' for option '--lag'", "adding --help` lists its options", "adding", "--lag", "abc")]
    [InlineData("'--bogus'", "adding --help` lists its options", "adding", "--bogus", "3")]
    [InlineData("Required argument missing for option: '--lag'", "2c --help", "2c", "--lag")]
    [InlineData("Required argument missing for command: 'ablation'", "ablation --help", "ablation")]
    [InlineData("'banana'", "2c --help", "2c", "--model", "banana")]
    public void A_parse_error_is_one_line_with_the_help_to_read_not_the_help_page(string expected, string hint, params string[] args)
    {
        var (exit, output, error) = Cli(args);
        Assert.Equal(2, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.Contains(hint, line);
        Assert.DoesNotContain("Usage:", output + error);
    }

    [Fact]
    public void An_output_folder_that_cannot_be_written_is_refused_before_the_first_run()
    {
        var blocker = Path.Combine(Path.GetTempPath(), $"lstm-cli-{Guid.NewGuid():N}");
        File.WriteAllText(blocker, "a file where the folder should be");
        try
        {
            var (exit, output, error) = Cli("remember-first", "--lag", "5", "--seeds", "1", "--out", Path.Combine(blocker, "out"));
            Assert.Equal(2, exit);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Cannot write the results", line);
            Assert.DoesNotContain("run(s) of", output);   // refused before anything trained
        }
        finally { File.Delete(blocker); }
    }
}
