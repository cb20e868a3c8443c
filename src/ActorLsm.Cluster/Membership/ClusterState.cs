namespace ActorLsm.Cluster.Membership;

/// <summary>
/// An immutable snapshot of one node's membership view (Akka's <c>CurrentClusterState</c>).
/// </summary>
/// <param name="Members">Members not yet removed, sorted by address.</param>
/// <param name="Unreachable">Members some reachable member's failure detector currently suspects.</param>
/// <param name="Leader">The leader: first reachable Up or Leaving member by address order; null while there is none.</param>
/// <param name="HasConvergence">True when every reachable member has seen this view.</param>
public sealed record ClusterState(
    IReadOnlyList<Member> Members,
    IReadOnlySet<UniqueAddress> Unreachable,
    UniqueAddress? Leader,
    bool HasConvergence)
{
    /// <summary>The empty view of a node that has not joined.</summary>
    public static ClusterState Empty { get; } = new([], new HashSet<UniqueAddress>(), null, false);
}
