using ActorLsm.Cluster.Membership;

namespace ActorLsm.Cluster.Tests.Membership;

public sealed class GossipTests
{
    private static readonly UniqueAddress s_a = new(new NodeAddress("127.0.0.1", 2551), 11);
    private static readonly UniqueAddress s_b = new(new NodeAddress("127.0.0.1", 2552), 22);
    private static readonly UniqueAddress s_c = new(new NodeAddress("127.0.0.1", 2553), 33);

    private static Gossip ThreeJoining() =>
        Gossip.Empty.AddJoining(s_a, "a").AddJoining(s_b, "b").AddJoining(s_c, "c");

    private static Gossip SeenByAll(Gossip g) => g.MarkSeen(s_a).MarkSeen(s_b).MarkSeen(s_c);

    [Fact]
    public void Merge_DifferentStatuses_KeepsLaterStatusAndIsCommutative()
    {
        Gossip baseView = ThreeJoining();
        Gossip x = baseView.WithStatus(s_a, MemberStatus.Up, 1);
        Gossip y = baseView.WithStatus(s_a, MemberStatus.Leaving).WithStatus(s_b, MemberStatus.Down);

        Gossip xy = x.Merge(y);
        Gossip yx = y.Merge(x);

        Assert.Equal(xy.Digest, yx.Digest);
        Assert.Equal(MemberStatus.Leaving, xy.Member(s_a)!.Status);
        Assert.Equal(MemberStatus.Down, xy.Member(s_b)!.Status);
        Assert.Equal(xy.Digest, xy.Merge(xy).Digest);
    }

    [Fact]
    public void Merge_Tombstone_MemberNeverReturns()
    {
        Gossip old = ThreeJoining();
        Gossip removed = old.WithStatus(s_c, MemberStatus.Down).WithStatus(s_c, MemberStatus.Removed);

        Gossip merged = old.Merge(removed);

        Assert.Null(merged.Member(s_c));
        Assert.Contains(s_c, merged.Tombstones);
        Assert.Same(merged, merged.AddJoining(s_c, "c"));
    }

    [Fact]
    public void AddJoining_SameAddressNewUid_MarksOldIncarnationDown()
    {
        var restarted = new UniqueAddress(s_b.Address, 99);
        Gossip g = ThreeJoining().WithStatus(s_b, MemberStatus.Up, 1).AddJoining(restarted, "b2");

        Assert.Equal(MemberStatus.Down, g.Member(s_b)!.Status);
        Assert.Equal(MemberStatus.Joining, g.Member(restarted)!.Status);
    }

    [Fact]
    public void HasConvergence_OneMemberNotSeen_FalseUntilItSees()
    {
        Gossip g = ThreeJoining().MarkSeen(s_a).MarkSeen(s_b);

        Assert.False(g.HasConvergence(s_a));
        Assert.True(g.MarkSeen(s_c).HasConvergence(s_a));
    }

    [Fact]
    public void HasConvergence_UnreachableMemberNotSeen_Ignored()
    {
        Gossip g = ThreeJoining().MarkReachability(s_a, s_c, unreachable: true).MarkSeen(s_a).MarkSeen(s_b);

        Assert.Contains(s_c, g.Unreachable);
        Assert.True(g.HasConvergence(s_a));
    }

    [Fact]
    public void MarkReachability_HigherVersionWinsOnMerge()
    {
        Gossip g = ThreeJoining();
        Gossip suspected = g.MarkReachability(s_a, s_c, unreachable: true);
        Gossip recovered = suspected.MarkReachability(s_a, s_c, unreachable: false);

        Assert.Contains(s_c, suspected.Unreachable);
        Assert.Empty(suspected.Merge(recovered).Unreachable);
        Assert.Empty(recovered.Merge(suspected).Unreachable);
    }

    [Fact]
    public void Leader_FirstReachableUpByAddress_SkipsUnreachable()
    {
        Gossip g = ThreeJoining().WithStatus(s_a, MemberStatus.Up, 1).WithStatus(s_b, MemberStatus.Up, 2);

        Assert.Equal(s_a, g.Leader);
        Assert.Equal(s_b, g.MarkReachability(s_b, s_a, unreachable: true).Leader);
    }

