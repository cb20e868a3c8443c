using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Remoting;

namespace ActorLsm.Cluster.Tests.Membership;

/// <summary>Membership of 3 to 5 in-process nodes over the in-memory network, with shortened timings.</summary>
public sealed class ClusterMembershipTests : IAsyncLifetime
{
    private readonly InMemoryNetwork _network = new();
    private MembershipCluster _cluster = null!;

    public Task InitializeAsync()
    {
        _cluster = new MembershipCluster(a => _network.CreateTransport(a));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task StartAsync_ThreeNodes_AllUpWithConvergenceAndOneLeader()
    {
        var nodes = await _cluster.StartNodesAsync(3);

        await Task.WhenAll(nodes.Select(n => n.Membership.WhenUp)).WaitAsync(MembershipCluster.Deadline);
        await MembershipCluster.AllUpAsync(nodes);

        Assert.All(nodes, n => Assert.Equal(nodes[0].Self, n.Membership.State.Leader));
        Assert.Equal([1, 2, 3], nodes[0].Membership.State.Members.Select(m => m.UpNumber).Order());
        await MembershipCluster.WaitUntilAsync(() => nodes[2].Saw<MemberUp>(nodes[0].Self), () => "MemberUp event");

        Assert.All(nodes, n => Assert.IsType<CurrentClusterState>(n.Events.First()));
    }

    [Fact]
    public async Task StartAsync_FirstSeedAlone_JoinsItselfAfterSeedNodeTimeoutAndIsUp()
    {
        var node = await _cluster.StartNodeAsync(0);

        await node.Membership.WhenUp.WaitAsync(MembershipCluster.Deadline);

        Assert.Equal(node.Self, node.Membership.State.Leader);
        Assert.Equal(MemberStatus.Up, Assert.Single(node.Membership.State.Members).Status);
    }

    [Fact]
    public async Task Down_RunningMember_IsRemovedAndItsWhenDownedCompletes()
    {
        var nodes = await _cluster.StartNodesAsync(3);
        await MembershipCluster.AllUpAsync(nodes);

        nodes[0].Membership.Down(nodes[2].Self.Address);

        await nodes[2].Membership.WhenDowned.WaitAsync(MembershipCluster.Deadline);
        await MembershipCluster.AllUpAsync(nodes[..2]);
        Assert.False(nodes[0].Membership.WhenDowned.IsCompleted);
    }

    [Fact]
    public async Task StartAsync_FiveNodes_AllUpWithConvergence()
    {
        var nodes = await _cluster.StartNodesAsync(5);

        await MembershipCluster.AllUpAsync(nodes);

        Assert.All(nodes, n => Assert.Equal("127.0.0.1:" + (7401 + nodes.IndexOf(n)), n.Membership.State.Members.Single(m => m.UniqueAddress == n.Self).ClientEndpoint));
    }

    [Fact]
    public async Task LeaveAsync_OneOfThree_LeavingExitingRemovedSeenByAll()
    {
        var nodes = await _cluster.StartNodesAsync(3);
        await MembershipCluster.AllUpAsync(nodes);
        bool hookRan = false;
        nodes[2].Membership.RegisterLeaveHook(_ =>
        {
            hookRan = nodes[2].Membership.State.Members.Single(m => m.UniqueAddress == nodes[2].Self).Status >= MemberStatus.Leaving;
            return Task.CompletedTask;
        });

        await nodes[2].Membership.LeaveAsync().WaitAsync(MembershipCluster.Deadline);
        UniqueAddress leaver = nodes[2].Self;
        await MembershipCluster.AllUpAsync(nodes[..2]);
        await nodes[2].Membership.WhenRemoved.WaitAsync(MembershipCluster.Deadline);

        // Events reach subscribers by message, a little after State changed.
        await MembershipCluster.WaitUntilAsync(
            () => nodes[..2].All(n => n.Saw<MemberLeft>(leaver) && n.Saw<MemberExited>(leaver) && n.Saw<MemberRemoved>(leaver)),
            () => "leave events on both remaining nodes");

        Assert.True(hookRan);
        Assert.False(nodes[2].Membership.WhenDowned.IsCompleted);
    }

    [Fact]
    public async Task DisposeAsync_NodeCrashes_PeersMarkUnreachableDownAndRemoveIt()
    {
        var nodes = await _cluster.StartNodesAsync(3);
        await MembershipCluster.AllUpAsync(nodes);
        UniqueAddress crashed = nodes[2].Self;

        await nodes[2].DisposeAsync();
        await MembershipCluster.AllUpAsync(nodes[..2]);

        await MembershipCluster.WaitUntilAsync(
            () => nodes[..2].All(n => n.Saw<UnreachableMember>(crashed) && n.Saw<MemberDowned>(crashed) && n.Saw<MemberRemoved>(crashed)),
            () => "crash events on both remaining nodes: " + string.Join(", ", nodes[0].Events.Select(e => e.GetType().Name)));

        Assert.DoesNotContain(nodes[0].Membership.State.Members, m => m.UniqueAddress == crashed);
    }

    [Fact]
    public async Task StartAsync_RestartedNodeSameAddress_RejoinsAsNewIncarnationAndOldIsRemoved()
    {
        var nodes = await _cluster.StartNodesAsync(3);
        await MembershipCluster.AllUpAsync(nodes);
        UniqueAddress old = nodes[2].Self;

        await nodes[2].DisposeAsync();
        var restarted = await _cluster.StartNodeAsync(2);
        await MembershipCluster.AllUpAsync([nodes[0], nodes[1], restarted]);

        Assert.NotEqual(old.Uid, restarted.Self.Uid);
        Assert.Equal(old.Address, restarted.Self.Address);
        await MembershipCluster.WaitUntilAsync(() => nodes[0].Saw<MemberRemoved>(old), () => "removal of the old incarnation");
        Assert.DoesNotContain(nodes[1].Membership.State.Members, m => m.UniqueAddress == old);
    }
}
