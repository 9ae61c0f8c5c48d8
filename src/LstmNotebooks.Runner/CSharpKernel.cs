using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;
using Microsoft.DotNet.Interactive.Formatting;

namespace LstmNotebooks.Runner;

/// <summary>
/// C# cells through Roslyn scripting, set up like .NET Interactive's C# kernel: the same default imports, latest
/// language version, <c>#r</c> paths taken from the notebook's folder, and each cell continuing the previous state.
/// </summary>
internal sealed partial class CSharpKernel : ILanguageKernel
{
    private static readonly string[] DefaultImports =
        ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];

    private readonly string _notebookDirectory;
    private readonly HashSet<string> _pathAssemblies = new(StringComparer.Ordinal);
    // Assemblies that cells reference are loaded into the default load context and registered here, so that C# and
    // F# cells (FSI loads into the default context) see one Assembly instance, and values shared between them keep
    // their types. Roslyn's own loader would otherwise load a second copy into a context of its own.
    private readonly InteractiveAssemblyLoader _loader = new();
    private ScriptOptions _options;
    private ScriptState<object>? _state;

    public CSharpKernel(string notebookDirectory)
    {
        _notebookDirectory = notebookDirectory;
        _options = ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithImports(DefaultImports)
            .AddReferences(
                typeof(Enumerable).Assembly,
                typeof(Microsoft.DotNet.Interactive.Kernel).Assembly,
                typeof(Formatter).Assembly,
                typeof(Microsoft.AspNetCore.Html.IHtmlContent).Assembly)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(notebookDirectory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(notebookDirectory))
            // Notebooks train models: optimized code, with debug information so that exceptions carry line numbers.
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8);
    }

    public KernelName Name => KernelName.CSharp;

    public async Task<ExecutionOutcome> ExecuteAsync(ParsedSubmission submission, string pseudoFile, CancellationToken cancellationToken)
    {
        foreach (var path in AssemblyPaths(submission.Code))
        {
            Share(path);
            if (TryGetAssemblyName(path) is { } name) _pathAssemblies.Add(name);
        }

        var state = await StartedAsync(cancellationToken);
        var script = state.Script.ContinueWith(submission.Code, _options.WithFilePath(pseudoFile));
        var diagnostics = script.Compile(cancellationToken);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0) return ExecutionOutcome.Failed(CompileError(errors, submission.FirstLine));

        // The kernel shows compiler warnings as stderr text after the cell ran (measured: CS4014 for an unawaited Task.Run).
        var warnings = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).Select(d => Describe(d, submission.FirstLine)).ToArray();
        var hasValue = HasReturnValue(script);
        var next = await script.RunFromAsync(state, _ => true, cancellationToken);
        _state = next;
        if (next.Exception is { } exception)
            return ExecutionOutcome.Failed(Errors.FromException(exception, Errors.LineOf(exception, pseudoFile, submission.FirstLine)));

        return new ExecutionOutcome(hasValue, hasValue ? next.ReturnValue : null, null, warnings);
    }

    public async Task WarmUpAsync(CancellationToken cancellationToken) => await StartedAsync(cancellationToken);

    public bool IsFromPathReference(Type type) =>
        _pathAssemblies.Contains(type.Assembly.GetName().Name ?? "")
        || (type.IsGenericType && type.GetGenericArguments().Any(IsFromPathReference))
        || (type.IsArray && IsFromPathReference(type.GetElementType()!));

    private static string? TryGetAssemblyName(string path)
    {
        try
        {
            return AssemblyName.GetAssemblyName(path).Name;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException)
        {
            return null;
        }
    }

    public bool TryGetValue(string name, out KernelVariable variable)
    {
        var found = _state?.GetVariable(name);
        variable = found is null ? null! : new KernelVariable(found.Name, found.Type, found.Value);
        return found is not null;
    }

    public async Task SetValueAsync(string name, object? value, Type type, int line)
    {
        if (!SyntaxFacts.IsValidIdentifier(name))
        {
            throw new DirectiveException($"'{name}' is not a valid C# variable name.", line);
        }

        // As the C# kernel does: declare a variable of the value's type, then assign the value itself (no copy).
        var references = new HashSet<Assembly>();
        var typeName = CSharpTypeName(value?.GetType() ?? type, references);
        AddReferences(references.Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location));
        var current = await StartedAsync(CancellationToken.None);
        var declared = await current.ContinueWithAsync($"{typeName} {name} = default;", _options.WithFilePath("runner-shared-value.csx"));
        declared.GetVariable(name).Value = value;
        _state = declared;
    }

    public IReadOnlyList<KernelVariable> Variables() =>
        _state is null
            ? []
            : _state.Variables.GroupBy(v => v.Name).Select(g => g.Last()).Select(v => new KernelVariable(v.Name, v.Type, v.Value)).ToArray();

    public void Dispose()
    {
    }

    // Whether the code ends with an expression (no semicolon, not void) is only exposed internally; .NET Interactive reads it the same way.
    private static readonly MethodInfo HasReturnValueMethod =
        typeof(Script).GetMethod("HasReturnValue", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingMethodException(
            $"Microsoft.CodeAnalysis.Scripting {typeof(Script).Assembly.GetName().Version} has no internal Script.HasReturnValue(); the runner was built against 5.12.0.");

    private static bool HasReturnValue(Script script) => (bool)HasReturnValueMethod.Invoke(script, null)!;

    private async Task<ScriptState<object>> StartedAsync(CancellationToken cancellationToken) =>
        _state ??= await CSharpScript.Create("using static Microsoft.DotNet.Interactive.Kernel;", _options, assemblyLoader: _loader)
            .RunAsync(cancellationToken: cancellationToken);

    /// <summary>The files of the cell's <c>#r "path.dll"</c> lines, resolved from the notebook's folder.</summary>
    private IEnumerable<string> AssemblyPaths(string code)
    {
        foreach (System.Text.RegularExpressions.Match m in AssemblyReferenceLine().Matches(code))
        {
            var full = Path.GetFullPath(m.Groups[1].Value, _notebookDirectory);
            if (File.Exists(full)) yield return full;
        }
    }

    private void Share(string path)
    {
        try
        {
            // An assembly the process already has (the framework, the runner's own Plotly.NET …) is used as it is.
            var name = AssemblyName.GetAssemblyName(path).Name;
            var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == name)
                ?? System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            _loader.RegisterDependency(assembly);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException)
        {
            // Not a loadable .NET assembly (or a conflicting version): Roslyn's #r reports it properly at compile time.
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*#r\s+""(?!\s*nuget:)([^""]+)""", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex AssemblyReferenceLine();

    /// <summary>
    /// The host provides the kernel API (display, the formatter registry), as the kernel does for packages that ship
    /// their own copy of it: a second Microsoft.DotNet.Interactive(.Formatting) would make <c>display</c> ambiguous.
    /// </summary>
    private static readonly string[] HostAssemblies = ["Microsoft.DotNet.Interactive.dll", "Microsoft.DotNet.Interactive.Formatting.dll"];

    public void AddReferences(IEnumerable<string> paths)
    {
        var known = _options.MetadataReferences.OfType<PortableExecutableReference>()
            .Select(r => r.FilePath).Where(p => p is not null).Select(p => Path.GetFileName(p!))
            .Concat(HostAssemblies)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var fresh = paths.Where(p => known.Add(Path.GetFileName(p))).Select(p => MetadataReference.CreateFromFile(p)).ToArray();
        if (fresh.Length > 0)
        {
            _options = _options.AddReferences(fresh);
            foreach (var reference in fresh) Share(reference.FilePath!);
        }
    }

    private static int CellLine(Diagnostic d, int firstLine) => firstLine + d.Location.GetLineSpan().StartLinePosition.Line;

    private static string Describe(Diagnostic d, int firstLine) =>
        $"({CellLine(d, firstLine)},{d.Location.GetLineSpan().StartLinePosition.Character + 1}): {d.Severity.ToString().ToLowerInvariant()} {d.Id}: " +
        d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);

    private static ErrorOutput CompileError(IReadOnlyList<Diagnostic> errors, int firstLine)
    {
        var lines = errors.Select(d => Describe(d, firstLine)).ToArray();
        return new ErrorOutput(ErrorKind.Compilation, "CompilationError", string.Join("\n", lines), CellLine(errors[0], firstLine), lines);
    }

    /// <summary>
    /// The C# spelling of a type, for declaring shared variables. Types C# cannot name (declared in another
    /// language's cells, or not public) fall back to their nearest nameable base type.
    /// </summary>
    internal static string CSharpTypeName(Type type, ISet<Assembly> references)
    {
        while (!IsNameable(type))
        {
            type = type.BaseType ?? typeof(object);
        }

        return Name(type, references);

        static bool IsNameable(Type t) =>
            t.IsArray ? IsNameable(t.GetElementType()!)
            : (t.IsPublic || (t.IsNestedPublic && IsNameable(t.DeclaringType!)))
              && !t.Assembly.IsDynamic
              && !t.Assembly.GetName().Name!.StartsWith("ℛ", StringComparison.Ordinal)
              && !t.Assembly.GetName().Name!.StartsWith("FSI-ASSEMBLY", StringComparison.OrdinalIgnoreCase)
              && (!t.IsGenericType || t.GetGenericArguments().All(IsNameable));

        static string Name(Type t, ISet<Assembly> references)
        {
            if (t.IsArray)
            {
                return Name(t.GetElementType()!, references) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
            }

            references.Add(t.Assembly);
            var name = new StringBuilder();
            var args = t.IsGenericType ? t.GetGenericArguments() : [];
            var used = 0;
            var chain = new List<Type>();
            for (var c = t; c is not null; c = c.IsNested ? c.DeclaringType : null)
            {
                chain.Insert(0, c);
            }

            name.Append("global::");
            if (!string.IsNullOrEmpty(chain[0].Namespace))
            {
                name.Append(chain[0].Namespace).Append('.');
            }

            for (var i = 0; i < chain.Count; i++)
            {
                var part = chain[i].Name;
                var tick = part.IndexOf('`');
                if (i > 0) name.Append('.');
                if (tick < 0)
                {
                    name.Append(part);
                    continue;
                }

                var count = int.Parse(part[(tick + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                name.Append(part[..tick]).Append('<')
                    .Append(string.Join(", ", args.Skip(used).Take(count).Select(a => Name(a, references)))).Append('>');
                used += count;
            }

            return name.ToString();
        }
    }
}
