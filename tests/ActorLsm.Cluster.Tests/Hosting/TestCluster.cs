using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Tests.Singleton;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.View;
using ActorLsm.Testing;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using Akka.TestKit;

namespace ActorLsm.Cluster.Tests.Hosting;

/// <summary>
/// Several actor systems named <c>actorlsm</c> in one process, each on 127.0.0.1 with a free port
/// (port 0), on real Akka.Remote (DotNetty TCP with the throttler adapter, so a test can blackhole
/// a node) and Akka.Cluster with fast timers. Node 0 joins itself, the others join node 0. Waits
/// use <paramref name="kit"/>'s AwaitAssert.
/// </summary>
internal sealed class TestCluster(TestKitBase kit) : IAsyncDisposable
{
    public const int ShardCount = 4;

    /// <summary>Akka's timers sped up: detection of a crash ~1-2 s, split-brain decision after 2 s more.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(FastClusterTimings.Hocon + "\n" + """
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          remote.dot-netty.tcp {
            hostname = 127.0.0.1
            port = 0
            applied-adapters = [trttl]
          }
          cluster {
            min-nr-of-members = 3
            failure-detector.acceptable-heartbeat-pause = 2s
          }
          # system.Terminate() is a crash (no graceful leave first), as a killed process is.
          coordinated-shutdown.run-by-actor-system-terminate = off
        }
        actorlsm.cluster {
          versions.broadcast-interval = 100ms
          versions.ceiling-jump = 100
          singleton.epoch-ack-timeout = 1s
        }
        """);

    private readonly List<(ActorSystem System, ClusterHost Host, string Dir)> _nodes = [];

    public SingletonRecorder Recorder { get; } = new();

    public IReadOnlyList<ClusterHost> Hosts => _nodes.Select(n => n.Host).ToArray();

    public ActorSystem SystemOf(ClusterHost host) => _nodes.Single(n => n.Host == host).System;

    public static string Endpoint(int i) => "127.0.0.1:" + (7401 + i);

    /// <summary>Starts <paramref name="count"/> nodes and waits until every view shows all of them Up.</summary>
    public async Task<ClusterHost[]> StartAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            Config config = ClusterHost.ComposeConfig(Config, Endpoint(i));
            var system = ActorSystem.Create(ClusterHost.SystemName, config);
            string dir = Path.Combine(Path.GetTempPath(), "actorlsm-cluster-" + Guid.NewGuid().ToString("N"));
            ClusterHostOptions options = ClusterHostOptions.FromConfig(system.Settings.Config, Endpoint(i), dir) with
            {
                ShardCount = ShardCount,
                SingletonObserver = Recorder,
            };
            ClusterHost host = await ClusterHost.StartAsync(system, options);
            _nodes.Add((system, host, dir));
            Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(_nodes[0].System).SelfAddress);
        }

        ClusterHost[] hosts = Hosts.ToArray();
        await Task.WhenAll(hosts.Select(h => h.WhenUp)).WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually(() => hosts.All(h => h.View.Membership.Members.Count(m => m.Status == MemberStatus.Up) == count), "all Up in every view");
        return hosts;
    }

    /// <summary>The host whose version manager acted last (the recorder's latest acting node).</summary>
    public ClusterHost SingletonHost() => _nodes.Single(n => n.Host.SelfAddress.Equals(Recorder.Acting[^1].Node)).Host;

    /// <summary>Reports every shard of the cluster from <paramref name="host"/>: completed = current - 1, flushed = current - 2.</summary>
    public static void Report(ClusterHost host)
    {
        ClusterVersions v = host.View.Versions;
        if (v.Current > 2)
        {
            host.View.ReportShardVersions(Enumerable.Range(0, ShardCount).Select(s => new ShardVersionReport(s, v.Current - 1, v.Current - 2, v.Current)).ToArray());
        }
    }

    /// <summary>Blackholes traffic between <paramref name="isolated"/> and every other node, on both sides (Akka's throttler transport adapter).</summary>
    public async Task BlackholeAsync(ClusterHost isolated)
    {
        ActorSystem a = SystemOf(isolated);
        foreach ((ActorSystem other, ClusterHost _, string _) in _nodes.Where(n => n.Host != isolated))
        {
            await Throttle(a, other);
            await Throttle(other, a);
        }

        static Task<bool> Throttle(ActorSystem from, ActorSystem to) =>
            ((IRemoteActorRefProvider)((ExtendedActorSystem)from).Provider).Transport.ManagementCommand(
                new SetThrottle(Akka.Cluster.Cluster.Get(to).SelfAddress, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance));
    }

    /// <summary>
    /// Waits (TestKit's AwaitAssert: re-checks every 50 ms, fails after 30 s) until
    /// <paramref name="condition"/> holds, running <paramref name="eachRound"/> before each check.
    /// </summary>
    public Task Eventually(Func<bool> condition, string what, Action? eachRound = null) =>
        kit.AwaitAssertAsync(
            () =>
            {
                eachRound?.Invoke();
                Assert.True(condition(), "waiting for: " + what + "\n" + Describe());
            },
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(50));

    /// <summary>Every node's view, for failure messages.</summary>
    public string Describe() => string.Join(
        "\n",
        _nodes.Select(n => $"{n.Host.SelfAddress}: versions {n.Host.View.Versions}, map epoch {n.Host.View.ShardMap?.Epoch} v{n.Host.View.ShardMap?.Version}, singleton {n.Host.View.Singleton}, "
            + $"members [{string.Join(", ", n.Host.View.Membership.Members.Select(m => $"{m.Address} {m.Status}"))}], unreachable {n.Host.View.Membership.Unreachable.Count}"))
        + "\nacting: " + string.Join(", ", Recorder.Acting);

    public async ValueTask DisposeAsync()
    {
        foreach ((ActorSystem system, ClusterHost host, string dir) in Enumerable.Reverse(_nodes))
        {
            await host.DisposeAsync();
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
