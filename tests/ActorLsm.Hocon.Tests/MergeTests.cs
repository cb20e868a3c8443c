namespace ActorLsm.Hocon.Tests;

/// <summary>Duplicate keys, object merging and <c>+=</c> (HOCON specification, "Duplicate keys and object merging").</summary>
public class MergeTests
{
    [Fact]
    public void Parse_DuplicateObjectKeys_MergeRecursively()
    {
        var config = HoconConfig.Parse("""
            storage { block-size = 4KiB, wal { dir = /a } }
            storage { memtable-size = 64MiB, wal { sync = true } }
            storage.wal.dir = /b
            """);

        Assert.Equal("4KiB", config.GetString("storage.block-size"));
        Assert.Equal("64MiB", config.GetString("storage.memtable-size"));
        Assert.True(config.GetBool("storage.wal.sync"));
        Assert.Equal("/b", config.GetString("storage.wal.dir"));
    }

    [Fact]
    public void Parse_LaterNonObject_ReplacesEarlierObject()
    {
        var config = HoconConfig.Parse("""
            foo { a = 42 }
            foo = null
            bar { a = 1 }
            bar = plain
            """);

        Assert.False(config.HasPath("foo"));
        Assert.False(config.HasPath("foo.a"));
        Assert.Equal("plain", config.GetString("bar"));
    }

    [Fact]
    public void Parse_ObjectAfterNonObject_ReplacesInsteadOfMerging()
    {
        var config = HoconConfig.Parse("""
            foo { a = 1 }
            foo = 5
            foo { b = 2 }
            """);

        Assert.False(config.HasPath("foo.a"));
        Assert.Equal(2, config.GetInt("foo.b"));
    }

    [Fact]
    public void Parse_LaterScalar_OverridesEarlierScalar()
    {
        var config = HoconConfig.Parse("a = 1\na = 2\nlist = [1]\nlist = [2, 3]");

        Assert.Equal(2, config.GetInt("a"));
        Assert.Equal(["2", "3"], config.GetStringList("list"));
    }

    [Fact]
    public void Parse_PlusEquals_AppendsAndCreatesMissingList()
    {
        var config = HoconConfig.Parse("""
            seeds = [n1]
            seeds += n2
            seeds += "n3"
            fresh += only
            group { members += { id = 1 } }
            """);

        Assert.Equal(["n1", "n2", "n3"], config.GetStringList("seeds"));
        Assert.Equal(["only"], config.GetStringList("fresh"));
        var member = Assert.Single(Assert.IsType<Model.HoconArray>(config.GetValue("group.members")).Items);
        Assert.Equal("1", Assert.IsType<Model.HoconScalar>(Assert.IsType<Model.HoconObject>(member)["id"]).Text);
    }

    [Fact]
    public void WithFallback_ReceiverWins_FallbackFillsGaps()
    {
        var overrides = HoconConfig.Parse("storage { block-size = 16KiB }, node = n2");
        var defaults = HoconConfig.Parse("storage { block-size = 4KiB, memtable-size = 64MiB }, node = n1, port = 7001");

        var merged = overrides.WithFallback(defaults);

        Assert.Equal(16 * 1024, merged.GetBytes("storage.block-size"));
        Assert.Equal(64L * 1024 * 1024, merged.GetBytes("storage.memtable-size"));
        Assert.Equal("n2", merged.GetString("node"));
        Assert.Equal(7001, merged.GetInt("port"));
        Assert.Equal("4KiB", defaults.GetString("storage.block-size"));
    }
}
