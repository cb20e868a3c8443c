using ActorLsm.Hocon.Model;

namespace ActorLsm.Hocon.Tests;

/// <summary>Syntax features of the HOCON specification, each with inputs written for this suite.</summary>
public class SyntaxTests
{
    [Fact]
    public void Parse_PlainJson_ReadsAsJsonSuperset()
    {
        var config = HoconConfig.Parse("""
            {
              "cluster": { "name": "ring-a", "replicas": 3, "ratio": 0.75, "enabled": true, "seed": null },
              "ports": [7001, 7002, 7003],
              "tags": []
            }
            """);

        Assert.Equal("ring-a", config.GetString("cluster.name"));
        Assert.Equal(3, config.GetInt("cluster.replicas"));
        Assert.Equal(0.75, config.GetDouble("cluster.ratio"));
        Assert.True(config.GetBool("cluster.enabled"));
        Assert.False(config.HasPath("cluster.seed"));
        Assert.NotNull(config.GetValue("cluster.seed"));
        Assert.Equal(["7001", "7002", "7003"], config.GetStringList("ports"));
        Assert.Empty(config.GetStringList("tags"));
    }

    [Fact]
    public void Parse_JsonNumbersWithExponent_ReadAsNumbers()
    {
        var config = HoconConfig.Parse("""{ "a": 1e+3, "b": -2.5E-2, "c": 4E2 }""");

        Assert.Equal(1000.0, config.GetDouble("a"));
        Assert.Equal(-0.025, config.GetDouble("b"));
        Assert.Equal(400.0, config.GetDouble("c"));
    }

    [Fact]
    public void Parse_OmittedRootBraces_EqualsBracedDocument()
    {
        var braced = HoconConfig.Parse("{ node = n1, port = 7001 }");
        var bare = HoconConfig.Parse("node = n1\nport = 7001\n");

        Assert.Equal(braced.GetString("node"), bare.GetString("node"));
        Assert.Equal(braced.GetInt("port"), bare.GetInt("port"));
    }

    [Fact]
    public void Parse_NestedObjectAndDottedKey_AreEquivalent()
    {
        var nested = HoconConfig.Parse("storage { wal { sync = 10 } }");
        var dotted = HoconConfig.Parse("storage.wal.sync = 10");
        var mixed = HoconConfig.Parse("storage { wal.sync = 10 }");

        Assert.Equal(10, nested.GetInt("storage.wal.sync"));
        Assert.Equal(10, dotted.GetInt("storage.wal.sync"));
        Assert.Equal(10, mixed.GetInt("storage.wal.sync"));
        Assert.Equal(["storage"], dotted.Root.Keys);
    }

    [Fact]
    public void Parse_AllSeparators_AcceptEqualsColonAndBraceWithoutSeparator()
    {
        var config = HoconConfig.Parse("""
            a = 1
            b : 2
            c { d = 3 }
            e = { f = 4 }
            g: { h: 5 }
            """);

        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal(3, config.GetInt("c.d"));
        Assert.Equal(4, config.GetInt("e.f"));
        Assert.Equal(5, config.GetInt("g.h"));
    }

    [Fact]
    public void Parse_CommasOptional_NewlinesAndTrailingCommasSeparate()
    {
        var config = HoconConfig.Parse("""
            a = 1, b = 2,
            c = 3
            list = [
              1
              2,
              3,
            ]
            """);

        Assert.Equal(6, config.GetInt("a") + config.GetInt("b") + config.GetInt("c"));
        Assert.Equal(["1", "2", "3"], config.GetStringList("list"));
    }

    [Fact]
    public void Parse_BothCommentStyles_AreIgnored()
    {
        var config = HoconConfig.Parse("""
            # hash comment
            // slash comment
            a = 1 # trailing hash
            b = 2 // trailing slashes
            url = "http://host/path" // slashes inside quotes are text
            list = [ 1, # inside a list
              2 ]
            """);

        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal("http://host/path", config.GetString("url"));
        Assert.Equal(["1", "2"], config.GetStringList("list"));
    }

    [Fact]
    public void Parse_UnquotedStrings_KeepInnerWhitespaceAndTrimEnds()
    {
        var config = HoconConfig.Parse("""
            greeting =   hello   big world  
            path = /var/lib/actorlsm
            version = 1.2.3
            """);

        Assert.Equal("hello   big world", config.GetString("greeting"));
        Assert.Equal("/var/lib/actorlsm", config.GetString("path"));
        Assert.Equal("1.2.3", config.GetString("version"));
    }

