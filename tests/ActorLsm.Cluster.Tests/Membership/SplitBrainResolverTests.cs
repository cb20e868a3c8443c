using ActorLsm.Cluster.Membership;

namespace ActorLsm.Cluster.Tests.Membership;

public sealed class SplitBrainResolverTests
{
    private static readonly UniqueAddress s_a = new(new NodeAddress("127.0.0.1", 2551), 1);
    private static readonly UniqueAddress s_b = new(new NodeAddress("127.0.0.1", 2552), 2);
    private static readonly UniqueAddress s_c = new(new NodeAddress("127.0.0.1", 2553), 3);
    private static readonly UniqueAddress s_d = new(new NodeAddress("127.0.0.1", 2554), 4);

    private static Member[] Up(params UniqueAddress[] addresses) =>
        addresses.Select((a, i) => new Member(a, MemberStatus.Up, i + 1, "x")).ToArray();

    [Fact]
    public void Decide_MajoritySide_DownsUnreachable()
    {
        Assert.Equal(DowningDecision.DownUnreachable, SplitBrainResolver.Decide(Up(s_a, s_b, s_c), new HashSet<UniqueAddress> { s_a }, s_b));
    }

    [Fact]
    public void Decide_MinoritySide_DownsSelf()
    {
        Assert.Equal(DowningDecision.DownSelf, SplitBrainResolver.Decide(Up(s_a, s_b, s_c), new HashSet<UniqueAddress> { s_b, s_c }, s_a));
    }

    [Fact]
    public void Decide_TieOfTwoAgainstTwo_SideWithLowestAddressWins()
    {
        Member[] members = Up(s_a, s_b, s_c, s_d);

        Assert.Equal(DowningDecision.DownUnreachable, SplitBrainResolver.Decide(members, new HashSet<UniqueAddress> { s_c, s_d }, s_a));
        Assert.Equal(DowningDecision.DownSelf, SplitBrainResolver.Decide(members, new HashSet<UniqueAddress> { s_a, s_b }, s_c));
    }

    [Fact]
    public void OnTick_UnreachableSetChanges_WaitsStableAfterFromLastChange()
    {
        var clock = new FakeClock();
        var sbr = new SplitBrainResolver(clock, TimeSpan.FromSeconds(2));
        Gossip g = Gossip.Empty.AddJoining(s_a, "a").AddJoining(s_b, "b").AddJoining(s_c, "c")
            .WithStatus(s_a, MemberStatus.Up, 1).WithStatus(s_b, MemberStatus.Up, 2).WithStatus(s_c, MemberStatus.Up, 3);
        Gossip suspect = g.MarkReachability(s_a, s_c, true);

        Assert.Equal(DowningDecision.None, sbr.OnTick(suspect, s_a));
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(DowningDecision.None, sbr.OnTick(suspect, s_a));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DowningDecision.DownUnreachable, sbr.OnTick(suspect, s_a));
        Assert.Equal(DowningDecision.None, sbr.OnTick(g, s_a));
    }
}
