using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using static ActorLsm.Cluster.Tests.Singleton.SingletonPureTests;

namespace ActorLsm.Cluster.Tests.Sharding;

/// <summary>
/// The version manager's shard-map rules with replication (PROTOCOL.md): placement on distinct
/// nodes with leaders spread, in-sync shrink (R3), clean leader election from the in-sync set (R6),
/// and the leader's AlterInSync requests.
/// </summary>
public sealed class ReplicatedShardMapTests
{
    private static readonly NodeAddress s_a = Node(2551).Address;
    private static readonly NodeAddress s_b = Node(2552).Address;
    private static readonly NodeAddress s_c = Node(2553).Address;

    [Fact]
    public void Create_ThreeNodesFactorThree_ReplicasOnDistinctNodesLeadersSpreadAllInSync()
    {
        ShardMap map = ShardMapAllocator.Create(6, State(Up(2551, 1), Up(2552, 2), Up(2553, 3)), 1, replicationFactor: 3)!;

        Assert.All(map.Shards, s =>
        {
            Assert.Equal(3, new[] { s.Leader! }.Concat(s.Followers).Distinct().Count());
            Assert.Equal([s.Leader!, .. s.Followers], s.InSync);
        });
        Assert.Equal([2, 2, 2], map.Shards.GroupBy(s => s.Leader).Select(g => g.Count()));
    }

    [Fact]
    public void Create_FactorAboveNodeCount_CappedByUpNodes()
    {
        ShardMap map = ShardMapAllocator.Create(2, State(Up(2551, 1), Up(2552, 2)), 1, replicationFactor: 3)!;

        Assert.All(map.Shards, s => Assert.Single(s.Followers));
    }

    [Fact]
    public void Update_MembersWithoutClientEndpointMapFromTheWire_NothingChangesAndNoLeaderEpochMoves()
    {
        // Application members that embed the store serve no client endpoint; the map a member or a new
        // singleton incarnation holds has come through the wire (an empty endpoint decodes as none).
        static Member Embedded(int port, int upNumber) => new(Node(port), MemberStatus.Up, upNumber, string.Empty);
        ClusterState members = State(Embedded(2551, 1), Embedded(2552, 2), Embedded(2553, 3));
        ShardMap created = ShardMapAllocator.Create(6, members, 1, replicationFactor: 3)!;
        ShardMap wire = created.ToMsg().FromMsg();

        ShardMap fromCreate = ShardMapAllocator.Update(created, members, 2, 3);
        ShardMap fromWire = ShardMapAllocator.Update(wire, members, 2, 3);

        Assert.Same(created, fromCreate);
        Assert.Same(wire, fromWire);
        Assert.Equal(created.Shards.Select(s => s.LeaderEpoch), fromWire.Shards.Select(s => s.LeaderEpoch));
        Assert.All(fromWire.Shards, s => Assert.Null(s.LeaderEndpoint));
    }

    [Fact]
    public void Update_FollowerUnreachable_LeavesInSyncSetLeaderKept_R3()
    {
        ShardMap map = ShardMapAllocator.Create(3, State(Up(2551, 1), Up(2552, 2), Up(2553, 3)), 1, replicationFactor: 3)!;
        ClusterState cUnreachable = State(Up(2551, 1), Up(2552, 2), Up(2553, 3)) with { Unreachable = new HashSet<UniqueAddress> { Node(2553) } };

        ShardMap next = ShardMapAllocator.Update(map, cUnreachable, 2, 3);

        ShardAssignment s0 = next[0]; // led by a
        Assert.Equal(s_a, s0.Leader);
        Assert.Equal(map[0].LeaderEpoch, s0.LeaderEpoch);
        Assert.DoesNotContain(s_c, s0.InSync);
        Assert.Contains(s_c, s0.Followers); // still a replica: it rejoins once caught up
        Assert.Equal(map.Version + 1, next.Version);
    }

