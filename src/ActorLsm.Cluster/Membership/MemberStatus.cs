namespace ActorLsm.Cluster.Membership;

/// <summary>
/// A member's life cycle, in Akka.Cluster's names and order: Joining → Up → Leaving → Exiting →
/// Removed, or → Down → Removed at any point. Gossip merges keep the later state, so the numeric
/// order is part of the merge rule.
/// </summary>
public enum MemberStatus
{
    /// <summary>Asked to join; not yet moved to Up by the leader.</summary>
    Joining = 0,

    /// <summary>A full member.</summary>
    Up = 1,

    /// <summary>Asked to leave gracefully; hands over what it runs.</summary>
    Leaving = 2,

    /// <summary>Moved on by the leader after Leaving; shutting down.</summary>
    Exiting = 3,

    /// <summary>Marked down (crashed, or on the losing side of a partition); no longer serves.</summary>
    Down = 4,

    /// <summary>Gone; kept as a tombstone so the incarnation never comes back.</summary>
    Removed = 5,
}
