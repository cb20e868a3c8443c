using System.Text;
using ActorLsm.Hocon.Configuration;
using Microsoft.Extensions.Configuration;

namespace ActorLsm.Hocon.Tests;

/// <summary>The Microsoft.Extensions.Configuration provider: key mapping, includes, optional files, errors.</summary>
public class ConfigurationProviderTests
{
    private const string NodeConf = """
        actorlsm {
          node-id = n1
          storage {
            block-size = 4KiB
            memtable-size = 64MiB
            flush-interval = 30s
          }
          seeds = [ "10.0.0.1:7001", "10.0.0.2:7001" ]
          peers = [ { id = n2 }, { id = n3 } ]
          empty = []
          nothing = null
          "dotted.key" = yes
        }
        """;

    [Fact]
    public void AddHoconFile_RoundTrip_MapsPathsToColonKeys()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("node1.conf", NodeConf);

        var configuration = new ConfigurationBuilder().AddHoconFile(path).Build();

        Assert.Equal("n1", configuration["actorlsm:node-id"]);
        Assert.Equal("4KiB", configuration["actorlsm:storage:block-size"]);
        Assert.Equal(64L << 20, HoconSize.Parse(configuration["actorlsm:storage:memtable-size"]!));
        Assert.Equal(TimeSpan.FromSeconds(30), HoconDuration.Parse(configuration["actorlsm:storage:flush-interval"]!));
        Assert.Equal("10.0.0.1:7001", configuration["actorlsm:seeds:0"]);
        Assert.Equal("10.0.0.2:7001", configuration["actorlsm:seeds:1"]);
        Assert.Equal("n3", configuration["actorlsm:peers:1:id"]);
        Assert.Null(configuration["actorlsm:nothing"]);
        Assert.Equal("yes", configuration["actorlsm:dotted.key"]);
        Assert.Equal(["10.0.0.1:7001", "10.0.0.2:7001"], configuration.GetSection("actorlsm:seeds").GetChildren().Select(c => c.Value));
    }

    [Fact]
    public void AddHoconFile_RelativePathWithBasePathAndInclude_Loads()
    {
        using var dir = new TempDirectory();
        dir.Write("defaults.conf", "actorlsm.storage.block-size = 4KiB\nactorlsm.port = 7001");
        dir.Write("node1.conf", "include \"defaults.conf\"\nactorlsm.storage.block-size = 16KiB");

        var configuration = new ConfigurationBuilder().SetBasePath(dir.Path).AddHoconFile("node1.conf").Build();

        Assert.Equal("16KiB", configuration["actorlsm:storage:block-size"]);
        Assert.Equal("7001", configuration["actorlsm:port"]);
    }

    [Fact]
    public void AddHoconFile_MissingOptionalFile_YieldsNoSettings()
    {
        using var dir = new TempDirectory();

        var configuration = new ConfigurationBuilder().AddHoconFile(System.IO.Path.Combine(dir.Path, "absent.conf"), optional: true).Build();

        Assert.Empty(configuration.AsEnumerable());
    }

    [Fact]
    public void AddHoconFile_MissingRequiredFile_Throws()
    {
        using var dir = new TempDirectory();
        var builder = new ConfigurationBuilder().AddHoconFile(System.IO.Path.Combine(dir.Path, "absent.conf"));

        Assert.Throws<FileNotFoundException>(() => builder.Build());
    }

    [Fact]
    public void AddHoconFile_SyntaxError_SurfacesHoconExceptionWithLine()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("bad.conf", "a = 1\nb = \"open\n");

        var ex = Assert.ThrowsAny<Exception>(() => new ConfigurationBuilder().AddHoconFile(path).Build());

        var hocon = Assert.IsType<HoconException>(ex as HoconException ?? ex.InnerException);
        Assert.Equal(2, hocon.Line);
        Assert.Equal(path, hocon.FileName);
    }

    [Fact]
    public void AddHoconString_LaterSourceOverridesEarlier()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconString("a.b = 1\na.c = [x, y]")
            .AddHoconString("a { b = 2 }")
            .Build();

        Assert.Equal("2", configuration["a:b"]);
        Assert.Equal("y", configuration["a:c:1"]);
    }

    [Fact]
    public void AddHoconStream_Stream_LoadsKeys()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("server { port = 8080, name = \"edge\" }"));

        var configuration = new ConfigurationBuilder().AddHoconStream(stream).Build();

        Assert.Equal("8080", configuration["server:port"]);
        Assert.Equal("edge", configuration["Server:Name"]);
    }
}
