using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorLsm.Client;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.View;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using ActorLsm.Shards;
using ActorLsm.Testing;
using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Tests.Replication;

/// <summary>
/// N in-process nodes (real shards, real Akka.Cluster) on 127.0.0.1, each with its own actor system
/// on a fixed remoting port, talking over real Akka.Remote (DotNetty TCP with Akka's throttler
/// adapter, so a test can blackhole a node). Crash (blackhole, then stop without leaving), restart
/// with the same data and address (a new incarnation), isolate, rejoin. Akka's timers are sped up.
/// </summary>
internal sealed class ReplicatedCluster : IAsyncDisposable
{
    public const int ShardCount = 4;
    private readonly TempDir _root = new();
    private readonly int _count;
    private readonly int _minInSync;
    private readonly string _hocon;
    private readonly int[] _remotePorts;
    private readonly HashSet<int> _isolated = [];
    private readonly HashSet<int> _everStarted = [];

    public ReplicatedCluster(int count, int minInSync = 2, string hocon = "")
    {
        _count = count;
        _minInSync = minInSync;
        _hocon = hocon;
        _remotePorts = FreePorts(count);
        Servers = new ActorLsmServer?[count];
    }

    public ActorLsmServer?[] Servers { get; }

    /// <summary>Node <paramref name="i"/>'s remoting address, the name the shard map gives it.</summary>
    public NodeAddress Address(int i) => new("127.0.0.1", _remotePorts[i]);

    public IEnumerable<ActorLsmServer> Running => Servers.Where(s => s is not null)!;

    public string[] Endpoints => [.. Running.Select(s => s.Endpoint)];

