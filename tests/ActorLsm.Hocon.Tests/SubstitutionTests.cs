namespace ActorLsm.Hocon.Tests;

/// <summary>Substitutions, optional substitutions, environment fallback and self-references (HOCON specification, "Substitutions").</summary>
public class SubstitutionTests
{
    [Fact]
    public void Parse_Substitution_ResolvesAgainstWholeDocumentIncludingLaterKeys()
    {
        var config = HoconConfig.Parse("""
            data-dir = ${base}/data
            base = /srv/actorlsm
            storage { wal-dir = ${base}"/wal", copy = ${storage.limits} }
            storage.limits { max = 5 }
            """);

        Assert.Equal("/srv/actorlsm/data", config.GetString("data-dir"));
        Assert.Equal("/srv/actorlsm/wal", config.GetString("storage.wal-dir"));
        Assert.Equal(5, config.GetInt("storage.copy.max"));
    }

    [Fact]
    public void Parse_Substitution_SeesFinalValueOfOverriddenKey()
    {
        var config = HoconConfig.Parse("port = 1\naddress = \"host:\"${port}\nport = 2");

        Assert.Equal("host:2", config.GetString("address"));
    }

    [Fact]
    public void Parse_OptionalSubstitutionMissing_LeavesFieldUndefined()
    {
        var config = HoconConfig.Parse("""
            timeout = 30s
            timeout = ${?ACTORLSM_TEST_SURELY_UNSET_VARIABLE}
            gone = ${?nothing.here}
            list = [a, ${?nothing}, b]
            """);

        Assert.Equal(TimeSpan.FromSeconds(30), config.GetDuration("timeout"));
        Assert.False(config.HasPath("gone"));
        Assert.Equal(["a", "b"], config.GetStringList("list"));
    }

    [Fact]
    public void Parse_UndefinedOptionalInConcatenation_DropsItAndItsWhitespace()
    {
        var config = HoconConfig.Parse("""
            a = ${?nope} tail
            b = head ${?nope}
            c = [1] ${?nope}
            """);

        Assert.Equal("tail", config.GetString("a"));
        Assert.Equal("head", config.GetString("b"));
        Assert.Equal(["1"], config.GetStringList("c"));
    }

    [Fact]
    public void Parse_OptionalSubstitutionOfEnvironmentVariable_OverridesDefault()
    {
        var name = "ACTORLSM_HOCON_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "n7");
        try
        {
            var config = HoconConfig.Parse($"node = n1\nnode = ${{?{name}}}\nhome = ${{{name}}}");

            Assert.Equal("n7", config.GetString("node"));
            Assert.Equal("n7", config.GetString("home"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Parse_SelfReferentialArray_AppendsToEarlierValue()
    {
        var config = HoconConfig.Parse("""
            path = [/bin]
            path = ${path} [/usr/bin]
            path = ${path} [/opt/bin]
            """);

        Assert.Equal(["/bin", "/usr/bin", "/opt/bin"], config.GetStringList("path"));
    }

    [Fact]
    public void Parse_SelfReferentialString_ConcatenatesEarlierValue()
    {
        var config = HoconConfig.Parse("""
            opts = "-Xmx1g"
            opts = ${opts}" -server"
            nested { flags = a }
            nested { flags = ${nested.flags}",b" }
            """);

        Assert.Equal("-Xmx1g -server", config.GetString("opts"));
        Assert.Equal("a,b", config.GetString("nested.flags"));
    }

    [Fact]
    public void Parse_SelfReferentialObject_MergesWithEarlierValue()
    {
        var config = HoconConfig.Parse("""
            base { a = 1, b = 2 }
            base = ${base} { b = 3, c = 4 }
            """);

        Assert.Equal(1, config.GetInt("base.a"));
        Assert.Equal(3, config.GetInt("base.b"));
        Assert.Equal(4, config.GetInt("base.c"));
    }

    [Fact]
    public void Parse_SubstitutionOfObjectThenOverride_MergesLazily()
    {
        var config = HoconConfig.Parse("""
            defaults { retries = 3, timeout = 1s }
            client = ${defaults}
            client { timeout = 5s }
            """);

        Assert.Equal(3, config.GetInt("client.retries"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetDuration("client.timeout"));
        Assert.Equal(TimeSpan.FromSeconds(1), config.GetDuration("defaults.timeout"));
    }

    [Fact]
    public void Parse_SubstitutionChain_ResolvesThroughIntermediates()
    {
        var config = HoconConfig.Parse("a = ${b}\nb = ${c}\nc = { d = deep }\ne = ${a.d}");

        Assert.Equal("deep", config.GetString("e"));
    }

    [Fact]
    public void Parse_SiblingReferenceInsideObject_IsNotACycle()
    {
        var config = HoconConfig.Parse("bar : { foo : 42, baz : ${bar.foo} }");

        Assert.Equal(42, config.GetInt("bar.baz"));
    }

    [Fact]
    public void Parse_PlusEqualsAcrossRepeatedBlocks_AccumulatesInOrder()
    {
        var config = HoconConfig.Parse("""
            cluster { seeds += a }
            cluster { seeds += b }
            cluster.seeds += c
            """);

        Assert.Equal(["a", "b", "c"], config.GetStringList("cluster.seeds"));
    }

    [Fact]
    public void Parse_SubstitutionCycle_ThrowsWithLine()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("a = ${b}\nb = ${a}", "cycle.conf"));

        Assert.Contains("cycle", ex.Reason, StringComparison.Ordinal);
        Assert.Equal("cycle.conf", ex.FileName);
        Assert.InRange(ex.Line, 1, 2);
    }

    [Fact]
    public void Parse_QuotedSubstitutionPath_FindsKeyWithDots()
    {
        var config = HoconConfig.Parse("hosts { \"n1.local\" = 7001 }\nport = ${hosts.\"n1.local\"}");

        Assert.Equal(7001, config.GetInt("port"));
    }
}
