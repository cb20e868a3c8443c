namespace ActorLsm.Hocon.Tests;

/// <summary><c>include</c> from files in a temporary directory (HOCON specification, "Includes").</summary>
public class IncludeTests
{
    [Fact]
    public void Load_IncludeRelativeFile_MergesAndLaterKeysOverride()
    {
        using var dir = new TempDirectory();
        dir.Write("defaults.conf", "storage { block-size = 4KiB, memtable-size = 64MiB }\nnode = default");
        var main = dir.Write("node1.conf", "include \"defaults.conf\"\nnode = n1\nstorage.block-size = 16KiB");

        var config = HoconConfig.Load(main);

        Assert.Equal("n1", config.GetString("node"));
        Assert.Equal(16 * 1024, config.GetBytes("storage.block-size"));
        Assert.Equal(64L << 20, config.GetBytes("storage.memtable-size"));
    }

    [Fact]
    public void Load_IncludeFileSyntaxAndRequired_ResolveRelativeToIncludingFile()
    {
        using var dir = new TempDirectory();
        dir.Write("conf/shared/net.conf", "port = 7001");
        dir.Write("conf/shared/log.conf", "{ level = debug }");
        dir.Write("conf/base.conf", "include file(\"shared/net.conf\")\ninclude required(file(\"shared/log\"))");
        var main = dir.Write("main.conf", "include \"conf/base.conf\"");

        var config = HoconConfig.Load(main);

        Assert.Equal(7001, config.GetInt("port"));
        Assert.Equal("debug", config.GetString("level"));
    }

    [Fact]
    public void Load_IncludeInsideObject_NestsKeysAndFixesUpSubstitutions()
    {
        using var dir = new TempDirectory();
        dir.Write("storage.conf", "block-size = 4KiB\nwal-block = ${block-size}");
        var main = dir.Write("main.conf", "actorlsm { storage { include \"storage.conf\" } }");

        var config = HoconConfig.Load(main);

        Assert.Equal("4KiB", config.GetString("actorlsm.storage.block-size"));
        Assert.Equal("4KiB", config.GetString("actorlsm.storage.wal-block"));
        Assert.False(config.HasPath("block-size"));
    }

    [Fact]
    public void Load_IncludedFileUsesSubstitutionFromIncludingFile_Resolves()
    {
        using var dir = new TempDirectory();
        dir.Write("paths.conf", "wal = ${root}/wal");
        var main = dir.Write("main.conf", "root = /data\ninclude \"paths.conf\"");

        Assert.Equal("/data/wal", HoconConfig.Load(main).GetString("wal"));
    }

    [Fact]
    public void Load_MissingIncludedFile_ThrowsWithLine()
    {
        using var dir = new TempDirectory();
        var main = dir.Write("main.conf", "a = 1\ninclude \"nope.conf\"\n");

        var ex = Assert.Throws<HoconException>(() => HoconConfig.Load(main));

        Assert.Equal(2, ex.Line);
        Assert.Equal(main, ex.FileName);
        Assert.Contains("nope.conf", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_IncludeCycle_Throws()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf", "include \"b.conf\"");
        dir.Write("b.conf", "include \"a.conf\"");

        var ex = Assert.Throws<HoconException>(() => HoconConfig.Load(System.IO.Path.Combine(dir.Path, "a.conf")));

        Assert.Contains("cycle", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ErrorInIncludedFile_NamesIncludedFile()
    {
        using var dir = new TempDirectory();
        dir.Write("bad.conf", "ok = 1\nbroken = \"unterminated\n");
        var main = dir.Write("main.conf", "include \"bad.conf\"");

        var ex = Assert.Throws<HoconException>(() => HoconConfig.Load(main));

        Assert.EndsWith("bad.conf", ex.FileName, StringComparison.Ordinal);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Parse_UrlInclude_IsRejected()
    {
        var ex = Assert.Throws<HoconException>(() => HoconConfig.Parse("include url(\"http://example.com/x.conf\")"));

        Assert.Contains("not supported", ex.Reason, StringComparison.Ordinal);
    }
}
