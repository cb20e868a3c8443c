using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Tests.Singleton;

/// <summary>Quorum arithmetic, recovery, shard map allocation, the view's epoch rejection and the durable store.</summary>
public sealed class SingletonPureTests
{
    internal static UniqueAddress Node(int port, ulong uid = 1) => new(new NodeAddress("127.0.0.1", port), uid);

    internal static ClusterState State(params Member[] members) =>
        new(members.OrderBy(m => m.UniqueAddress).ToArray(), new HashSet<UniqueAddress>(), null, true);

    internal static Member Up(int port, int upNumber, ulong uid = 1) => new(Node(port, uid), MemberStatus.Up, upNumber, "127.0.0.1:" + (port + 5000));

    [Fact]
    public void Majority_VoterCounts_StrictMajority()
    {
        Assert.Equal(1, Quorum.Majority(1));
        Assert.Equal(2, Quorum.Majority(2));
        Assert.Equal(2, Quorum.Majority(3));
        Assert.Equal(3, Quorum.Majority(5));
    }

    [Fact]
    public void IsMajority_AcksOutsideVotersAndDuplicates_NotCounted()
    {
        var voters = new HashSet<UniqueAddress> { Node(1), Node(2), Node(3) };
        Assert.False(Quorum.IsMajority(voters, [Node(1), Node(1), Node(9)]));
        Assert.True(Quorum.IsMajority(voters, [Node(1), Node(3)]));
        Assert.False(Quorum.IsLost(voters, [Node(2)]));
        Assert.True(Quorum.IsLost(voters, [Node(2), Node(3)]));
    }

    [Fact]
    public void Recover_SeveralStates_MaxCeilingMaxFlushedNewestMap()
    {
        var oldMap = new ShardMapMsg { Epoch = 2, Version = 9, ShardCount = 1 };
        var newMap = new ShardMapMsg { Epoch = 3, Version = 1, ShardCount = 1 };
        ManagerState r = Quorum.Recover(
        [
            new ManagerState { Ceiling = 30, Flushed = 5, ShardMap = oldMap },
            null,
            new ManagerState { Ceiling = 20, Flushed = 7, ShardMap = newMap },
        ]);
        Assert.Equal(30, r.Ceiling);
        Assert.Equal(7, r.Flushed);
        Assert.Equal(newMap, r.ShardMap);
    }

    [Fact]
    public void Create_ThreeUpMembers_RoundRobinInAddressOrder()
    {
        ShardMap? map = ShardMapAllocator.Create(5, State(Up(3, 1), Up(1, 2), Up(2, 3)), epoch: 4);
        Assert.NotNull(map);
        Assert.Equal([1, 2, 3, 1, 2], map.Shards.Select(s => s.Leader!.Port));
        Assert.All(map.Shards, s => Assert.True(s.Available && s.LeaderEpoch == 1 && s.LeaderEndpoint == "127.0.0.1:" + (s.Leader!.Port + 5000)));
        Assert.Equal(1, map.Version);
        Assert.Equal(4, map.Epoch);
    }

    [Fact]
    public void Create_FewerUpThanMinMembers_Null()
    {
        Assert.Null(ShardMapAllocator.Create(4, State(Up(1, 1), Up(2, 2)), 1, minMembers: 3));
        Assert.Null(ShardMapAllocator.Create(4, ClusterState.Empty, 1));
    }