    [Fact]
    public void LeaderActions_Converged_MovesJoiningUpWithUpNumbers()
    {
        Gossip g = SeenByAll(ThreeJoining());

        Gossip after = g.LeaderActions(s_a, minNrOfMembers: 1, out _);

        Assert.All(after.Members.Values, m => Assert.Equal(MemberStatus.Up, m.Status));
        Assert.Equal([1, 2, 3], after.Members.Values.Select(m => m.UpNumber));
    }

    [Fact]
    public void LeaderActions_NotConverged_DoesNothing()
    {
        Gossip g = ThreeJoining().MarkSeen(s_a);

        Assert.Same(g, g.LeaderActions(s_a, 1, out _));
    }

    [Fact]
    public void LeaderActions_FewerThanMinNrOfMembers_KeepsJoining()
    {
        Gossip g = SeenByAll(ThreeJoining());

        Gossip after = g.LeaderActions(s_a, minNrOfMembers: 4, out _);

        Assert.All(after.Members.Values, m => Assert.Equal(MemberStatus.Joining, m.Status));
        Assert.Equal(MemberStatus.Up, g.LeaderActions(s_a, 3, out _).Member(s_c)!.Status);
    }

    [Fact]
    public void LeaderActions_LeavingThenConfirmedExiting_RemovedInTwoSteps()
    {
        Gossip g = SeenByAll(SeenByAll(ThreeJoining()).LeaderActions(s_a, 1, out _));
        g = SeenByAll(g.WithStatus(s_c, MemberStatus.Leaving).ConfirmExiting(s_c));

        Gossip exiting = SeenByAll(g.LeaderActions(s_a, 1, out IReadOnlyList<UniqueAddress> none));
        Gossip removed = exiting.LeaderActions(s_a, 1, out IReadOnlyList<UniqueAddress> gone);

        Assert.Empty(none);
        Assert.Equal(MemberStatus.Exiting, exiting.Member(s_c)!.Status);
        Assert.Equal([s_c], gone);
        Assert.Contains(s_c, removed.Tombstones);
    }

    [Fact]
    public void LeaderActions_DownMember_RemovedWithoutItsAck()
    {
        Gossip g = SeenByAll(ThreeJoining()).LeaderActions(s_a, 1, out _);
        g = g.WithStatus(s_c, MemberStatus.Down).MarkSeen(s_a).MarkSeen(s_b);

        Gossip after = g.LeaderActions(s_a, 1, out IReadOnlyList<UniqueAddress> gone);

        Assert.Equal([s_c], gone);
        Assert.Null(after.Member(s_c));
    }

    [Fact]
    public void Wire_RoundTrip_PreservesDigestAndSeen()
    {
        Gossip g = SeenByAll(ThreeJoining()).LeaderActions(s_a, 1, out _).MarkReachability(s_a, s_b, true).ConfirmExiting(s_c).MarkSeen(s_a);

        Gossip back = g.ToWire().FromWire();

        Assert.Equal(g.Digest, back.Digest);
        Assert.Equal(g.Seen.Count, back.Seen.Count);
        Assert.Equal(g.HasConvergence(s_a), back.HasConvergence(s_a));
    }

    [Fact]
    public void Diff_JoinUpAndRemove_EmitsEventsInOrder()
    {
        Gossip before = Gossip.Empty;
        Gossip after = before.AddJoining(s_a, "a").WithStatus(s_a, MemberStatus.Up, 1).AddJoining(s_b, "b");

        var events = ClusterEventDiff.Diff(before, after);
        var removedEvents = ClusterEventDiff.Diff(after, after.WithStatus(s_b, MemberStatus.Removed));

        Assert.Contains(events, e => e is MemberUp up && up.Member.UniqueAddress == s_a);
        Assert.Contains(events, e => e is MemberJoined j && j.Member.UniqueAddress == s_b);
        Assert.Contains(events, e => e is LeaderChanged l && l.Leader == s_a);
        Assert.Single(removedEvents.OfType<MemberRemoved>());
    }
}
