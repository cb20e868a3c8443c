using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.Wire;
using Akka.Actor;
using Xunit.Abstractions;

namespace ActorLsm.Cluster.Tests.Hosting;

/// <summary>
/// Three <see cref="ClusterHost"/>s on real Akka.Remote and Akka.Cluster in one process: the
/// version manager under Akka's singleton manager, versions advancing, take-over after a crash
/// and after a graceful leave without versions going back, and the epoch fencing of a
/// partitioned old singleton. One class, so its tests run one after another (2-core CI).
/// </summary>
public sealed class ClusterHostTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task StartAsync_ThreeNodes_OneSingletonVersionsAdvanceAndEveryShardLedWithItsEndpoint()
    {
        await using var c = new TestCluster(this);
        ClusterHost[] hosts = await c.StartAsync(3);

        await c.Eventually(() => hosts.All(h => h.View.Versions.Current > 3 && h.View.ShardMap is not null), "versions and a shard map on every node");
        ClusterHost singleton = c.SingletonHost();
        Assert.Single(c.Recorder.Acting);
        Assert.All(hosts, h => Assert.Equal(singleton.SelfAddress, h.View.Singleton));
        ShardMap map = hosts[1].View.ShardMap!;
        Assert.Equal(TestCluster.ShardCount, map.ShardCount);
        var endpoints = hosts.ToDictionary(h => h.SelfAddress.Address, h => h.Options.ClientEndpoint);
        Assert.All(map.Shards, s =>
        {
            Assert.True(s.Available);
            Assert.Equal(endpoints[s.Leader!], s.LeaderEndpoint);
            Assert.Equal(3, s.InSync.Count);
        });
        Assert.All(hosts[0].View.Membership.Members, m => Assert.Equal(endpoints[m.Address], m.ClientEndpoint));

        // Reports through the singleton proxy move completed and flushed.
        await c.Eventually(() => hosts.All(h => h.View.Versions.Flushed > 0), "flushed advances", () => TestCluster.Report(hosts[2]));
        Assert.All(hosts, h => Assert.False(h.WhenDowned.IsCompleted));
    }

    [Fact]
    public async Task Terminate_SingletonNodeCrashes_NextTakesOverAndVersionsNeverGoBack()
    {
        await using var c = new TestCluster(this);
        ClusterHost[] hosts = await c.StartAsync(3);
        await c.Eventually(() => hosts.All(h => h.View.Versions.Flushed > 5 && h.View.ShardMap is not null), "flushed advances", () => TestCluster.Report(hosts[1]));
        ClusterHost old = c.SingletonHost();
        ClusterHost[] survivors = hosts.Where(h => h != old).ToArray();
        var seen = survivors.ToDictionary(h => h, _ => new List<ClusterVersions>());
        foreach (ClusterHost h in survivors)
        {
            h.View.Changed += () =>
            {
                lock (seen[h])
                {
                    seen[h].Add(h.View.Versions);
                }
            };
        }

        ClusterVersions before = survivors[0].View.Versions;
        ShardMap mapBefore = survivors[0].View.ShardMap!;

        await c.SystemOf(old).Terminate();

        Assert.Contains(mapBefore.Shards, s => s.Leader == old.SelfAddress.Address);
        await c.Eventually(
            () => survivors.All(h => h.View.Versions.Epoch > before.Epoch && h.View.Versions.Flushed > before.Flushed + 5
                && h.View.ShardMap!.Shards.All(s => s.Available && s.Leader != old.SelfAddress.Address && !s.InSync.Contains(old.SelfAddress.Address))),
            "a survivor takes over, moves the crashed node's shards, and flushed advances again",
            () => TestCluster.Report(survivors[0]));
        Assert.Contains(c.SingletonHost(), survivors);
        ShardMap mapAfter = survivors[1].View.ShardMap!;
        for (int i = 0; i < mapBefore.ShardCount; i++)
        {
            // Shards the crashed node led move to one of their in-sync followers at a newer leader epoch (R6).
            if (mapBefore[i].Leader == old.SelfAddress.Address)
            {
                Assert.Contains(mapAfter[i].Leader!, mapBefore[i].InSync);
                Assert.True(mapAfter[i].LeaderEpoch > mapBefore[i].LeaderEpoch);
            }
        }

        foreach ((ClusterHost h, List<ClusterVersions> list) in seen)
        {
            lock (list)
            {
                for (int i = 1; i < list.Count; i++)
                {
                    Assert.True(
                        list[i].Current >= list[i - 1].Current && list[i].Completed >= list[i - 1].Completed && list[i].Flushed >= list[i - 1].Flushed,
                        $"versions went back on {h.SelfAddress}: {list[i - 1]} -> {list[i]}");
                }
            }
        }

        c.Recorder.AssertEpochsIncrease();
        Assert.All(survivors, h => Assert.False(h.WhenDowned.IsCompleted));
    }

    [Fact]
    public async Task LeaveAsync_SingletonNode_HandsOverWithoutCompletingWhenDowned()
    {
        await using var c = new TestCluster(this);
        ClusterHost[] hosts = await c.StartAsync(3);
        await c.Eventually(() => hosts.All(h => h.View.Versions.Flushed > 0), "flushed advances", () => TestCluster.Report(hosts[1]));
        ClusterHost old = c.SingletonHost();
        ClusterHost[] stay = hosts.Where(h => h != old).ToArray();
        ClusterVersions before = stay[0].View.Versions;

        await old.LeaveAsync().WaitAsync(TimeSpan.FromSeconds(30));

        await c.Eventually(
            () => stay.All(h => h.View.Versions.Epoch > before.Epoch && h.View.Versions.Flushed > before.Flushed && h.View.Membership.Members.Count == 2),
            "the next member runs the version manager and the leaver is removed",
            () => TestCluster.Report(stay[0]));
        Assert.Contains(c.SingletonHost(), stay);
        Assert.False(old.WhenDowned.IsCompleted);
        Assert.All(stay, h => Assert.DoesNotContain(h.View.Membership.Members, m => m.Address == old.SelfAddress.Address));
        Assert.All(stay, h => Assert.Equal(c.SingletonHost().SelfAddress, h.View.Singleton));
        c.Recorder.AssertEpochsIncrease();
    }

    [Fact]
    public async Task Blackhole_SingletonNodeIsolated_OldSingletonCannotPublishAndMajorityTakesOverInHigherEpoch()
    {
        await using var c = new TestCluster(this);
        ClusterHost[] hosts = await c.StartAsync(3);
        await c.Eventually(() => hosts.All(h => h.View.Versions.Current > 3 && h.View.ShardMap is not null), "first singleton acts");
        ClusterHost old = c.SingletonHost();
        ClusterHost[] majority = hosts.Where(h => h != old).ToArray();
        long firstEpoch = old.View.Versions.Epoch;
        long completedBefore = old.View.Versions.Completed;
        long maxCompletedOnOld = completedBefore;
        old.View.Changed += () => Interlocked.Exchange(ref maxCompletedOnOld, Math.Max(Interlocked.Read(ref maxCompletedOnOld), old.View.Versions.Completed));

        await c.BlackholeAsync(old);
        await c.Eventually(() => old.View.Membership.Unreachable.Count == 2, "the isolated node sees both others unreachable");

        // Reports for every shard reach the old version manager locally; it cannot persist the new
        // completed on a majority, so it must not publish it (R8), not even on its own node.
        TestCluster.Report(old);
        await old.WhenDowned.WaitAsync(TimeSpan.FromSeconds(30));

        await c.Eventually(
            () => majority.All(h => h.View.Versions.Epoch > firstEpoch && h.View.Versions.Completed > completedBefore),
            "the majority runs the version manager in a higher epoch and publishes",
            () => TestCluster.Report(majority[0]));
        Assert.Equal(completedBefore, Interlocked.Read(ref maxCompletedOnOld));
        Assert.All(c.Recorder.Acting.Where(a => a.Epoch > firstEpoch), a => Assert.NotEqual(old.SelfAddress, a.Node));
        Assert.All(majority, h => Assert.False(h.WhenDowned.IsCompleted));
        c.Recorder.AssertEpochsIncrease();
    }

    [Fact]
    public async Task Down_OperatorDownsANode_ItsWhenDownedCompletesAndOthersMoveItsShards()
    {
        await using var c = new TestCluster(this);
        ClusterHost[] hosts = await c.StartAsync(3);
        await c.Eventually(() => hosts.All(h => h.View.ShardMap is not null), "a shard map on every node");
        ClusterHost victim = hosts.First(h => h != c.SingletonHost());

        hosts.First(h => h != victim).Down(victim.SelfAddress.Address);

        await victim.WhenDowned.WaitAsync(TimeSpan.FromSeconds(30));
        ClusterHost[] others = hosts.Where(h => h != victim).ToArray();
        await c.Eventually(
            () => others.All(h => h.View.ShardMap!.Shards.All(s => s.Available && s.Leader != victim.SelfAddress.Address)),
            "the downed node's shards move");
        Assert.All(others, h => Assert.False(h.WhenDowned.IsCompleted));
    }

    [Fact]
    public async Task RefFor_PingToActorOnOtherNode_PongComesBackOverAkkaRemote()
    {
        await using var c = new TestCluster(this);
        ClusterHost[] hosts = await c.StartAsync(3);
        c.SystemOf(hosts[1]).ActorOf(Props.Create(() => new PongActor()), "pong");

        IActorRef remote = hosts[0].RefFor(hosts[1].SelfAddress.Address, "/user/pong");
        Pong pong = await remote.Ask<Pong>(new Ping { Id = 7, Text = "over the wire" }, TimeSpan.FromSeconds(10));

        Assert.Equal(7UL, pong.Id);
        Assert.Equal("over the wire", pong.Text);
    }

    private sealed class PongActor : ReceiveActor
    {
        public PongActor() => Receive<Ping>(p => Sender.Tell(new Pong { Id = p.Id, Text = p.Text }));
    }
}
