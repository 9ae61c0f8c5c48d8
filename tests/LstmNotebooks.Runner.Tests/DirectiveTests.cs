using LstmNotebooks.Runner;

namespace LstmNotebooks.Runner.Tests;

public sealed class DirectiveTests
{
    [Fact]
    public void ACellSplitsAtKernelSelectorsAnywhereAndKeepsCellLineNumbers()
    {
        var parts = Directives.Split("#!csharp\nvar a = 1;\n#!set --name x --value 1\n#!fsharp\nlet b = 2", KernelName.CSharp);

        Assert.Equal(2, parts.Count);
        Assert.Equal((KernelName.CSharp, 1), (parts[0].Kernel, parts[0].FirstLine));
        Assert.Equal(["", "var a = 1;", "#!set --name x --value 1"], parts[0].Lines);
        Assert.Equal((KernelName.FSharp, 4), (parts[1].Kernel, parts[1].FirstLine));
        Assert.Equal(["", "let b = 2"], parts[1].Lines);
    }

    [Fact]
    public void MagicCommandsBecomeBlankLinesAndAreParsedWithQuotes()
    {
        var parsed = Directives.Parse(new Submission(KernelName.FSharp, ["#!time", "#r \"nuget: Newtonsoft.Json, 13.0.3\"", "#!set --name w --value \"one two\"", "w"], 1, []));

        Assert.Equal("\n\n\nw", parsed.Code);
        Assert.True(parsed.Timed);
        Assert.Equal([DirectiveKind.Time, DirectiveKind.NuGetReference, DirectiveKind.Set], parsed.Directives.Select(d => d.Kind));
        Assert.Equal(("Newtonsoft.Json", "13.0.3"), Directives.PackageOf(parsed.Directives[1]));
        Assert.Equal(["--name", "w", "--value", "one two"], parsed.Directives[2].Arguments);
        Assert.Equal(3, parsed.Directives[2].Line);
    }

    [Fact]
    public void AnIndentedMagicIsCodeNotAMagicAsInTheKernel()
    {
        var parsed = Directives.Parse(new Submission(KernelName.CSharp, ["  #!time", "var x = 1;"], 1, []));

        Assert.Empty(parsed.Directives);
        Assert.Equal("  #!time\nvar x = 1;", parsed.Code);
    }

    [Fact]
    public void KernelNamesFollowThePolyglotAliases()
    {
        Assert.True(KernelNames.TryParse("C#", out var cs));
        Assert.Equal(KernelName.CSharp, cs);
        Assert.True(KernelNames.TryParse("f#", out var fs));
        Assert.Equal(KernelName.FSharp, fs);
        Assert.True(KernelNames.TryParse("powershell", out var ps));
        Assert.Equal("pwsh", KernelNames.ToText(ps));
        Assert.False(KernelNames.TryParse("cobol", out _));
    }

    [Fact]
    public void AnUnterminatedQuoteIsAnErrorAtItsLine()
    {
        var e = Assert.Throws<DirectiveException>(() => Directives.Parse(new Submission(KernelName.CSharp, ["", "#!set --name a --value \"open"], 1, [])));
        Assert.Equal(2, e.Line);
        Assert.Contains("unterminated quote", e.Message);
    }
}
