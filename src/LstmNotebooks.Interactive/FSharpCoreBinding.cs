using System.Reflection;

namespace LstmNotebooks.Interactive;

/// <summary>
/// Plotly.NET 6.0.0 (the only version served) is built against FSharp.Core 10.1, while the .NET Interactive kernel
/// 1.0.712001 ships and loads FSharp.Core 10.0: every chart then fails with "Could not load file or assembly
/// 'FSharp.Core, Version=10.1.0.0'". The runtime cannot load a second FSharp.Core beside the kernel's, so this
/// resolves the request to the FSharp.Core the process already has, when their major versions agree (a minor version
/// apart, the surface Plotly.NET uses is the same: measured in the kernel, C# and F# cells).
/// </summary>
internal static class FSharpCoreBinding
{
    public static void Install()
    {
        // Removing first keeps the handler attached once however often the extension script runs.
        AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
        AppDomain.CurrentDomain.AssemblyResolve += Resolve;
    }

    internal static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        if (!string.Equals(requested.Name, "FSharp.Core", StringComparison.Ordinal)) return null;
        return Loaded(requested);
    }

    internal static Assembly? Loaded(AssemblyName requested)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            var name = assembly.GetName();
            if (string.Equals(name.Name, requested.Name, StringComparison.Ordinal) && name.Version?.Major == requested.Version?.Major)
                return assembly;
        }
        return null;
    }
}