    [Fact]
    public void Update_LeaderDown_MostUpToDateInSyncFollowerLeadsAtNewEpoch_R6()
    {
        ShardMap map = ShardMapAllocator.Create(1, State(Up(2551, 1), Up(2552, 2), Up(2553, 3)), 1, replicationFactor: 3)!;
        var progress = new Dictionary<(int, NodeAddress), long> { [(0, s_b)] = 10, [(0, s_c)] = 12 };

        ShardMap next = ShardMapAllocator.Update(map, State(Up(2552, 2), Up(2553, 3)), 2, 3, progress);

        ShardAssignment s = next[0];
        Assert.Equal(s_c, s.Leader);
        Assert.Equal("127.0.0.1:7553", s.LeaderEndpoint);
        Assert.Equal(map[0].LeaderEpoch + 1, s.LeaderEpoch);
        Assert.True(s.Available);
        Assert.Equal([s_c, s_b], s.InSync);
        Assert.Contains(s_a, s.Followers);
    }

    [Fact]
    public void Update_NoInSyncReplicaAlive_StaysUnavailableEvenWithAnOutOfSyncReplicaUp_R6()
    {
        ShardMap map = ShardMapAllocator.Create(1, State(Up(2551, 1), Up(2552, 2), Up(2553, 3)), 1, replicationFactor: 3)!;
        map = ShardMapAllocator.WithInSync(map, 0, s_a, map[0].LeaderEpoch, [s_a], 1)!; // only the leader in sync

        ShardMap next = ShardMapAllocator.Update(map, State(Up(2552, 2), Up(2553, 3)), 2, 3);

        Assert.False(next[0].Available);
        Assert.Equal(s_a, next[0].Leader);
        Assert.Equal([s_a], next[0].InSync);

        ShardMap back = ShardMapAllocator.Update(next, State(Up(2551, 1, uid: 2), Up(2552, 2), Up(2553, 3)), 3, 3);
        Assert.True(back[0].Available);
        Assert.Equal(s_a, back[0].Leader);
        Assert.True(back[0].LeaderEpoch > next[0].LeaderEpoch);
    }

    [Fact]
    public void WithInSync_FromLeaderAtCurrentEpoch_Applied()
    {
        ShardMap map = ShardMapAllocator.Create(1, State(Up(2551, 1), Up(2552, 2), Up(2553, 3)), 1, replicationFactor: 3)!;

        ShardMap? smaller = ShardMapAllocator.WithInSync(map, 0, s_a, map[0].LeaderEpoch, [s_c, s_a], 1);

        Assert.NotNull(smaller);
        Assert.Equal([s_a, s_c], smaller[0].InSync);
        Assert.Equal(map.Version + 1, smaller.Version);
        Assert.Same(smaller, ShardMapAllocator.WithInSync(smaller, 0, s_a, map[0].LeaderEpoch, [s_a, s_c], 1));
    }

    [Theory]
    [InlineData(2552, 1)] // not the leader
    [InlineData(2551, 7)] // stale or future epoch
    public void WithInSync_NotTheLeaderAtItsEpoch_Ignored(int fromPort, long epoch)
    {
        ShardMap map = ShardMapAllocator.Create(1, State(Up(2551, 1), Up(2552, 2), Up(2553, 3)), 1, replicationFactor: 3)!;

        Assert.Null(ShardMapAllocator.WithInSync(map, 0, Node(fromPort).Address, epoch, [Node(fromPort).Address], 1));
    }

    [Fact]
    public void WithInSync_SetWithoutLeaderOrWithStranger_Ignored()
    {
        ShardMap map = ShardMapAllocator.Create(1, State(Up(2551, 1), Up(2552, 2)), 1, replicationFactor: 3)!;

        Assert.Null(ShardMapAllocator.WithInSync(map, 0, s_a, 1, [s_b], 1));
        Assert.Null(ShardMapAllocator.WithInSync(map, 0, s_a, 1, [s_a, s_c], 1));
    }

