using System.Diagnostics;
using Akka.Cluster;
using AkkaMember = Akka.Cluster.Member;
using AkkaStatus = Akka.Cluster.MemberStatus;

namespace ActorLsm.Cluster.View;

/// <summary>
/// Folds Akka.Cluster's subscription stream (<see cref="ClusterEvent.CurrentClusterState"/>, then
/// <see cref="ClusterEvent.IMemberEvent"/>, <see cref="ClusterEvent.IReachabilityEvent"/> and
/// <see cref="ClusterEvent.LeaderChanged"/>) into <see cref="ClusterState"/> snapshots. Members
/// without the role <see cref="ClusterRoles.Member"/> are left out. Not thread-safe: owned by one
/// actor (the member actor or the version manager).
/// </summary>
internal sealed class ClusterStateTracker
{
    private readonly Dictionary<Akka.Cluster.UniqueAddress, AkkaMember> _members = [];
    private readonly HashSet<Akka.Cluster.UniqueAddress> _unreachable = [];
    private Akka.Actor.Address? _leader;

    /// <summary>The current snapshot.</summary>
    public ClusterState State { get; private set; } = ClusterState.Empty;

    /// <summary>The event types to subscribe to (<c>Cluster.Subscribe</c> with <c>InitialStateAsSnapshot</c>).</summary>
    public static Type[] Subscriptions { get; } =
        [typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged)];

    /// <summary>Maps an Akka member status to the view's.</summary>
    public static MemberStatus Map(AkkaStatus status) => status switch
    {
        AkkaStatus.Joining or AkkaStatus.WeaklyUp => MemberStatus.Joining,
        AkkaStatus.Up => MemberStatus.Up,
        AkkaStatus.Leaving => MemberStatus.Leaving,
        AkkaStatus.Exiting => MemberStatus.Exiting,
        AkkaStatus.Down => MemberStatus.Down,
        _ => MemberStatus.Removed,
    };

    /// <summary>
    /// The view's record of an Akka member; <paramref name="ageRank"/> (1 = oldest) stands in for
    /// Akka's up number, which Akka does not expose: the rank in <c>Member.AgeOrdering</c>.
    /// </summary>
    public static Member Map(AkkaMember m, int ageRank)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new Member(UniqueAddress.FromAkka(m.UniqueAddress), Map(m.Status), ageRank, ClusterRoles.EndpointOf(m.Roles), ClusterRoles.RespEndpointOf(m.Roles));
    }

    /// <summary>
    /// Applies one subscription message; true when it was one of the tracked kinds (the snapshot
    /// is rebuilt), false for anything else.
    /// </summary>
    public bool Apply(object message)
    {
        switch (message)
        {
            case ClusterEvent.CurrentClusterState s:
                _members.Clear();
                _unreachable.Clear();
                foreach (AkkaMember m in s.Members)
                {
                    _members[m.UniqueAddress] = m;
                }

                foreach (AkkaMember m in s.Unreachable)
                {
                    _unreachable.Add(m.UniqueAddress);
                }

                _leader = s.Leader;
                break;
            case ClusterEvent.MemberRemoved r:
                _members.Remove(r.Member.UniqueAddress);
                _unreachable.Remove(r.Member.UniqueAddress);
                break;
            case ClusterEvent.MemberStatusChange c:
                _members[c.Member.UniqueAddress] = c.Member;
                break;
            case ClusterEvent.UnreachableMember u:
                _unreachable.Add(u.Member.UniqueAddress);
                break;
            case ClusterEvent.ReachableMember r:
                _unreachable.Remove(r.Member.UniqueAddress);
                break;
            case ClusterEvent.LeaderChanged l:
                _leader = l.Leader;
                break;
            default:
                return false;
        }

        Rebuild();
        return true;
    }

    private void Rebuild()
    {
        Member[] members = _members.Values
            .Where(m => m.HasRole(ClusterRoles.Member))
            .Order(AkkaMember.AgeOrdering)
            .Select((m, i) => Map(m, i + 1))
            .OrderBy(m => m.UniqueAddress)
            .ToArray();
        var unreachable = _unreachable.Where(u => _members.TryGetValue(u, out AkkaMember? m) && m.HasRole(ClusterRoles.Member))
            .Select(UniqueAddress.FromAkka)
            .ToHashSet();
        UniqueAddress? leader = null;
        if (_leader is not null)
        {
            AkkaMember? l = _members.Values.FirstOrDefault(m => m.Address.Equals(_leader));
            leader = l is null ? null : UniqueAddress.FromAkka(l.UniqueAddress);
        }

        State = new ClusterState(members, unreachable, leader, true);
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() =>
        Debug.Assert(State.Members.Zip(State.Members.Skip(1)).All(p => p.First.UniqueAddress.CompareTo(p.Second.UniqueAddress) < 0), "members sorted by address, each once");
}
