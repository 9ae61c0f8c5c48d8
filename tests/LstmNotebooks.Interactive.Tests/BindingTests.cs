using System.Reflection;

namespace LstmNotebooks.Interactive.Tests;

/// <summary>The FSharp.Core binding: only FSharp.Core, only to a loaded copy of the same major version.</summary>
public sealed class BindingTests
{
    private static readonly Version Loaded = typeof(Microsoft.FSharp.Core.Unit).Assembly.GetName().Version!;

    [Fact]
    public void ARequestForANewerMinorVersionGetsTheLoadedFSharpCore()
    {
        var requested = new AssemblyName($"FSharp.Core, Version={Loaded.Major}.{Loaded.Minor + 1}.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a");
        Assert.Same(typeof(Microsoft.FSharp.Core.Unit).Assembly, FSharpCoreBinding.Resolve(null, new ResolveEventArgs(requested.FullName)));
    }

    [Fact]
    public void AnotherMajorVersionOrAnotherAssemblyIsLeftToTheRuntime()
    {
        Assert.Null(FSharpCoreBinding.Resolve(null, new ResolveEventArgs($"FSharp.Core, Version={Loaded.Major + 1}.0.0.0")));
        Assert.Null(FSharpCoreBinding.Resolve(null, new ResolveEventArgs($"Plotly.NET, Version={Loaded.Major}.0.0.0")));
    }

    [Fact]
    public void TheExtensionScriptLoadsTheKit()
    {
        // What the kernel and the runner run after restoring the package: one C# cell calling NotebookSupport.Load.
        var dib = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "extension.dib"));
        Assert.StartsWith("#!meta", dib);
        var code = dib[(dib.IndexOf("#!csharp", StringComparison.Ordinal) + "#!csharp".Length)..].Trim();
        Assert.Equal($"{typeof(NotebookSupport).FullName}.{nameof(NotebookSupport.Load)}();", code);
    }
}
