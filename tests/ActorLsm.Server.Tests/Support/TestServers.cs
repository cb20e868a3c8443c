using ActorLsm.Server.Clustering;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Tests.Support;

/// <summary>Starts in-process nodes on 127.0.0.1 port 0 with small settings and no log output.</summary>
internal static class TestServers
{
    /// <summary>The node's settings for <paramref name="dataDir"/> on a free port, with <paramref name="hocon"/> layered over the defaults.</summary>
    public static ServerSettings Settings(string dataDir, string hocon = "")
    {
        NodeConfig config = ServerConfig.Load(null, dataDir, 0);
        config = config.With(ServerConfig.Parse(
            """
            actorlsm.node.shard-count = 4
            actorlsm.storage.memtable-size = 1MiB
            actorlsm.storage.block-cache-size = 1MiB
            actorlsm.server.shutdown-timeout = 10s
            actorlsm.server.request-timeout = 20s
            """ + "\n" + hocon,
            "test.conf"));
        return ServerConfigBinder.Bind(config);
    }

    /// <summary>A node over the real shards in <paramref name="dataDir"/>.</summary>
    public static Task<ActorLsmServer> StartAsync(string dataDir, string hocon = "") =>
        ActorLsmServer.StartAsync(Settings(dataDir, hocon), Quiet);

    /// <summary>A node over <paramref name="store"/> (protocol tests that need no disk).</summary>
    public static Task<ActorLsmServer> StartAsync(INodeStore store, string hocon = "") =>
        ActorLsmServer.StartAsync(Settings(Path.GetTempPath(), hocon), Quiet, (_, _, _) => Task.FromResult(store));

    /// <summary>A cluster-mode node over <paramref name="store"/> whose cluster side is <paramref name="cluster"/> (no remoting).</summary>
    public static Task<ActorLsmServer> StartClusteredAsync(INodeStore store, IClusterNode cluster) =>
        ActorLsmServer.StartAsync(Settings(Path.GetTempPath()), Quiet, (_, _, _) => Task.FromResult(store), (_, _, _) => Task.FromResult(cluster));

    private static void Quiet(ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.None);
}
