using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Cluster.Versions;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Tests.Singleton;

/// <summary>
/// Three <see cref="ClusterHost"/>s over the in-memory transport with real membership: the
/// singleton on the oldest, hand-over on graceful leave, take-over after a crash of the oldest.
/// </summary>
public sealed class ClusterHostSingletonTests
{
    private static readonly MembershipSettings s_membership = new()
    {
        SeedNodes = [Address(0), Address(1)],
        MinNrOfMembers = 3,
        SeedNodeTimeout = TimeSpan.FromMilliseconds(500),
        RetryUnsuccessfulJoinAfter = TimeSpan.FromSeconds(3),
        GossipInterval = TimeSpan.FromMilliseconds(100),
        LeaderActionsInterval = TimeSpan.FromMilliseconds(100),
        FailureDetector = new FailureDetectorSettings
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1000),
            ExpectedResponseAfter = TimeSpan.FromMilliseconds(300),
        },
        SplitBrainResolver = new SplitBrainResolverSettings { StableAfter = TimeSpan.FromSeconds(1) },
    };

    private static readonly SingletonSettings s_singleton = new()
    {
        BroadcastInterval = TimeSpan.FromMilliseconds(50),
        CeilingJump = 20,
        HandOverRetryInterval = TimeSpan.FromMilliseconds(200),
        EpochAckTimeout = TimeSpan.FromMilliseconds(500),
    };

    private static NodeAddress Address(int i) => new("127.0.0.1", 2551 + i);

    [Fact]
    public async Task StartAsync_ThreeNodes_SingletonOnOldestAndEveryShardHasALeader()
    {
        await using var c = new HostCluster();
        ClusterHost[] hosts = await c.StartAsync(3);

        ShardMap map = await SingletonHarness.Eventually(
            () => hosts.All(h => h.View.ShardMap is { } m && m.Shards.Select(s => s.Leader).Distinct().Count() == 3) ? hosts[2].View.ShardMap : null, "a map over three members");
        Assert.All(map.Shards, s => Assert.True(s.Available && s.LeaderEndpoint is not null));
        Assert.All(hosts, h => Assert.Equal(hosts[0].SelfAddress, h.View.Singleton));
        Assert.All(c.Recorder.Acting, a => Assert.Equal(hosts[0].SelfAddress, a.Node));
        c.Recorder.AssertNeverTwoActive();
    }

    [Fact]
    public async Task LeaveAsync_Oldest_HandsOverToNextOldest()
    {
        await using var c = new HostCluster();
        ClusterHost[] hosts = await c.StartAsync(3);
        await SingletonHarness.Eventually(() => hosts[2].View.Versions.Current > 0 ? "ok" : null, "first singleton acts");

        await hosts[0].LeaveAsync();

        await SingletonHarness.Eventually(
            () => c.Recorder.Acting.Any(a => a.Node.Equals(hosts[1].SelfAddress)) && hosts[1].SelfAddress.Equals(hosts[2].View.Singleton) ? "ok" : null, "node 1 runs the singleton");
        Assert.Equal(1, c.Recorder.MaxActiveAtOnce);
        c.Recorder.AssertNeverTwoActive();
    }

    [Fact]
    public async Task DisposeAsync_OldestCrashes_NextOldestTakesOverWithVersionsAndMapKept()
    {
        await using var c = new HostCluster();
        ClusterHost[] hosts = await c.StartAsync(3);
        var seen = new List<ClusterVersions>();
        hosts[2].View.Changed += () =>
        {
            lock (seen)
            {
                seen.Add(hosts[2].View.Versions);
            }
        };
        void Report()
        {
            foreach (ClusterHost h in hosts.Skip(1))
            {
                ClusterVersions v = h.View.Versions;
                if (v.Current > 2)
                {
                    h.View.ReportShardVersions(Enumerable.Range(0, 4).Select(s => new ShardVersionReport(s, v.Current - 1, v.Current - 2, v.Current)).ToArray());
                }
            }
        }

        await SingletonHarness.Eventually(() => hosts[2].View.Versions.Flushed > 5 && hosts[2].View.ShardMap is not null ? "ok" : null, "flushed advances", eachRound: Report);
        ClusterVersions before = hosts[2].View.Versions;
        ShardMap mapBefore = hosts[2].View.ShardMap!;

        await hosts[0].DisposeAsync();

        await SingletonHarness.Eventually(
            () => hosts[2].View.Versions.Epoch > before.Epoch && hosts[2].View.ShardMap!.Epoch > mapBefore.Epoch ? "ok" : null, "node 1 takes over", eachRound: Report);
        Assert.Equal(hosts[1].SelfAddress, c.Recorder.Acting[^1].Node);
        ShardMap mapAfter = hosts[2].View.ShardMap!;
        for (int i = 0; i < mapBefore.ShardCount; i++)
        {
            // Replication factor 3 (the default): shards the crashed node led move to an in-sync follower at a newer epoch.
            if (mapBefore[i].Leader == hosts[0].SelfAddress.Address)
            {
                Assert.NotEqual(mapBefore[i].Leader, mapAfter[i].Leader);
                Assert.Contains(mapAfter[i].Leader!, mapBefore[i].InSync);
                Assert.True(mapAfter[i].LeaderEpoch > mapBefore[i].LeaderEpoch);
            }
            else
            {
                Assert.Equal(mapBefore[i].Leader, mapAfter[i].Leader);
            }

            Assert.True(mapAfter[i].Available);
            Assert.DoesNotContain(hosts[0].SelfAddress.Address, mapAfter[i].InSync);
        }

        lock (seen)
        {
            for (int i = 1; i < seen.Count; i++)
            {
                Assert.True(seen[i].Current >= seen[i - 1].Current && seen[i].Flushed >= seen[i - 1].Flushed, $"versions went back: {seen[i - 1]} -> {seen[i]}");
            }
        }

        c.Recorder.AssertNeverTwoActive();
    }

    [Fact]
    public async Task Partition_OldestIsolated_MajorityRunsSingletonInHigherEpochAndMinorityStops()
    {
        var faults = new NetworkFaults(seed: 42) { DuplicateProbability = 0.05 };
        await using var c = new HostCluster(faults);
        ClusterHost[] hosts = await c.StartAsync(3);
        await SingletonHarness.Eventually(() => hosts[2].View.Versions.Current > 0 ? "ok" : null, "first singleton acts");
        long firstEpoch = hosts[2].View.Versions.Epoch;

        faults.Isolate(Address(0));

        await hosts[0].WhenDowned.WaitAsync(TimeSpan.FromSeconds(30));
        await SingletonHarness.Eventually(
            () => hosts[2].View.Versions.Epoch > firstEpoch && hosts[1].SelfAddress.Equals(hosts[2].View.Singleton) ? "ok" : null, "node 1 runs the singleton");
        Assert.All(c.Recorder.Acting.Where(a => a.Epoch > firstEpoch), a => Assert.Equal(hosts[1].SelfAddress, a.Node));
        c.Recorder.AssertNeverTwoActive();
    }

    private sealed class HostCluster(NetworkFaults? faults = null) : IAsyncDisposable
    {
        private readonly InMemoryNetwork _network = new();
        private readonly List<(ActorSystem System, ClusterHost Host, string Dir)> _nodes = [];

        public SingletonRecorder Recorder { get; } = new();

        public async Task<ClusterHost[]> StartAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var system = ActorSystem.Create("host" + i);
                string dir = Path.Combine(Path.GetTempPath(), "actorlsm-host-" + Guid.NewGuid().ToString("N"));
                ClusterHost host = await ClusterHost.StartAsync(system, new ClusterHostOptions
                {
                    Membership = s_membership,
                    Singleton = s_singleton,
                    ShardCount = 4,
                    ClientEndpoint = "127.0.0.1:" + (7401 + i),
                    DataDir = dir,
                    Transport = faults is null ? _network.CreateTransport(Address(i)) : new FaultInjectingTransport(_network.CreateTransport(Address(i)), faults),
                    SingletonObserver = Recorder,
                });
                _nodes.Add((system, host, dir));
            }

            ClusterHost[] hosts = _nodes.Select(n => n.Host).ToArray();
            await Task.WhenAll(hosts.Select(h => h.WhenUp)).WaitAsync(TimeSpan.FromSeconds(30));
            await SingletonHarness.Eventually(
                () => hosts.All(h => h.View.Membership.Members.Count(m => m.Status == MemberStatus.Up) == count) ? "ok" : null, "all Up");
            return hosts;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (system, host, dir) in Enumerable.Reverse(_nodes))
            {
                await host.DisposeAsync();
                await system.DisposeAsync();
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
}