    [Fact]
    public void Resign_LeaderWhoseCommitFailed_MostUpToDateAliveInSyncFollowerLeadsAtNewEpochOldLeaderOutOfSet_R12()
    {
        ClusterState all = State(Up(2551, 1), Up(2552, 2), Up(2553, 3));
        ShardMap map = ShardMapAllocator.Create(1, all, 1, replicationFactor: 3)!;
        var progress = new Dictionary<(int, NodeAddress), long> { [(0, s_b)] = 10, [(0, s_c)] = 12 };

        ShardMap? next = ShardMapAllocator.Resign(map, 0, s_a, map[0].LeaderEpoch, all, 2, progress);

        Assert.NotNull(next);
        ShardAssignment s = next[0];
        Assert.Equal(s_c, s.Leader);
        Assert.Equal("127.0.0.1:7553", s.LeaderEndpoint);
        Assert.Equal(map[0].LeaderEpoch + 1, s.LeaderEpoch);
        Assert.Equal([s_c, s_b], s.InSync);
        Assert.Contains(s_a, s.Followers);
        Assert.Equal(map.Version + 1, next.Version);

        // Repeated (the resigning shard asks again until a newer role arrives) or stale: nothing changes.
        Assert.Null(ShardMapAllocator.Resign(next, 0, s_a, map[0].LeaderEpoch, all, 2, progress));
    }

    [Fact]
    public void Resign_NoOtherInSyncReplicaAlive_SameLeaderAtNewEpoch_R12()
    {
        ClusterState all = State(Up(2551, 1), Up(2552, 2), Up(2553, 3));
        ShardMap map = ShardMapAllocator.Create(1, all, 1, replicationFactor: 3)!;
        map = ShardMapAllocator.WithInSync(map, 0, s_a, map[0].LeaderEpoch, [s_a], 1)!;

        ShardMap next = ShardMapAllocator.Resign(map, 0, s_a, map[0].LeaderEpoch, all, 2)!;

        Assert.Equal(s_a, next[0].Leader);
        Assert.Equal(map[0].LeaderEpoch + 1, next[0].LeaderEpoch);
        Assert.Equal([s_a], next[0].InSync);
    }

    [Theory]
    [InlineData(2552, 1)] // not the leader
    [InlineData(2551, 7)] // stale or future epoch
    public void Resign_NotTheLeaderAtItsEpoch_Ignored(int fromPort, long epoch)
    {
        ClusterState all = State(Up(2551, 1), Up(2552, 2), Up(2553, 3));
        ShardMap map = ShardMapAllocator.Create(1, all, 1, replicationFactor: 3)!;

        Assert.Null(ShardMapAllocator.Resign(map, 0, Node(fromPort).Address, epoch, all, 2));
    }

    [Fact]
    public void Rebalance_AllLeadersOnOneNode_MovesOneShardToAnInSyncNodeLeadingFewer()
    {
        ClusterState all = State(Up(2551, 1), Up(2552, 2), Up(2553, 3));
        ShardMap map = ShardMapAllocator.Create(3, all, 1, replicationFactor: 3)!;
        map = map with { Shards = [.. map.Shards.Select(s => s with { Leader = s_a, LeaderEndpoint = "127.0.0.1:7551", Followers = [s_b, s_c], InSync = [s_a, s_b, s_c] })] };

        ShardMap next = ShardMapAllocator.Rebalance(map, all, 2);

        Assert.Equal(map.Version + 1, next.Version);
        ShardAssignment moved = Assert.Single(next.Shards, s => s.Leader != s_a);
        Assert.Equal(map[moved.Id].LeaderEpoch + 1, moved.LeaderEpoch);
        Assert.Contains(s_a, moved.Followers);
        Assert.Equal(moved.Leader, moved.InSync[0]);
    }

    [Fact]
    public void Rebalance_Balanced_Unchanged()
    {
        ClusterState all = State(Up(2551, 1), Up(2552, 2), Up(2553, 3));
        ShardMap map = ShardMapAllocator.Create(6, all, 1, replicationFactor: 3)!;

        Assert.Same(map, ShardMapAllocator.Rebalance(map, all, 2));
    }

    [Fact]
    public void Rebalance_OnlyOutOfSyncNodesLeadFewer_Unchanged_R6()
    {
        ClusterState all = State(Up(2551, 1), Up(2552, 2), Up(2553, 3));
        ShardMap map = ShardMapAllocator.Create(3, all, 1, replicationFactor: 3)!;
        map = map with { Shards = [.. map.Shards.Select(s => s with { Leader = s_a, Followers = [s_b, s_c], InSync = [s_a] })] };

        Assert.Same(map, ShardMapAllocator.Rebalance(map, all, 2));
    }
}
