using System.Text;
using System.Text.RegularExpressions;

namespace LstmNotebooks.Runner;

/// <summary>One piece of a cell that goes to one kernel. <see cref="FirstLine"/> is the 1-based cell line of its first line.</summary>
internal sealed record Submission(KernelName Kernel, IReadOnlyList<string> Lines, int FirstLine, IReadOnlyList<string> KernelOptions);

internal enum DirectiveKind { Set, Share, Time, Who, Whos, LsMagic, About, NuGetReference, NuGetSource }

/// <summary>A magic command found in a submission. <see cref="Line"/> is 1-based within the cell.</summary>
internal sealed record Directive(DirectiveKind Kind, int Line, string Text, IReadOnlyList<string> Arguments);

/// <summary>A submission with its magic commands taken out. Removed lines stay as empty lines so that compiler line numbers match the cell.</summary>
internal sealed record ParsedSubmission(KernelName Kernel, string Code, int FirstLine, IReadOnlyList<Directive> Directives, IReadOnlyList<string> KernelOptions)
{
    public bool Timed => Directives.Any(d => d.Kind == DirectiveKind.Time);
}

/// <summary>A magic command the runner cannot honour; reported as the cell's error at its line.</summary>
internal sealed class DirectiveException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>
/// Reads magic commands as the kernel does (1.0.712001, measured): a magic starts in column 0 (an indented one is
/// C# or F# code), a kernel selector line (<c>#!fsharp</c>) anywhere in a cell starts a new submission, and an
/// unknown magic is an error (the kernel's DNI101).
/// </summary>
internal static partial class Directives
{
    public const string SupportedList =
        "#!csharp, #!fsharp, #!markdown, #!html, #!value, #!set, #!share, #!time, #!who, #!whos, #!lsmagic, #!about, #r \"nuget: …\", #i \"nuget: …\", #r \"path.dll\"";

    /// <summary>Splits a code cell at lines that name a kernel (<c>#!fsharp</c>), as .NET Interactive does.</summary>
    public static IReadOnlyList<Submission> Split(string source, KernelName cellKernel)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        var result = new List<Submission>();
        var kernel = cellKernel;
        IReadOnlyList<string> options = [];
        var current = new List<string>();
        var first = 1;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("#!", StringComparison.Ordinal))
            {
                var tokens = Tokenize(lines[i][2..].TrimEnd(), i + 1);
                if (tokens.Count > 0 && KernelNames.TryParse(tokens[0], out var selected))
                {
                    if (current.Any(l => l.Trim().Length > 0)) result.Add(new Submission(kernel, current.ToArray(), first, options));

                    kernel = selected;
                    options = tokens.Skip(1).ToArray();
                    // The selector line itself becomes blank so that line numbers still count from the cell's first line.
                    current = [""];
                    first = i + 1;
                    continue;
                }
            }

            current.Add(lines[i]);
        }

        if (current.Any(l => l.Trim().Length > 0) || result.Count == 0)
            result.Add(new Submission(kernel, current.ToArray(), first, options));
        return result;
    }

    [GeneratedRegex("""^#(?<verb>[ri])\s+"\s*nuget\s*:\s*(?<arg>[^"]*)"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex NuGetLine();

    public static ParsedSubmission Parse(Submission submission)
    {
        var directives = new List<Directive>();
        var code = new StringBuilder();
        for (var i = 0; i < submission.Lines.Count; i++)
        {
            var line = submission.Lines[i];
            var cellLine = submission.FirstLine + i;
            var trimmed = line.Trim();
            var nuget = NuGetLine().Match(line);
            if (nuget.Success)
            {
                var kind = nuget.Groups["verb"].Value == "r" ? DirectiveKind.NuGetReference : DirectiveKind.NuGetSource;
                directives.Add(new Directive(kind, cellLine, trimmed, [nuget.Groups["arg"].Value.Trim()]));
                code.Append('\n');
                continue;
            }

            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                var tokens = Tokenize(trimmed[2..], cellLine);
                var name = tokens.Count > 0 ? tokens[0] : "";
                var kind = name switch
                {
                    "set" => DirectiveKind.Set,
                    "share" => DirectiveKind.Share,
                    "time" => DirectiveKind.Time,
                    "who" => DirectiveKind.Who,
                    "whos" => DirectiveKind.Whos,
                    "lsmagic" => DirectiveKind.LsMagic,
                    "about" => DirectiveKind.About,
                    "connect" or "import" => throw new DirectiveException(
                        $"'#!{name}' is a magic command of the real kernel that the runner does not implement. The runner supports {SupportedList}.", cellLine),
                    _ => throw new DirectiveException(
                        $"Unknown magic command '#!{name}' (the kernel's error DNI101). The runner supports {SupportedList}.", cellLine),
                };
                directives.Add(new Directive(kind, cellLine, trimmed, tokens.Skip(1).ToArray()));
                code.Append('\n');
                continue;
            }

            code.Append(line).Append('\n');
        }

        return new ParsedSubmission(submission.Kernel, code.ToString().TrimEnd('\n'), submission.FirstLine, directives, submission.KernelOptions);
    }

    /// <summary>Splits magic-command arguments at spaces, keeping double-quoted parts together.</summary>
    public static List<string> Tokenize(string text, int line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var hasToken = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                hasToken = true;
            }
            else if (char.IsWhiteSpace(c) && !inQuotes)
            {
                if (hasToken) tokens.Add(current.ToString());
                current.Clear();
                hasToken = false;
            }
            else
            {
                current.Append(c);
                hasToken = true;
            }
        }

        if (inQuotes)
        {
            throw new DirectiveException($"unterminated quote in magic command '#!{text}'.", line);
        }

        if (hasToken) tokens.Add(current.ToString());
        return tokens;
    }

    /// <summary>Reads <c>--name value</c> pairs and bare flags; unknown options are an error naming the allowed ones.</summary>
    public static Dictionary<string, string?> Options(Directive directive, string[] valued, string[] flags, int positional, out List<string> positionals)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        positionals = [];
        var args = directive.Arguments;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (valued.Contains(a))
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new DirectiveException($"'{directive.Text}': option {a} needs a value.", directive.Line);
                    }

                    result[a] = args[++i];
                }
                else if (flags.Contains(a))
                {
                    result[a] = null;
                }
                else
                {
                    throw new DirectiveException(
                        $"'{directive.Text}': unknown option {a}; expected one of {string.Join(", ", valued.Concat(flags))}.",
                        directive.Line);
                }
            }
            else
            {
                positionals.Add(a);
            }
        }

        if (positionals.Count > positional)
        {
            throw new DirectiveException(
                $"'{directive.Text}': unexpected argument '{positionals[positional]}'.", directive.Line);
        }

        return result;
    }

    /// <summary>Parses the text after <c>nuget:</c>: "Name" or "Name, Version".</summary>
    public static (string Name, string? Version) PackageOf(Directive directive)
    {
        var parts = directive.Arguments[0].Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || parts[0].Length == 0 || parts[0].Contains(' '))
        {
            throw new DirectiveException(
                $"'{directive.Text}': expected #r \"nuget: PackageName\" or #r \"nuget: PackageName, Version\".", directive.Line);
        }

        return (parts[0], parts.Length == 2 && parts[1].Length > 0 ? parts[1] : null);
    }
}
