using System.Runtime.CompilerServices;

namespace LstmNotebooks.Interactive;

/// <summary>
/// What the package's <c>interactive-extensions/dotnet/extension.dib</c> runs when a notebook restores the package
/// (<c>#r "nuget: LstmNotebooks.Interactive, 0.2.0"</c>): the .NET Interactive kernel runs that script right after the
/// restore, and so does the LstmNotebooks runner. Call it yourself only in a host that does neither.
/// </summary>
public static class NotebookSupport
{
    /// <summary>
    /// Lets Plotly.NET load against the host's FSharp.Core, then registers the kit's formatters: Plotly.NET charts,
    /// models (a summary table), traces (gate heatmaps) and training histories (loss curves). Calling it again is
    /// harmless: the handler is attached once and the formatters are replaced by equal ones.
    /// </summary>
    public static void Load()
    {
        FSharpCoreBinding.Install();
        RegisterFormatters();
    }

    // A separate, never-inlined method: compiling Load must not load Plotly.NET's types (which need FSharp.Core) before
    // the binding above is in place.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RegisterFormatters() => KitFormatters.Register();
}
