namespace ActorLsm.Cluster.Membership;

/// <summary>Turns two successive views into the <see cref="ClusterEvent"/>s between them (as Akka's ClusterDomainEventPublisher does).</summary>
internal static class ClusterEventDiff
{
    /// <summary>
    /// Events from <paramref name="before"/> to <paramref name="after"/>, in this order: member status
    /// changes (by address; a member that skipped states gets one event per state passed), removals,
    /// reachability changes, then a leader change.
    /// </summary>
    public static List<ClusterEvent> Diff(Gossip before, Gossip after)
    {
        var events = new List<ClusterEvent>();
        foreach (Member m in after.Members.Values)
        {
            MemberStatus from = before.Member(m.UniqueAddress)?.Status ?? (MemberStatus)(-1);
            for (MemberStatus s = from + 1; s <= m.Status; s++)
            {
                if (StatusEvent(m, s) is { } e && (s == m.Status || s != MemberStatus.Down))
                {
                    events.Add(e);
                }
            }
        }

        foreach (Member old in before.Members.Values)
        {
            if (!after.Members.ContainsKey(old.UniqueAddress) && after.Tombstones.Contains(old.UniqueAddress))
            {
                events.Add(new MemberRemoved(old with { Status = MemberStatus.Removed }, old.Status));
            }
        }

        foreach (UniqueAddress a in after.Unreachable.Except(before.Unreachable))
        {
            events.Add(new UnreachableMember(after.Members[a]));
        }

        foreach (UniqueAddress a in before.Unreachable.Except(after.Unreachable))
        {
            if (after.Member(a) is { } m)
            {
                events.Add(new ReachableMember(m));
            }
        }

        if (before.Leader != after.Leader)
        {
            events.Add(new LeaderChanged(after.Leader));
        }

        return events;
    }

    private static ClusterEvent? StatusEvent(Member m, MemberStatus s) => s switch
    {
        MemberStatus.Joining => new MemberJoined(m),
        MemberStatus.Up => m.Status == MemberStatus.Down ? null : new MemberUp(m),
        MemberStatus.Leaving => m.Status == MemberStatus.Down ? null : new MemberLeft(m),
        MemberStatus.Exiting => m.Status == MemberStatus.Down ? null : new MemberExited(m),
        MemberStatus.Down => new MemberDowned(m),
        _ => null,
    };
}
