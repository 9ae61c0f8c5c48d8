using FSharp.Compiler.DependencyManager;

namespace LstmNotebooks.Runner;

/// <summary>A <c>#r "nuget:"</c> or <c>#i "nuget:"</c> that could not be honoured; reported at the directive's line.</summary>
internal sealed class PackageRestoreException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>
/// Restores <c>#r "nuget:"</c> packages for C# cells with the F# dependency manager, the engine .NET Interactive used:
/// it writes a small project, runs a NuGet restore and returns the assemblies of the packages and their dependencies.
/// Every restore asks for all packages of the notebook so far, as one notebook cannot load two versions of a package.
/// </summary>
internal sealed class PackageRestorer(string notebookDirectory) : IDisposable
{
    /// <summary>
    /// Kernel extensions and kernel packages: not obtainable here, and replaced by the runner's built-ins
    /// (display helpers, Formatting, the chart and DataFrame formatters), so their #r lines are skipped.
    /// </summary>
    public static bool IsProvidedByRunner(string package) =>
        package.StartsWith("Microsoft.DotNet.Interactive", StringComparison.OrdinalIgnoreCase)
        || package.Equals("Plotly.NET.Interactive", StringComparison.OrdinalIgnoreCase)
        || package.Equals("Microsoft.Data.Analysis.Interactive", StringComparison.OrdinalIgnoreCase);

    private readonly DependencyProvider provider = new();
    private readonly Dictionary<string, string?> packages = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> sources = [];
    private readonly HashSet<string> resolved = new(StringComparer.Ordinal);

    /// <summary>Turns <c>#i "nuget: folder"</c> into an absolute source: relative folders are taken from the notebook's folder.</summary>
    public string NormalizeSource(string source)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            return source;
        }

        return Path.GetFullPath(source, notebookDirectory);
    }

    public void AddSource(string source)
    {
        var normalized = NormalizeSource(source);
        if (!sources.Contains(normalized))
        {
            sources.Add(normalized);
        }
    }

    /// <summary>Restores the requested packages (with everything asked for before) and returns the assembly paths not returned before.</summary>
    public IReadOnlyList<string> Restore(IReadOnlyList<(string Name, string? Version, int Line)> requested)
    {
        var added = new List<(string Name, string? Version, int Line)>();
        foreach (var (name, version, line) in requested)
        {
            if (packages.TryGetValue(name, out var existing))
            {
                if (version is not null && existing is not null && !string.Equals(version, existing, StringComparison.OrdinalIgnoreCase))
                {
                    throw new PackageRestoreException(
                        $"package {name} is already loaded at version {existing}; a notebook cannot load a second version ({version}). " +
                        "Hint: ask for one version of each package, in the first cell that needs it.", line);
                }

                continue;
            }

            packages[name] = version;
            added.Add((name, version, line));
        }

        if (added.Count == 0)
        {
            return [];
        }

        var errors = new List<string>();
        var report = new ResolvingErrorReport((type, code, message) =>
            errors.Add($"{(type.IsError ? "error" : "warning")} FS{code}: {message}"));
        var manager = provider.TryFindDependencyManagerByKey([], "", null, report, "nuget")
            ?? throw new PackageRestoreException(
                "the NuGet dependency manager (FSharp.DependencyManager.Nuget.dll) was not found next to FSharp.Compiler.Service.dll. " +
                "Hint: rebuild the runner; the file comes with the FSharp.Compiler.Service package.", added[0].Line);

        var lines = sources.Select(s => Tuple.Create("i", s))
            .Concat(packages.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p =>
                Tuple.Create("r", p.Value is null ? $"Include={p.Key}" : $"Include={p.Key}, Version={p.Value}")))
            .ToArray();

        var result = provider.Resolve(manager, ".csx", lines, report, "net10.0");
        if (!result.Success)
        {
            foreach (var (name, _, _) in added)
            {
                packages.Remove(name);
            }

            var detail = string.Join("\n", errors.Concat(result.StdOut).Concat(result.StdError)
                .Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().Take(12));
            throw new PackageRestoreException(
                $"NuGet restore failed for {string.Join(", ", added.Select(a => a.Version is null ? a.Name : $"{a.Name} {a.Version}"))}" +
                (detail.Length > 0 ? $":\n{detail}" : ".") +
                "\nHint: check the package name and version, and that the package source (#i \"nuget: ...\") is reachable.", added[0].Line);
        }

        var fresh = result.Resolutions.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && resolved.Add(p)).ToList();
        return fresh;
    }

    public void Dispose() => (provider as IDisposable)?.Dispose();
}
