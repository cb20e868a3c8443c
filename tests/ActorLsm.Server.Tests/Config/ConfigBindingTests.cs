using ActorLsm.Server.Configuration;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using ActorLsm.Shards;
using ActorLsm.Storage;

namespace ActorLsm.Server.Tests.Config;

public sealed class ConfigBindingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Bind_Defaults_MatchOptionDefaults()
    {
        ServerSettings s = ServerConfigBinder.Bind(ServerConfig.Defaults());
        var server = new ServerOptions();
        var node = new ShardedNodeOptions { DataDir = "unused" };

        Assert.Equal("127.0.0.1", s.Server.Host);
        Assert.Equal(7400, s.Server.Port);
        Assert.Equal(server.MaxFrameSize, s.Server.MaxFrameSize);
        Assert.Equal(server.MaxConnections, s.Server.MaxConnections);
        Assert.Equal(server.MaxInFlightPerConnection, s.Server.MaxInFlightPerConnection);
        Assert.Equal(server.RequestTimeout, s.Server.RequestTimeout);
        Assert.Equal(server.ShutdownTimeout, s.Server.ShutdownTimeout);
        Assert.Equal("./data", s.Node.DataDir);
        Assert.Equal(node.ShardCount, s.Node.ShardCount);
        Assert.Equal(node.MaxPendingWrites, s.Node.MaxPendingWrites);
        Assert.Equal(node.MaxPendingBytes, s.Node.MaxPendingBytes);
        Assert.Equal(node.MaxScanLimit, s.Node.MaxScanLimit);
        Assert.Equal(node.RequestTimeout, s.Node.RequestTimeout);
        Assert.Null(s.Cluster);

        // Every storage property, compared through its public getters.
        var expected = new LsmOptions();
        foreach (var property in typeof(LsmOptions).GetProperties())
        {
            Assert.True(Equals(property.GetValue(expected), property.GetValue(s.Node.Storage)), $"LsmOptions.{property.Name} differs from its default");
        }
    }

    [Fact]
    public void Bind_ConfigFile_OverridesOnlyItsKeys()
    {
        string file = Write("node1.conf", """
            actorlsm {
              storage {
                wal-sync-mode = interval
                compression = brotli
                memtable-size = 8MiB
                flush-interval = 2m
              }
              node.shard-count = 8
            }
            akka.actor.default-dispatcher.throughput = 7
            """);

        ServerSettings s = ServerCommand.LoadSettings(file, null, null);

        Assert.Equal(WalSyncMode.Interval, s.Node.Storage.WalSyncMode);
        Assert.Equal(BlockCompression.Brotli, s.Node.Storage.Compression);
        Assert.Equal(8 * 1024 * 1024, s.Node.Storage.MemTableSize);
        Assert.Equal(TimeSpan.FromMinutes(2), s.Node.Storage.FlushInterval);
        Assert.Equal(8, s.Node.ShardCount);
        Assert.Equal(7400, s.Server.Port);
        Assert.Equal(7, s.Config.Config.GetInt("akka.actor.default-dispatcher.throughput"));
    }

    [Fact]
    public void Bind_CompressionPerLevelAndBottommost_BindToLsmOptions()
    {
        string file = Write("codecs.conf", "actorlsm.storage {\n  compression-per-level = [none, lz4]\n  bottommost-compression = zstd\n}\n");

        ServerSettings s = ServerCommand.LoadSettings(file, null, null);

        Assert.Equal([BlockCompression.None, BlockCompression.Lz4], s.Node.Storage.CompressionPerLevel);
        Assert.Equal(BlockCompression.Zstd, s.Node.Storage.BottommostCompression);
    }

    [Fact]
    public void Bind_UnknownCodecInPerLevelList_NamesKey()
    {
        string file = Write("codecs.conf", "actorlsm.storage.compression-per-level = [none, snappy]\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal("actorlsm.storage.compression-per-level", ex.Path);
        Assert.Contains("got \"snappy\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSettings_Flags_OverrideConfigFile()
    {
        string file = Write("node.conf", """
            actorlsm.server.port = 9000
            actorlsm.node.data-dir = "/from/file"
            actorlsm.node.max-scan-limit = 77
            """);

        ServerSettings s = ServerCommand.LoadSettings(file, "/from/flag", 9100);

        Assert.Equal(9100, s.Server.Port);
        Assert.Equal("/from/flag", s.Node.DataDir);
        Assert.Equal(77, s.Node.MaxScanLimit);
    }

    [Fact]
    public void LoadSettings_FlagWithQuotesAndSpaces_KeptVerbatim()
    {
        ServerSettings s = ServerCommand.LoadSettings(null, "/tmp/a dir/\"q\"+ü", null);

        Assert.Equal("/tmp/a dir/\"q\"+ü", s.Node.DataDir);
    }

    [Fact]
    public void Bind_UnknownEnumWord_NamesFileLineAndKey()
    {
        string file = Write("node1.conf", "actorlsm {\n  storage {\n    wal-sync-mode = sometimes\n  }\n}\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal($"{file}:3: actorlsm.storage.wal-sync-mode: expected none, batch or interval, got \"sometimes\"", ex.Message);
    }

    [Fact]
    public void Bind_PortOutOfRange_NamesFileLineAndKey()
    {
        string file = Write("node.conf", "# comment\nactorlsm.server.port = 70000\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal($"{file}:2: actorlsm.server.port: expected an integer between 0 and 65535, got 70000", ex.Message);
    }

    [Fact]
    public void Bind_WrongType_NamesFileLineAndKey()
    {
        string file = Write("node.conf", "actorlsm.storage.block-size = lots\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.StartsWith($"{file}:1: actorlsm.storage.block-size: expected a size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ReplicationMessageAboveAkkasFrame_NamesFileLineAndKey()
    {
        string file = Write("node.conf", "akka.cluster.seed-nodes = [\"akka.tcp://actorlsm@127.0.0.1:2551\"]\nakka.remote.dot-netty.tcp.maximum-frame-size = 4MiB\nactorlsm.cluster.replication.max-message-bytes = 4MiB\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal($"{file}:3: actorlsm.cluster.replication.max-message-bytes: 4194304 bytes plus 65536 for framing exceed akka.remote.dot-netty.tcp.maximum-frame-size (4194304); Akka.Remote drops larger messages", ex.Message);
    }

    [Fact]
    public void Bind_RejectedByLsmValidate_NamesHoconKey()
    {
        string file = Write("node.conf", "\n\nactorlsm.storage.level0-stop-writes-trigger = 3\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.StartsWith($"{file}:3: actorlsm.storage.level0-stop-writes-trigger: rejected by the storage engine", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ex.Line);
        Assert.Equal("actorlsm.storage.level0-stop-writes-trigger", ex.Path);
    }

    [Fact]
    public void Bind_SyntaxError_NamesFileAndLine()
    {
        string file = Write("broken.conf", "actorlsm {\n  server {\n    port = = 1\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal(file, ex.FileName);
        Assert.True(ex.Line > 0, ex.Message);
    }

    [Fact]
    public void Load_KeyWithoutValue_NamesFileLineAndKey()
    {
        string file = Write("empty.conf", "actorlsm {\n  server {\n    port =\n  }\n}\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal($"{file}:3: actorlsm.server.port: expected a value after the key", ex.Message);
    }

    [Fact]
    public void Load_UnclosedBrace_NamesFileAndLine()
    {
        string file = Write("open.conf", "actorlsm {\n  server {\n    port = 1\n}\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal(file, ex.FileName);
        Assert.Equal(1, ex.Line);
    }

    [Fact]
    public void Load_StrayClosingBrace_NamesFileAndLine()
    {
        string file = Write("stray.conf", "actorlsm.server.port = 1\n}\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal($"{file}:2: unexpected '}}'", ex.Message);
    }

    [Fact]
    public void Load_MisspeltActorLsmKey_IsRejected()
    {
        string file = Write("typo.conf", "actorlsm.storage {\n  memtable-sise = 8MiB\n}\n");

        var ex = Assert.Throws<InvalidConfigException>(() => ServerCommand.LoadSettings(file, null, null));

        Assert.Equal("actorlsm.storage.memtable-sise", ex.Path);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Load_BraceInsideStringOrComment_IsNotCounted()
    {
        string file = Write("ok.conf", "# a comment with { brace\nactorlsm.node.data-dir = \"/tmp/{odd}\" // and } here\n");

        ServerSettings s = ServerCommand.LoadSettings(file, null, null);

        Assert.Equal("/tmp/{odd}", s.Node.DataDir);
    }

    [Fact]
    public async Task RunAsync_InvalidConfig_ExitsWithCode2()
    {
        string file = Write("node.conf", "actorlsm.storage.compression = snappy\n");

        int code = await ServerCommand.RunAsync(["--config", file]);

        Assert.Equal(2, code);
    }

    [Fact]
    public async Task RunAsync_MissingConfigFile_ExitsWithCode2()
    {
        int code = await ServerCommand.RunAsync(["--config", Path.Combine(_dir.Path, "absent.conf")]);

        Assert.Equal(2, code);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }
}
