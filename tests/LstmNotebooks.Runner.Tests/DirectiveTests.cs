using LstmNotebooks.Runner;

namespace LstmNotebooks.Runner.Tests;

public sealed class DirectiveTests
{
    [Fact]
    public void A_cell_splits_at_kernel_selectors_and_keeps_cell_line_numbers()
    {
        var parts = Directives.Split("#!csharp\nvar a = 1;\n#!set --name x --value 1\n#!fsharp\nlet b = 2", "csharp");

        Assert.Equal(2, parts.Count);
        Assert.Equal(("csharp", 1), (parts[0].Kernel, parts[0].FirstLine));
        Assert.Equal(["", "var a = 1;", "#!set --name x --value 1"], parts[0].Lines);
        Assert.Equal(("fsharp", 4), (parts[1].Kernel, parts[1].FirstLine));
        Assert.Equal(["", "let b = 2"], parts[1].Lines);
    }

    [Fact]
    public void Magic_commands_become_blank_lines_and_are_parsed_with_quotes()
    {
        var parsed = Directives.Parse(new Submission("fsharp", ["#!time", "#r \"nuget: Newtonsoft.Json, 13.0.3\"", "#!set --name w --value \"one two\"", "w"], 1));

        Assert.Equal("\n\n\nw", parsed.Code);
        Assert.True(parsed.Timed);
        Assert.Equal([DirectiveKind.Time, DirectiveKind.NuGetReference, DirectiveKind.Set], parsed.Directives.Select(d => d.Kind));
        Assert.Equal(("Newtonsoft.Json", "13.0.3"), Directives.PackageOf(parsed.Directives[1]));
        Assert.Equal(["--name", "w", "--value", "one two"], parsed.Directives[2].Arguments);
        Assert.Equal(3, parsed.Directives[2].Line);
    }

    [Fact]
    public void Kernel_names_follow_the_polyglot_aliases()
    {
        Assert.True(KernelNames.TryNormalize("C#", out var cs));
        Assert.Equal("csharp", cs);
        Assert.True(KernelNames.TryNormalize("f#", out var fs));
        Assert.Equal("fsharp", fs);
        Assert.False(KernelNames.TryNormalize("cobol", out _));
    }

    [Fact]
    public void An_unterminated_quote_is_an_error_at_its_line()
    {
        var e = Assert.Throws<DirectiveException>(() => Directives.Parse(new Submission("csharp", ["", "#!set --name a --value \"open"], 1)));
        Assert.Equal(2, e.Line);
        Assert.Contains("unterminated quote", e.Message);
    }
}
