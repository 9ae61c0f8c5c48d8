using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace LstmNotebooks.Runner.Tests;

/// <summary>
/// A tiny package packed into a local feed for the tests: a TestChart type and an interactive-extensions/dotnet/extension.dib
/// that registers its formatters (text/html with a Plotly.newPlot call, and application/vnd.plotly.v1+json), as a kit's
/// notebook-integration package does. The version carries a hash of the sources, so NuGet's cache never serves a stale copy.
/// </summary>
public sealed class TestPackageFeed : IAsyncLifetime
{
    public const string Id = "LstmNotebooks.Runner.TestChart";

    private const string Source = """
        namespace LstmNotebooks.Runner.TestChart;

        public sealed class TestChart(double[] x, double[] y)
        {
            public double[] X { get; } = x;
            public double[] Y { get; } = y;

            public string ToFigureJson() =>
                "{\"data\":[{\"type\":\"scatter\",\"x\":[" + string.Join(",", X) + "],\"y\":[" + string.Join(",", Y) + "]}],\"layout\":{}}";

            public string ToHtml() => "<div id=\"tc\"></div><script>Plotly.newPlot('tc', " + ToFigureJson() + ");</script>";
        }
        """;

    private const string Extension = """
        #!meta

        {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

        #!csharp

        using Microsoft.DotNet.Interactive.Formatting;
        Formatter.Register<LstmNotebooks.Runner.TestChart.TestChart>((c, w) => w.Write(c.ToHtml()), "text/html");
        Formatter.Register<LstmNotebooks.Runner.TestChart.TestChart>((c, w) => w.Write(c.ToFigureJson()), "application/vnd.plotly.v1+json");
        Formatter.SetPreferredMimeTypesFor(typeof(LstmNotebooks.Runner.TestChart.TestChart), "text/html", "application/vnd.plotly.v1+json");
        Console.WriteLine("test extension loaded");
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("lstmnb-feed-").FullName;

    public string Feed => Path.Combine(_root, "feed");

    public string Version { get; } = "1.0.0-t" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Source + Extension)))[..10].ToLowerInvariant();

    public async Task InitializeAsync()
    {
        var project = Path.Combine(_root, "src");
        Directory.CreateDirectory(Path.Combine(project, "ext"));
        await File.WriteAllTextAsync(Path.Combine(project, "TestChart.cs"), Source);
        await File.WriteAllTextAsync(Path.Combine(project, "ext", "extension.dib"), Extension);
        await File.WriteAllTextAsync(Path.Combine(project, "TestChart.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <PackageId>{Id}</PackageId>
                <Version>{Version}</Version>
                <IsPackable>true</IsPackable>
                <NoWarn>$(NoWarn);NU5128</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <None Include="ext/extension.dib" Pack="true" PackagePath="interactive-extensions/dotnet/extension.dib" />
              </ItemGroup>
            </Project>
            """);
        // Outside the repository: its Directory.Build.props and central package versions must not apply.
        await File.WriteAllTextAsync(Path.Combine(_root, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(_root, "Directory.Packages.props"), "<Project />");
        var start = new ProcessStartInfo("dotnet", ["pack", project, "-c", "Release", "-o", Feed, "--nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet pack of the test package failed:\n{await output}\n{await errors}");
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