    [Fact]
    public void Parse_QuotedStringEscapes_AreDecoded()
    {
        var config = HoconConfig.Parse("""s = "tab\there \"quoted\" back\\slash \u0041 slash\/ nl\n" """);

        Assert.Equal("tab\there \"quoted\" back\\slash A slash/ nl\n", config.GetString("s"));
    }

    [Fact]
    public void Parse_TripleQuotedString_KeepsNewlinesAndRawBackslashes()
    {
        var config = HoconConfig.Parse("banner = \"\"\"line one\n  line \"two\" \\n\"\"\"\nafter = 1");

        Assert.Equal("line one\n  line \"two\" \\n", config.GetString("banner"));
        Assert.Equal(1, config.GetInt("after"));
    }

    [Fact]
    public void Parse_TripleQuotedStringEndingInQuotes_KeepsExtraQuotes()
    {
        var config = HoconConfig.Parse("s = \"\"\"say \"hi\"\"\"\"");

        Assert.Equal("say \"hi\"", config.GetString("s"));
    }

    [Fact]
    public void Parse_QuotedKeyWithDots_IsOneSegment()
    {
        var config = HoconConfig.Parse("""
            hosts { "node1.example.com" = 7001, "a b" = x }
            "quoted"."then".bare = y
            """);

        Assert.Equal(7001, config.GetInt("hosts.\"node1.example.com\""));
        Assert.False(config.HasPath("hosts.node1"));
        Assert.Equal("x", config.GetString("hosts.\"a b\""));
        Assert.Equal("y", config.GetString("quoted.then.bare"));
        Assert.Equal(["node1.example.com", "a b"], config.GetConfig("hosts").Root.Keys);
    }

    [Fact]
    public void Parse_StringConcatenation_JoinsQuotedAndUnquotedWithWhitespace()
    {
        var config = HoconConfig.Parse("""
            a = foo "bar" baz
            b = "x"y"z"
            n = 10 20
            """);

        Assert.Equal("foo bar baz", config.GetString("a"));
        Assert.Equal("xyz", config.GetString("b"));
        Assert.Equal("10 20", config.GetString("n"));
    }

    [Fact]
    public void Parse_ArrayConcatenation_JoinsLists()
    {
        var config = HoconConfig.Parse("""
            a = [1, 2] [3]
            b = [x] [] [y, z]
            """);

        Assert.Equal(["1", "2", "3"], config.GetStringList("a"));
        Assert.Equal(["x", "y", "z"], config.GetStringList("b"));
    }

    [Fact]
    public void Parse_ObjectConcatenation_MergesObjects()
    {
        var config = HoconConfig.Parse("a = { x = 1, y = 1 } { y = 2, z = 3 }");

        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(2, config.GetInt("a.y"));
        Assert.Equal(3, config.GetInt("a.z"));
    }

    [Fact]
    public void Parse_ArraysOfObjectsAndNestedArrays_KeepStructure()
    {
        var config = HoconConfig.Parse("""
            nodes = [
              { name = n1, port = 7001 }
              { name = n2, port = 7002 }
            ]
            matrix = [[1, 2], [3]]
            """);

        var nodes = Assert.IsType<HoconArray>(config.GetValue("nodes"));
        Assert.Equal(2, nodes.Items.Count);
        var second = Assert.IsType<HoconObject>(nodes.Items[1]);
        Assert.Equal("n2", Assert.IsType<HoconScalar>(second["name"]).Text);
        var matrix = Assert.IsType<HoconArray>(config.GetValue("matrix"));
        Assert.Single(Assert.IsType<HoconArray>(matrix.Items[1]).Items);
    }

    [Fact]
    public void Parse_ValueOnNextLineAfterSeparator_IsAccepted()
    {
        var config = HoconConfig.Parse("a =\n  5\nb {\n}\n");

        Assert.Equal(5, config.GetInt("a"));
        Assert.Equal(0, config.GetConfig("b").Root.Count);
    }

    [Fact]
    public void Parse_Values_RecordTheirLines()
    {
        var config = HoconConfig.Parse("a = 1\n\nb {\n  c = \"x\"\n}\n", "node1.conf");

        var c = config.GetValue("b.c")!;
        Assert.Equal(new HoconOrigin("node1.conf", 4, 7), c.Origin);
        Assert.Equal(3, config.GetValue("b")!.Origin.Line);
    }
}
