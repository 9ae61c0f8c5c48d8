using System.Reflection;
using System.Runtime.Loader;

namespace LstmNotebooks.Runner;

/// <summary>
/// Loads what a restored package ships in <c>interactive-extensions/dotnet/</c>, right after the restore, as the kernel
/// does: an <c>extension.dib</c> runs cell by cell in this notebook's kernels ("Loading extension script from …"),
/// and an assembly's <c>IKernelExtension</c> types get <c>OnLoadAsync</c> ("Loading extensions from …"). Each package
/// is loaded once per notebook process.
/// </summary>
internal sealed class KernelExtensionLoader(
    Func<ParsedSubmission, CellOutputSink, string, CancellationToken, Task<ErrorOutput?>> execute)
{
    public const string Folder = "interactive-extensions/dotnet";
    private object? _hostKernel;

    public async Task<ErrorOutput?> LoadAsync(IReadOnlyList<string> packageRoots, CellOutputSink sink, CancellationToken cancellationToken)
    {
        foreach (var root in packageRoots)
        {
            var folder = Path.Combine(root, Folder);
            if (!Directory.Exists(folder)) continue;

            var script = Path.Combine(folder, "extension.dib");
            if (File.Exists(script))
            {
                sink.Add(Text($"Loading extension script from `{script}`"));
                NotebookDocument dib;
                try
                {
                    dib = NotebookParser.ParseDib(script, await File.ReadAllTextAsync(script, cancellationToken));
                }
                catch (NotebookFormatException e)
                {
                    return new ErrorOutput(ErrorKind.PackageRestore, "ExtensionError", e.Message, null, []);
                }

                foreach (var cell in dib.Cells.Where(c => c.Type == CellType.Code))
                    foreach (var part in Directives.Split(cell.Source, dib.DefaultKernel))
                    {
                        var error = await execute(Directives.Parse(part), sink, $"{script}#cell{cell.Number}", cancellationToken);
                        if (error is not null)
                            return error with { Message = $"{Path.GetFileName(script)} of {Path.GetFileName(root.TrimEnd('/'))}, cell {cell.Number}: {error.Message}" };
                    }
            }

            foreach (var dll in Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal))
            {
                sink.Add(Text($"Loading extensions from `{dll}`"));
                var error = await LoadAssemblyAsync(dll);
                if (error is not null) return error;
            }
        }

        return null;
    }

    private async Task<ErrorOutput?> LoadAssemblyAsync(string path)
    {
        try
        {
            var name = AssemblyName.GetAssemblyName(path).Name;
            var assembly = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == name)
                ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
            {
                // By name: the runner does not compile against the kernel assembly (it provides its own display API).
                var contract = type.GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.DotNet.Interactive.IKernelExtension");
                if (contract is null || type.GetConstructor(Type.EmptyTypes) is null) continue;
                var onLoad = contract.GetMethod("OnLoadAsync")!;
                var extension = Activator.CreateInstance(type)!;
                var task = (Task)onLoad.Invoke(extension, [HostKernel(onLoad.GetParameters()[0].ParameterType)])!;
                await task;
            }

            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var inner = Errors.Unwrap(e);
            return new ErrorOutput(ErrorKind.PackageRestore, "ExtensionError",
                $"the kernel extension in {path} failed to load: {inner.GetType().Name}: {inner.Message}", null, inner.ToString().Split('\n'));
        }
    }

    /// <summary>
    /// The kernel handed to OnLoadAsync: a root CompositeKernel of the kernel library. Extensions that register formatters
    /// (the common case, e.g. Microsoft.Data.Analysis's DataFrame table) work; one that sends commands to it reaches no
    /// language kernel of the runner.
    /// </summary>
    private object HostKernel(Type kernelType)
    {
        if (_hostKernel is not null) return _hostKernel;
        var composite = kernelType.Assembly.GetType("Microsoft.DotNet.Interactive.CompositeKernel")
            ?? throw new InvalidOperationException($"{kernelType.Assembly.GetName()} has no CompositeKernel to host extensions.");
        var constructor = composite.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : null).ToArray();
        return _hostKernel = constructor.Invoke(arguments);
    }

    private static DisplayOutput Text(string text) => new(new Dictionary<string, string> { ["text/plain"] = text });
}
