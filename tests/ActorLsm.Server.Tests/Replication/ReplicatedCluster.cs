using ActorLsm.Client;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using ActorLsm.Shards;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Tests.Replication;

/// <summary>
/// N in-process nodes (real shards, real cluster side) over the in-memory transport wrapped in a
/// fault-injecting one: crash (isolate, then stop without leaving), restart with the same data
/// and address (a new incarnation), partition, heal. Fast failure-detection settings.
/// </summary>
internal sealed class ReplicatedCluster : IAsyncDisposable
{
    public const int ShardCount = 4;
    private readonly InMemoryNetwork _network = new();
    private readonly TempDir _root = new();
    private readonly int _count;
    private readonly int _minInSync;
    private readonly string _hocon;

    public ReplicatedCluster(int count, int minInSync = 2, int? seed = null, string hocon = "")
    {
        _count = count;
        _minInSync = minInSync;
        _hocon = hocon;
        Faults = new NetworkFaults(seed);
        Servers = new ActorLsmServer?[count];
    }

    public NetworkFaults Faults { get; }

    public ActorLsmServer?[] Servers { get; }

    public static NodeAddress Address(int i) => new("node" + i, 2551);

    public IEnumerable<ActorLsmServer> Running => Servers.Where(s => s is not null)!;

    public string[] Endpoints => [.. Running.Select(s => s.Endpoint)];

    public static async Task<ReplicatedCluster> StartAsync(int count, int minInSync = 2, int? seed = null, string hocon = "")
    {
        var cluster = new ReplicatedCluster(count, minInSync, seed, hocon);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(cluster.StartNodeAsync));
            await cluster.WaitForAsync(map => map.Shards.All(s => s.Available && s.InSync.Count == Math.Min(3, count)), "a shard map with every replica in sync");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or restarts, with the same data and address) node <paramref name="i"/>.</summary>
    public async Task StartNodeAsync(int i)
    {
        string dir = Path.Combine(_root.Path, "node" + i);
        ServerSettings settings = TestServers.Settings(dir, _hocon);
        settings = settings with
        {
            Cluster = new ClusterHostOptions
            {
                Membership = new MembershipSettings
                {
                    SeedNodes = [Address(0), Address(1)],
                    MinNrOfMembers = _count,
                    SeedNodeTimeout = TimeSpan.FromMilliseconds(500),
                    RetryUnsuccessfulJoinAfter = TimeSpan.FromSeconds(2),
                    GossipInterval = TimeSpan.FromMilliseconds(100),
                    LeaderActionsInterval = TimeSpan.FromMilliseconds(100),
                    FailureDetector = new FailureDetectorSettings
                    {
                        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
                        AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1500),
                        ExpectedResponseAfter = TimeSpan.FromMilliseconds(300),
                    },
                    SplitBrainResolver = new SplitBrainResolverSettings { StableAfter = TimeSpan.FromSeconds(2) },
                },
                Singleton = new SingletonSettings
                {
                    BroadcastInterval = TimeSpan.FromMilliseconds(100),
                    CeilingJump = 100,
                    HandOverRetryInterval = TimeSpan.FromMilliseconds(200),
                    EpochAckTimeout = TimeSpan.FromMilliseconds(500),
                },
                Replication = new ReplicationSettings
                {
                    Factor = 3,
                    MinInSyncReplicas = _minInSync,
                    ReplicaLagTimeMax = TimeSpan.FromSeconds(3),
                    HeartbeatInterval = TimeSpan.FromMilliseconds(50),
                    ResendTimeout = TimeSpan.FromMilliseconds(700),
                },
                ShardCount = ShardCount,
                ClientEndpoint = "set-by-server",
                DataDir = Path.Combine(dir, "cluster"),
                Transport = new FaultInjectingTransport(_network.CreateTransport(Address(i)), Faults),
            },
        };
        // ACTORLSM_TEST_LOG=1 prints the nodes' logs (debugging a failure).
        bool log = Environment.GetEnvironmentVariable("ACTORLSM_TEST_LOG") == "1";
        Servers[i] = await ActorLsmServer.StartAsync(settings, l =>
        {
            if (log)
            {
                l.AddSimpleConsole(o => o.TimestampFormat = $"HH:mm:ss.fff n{i} ").SetMinimumLevel(LogLevel.Information);
            }
            else
            {
                l.SetMinimumLevel(LogLevel.None);
            }
        });
        await Servers[i]!.Cluster!.WhenUp.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills node <paramref name="i"/>: cut off from the network first (nothing more leaves it), then stopped without leaving.</summary>
    public async Task CrashAsync(int i)
    {
        ActorLsmServer server = Servers[i] ?? throw new InvalidOperationException($"node {i} is not running");
        Servers[i] = null;
        Faults.Isolate(Address(i));
        await server.CrashAsync();
        Faults.Rejoin(Address(i));
    }

    /// <summary>The shard map as the first running node sees it.</summary>
    public ShardMap? Map => Running.Select(s => s.Cluster!.View.ShardMap).FirstOrDefault(m => m is not null);

    /// <summary>Index of the node at <paramref name="address"/>.</summary>
    public static int IndexOf(NodeAddress address) => int.Parse(address.Host["node".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits (polling the map every 20 ms, up to <paramref name="timeout"/>) until every running node's map satisfies <paramref name="ok"/>.</summary>
    public async Task<ShardMap> WaitForAsync(Func<ShardMap, bool> ok, string what, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            ShardMap?[] maps = [.. Running.Select(s => s.Cluster!.View.ShardMap)];
            if (maps.Length > 0 && maps.All(m => m is not null && ok(m)))
            {
                return maps[0]!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; map: {Describe(maps.FirstOrDefault())}");
            await Task.Delay(20);
        }
    }

    /// <summary>Shard statuses of node <paramref name="i"/>.</summary>
    public async Task<NodeStatus> StatusAsync(int i) => await Servers[i]!.Store.StatusAsync(default);

    public ActorLsmClient Client(TimeSpan? timeout = null, bool retryIndeterminateWrites = true) =>
        new(new ActorLsmClientOptions { Endpoints = Endpoints, RequestTimeout = timeout ?? TimeSpan.FromSeconds(30), RetryIndeterminateWrites = retryIndeterminateWrites });

    public static string Describe(ShardMap? map) => map is null
        ? "none"
        : string.Join("; ", map.Shards.Select(s => $"{s.Id}: leader {s.Leader} e{s.LeaderEpoch} {(s.Available ? "up" : "UNAVAILABLE")} isr [{string.Join(",", s.InSync)}] followers [{string.Join(",", s.Followers)}]"));

    public async ValueTask DisposeAsync()
    {
        foreach (ActorLsmServer s in Running.ToArray())
        {
            await s.CrashAsync();
        }

        _root.Dispose();
    }
}
