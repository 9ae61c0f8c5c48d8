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
                var kernel = HostKernel(onLoad.GetParameters()[0].ParameterType);
                await InsideCommandAsync(kernel, () => (Task)onLoad.Invoke(extension, [kernel])!);
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

    /// <summary>
    /// Runs <paramref name="body"/> as the kernel runs an extension: inside a command the kernel handles, so that
    /// KernelInvocationContext.Current and Kernel.Root are set (Microsoft.Data.Analysis 0.23.1's OnLoadAsync reads
    /// Kernel.Root and fails with a NullReferenceException outside one). An AnonymousKernelCommand sent to the host
    /// kernel; a failure the kernel reports as CommandFailed is rethrown.
    /// </summary>
    private static async Task InsideCommandAsync(object kernel, Func<Task> body)
    {
        var assembly = kernel.GetType().Assembly;
        var commandType = assembly.GetType("Microsoft.DotNet.Interactive.Commands.AnonymousKernelCommand", throwOnError: true)!;
        var handlerType = assembly.GetType("Microsoft.DotNet.Interactive.KernelCommandInvocation", throwOnError: true)!;
        var invoke = handlerType.GetMethod("Invoke")!;
        var parameters = invoke.GetParameters().Select(p => System.Linq.Expressions.Expression.Parameter(p.ParameterType, p.Name)).ToArray();
        var handler = System.Linq.Expressions.Expression.Lambda(handlerType,
            System.Linq.Expressions.Expression.Invoke(System.Linq.Expressions.Expression.Constant(body)), parameters).Compile();
        var constructor = commandType.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var command = constructor.Invoke(constructor.GetParameters().Select((p, i) => i == 0 ? handler : p.HasDefaultValue ? p.DefaultValue : null).ToArray());
        // An anonymous command is hidden, and the kernel refuses to report on a command whose ancestors are all hidden:
        // its parent is a (visible) submission, as when the kernel loads an extension while running a #r cell.
        var submitCode = assembly.GetType("Microsoft.DotNet.Interactive.Commands.SubmitCode", throwOnError: true)!;
        var submitConstructor = submitCode.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var parent = submitConstructor.Invoke(submitConstructor.GetParameters().Select((p, i) => i == 0 ? "#!extension" : p.HasDefaultValue ? p.DefaultValue : null).ToArray());
        var setParent = commandType.GetMethods().First(m => m.Name == "SetParent");
        setParent.Invoke(command, setParent.GetParameters().Select((p, i) => i == 0 ? parent : p.HasDefaultValue ? p.DefaultValue : (object?)false).ToArray());
        var send = kernel.GetType().GetMethods().First(m => m.Name == "SendAsync" && m.GetParameters().Length == 2);
        var sending = (Task)send.Invoke(kernel, [command, CancellationToken.None])!;
        await sending;
        var result = sending.GetType().GetProperty("Result")!.GetValue(sending)!;
        var events = (System.Collections.IEnumerable)result.GetType().GetProperty("Events")!.GetValue(result)!;
        foreach (var e in events)
            if (e.GetType().Name == "CommandFailed")
                throw e.GetType().GetProperty("Exception")!.GetValue(e) as Exception
                    ?? new InvalidOperationException((string?)e.GetType().GetProperty("Message")!.GetValue(e));
    }

    private static DisplayOutput Text(string text) => new(new Dictionary<string, string> { ["text/plain"] = text });
}
