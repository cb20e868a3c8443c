namespace ActorLsm.Cluster.View;

/// <summary>
/// An immutable snapshot of one node's membership view, built from Akka.Cluster's
/// <c>CurrentClusterState</c> and the member and reachability events that follow it
/// (<see cref="ClusterStateTracker"/>). Only members with the role <c>actorlsm</c> are in it.
/// </summary>
/// <param name="Members">Members not yet removed, sorted by address.</param>
/// <param name="Unreachable">Members some member's failure detector currently suspects.</param>
/// <param name="Leader">Akka's cluster leader as last announced; null while there is none.</param>
/// <param name="HasConvergence">Kept for the server's status shape; Akka does not publish gossip convergence, so this is always true once a snapshot arrived (false in <see cref="Empty"/>).</param>
public sealed record ClusterState(
    IReadOnlyList<Member> Members,
    IReadOnlySet<UniqueAddress> Unreachable,
    UniqueAddress? Leader,
    bool HasConvergence)
{
    /// <summary>The empty view of a node that has not joined.</summary>
    public static ClusterState Empty { get; } = new([], new HashSet<UniqueAddress>(), null, false);
}
