using ActorLsm.Server.Configuration;
using ActorLsm.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Resp.Tests;

/// <summary>A single in-process node (real shards in a temporary directory) with its RESP listener on a free 127.0.0.1 port.</summary>
internal sealed class RespNode : IAsyncDisposable
{
    private readonly string _dir;

    private RespNode(ActorLsmServer server, string dir)
    {
        Server = server;
        _dir = dir;
    }

    public ActorLsmServer Server { get; }

    public int Port => Server.RespPort ?? throw new InvalidOperationException("RESP is off");

    public string Endpoint => "127.0.0.1:" + Port;

    public static async Task<RespNode> StartAsync()
    {
        string dir = Path.Combine(Path.GetTempPath(), "actorlsm-resp-" + Guid.NewGuid().ToString("N"));
        NodeConfig config = ServerConfig.Load(null, dir, 0);
        config = config.With(ServerConfig.Parse(
            """
            actorlsm.node.shard-count = 4
            actorlsm.storage.memtable-size = 1MiB
            actorlsm.storage.block-cache-size = 1MiB
            actorlsm.server.shutdown-timeout = 10s
            actorlsm.resp.port = 0
            """,
            "resp-test.conf"));
        ActorLsmServer server = await ActorLsmServer.StartAsync(ServerConfigBinder.Bind(config), l => l.SetMinimumLevel(LogLevel.None));
        return new RespNode(server, dir);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}

/// <summary>One node for every test of a class (starting shards takes a while).</summary>
public sealed class RespNodeFixture : IAsyncLifetime
{
    internal RespNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await RespNode.StartAsync();

    public async Task DisposeAsync() => await Node.DisposeAsync();
}
