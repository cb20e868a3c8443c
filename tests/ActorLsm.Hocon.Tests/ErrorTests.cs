namespace ActorLsm.Hocon.Tests;

/// <summary>Every error is a <see cref="HoconException"/> that names the file, line (and column) and path.</summary>
public class ErrorTests
{
    [Fact]
    public void Parse_UnterminatedString_ReportsLineAndColumn()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("a = 1\nb = \"open\nc = 2", "node1.conf"));

        Assert.Equal("node1.conf", ex.FileName);
        Assert.Equal(2, ex.Line);
        Assert.Equal(5, ex.Column);
        Assert.StartsWith("node1.conf:2:5: unterminated string", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnterminatedTripleQuotedString_ReportsOpeningLine()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("a = 1\n\nb = \"\"\"never\nclosed"));

        Assert.Equal(3, ex.Line);
        Assert.Equal("<string>", ex.FileName);
    }

    [Fact]
    public void Parse_UnclosedBrace_ReportsOpeningBrace()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("a = 1\nstorage {\n  b = 2\n", "x.conf"));

        Assert.Equal(2, ex.Line);
        Assert.Equal(9, ex.Column);
        Assert.Contains("unclosed '{'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnclosedBracket_ReportsOpeningBracket()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("list = [1,\n2\n"));

        Assert.Equal(1, ex.Line);
        Assert.Contains("unclosed '['", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StrayClosingBrace_Throws()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("a = 1\n}"));

        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Parse_MissingSubstitution_ReportsLineAndPath()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("a = 1\n\nb = x${does.not.exist}", "s.conf"));

        Assert.Equal(3, ex.Line);
        Assert.Equal(6, ex.Column);
        Assert.Equal("does.not.exist", ex.Path);
        Assert.Contains("could not resolve substitution", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyWithoutValue_ReportsExpectedSeparator()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("a = 1\njustakey\n"));

        Assert.Equal(2, ex.Line);
        Assert.Contains("expected '=', ':', '+=' or '{'", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a = 1\nb = ?\n", 2)]
    [InlineData("a = $x\n", 1)]
    [InlineData("a = 1 +\n", 1)]
    [InlineData("a..b = 1\n", 1)]
    [InlineData("a = \"\\q\"\n", 1)]
    [InlineData("a = ${unterminated\n", 1)]
    [InlineData("[1, 2]", 1)]
    [InlineData("a = 1 = 2", 1)]
    public void Parse_InvalidSyntax_ThrowsWithLine(string text, int line)
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse(text));

        Assert.Equal(line, ex.Line);
        Assert.True(ex.Column > 0);
    }

    [Fact]
    public void GetBytes_BadSize_NamesFileLineAndKey()
    {
        var text = "actorlsm {\n  storage {\n    memtable-size = abc\n  }\n}\n";
        var config = HoconConfig.Parse(text, "node1.conf");

        var ex = Assert.Throws<HoconException>(() => config.GetBytes("actorlsm.storage.memtable-size"));

        Assert.Equal("node1.conf:3: actorlsm.storage.memtable-size: expected a size like 64MiB, got \"abc\"", ex.Message);
        Assert.Equal(3, ex.Line);
        Assert.Equal("actorlsm.storage.memtable-size", ex.Path);
    }

    [Fact]
    public void GetDuration_BadDuration_NamesFileLineAndKey()
    {
        var config = HoconConfig.Parse("a = 1\nflush = 10 parsecs", "n.conf");

        var ex = Assert.Throws<HoconException>(() => config.GetDuration("flush"));

        Assert.Equal("n.conf:2: flush: expected a duration like 30s, got \"10 parsecs\"", ex.Message);
    }

    [Fact]
    public void TypedGetters_WrongType_Throw()
    {
        var config = HoconConfig.Parse("s = hello\no { x = 1 }\nl = [1]\nn = null\nbig = 99999999999", "t.conf");

        Assert.Contains("expected an integer", Assert.Throws<HoconException>(() => config.GetInt("s")).Reason, StringComparison.Ordinal);
        Assert.Contains("expected an integer", Assert.Throws<HoconException>(() => config.GetInt("big")).Reason, StringComparison.Ordinal);
        Assert.Equal(99_999_999_999L, config.GetLong("big"));
        Assert.Contains("got an object", Assert.Throws<HoconException>(() => config.GetString("o")).Reason, StringComparison.Ordinal);
        Assert.Contains("got a list", Assert.Throws<HoconException>(() => config.GetBool("l")).Reason, StringComparison.Ordinal);
        Assert.Contains("got null", Assert.Throws<HoconException>(() => config.GetString("n")).Reason, StringComparison.Ordinal);
        Assert.Contains("a list of strings", Assert.Throws<HoconException>(() => config.GetStringList("s")).Reason, StringComparison.Ordinal);
        Assert.Contains("an object", Assert.Throws<HoconException>(() => config.GetConfig("l")).Reason, StringComparison.Ordinal);
        Assert.Contains("a number", Assert.Throws<HoconException>(() => config.GetDouble("s")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GetString_MissingPath_NamesEnclosingObjectLine()
    {
        var config = HoconConfig.Parse("a = 1\nstorage {\n  b = 2\n}", "m.conf");

        var ex = Assert.Throws<HoconException>(() => config.GetString("storage.c"));

        Assert.Equal("m.conf", ex.FileName);
        Assert.Equal(2, ex.Line);
        Assert.Equal("storage.c", ex.Path);
        Assert.StartsWith("m.conf:2: storage.c: missing setting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetBool_AcceptedWords_ParseLikeTypesafeConfig()
    {
        var config = HoconConfig.Parse("a = yes\nb = off\nc = \"true\"\nd = ON");

        Assert.True(config.GetBool("a"));
        Assert.False(config.GetBool("b"));
        Assert.True(config.GetBool("c"));
        Assert.True(config.GetBool("d"));
    }

    [Fact]
    public void HasPath_InvalidPathExpression_Throws()
    {
        var config = HoconConfig.Parse("a = 1");

        Assert.Throws<HoconException>(() => config.HasPath("a..b"));
        Assert.Throws<HoconException>(() => config.HasPath(""));
    }
}
