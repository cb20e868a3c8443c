namespace ActorLsm.Cluster.Membership;

/// <summary>Convergence, leader election and the leader's actions (Akka.Cluster's leader duties).</summary>
internal sealed partial class Gossip
{
    /// <summary>
    /// The leader: the first reachable Up or Leaving member by address order. While no member at all is
    /// Up or Leaving (a cluster forming), the first reachable Joining member leads so someone can move
    /// the first members to Up (as Akka falls back to any reachable member). Null for an empty view.
    /// </summary>
    public UniqueAddress? Leader
    {
        get
        {
            bool anyUp = Members.Values.Any(m => m.Status is MemberStatus.Up or MemberStatus.Leaving);
            foreach (Member m in Members.Values)
            {
                if (Unreachable.Contains(m.UniqueAddress))
                {
                    continue;
                }

                if (m.Status is MemberStatus.Up or MemberStatus.Leaving || (!anyUp && m.Status == MemberStatus.Joining))
                {
                    return m.UniqueAddress;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// True when <paramref name="self"/> is a member and every reachable member that is not Down has
    /// seen this exact view (its seen digest equals <see cref="Digest"/>).
    /// </summary>
    public bool HasConvergence(UniqueAddress self)
    {
        if (!Members.ContainsKey(self))
        {
            return false;
        }

        ulong digest = Digest;
        foreach (Member m in Members.Values)
        {
            if (m.Status == MemberStatus.Down || Unreachable.Contains(m.UniqueAddress))
            {
                continue;
            }

            if (!Seen.TryGetValue(m.UniqueAddress, out SeenEntry seen) || seen.Digest != digest)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The leader's moves, applied only when <paramref name="self"/> is the leader and the view has
    /// converged: Joining → Up (while no member is Up yet, only once at least
    /// <paramref name="minNrOfMembers"/> are Joining or Up; unreachable joiners wait), Leaving → Exiting,
    /// Exiting → Removed (once the member confirmed its hand-over or is unreachable), Down → Removed.
    /// Each member moves at most one step per call. <paramref name="removed"/> lists the members removed.
    /// </summary>
    public Gossip LeaderActions(UniqueAddress self, int minNrOfMembers, out IReadOnlyList<UniqueAddress> removed)
    {
        var gone = new List<UniqueAddress>();
        removed = gone;
        if (Leader != self || !HasConvergence(self))
        {
            return this;
        }

        bool anyUp = Members.Values.Any(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting);
        int candidates = Members.Values.Count(m => m.Status is MemberStatus.Joining or MemberStatus.Up);
        bool mayMoveUp = anyUp || candidates >= minNrOfMembers;
        int nextUp = Members.Values.Select(m => m.UpNumber).DefaultIfEmpty(0).Max() + 1;
        Gossip g = this;
        foreach (Member m in Members.Values)
        {
            bool reachable = !Unreachable.Contains(m.UniqueAddress);
            switch (m.Status)
            {
                case MemberStatus.Joining when mayMoveUp && reachable:
                    g = g.WithStatus(m.UniqueAddress, MemberStatus.Up, nextUp++);
                    break;
                case MemberStatus.Leaving:
                    g = g.WithStatus(m.UniqueAddress, MemberStatus.Exiting);
                    break;
                case MemberStatus.Exiting when ExitingConfirmed.Contains(m.UniqueAddress) || !reachable:
                case MemberStatus.Down:
                    g = g.WithStatus(m.UniqueAddress, MemberStatus.Removed);
                    gone.Add(m.UniqueAddress);
                    break;
                default:
                    break;
            }
        }

        return g;
    }

    /// <summary>The immutable public snapshot of this view as seen by <paramref name="self"/>.</summary>
    public ClusterState ToState(UniqueAddress self) =>
        new(Members.Values.ToArray(), new HashSet<UniqueAddress>(Unreachable), Leader, HasConvergence(self));
}