    [Fact]
    public void Update_LeaderDownThenNewIncarnationUp_UnavailableThenAvailableWithHigherEpoch()
    {
        ShardMap map = ShardMapAllocator.Create(3, State(Up(1, 1), Up(2, 2), Up(3, 3)), 1)!;
        var down = State(Up(1, 1), Up(2, 2) with { Status = MemberStatus.Down }, Up(3, 3));
        ShardMap m2 = ShardMapAllocator.Update(map, down, 2);
        Assert.Equal(2, m2.Version);
        Assert.Equal(Node(2).Address, m2[1].Leader);
        Assert.False(m2[1].Available);
        Assert.True(m2[0].Available && m2[2].Available);

        Assert.Same(m2, ShardMapAllocator.Update(m2, down, 2));

        var back = State(Up(1, 1), Up(2, 4, uid: 7) with { ClientEndpoint = "127.0.0.1:9999" }, Up(3, 3));
        ShardMap m3 = ShardMapAllocator.Update(m2, back, 3);
        Assert.Equal(3, m3.Version);
        Assert.True(m3[1].Available);
        Assert.Equal(2, m3[1].LeaderEpoch);
        Assert.Equal("127.0.0.1:9999", m3[1].LeaderEndpoint);
        Assert.Equal(1, m3[0].LeaderEpoch);
    }

    [Fact]
    public void Update_LeaderlessShards_AssignedToUpMembers()
    {
        var map = new ShardMap(5, 1, 2, [new ShardAssignment(0, null, null, [], [], 0, false, 0), new ShardAssignment(1, null, null, [], [], 0, false, 0)]);
        ShardMap next = ShardMapAllocator.Update(map, State(Up(1, 1), Up(2, 2)), 2);
        Assert.Equal(6, next.Version);
        Assert.Equal([1, 2], next.Shards.Select(s => s.Leader!.Port));
        Assert.All(next.Shards, s => Assert.True(s.Available));
    }

    [Fact]
    public void TryApply_EpochOlderThanAccepted_RejectedAndNothingChanges()
    {
        var view = new ClusterView(Node(1));
        Assert.True(view.TryApply(Broadcast(Node(2), epoch: 3, current: 100)));
        view.ObserveEpoch(5);
        Assert.False(view.TryApply(Broadcast(Node(2), epoch: 4, current: 500)));
        Assert.Equal(100, view.Versions.Current);
        Assert.Equal(3, view.Versions.Epoch);
        Assert.True(view.TryApply(Broadcast(Node(3), epoch: 5, current: 200)));
        Assert.False(view.TryApply(Broadcast(Node(2), epoch: 3, current: 900)));
        Assert.Equal(200, view.Versions.Current);
    }

    [Fact]
    public void TryApply_SameEpochLowerCurrent_RejectedAsReordered()
    {
        var view = new ClusterView(Node(1));
        Assert.True(view.TryApply(Broadcast(Node(2), 1, 10)));
        Assert.False(view.TryApply(Broadcast(Node(2), 1, 9)));
        Assert.Equal(10, view.Versions.Current);
    }

    [Fact]
    public void Singleton_BroadcasterDown_FallsBackToOldestUp()
    {
        var view = new ClusterView(Node(1));
        view.SetMembership(State(Up(1, 2), Up(2, 1), Up(3, 3)));
        Assert.Equal(Node(2), view.Singleton);
        view.TryApply(Broadcast(Node(3), 1, 10));
        Assert.Equal(Node(3), view.Singleton);
        view.SetMembership(State(Up(1, 2), Up(2, 1), Up(3, 3) with { Status = MemberStatus.Down }));
        Assert.Equal(Node(2), view.Singleton);
    }

    [Fact]
    public void Persist_Reopen_RecordRoundTrips()
    {
        string dir = Path.Combine(Path.GetTempPath(), "actorlsm-singleton-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new SingletonStateStore(dir);
            Assert.Equal(0, store.AcceptedEpoch);
            store.Accept(3);
            store.Persist(4, new ManagerState { Epoch = 4, Ceiling = 20000, Flushed = 17, Seq = 2 });
            var reopened = new SingletonStateStore(dir);
            Assert.Equal(4, reopened.AcceptedEpoch);
            Assert.Equal(20000, reopened.State.Ceiling);
            Assert.Equal(17, reopened.State.Flushed);
            Assert.False(File.Exists(Path.Combine(dir, "cluster", "singleton.state.tmp")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static VersionsBroadcast Broadcast(UniqueAddress from, long epoch, long current) =>
        new() { From = from.ToMsg(), Epoch = epoch, Current = current, Completed = current - 1, Flushed = 0 };
}