    public static async Task<ReplicatedCluster> StartAsync(int count, int minInSync = 2, string hocon = "")
    {
        var cluster = new ReplicatedCluster(count, minInSync, hocon);
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
        // A restarted node joins through the running nodes only. Listed first among the seeds it would run
        // Akka's first-seed process, which forms a new cluster by itself when no other seed answers within
        // seed-node-timeout (easily missed on a loaded machine), and that island never becomes Up.
        IEnumerable<int> seedNodes = _everStarted.Count < _count
            ? Enumerable.Range(0, Math.Min(2, _count))
            : Enumerable.Range(0, _count).Where(n => n != i && Servers[n] is not null);
        _everStarted.Add(i);
        string seeds = string.Join(", ", seedNodes.Select(n => $"\"akka.trttl.tcp://actorlsm@127.0.0.1:{_remotePorts[n]}\""));
        string hocon = FastClusterTimings.Hocon + "\n" + $$"""
            akka {
              loglevel = WARNING
              remote.dot-netty.tcp {
                hostname = "127.0.0.1"
                port = {{_remotePorts[i]}}
                applied-adapters = [trttl]
              }
              cluster {
                seed-nodes = [{{seeds}}]
                min-nr-of-members = {{_count}}
                seed-node-timeout = 1s
                retry-unsuccessful-join-after = 2s
              }
            }
            actorlsm.cluster {
              versions.broadcast-interval = 100ms
              versions.ceiling-jump = 100
              singleton.epoch-ack-timeout = 500ms
              replication {
                factor = 3
                min-insync-replicas = {{_minInSync}}
                replica-lag-time-max = 3s
                heartbeat-interval = 50ms
                resend-timeout = 700ms
              }
            }
            """ + "\n" + _hocon;
        ServerSettings settings = TestServers.Settings(dir, hocon);

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

    /// <summary>Node <paramref name="i"/>'s data directory (its shards live in <c>shard-NN</c> below it).</summary>
    public string DataDir(int i) => Path.Combine(_root.Path, "node" + i);

    /// <summary>Crashes every running node (no leave, nothing flushed beyond the WAL); the data stays for inspection.</summary>
    public async Task CrashAllAsync()
    {
        for (int i = 0; i < _count; i++)
        {
            if (Servers[i] is not null)
            {
                await CrashAsync(i);
            }
        }
    }

    /// <summary>Kills node <paramref name="i"/>: cut off from the network first (nothing more leaves it), then stopped without leaving.</summary>
    public async Task CrashAsync(int i)
    {
        ActorLsmServer server = Servers[i] ?? throw new InvalidOperationException($"node {i} is not running");
        await IsolateAsync(i);
        Servers[i] = null;
        await server.CrashAsync();
        await RejoinAsync(i);
    }

    /// <summary>
    /// Blackholes every link between node <paramref name="i"/> and the other running nodes, both ways
    /// (Akka's throttler transport adapter): a network partition on real Akka.Remote.
    /// </summary>
    public async Task IsolateAsync(int i)
    {
        _isolated.Add(i);
        await SetLinksAsync(i, Blackhole.Instance);
    }

    /// <summary>Undoes <see cref="IsolateAsync"/>: traffic between node <paramref name="i"/>'s address and the others flows again.</summary>
    public async Task RejoinAsync(int i)
    {
        _isolated.Remove(i);
        await SetLinksAsync(i, Unthrottled.Instance);
    }

    private async Task SetLinksAsync(int i, ThrottleMode mode)
    {
        for (int j = 0; j < _count; j++)
        {
            if (j == i)
            {
                continue;
            }

            if (SystemOf(i) is { } from)
            {
                await Throttle(from, AkkaAddress(j), mode);
            }

            if (SystemOf(j) is { } to)
            {
                await Throttle(to, AkkaAddress(i), mode);
            }
        }

        static Task<bool> Throttle(ActorSystem from, Akka.Actor.Address to, ThrottleMode mode) =>
            ((IRemoteActorRefProvider)((ExtendedActorSystem)from).Provider).Transport.ManagementCommand(
                new SetThrottle(to, ThrottleTransportAdapter.Direction.Both, mode));
    }

    private ActorSystem? SystemOf(int i) => (Servers[i]?.Store as ShardedNodeStore)?.System;

    private Akka.Actor.Address AkkaAddress(int i) => new("akka.trttl.tcp", "actorlsm", "127.0.0.1", _remotePorts[i]);

    // Distinct free ports on 127.0.0.1, held open together so none is handed out twice, then released.
    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    /// <summary>The shard map as the first running node sees it.</summary>
    public ShardMap? Map => Running.Select(s => s.Cluster!.View.ShardMap).FirstOrDefault(m => m is not null);

    /// <summary>Index of the node at <paramref name="address"/>.</summary>
    public int IndexOf(NodeAddress address) => Array.IndexOf(_remotePorts, address.Port) is var i and >= 0
        ? i
        : throw new ArgumentException($"{address} is no node of this cluster", nameof(address));

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

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; map: {Describe(maps.FirstOrDefault(m => m is not null))}; views: {DescribeViews()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Shard statuses of node <paramref name="i"/>.</summary>
    public async Task<NodeStatus> StatusAsync(int i) => await Servers[i]!.Store.StatusAsync(default);

    public ActorLsmClient Client(TimeSpan? timeout = null, bool retryIndeterminateWrites = true, int maxFrameSize = ActorLsm.Protocol.FrameCodec.DefaultMaxFrameSize) =>
        new(new ActorLsmClientOptions { Endpoints = Endpoints, RequestTimeout = timeout ?? TimeSpan.FromSeconds(30), RetryIndeterminateWrites = retryIndeterminateWrites, MaxFrameSize = maxFrameSize });

    /// <summary>Each running node's own view: its members with their status, the unreachable ones, where it sees the version manager, and whether it has a shard map (which epoch).</summary>
    public string DescribeViews() => string.Join(" | ", Enumerable.Range(0, _count).Where(i => Servers[i] is not null).Select(i =>
    {
        IClusterView view = Servers[i]!.Cluster!.View;
        ClusterState m = view.Membership;
        string members = string.Join(",", m.Members.Select(x => $"{x.Address.Port}:{x.Status}{(m.Unreachable.Contains(x.UniqueAddress) ? "(unreachable)" : "")}"));
        return $"node{i} members [{members}] singleton {view.Singleton?.Address.Port.ToString(CultureInfo.InvariantCulture) ?? "none"} map {(view.ShardMap is { } map ? "v" + map.Version.ToString(CultureInfo.InvariantCulture) : "none")}";
    }));

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
