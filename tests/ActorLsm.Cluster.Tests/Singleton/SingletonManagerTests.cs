using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;

namespace ActorLsm.Cluster.Tests.Singleton;

/// <summary>
/// The singleton protocol with three managers and a scripted membership view: start on the
/// oldest, hand-over on leave, restart after a crash, never two active, versions monotonic and
/// state recovered across failovers.
/// </summary>
public sealed class SingletonManagerTests
{
    [Fact]
    public async Task Start_ThreeUpMembers_OldestActsAndEveryShardHasALeader()
    {
        await using var h = new SingletonHarness();
        UniqueAddress a = h.Start(2601);
        UniqueAddress b = h.Start(2602);
        UniqueAddress c = h.Start(2603);

        ShardMap map = await SingletonHarness.Eventually(() => h.Views[c].ShardMap is { } m && m.Shards.Select(s => s.Leader).Distinct().Count() == 3 ? m : null, "a map over three members");
        Assert.All(map.Shards, s => Assert.True(s.Available && s.Leader is not null));
        await SingletonHarness.Eventually(() => h.Views.Values.All(v => a.Equals(v.Singleton) && v.Versions.Current > 0) ? "ok" : null, "every view sees the singleton on the oldest");
        Assert.All(h.Recorder.Acting, x => Assert.Equal(a, x.Node));
        h.Recorder.AssertNeverTwoActive();
        Assert.Contains(h.Recorder.Accepted, x => x.Node.Equals(b));
    }

    [Fact]
    public async Task Leave_Oldest_HandsOverToNextOldestWithHigherEpoch()
    {
        await using var h = new SingletonHarness();
        UniqueAddress a = h.Start(2611);
        UniqueAddress b = h.Start(2612);
        h.Start(2613);
        await SingletonHarness.Eventually(() => h.Views[b].Versions.Current > 0 ? "ok" : null, "first singleton acts");
        long firstEpoch = h.Recorder.Acting.Single().Epoch;

        await h.LeaveAsync(a);

        await SingletonHarness.Eventually(() => h.Recorder.Acting.Count >= 2 ? "ok" : null, "the next oldest acts");
        var second = h.Recorder.Acting[1];
        Assert.Equal(b, second.Node);
        Assert.True(second.Epoch > firstEpoch);
        await SingletonHarness.Eventually(() => b.Equals(h.Views[b].Singleton) && h.Views[b].Versions.Epoch == second.Epoch ? "ok" : null, "views follow the new singleton");
        Assert.Equal(1, h.Recorder.MaxActiveAtOnce);
        h.Recorder.AssertNeverTwoActive();
    }

    [Fact]
    public async Task Crash_Oldest_NextOldestStartsAndRecoversShardMap()
    {
        await using var h = new SingletonHarness();
        UniqueAddress a = h.Start(2621);
        UniqueAddress b = h.Start(2622);
        UniqueAddress c = h.Start(2623);
        ShardMap before = await SingletonHarness.Eventually(() => h.Views[c].ShardMap is { } m && m.Shards.Select(s => s.Leader).Distinct().Count() == 3 ? m : null, "a map over three members");

        h.Crash(a);

        ShardMap after = await SingletonHarness.Eventually(
            () => h.Views[c].ShardMap is { } m && m.Epoch > before.Epoch && h.Views[c].Versions.Epoch > before.Epoch ? m : null, "a map from the new singleton");
        Assert.Equal(b, h.Recorder.Acting[^1].Node);
        Assert.True(after.Version > before.Version);
        for (int i = 0; i < before.ShardCount; i++)
        {
            Assert.Equal(before[i].Leader, after[i].Leader);
            Assert.Equal(before[i].Leader != a.Address, after[i].Available);
        }

        h.Recorder.AssertNeverTwoActive();
    }

    [Fact]
    public async Task Failovers_TwoCrashesWithReports_VersionsNeverGoBackwardsAndFlushedRecovered()
    {
        await using var h = new SingletonHarness();
        string dirA = h.NewDir();
        UniqueAddress a = h.Start(2631, dirA);
        UniqueAddress b = h.Start(2632);
        UniqueAddress c = h.Start(2633);

        // First singleton: run past a ceiling jump (20) with reports so flushed advances.
        await SingletonHarness.Eventually(() => h.Views[c].Versions.Flushed > 25 ? "ok" : null, "flushed advances under a", eachRound: h.ReportAll);
        ClusterVersions beforeFirst = h.Views[c].Versions;

        h.Crash(a);
        UniqueAddress a2 = h.Start(2631, dirA); // a new incarnation on the same address and data
        await SingletonHarness.Eventually(
            () => h.Views[c].Versions is { } v && v.Epoch > beforeFirst.Epoch && v.Flushed > beforeFirst.Flushed + 5 ? "ok" : null, "b takes over and flushed advances", eachRound: h.ReportAll);
        Assert.Equal(b, h.Recorder.Acting[^1].Node);
        ClusterVersions beforeSecond = h.Views[c].Versions;

        h.Crash(b);
        await SingletonHarness.Eventually(
            () => h.Views[c].Versions is { } v && v.Epoch > beforeSecond.Epoch ? "ok" : null, "c takes over", eachRound: h.ReportAll);
        Assert.Equal(c, h.Recorder.Acting[^1].Node);
        Assert.True(h.Views[c].Versions.Current >= beforeSecond.Current);
        Assert.True(h.Views[c].Versions.Flushed >= beforeSecond.Flushed);

        foreach (UniqueAddress node in new[] { c, a2 })
        {
            List<ClusterVersions> seen;
            lock (h.Seen[node])
            {
                seen = [.. h.Seen[node]];
            }

            for (int i = 1; i < seen.Count; i++)
            {
                Assert.True(seen[i].Current >= seen[i - 1].Current, $"current went back on {node}: {seen[i - 1]} -> {seen[i]}");
                Assert.True(seen[i].Flushed >= seen[i - 1].Flushed, $"flushed went back on {node}: {seen[i - 1]} -> {seen[i]}");
                Assert.True(seen[i].Completed >= seen[i - 1].Completed, $"completed went back on {node}: {seen[i - 1]} -> {seen[i]}");
                Assert.True(seen[i].Epoch >= seen[i - 1].Epoch, $"epoch went back on {node}");
                Assert.True(seen[i].Flushed <= seen[i].Completed && seen[i].Completed < seen[i].Current, $"flushed <= completed < current on {node}: {seen[i]}");
            }
        }

        Assert.Equal(3, h.Recorder.Acting.Count);
        h.Recorder.AssertNeverTwoActive();
    }
}
