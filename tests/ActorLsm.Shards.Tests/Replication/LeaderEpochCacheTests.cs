using ActorLsm.Shards.Replication;

namespace ActorLsm.Shards.Tests.Replication;

/// <summary>The leader-epoch cache and the KIP-101/KIP-279 divergence point (R5 in src/ActorLsm.Cluster/PROTOCOL.md).</summary>
public sealed class LeaderEpochCacheTests
{
    [Fact]
    public void DivergencePoint_SameEpochsFollowerBehind_NoTruncation_R5()
    {
        Assert.Equal(60UL, LeaderEpochCache.DivergencePoint([(1, 1)], 60, [(1, 1), (2, 80)], 90));
    }

    [Fact]
    public void DivergencePoint_FollowerHasUnacknowledgedSuffixOfOldEpoch_TruncatedAtNewEpochStart_R5()
    {
        // The follower kept records 71..75 of epoch 1 that the new leader (epoch 2 from 71) never had.
        Assert.Equal(70UL, LeaderEpochCache.DivergencePoint([(1, 1)], 75, [(1, 1), (2, 71)], 90));
    }

    [Fact]
    public void DivergencePoint_EpochTheLeaderLacksHidesShorterCommonEpoch_RepeatsUntilStable_R5()
    {
        // Follower: epoch 1 up to 49 (its epoch-1 leader's unacknowledged 40..49), its own epoch 3 from 50.
        // Leader: epoch 1 up to 39, epoch 2 from 40, epoch 4 from 70. The logs agree only up to 39.
        Assert.Equal(39UL, LeaderEpochCache.DivergencePoint([(1, 1), (3, 50)], 60, [(1, 1), (2, 40), (4, 70)], 80));
    }

    [Fact]
    public void DivergencePoint_FollowerAheadInLeadersOwnEpoch_TruncatedToLeadersEnd_R5()
    {
        Assert.Equal(50UL, LeaderEpochCache.DivergencePoint([(1, 1), (2, 30)], 55, [(1, 1), (2, 30)], 50));
    }

    [Fact]
    public void EpochOf_Sequences_LatestEntryStartingAtOrBefore()
    {
        (long, ulong)[] entries = [(1, 1), (3, 10), (4, 10), (6, 20)];

        Assert.Equal(0, LeaderEpochCache.EpochOf(entries, 0));
        Assert.Equal(1, LeaderEpochCache.EpochOf(entries, 9));
        Assert.Equal(4, LeaderEpochCache.EpochOf(entries, 10));
        Assert.Equal(6, LeaderEpochCache.EpochOf(entries, 25));
    }

    [Fact]
    public void Load_AfterAssignAndTruncate_PersistedInTheStoreDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "actorlsm-epochs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            LeaderEpochCache cache = LeaderEpochCache.Load(dir);
            cache.Assign(2, 1);
            cache.Assign(5, 40);
            cache.Assign(4, 50); // older epoch: ignored
            cache.TruncateAfter(39);

            Assert.Equal([(2L, 1UL)], LeaderEpochCache.Load(dir).Entries);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
