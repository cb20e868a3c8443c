using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Remoting;

namespace ActorLsm.Cluster.Tests.Membership;

/// <summary>Membership over the fault-injecting transport: partitions and an unreliable network.</summary>
public sealed class ClusterMembershipFaultTests : IAsyncLifetime
{
    private readonly InMemoryNetwork _network = new();
    private readonly NetworkFaults _faults = new(seed: 42);
    private MembershipCluster _cluster = null!;

    public Task InitializeAsync()
    {
        _cluster = new MembershipCluster(a => new FaultInjectingTransport(_network.CreateTransport(a), _faults));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Partition_OneAgainstTwo_MinorityDownsItselfMajorityRemovesIt()
    {
        var nodes = await _cluster.StartNodesAsync(3);
        await MembershipCluster.AllUpAsync(nodes);
        NodeAddress minority = nodes[0].Self.Address; // the leader, so the majority must take over leadership

        _faults.Cut(minority, nodes[1].Self.Address);
        _faults.Cut(minority, nodes[2].Self.Address);

        await nodes[0].Membership.WhenDowned.WaitAsync(MembershipCluster.Deadline);
        await MembershipCluster.AllUpAsync(nodes[1..]);

        Assert.False(nodes[1].Membership.WhenDowned.IsCompleted);
        Assert.False(nodes[2].Membership.WhenDowned.IsCompleted);
        Assert.All(nodes[1..], n => Assert.Equal(nodes[1].Self, n.Membership.State.Leader));
        Assert.Equal(MemberStatus.Down, nodes[0].Membership.State.Members.Single(m => m.UniqueAddress == nodes[0].Self).Status);
    }

    [Fact]
    public async Task StartAsync_LossyDuplicatingReorderingNetwork_ThreeNodesStillConverge()
    {
        _faults.DropProbability = 0.05;
        _faults.DuplicateProbability = 0.05;
        _faults.ReorderProbability = 0.05;
        _faults.MaxDelay = TimeSpan.FromMilliseconds(20);

        var nodes = await _cluster.StartNodesAsync(3);

        await MembershipCluster.AllUpAsync(nodes);
        Assert.All(nodes, n => Assert.Empty(n.Membership.State.Unreachable));
    }
}
