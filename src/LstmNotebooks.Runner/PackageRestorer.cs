using FSharp.Compiler.DependencyManager;

namespace LstmNotebooks.Runner;

/// <summary>A <c>#r "nuget:"</c> or <c>#i "nuget:"</c> that could not be honoured; reported at the directive's line.</summary>
internal sealed class PackageRestoreException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>
/// What a restore gives the kernel that asked: every assembly of the notebook's packages so far (each kernel references
/// what it lacks: a package a C# cell restored must reach an F# cell that asks for it too), and the root folders of the
/// packages this restore brought in (their extensions run once per notebook).
/// </summary>
internal sealed record RestoreResult(IReadOnlyList<string> Assemblies, IReadOnlyList<string> PackageRoots, IReadOnlyList<string> Installed);

/// <summary>
/// Restores <c>#r "nuget:"</c> packages exactly as asked, with the F# dependency manager (the engine .NET Interactive
/// uses): it writes a small project, runs a NuGet restore and returns the assemblies of the packages and their
/// dependencies. Every restore asks for all packages of the notebook so far, as one process cannot load two versions
/// of a package.
/// </summary>
internal sealed class PackageRestorer(IReadOnlyList<string> commandLineSources) : IDisposable
{
    private readonly DependencyProvider _provider = new();
    private readonly Dictionary<string, string?> _packages = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _sources = [.. commandLineSources];
    private readonly List<string> _resolved = [];
    private readonly HashSet<string> _roots = new(StringComparer.Ordinal);

    /// <summary>
    /// <c>#i "nuget: source"</c>: an absolute folder or a URL. The kernel refuses a relative folder ("Invalid URI",
    /// measured in 1.0.712001), so the runner does too rather than accept a notebook the kernel fails.
    /// </summary>
    public void AddSource(string source, int line)
    {
        if (!Path.IsPathFullyQualified(source) && !(Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile))
            throw new PackageRestoreException(
                $"#i \"nuget: {source}\": a relative package source is refused by the real kernel (\"Invalid URI: The format of the URI could not be determined.\"). " +
                "Hint: give an absolute folder or a URL, or pass the folder to the runner with --source.", line);
        if (!_sources.Contains(source)) _sources.Add(source);
    }

    /// <summary>Restores the requested packages (with everything asked for before); see <see cref="RestoreResult"/>.</summary>
    public RestoreResult Restore(IReadOnlyList<(string Name, string? Version, int Line)> requested)
    {
        var added = new List<(string Name, string? Version, int Line)>();
        foreach (var (name, version, line) in requested)
        {
            if (_packages.TryGetValue(name, out var existing))
            {
                if (version is not null && !string.Equals(version, existing, StringComparison.OrdinalIgnoreCase))
                    throw new PackageRestoreException(
                        $"{name} version {version} cannot be added because version {existing ?? "(latest)"} was added previously (as in the kernel). " +
                        "Hint: ask for one version of each package, in the first cell that needs it.", line);
                continue;
            }

            _packages[name] = version;
            added.Add((name, version, line));
        }

        if (added.Count == 0) return new RestoreResult([.. _resolved], [], []);

        var errors = new List<string>();
        var report = new ResolvingErrorReport((type, code, message) =>
            errors.Add($"{(type.IsError ? "error" : "warning")} FS{code}: {message}"));
        var manager = _provider.TryFindDependencyManagerByKey([], "", null, report, "nuget")
            ?? throw new PackageRestoreException(
                "the NuGet dependency manager (FSharp.DependencyManager.Nuget.dll) was not found next to FSharp.Compiler.Service.dll. " +
                "Hint: reinstall the runner; the file comes with the FSharp.Compiler.Service package.", added[0].Line);

        var lines = _sources.Select(s => Tuple.Create("i", s))
            .Concat(_packages.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p =>
                Tuple.Create("r", p.Value is null ? $"Include={p.Key}" : $"Include={p.Key}, Version={p.Value}")))
            .ToArray();

        var result = _provider.Resolve(manager, ".csx", lines, report, "net10.0");
        if (!result.Success)
        {
            foreach (var (name, _, _) in added) _packages.Remove(name);
            var detail = string.Join("\n", errors.Concat(result.StdOut).Concat(result.StdError)
                .Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().Take(12));
            throw new PackageRestoreException(
                $"NuGet restore failed for {string.Join(", ", added.Select(a => a.Version is null ? a.Name : $"{a.Name} {a.Version}"))}" +
                (detail.Length > 0 ? $":\n{detail}" : ".") +
                "\nHint: check the package name and version, and that the package source (#i \"nuget: ...\" or --source) is reachable.", added[0].Line);
        }

        _resolved.AddRange(result.Resolutions.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !_resolved.Contains(p)));
        var roots = result.Roots.Where(_roots.Add).ToArray();
        var installed = added.Select(a => a.Version is null ? a.Name : $"{a.Name}, {a.Version}").ToArray();
        return new RestoreResult([.. _resolved], roots, installed);
    }

    public IReadOnlyList<string> Sources => _sources;

    public void Dispose() => (_provider as IDisposable)?.Dispose();
}
