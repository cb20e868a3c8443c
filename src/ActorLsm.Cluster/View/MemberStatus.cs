namespace ActorLsm.Cluster.View;

/// <summary>
/// A member's life cycle as the server shows it, mapped from <c>Akka.Cluster.MemberStatus</c>:
/// Joining → Up → Leaving → Exiting → Removed, or → Down → Removed at any point. Akka's WeaklyUp
/// is off in our reference config (<c>allow-weakly-up-members = off</c>) and would show as Joining.
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

    /// <summary>Gone; its incarnation never comes back.</summary>
    Removed = 5,
}
