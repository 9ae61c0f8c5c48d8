using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.DotNet.Interactive.Formatting;

namespace LstmNotebooks.Runner;

/// <summary>
/// The magic commands that act on kernel state: <c>#!share</c>, <c>#!set</c>, <c>#!who</c>, <c>#!whos</c>,
/// <c>#!value</c> and the informational <c>#!lsmagic</c> / <c>#!about</c>, each with the meaning it has in the real
/// kernel 1.0.712001 (measured; see the runner's README for the table).
/// </summary>
internal sealed class MagicCommands(Func<KernelName, ILanguageKernel> kernels)
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public async Task RunAsync(Directive directive, ILanguageKernel target, CellOutputSink sink)
    {
        switch (directive.Kind)
        {
            case DirectiveKind.Share:
                await ShareAsync(directive, target, sink);
                break;
            case DirectiveKind.Set:
                await SetAsync(directive, target);
                break;
            case DirectiveKind.Who:
                sink.Display(Visible(target).Select(v => v.Name).ToArray(), []);
                break;
            case DirectiveKind.Whos:
                sink.Add(Html(WhosTable(target)));
                break;
            case DirectiveKind.LsMagic:
                sink.Add(Html($"<div><h3>runner</h3><pre>{WebUtility.HtmlEncode(Directives.SupportedList)}</pre></div>"));
                break;
            case DirectiveKind.About:
                sink.Add(Html($"<div>LstmNotebooks.Runner {typeof(MagicCommands).Assembly.GetName().Version}: C# (Roslyn scripting) and F# (FSharp.Compiler.Service) outside a kernel.</div>"));
                break;
        }
    }

    /// <summary><c>#!value --name v</c> followed by text: the text becomes a value other kernels can share.</summary>
    public void StoreValue(ParsedSubmission submission, CellOutputSink sink)
    {
        var directive = new Directive(DirectiveKind.Set, submission.FirstLine, "#!value " + string.Join(" ", submission.KernelOptions), submission.KernelOptions);
        var options = Directives.Options(directive, ["--name", "--mime-type"], [], 0, out _);
        if (options.GetValueOrDefault("--name") is not { } name)
            throw new DirectiveException("#!value needs --name <name> (the kernel's required option); --from-file and --from-url are not supported by the runner.", submission.FirstLine);
        var text = submission.Code.Trim('\n');
        _values[name] = text;
        sink.Add(new DisplayOutput(new Dictionary<string, string> { [options.GetValueOrDefault("--mime-type") ?? "text/plain"] = text }));
    }

    private static DisplayOutput Html(string html) => new(new Dictionary<string, string> { ["text/html"] = html });

    private static IEnumerable<KernelVariable> Visible(ILanguageKernel kernel) =>
        kernel.Variables().Where(v => !v.Name.StartsWith('<') && v.Name != "it");

    private static string WhosTable(ILanguageKernel kernel)
    {
        var sb = new StringBuilder("<table><thead><tr><th>Variable</th><th>Type</th><th>Value</th></tr></thead><tbody>");
        foreach (var v in Visible(kernel))
            sb.Append("<tr><td>").Append(WebUtility.HtmlEncode(v.Name)).Append("</td><td>").Append(WebUtility.HtmlEncode(v.Type.Name))
              .Append("</td><td>").Append(WebUtility.HtmlEncode(v.Value.ToDisplayString("text/plain"))).Append("</td></tr>");
        return sb.Append("</tbody></table>").ToString();
    }

    private (bool Found, object? Value, Type Type) Lookup(string kernelName, string name, Directive directive)
    {
        if (!KernelNames.TryParse(kernelName, out var kernel) || kernel is not (KernelName.CSharp or KernelName.FSharp or KernelName.Value))
            throw new DirectiveException($"'{directive.Text}': cannot take a value from kernel '{kernelName}'; expected csharp, fsharp or value.", directive.Line);
        if (kernel == KernelName.Value)
            return _values.TryGetValue(name, out var text) ? (true, text, typeof(string)) : (false, null, typeof(object));
        return kernels(kernel).TryGetValue(name, out var variable) ? (true, variable.Value, variable.Type) : (false, null, typeof(object));
    }

    /// <summary>
    /// <c>#!share --from kernel name [--as alias] [--mime-type m]</c>: by reference. A missing variable is only a stderr
    /// line in the kernel ("Value 'x' not found in kernel csharp"), not an error, and so it is here.
    /// </summary>
    private async Task ShareAsync(Directive directive, ILanguageKernel target, CellOutputSink sink)
    {
        var options = Directives.Options(directive, ["--from", "--as", "--mime-type"], [], 1, out var positionals);
        if (positionals.Count != 1 || !options.TryGetValue("--from", out var from) || from is null)
            throw new DirectiveException($"'{directive.Text}': expected #!share --from <kernel> <variable> [--as <name>] [--mime-type <mime>].", directive.Line);

        var (found, value, type) = Lookup(from, positionals[0], directive);
        if (!found)
        {
            sink.Write(StreamName.Stderr, $"Value '{positionals[0]}' not found in kernel {from}");
            return;
        }

        var name = options.GetValueOrDefault("--as") ?? positionals[0];
        if (options.GetValueOrDefault("--mime-type") is { } mime)
        {
            await target.SetValueAsync(name, value.ToDisplayString(mime), typeof(string), directive.Line);
            return;
        }

        if (KernelNames.TryParse(from, out var source) && source != target.Name && source != KernelName.Value && value is not null
            && kernels(source).IsFromPathReference(value.GetType()))
            throw new DirectiveException(
                $"'{directive.Text}': '{positionals[0]}' is a {value.GetType().FullName} from an assembly loaded with #r \"path.dll\"; " +
                "the real kernel 1.0.712001 shares such a value as null (measured), so the runner refuses it. " +
                "Hint: load the library from a package (#r \"nuget: …\") in both kernels, or share a value of a framework type.", directive.Line);
        await target.SetValueAsync(name, value, value?.GetType() ?? type, directive.Line);
    }

    /// <summary>
    /// <c>#!set --name n --value (@kernel:var | literal) [--byref] [--mime-type m]</c>. Without --byref a value from a
    /// kernel is copied through JSON as the kernel does: booleans, numbers (as double) and strings become .NET values,
    /// anything else a JsonElement. A literal is a string.
    /// </summary>
    private async Task SetAsync(Directive directive, ILanguageKernel target)
    {
        var options = Directives.Options(directive, ["--name", "--value", "--mime-type"], ["--byref"], 0, out _);
        if (options.GetValueOrDefault("--name") is not { } name)
            throw new DirectiveException($"'{directive.Text}': Missing required parameter '--name' (the kernel's DNI104).", directive.Line);
        if (!options.TryGetValue("--value", out var raw) || raw is null)
            throw new DirectiveException($"'{directive.Text}': Missing required parameter '--value' (the kernel's DNI104).", directive.Line);

        if (!raw.StartsWith('@'))
        {
            await target.SetValueAsync(name, raw, typeof(string), directive.Line);
            return;
        }

        var colon = raw.IndexOf(':');
        if (colon < 0)
            throw new DirectiveException($"'{directive.Text}': value '{raw}' should be @kernel:variable, e.g. @csharp:x.", directive.Line);

        var source = raw[1..colon];
        if (source is "input" or "password")
            throw new DirectiveException(
                $"'{directive.Text}': @{source} asks the user for a value, which a headless run cannot do. Hint: use a literal --value or an environment variable (--env).",
                directive.Line);

        var (found, value, type) = Lookup(source, raw[(colon + 1)..], directive);
        if (!found)
            throw new DirectiveException($"'{directive.Text}': Value '{raw[(colon + 1)..]}' not found in kernel {source}.", directive.Line);
        if (options.ContainsKey("--byref"))
            await target.SetValueAsync(name, value, value?.GetType() ?? type, directive.Line);
        else if (options.GetValueOrDefault("--mime-type") is { } mime && mime != "application/json")
            await target.SetValueAsync(name, value.ToDisplayString(mime), typeof(string), directive.Line);
        else
        {
            var copy = JsonCopy(value, directive);
            await target.SetValueAsync(name, copy, copy?.GetType() ?? typeof(object), directive.Line);
        }
    }

    private static object? JsonCopy(object? value, Directive directive)
    {
        string json;
        try
        {
            json = JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object));
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new DirectiveException(
                $"'{directive.Text}': the value ({value?.GetType()}) cannot be copied as JSON: {e.Message} Hint: add --byref to share the object itself.",
                directive.Line);
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return root.ValueKind switch
        {
            JsonValueKind.True or JsonValueKind.False => root.GetBoolean(),
            JsonValueKind.Number => root.GetDouble(),
            JsonValueKind.String => root.GetString(),
            _ => root.Clone(),
        };
    }
}
