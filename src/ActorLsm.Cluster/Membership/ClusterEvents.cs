namespace ActorLsm.Cluster.Membership;

/// <summary>
/// Membership change notifications delivered to subscribers (Akka.Cluster's <c>ClusterEvent</c>s):
/// first a <see cref="CurrentClusterState"/>, then one event per change in the order observed.
/// </summary>
public abstract record ClusterEvent;

/// <summary>The full view at subscription time (always the first message a subscriber gets).</summary>
/// <param name="State">The snapshot.</param>
public sealed record CurrentClusterState(ClusterState State) : ClusterEvent;

/// <summary>Base of the events about one member.</summary>
/// <param name="Member">The member as it is after the change.</param>
public abstract record MemberEvent(Member Member) : ClusterEvent;

/// <summary>A new member is Joining.</summary>
public sealed record MemberJoined(Member Member) : MemberEvent(Member);

/// <summary>A member moved to Up.</summary>
public sealed record MemberUp(Member Member) : MemberEvent(Member);

/// <summary>A member moved to Leaving.</summary>
public sealed record MemberLeft(Member Member) : MemberEvent(Member);

/// <summary>A member moved to Exiting.</summary>
public sealed record MemberExited(Member Member) : MemberEvent(Member);

/// <summary>A member was marked Down.</summary>
public sealed record MemberDowned(Member Member) : MemberEvent(Member);

/// <summary>A member was removed (its <see cref="Member.Status"/> is Removed); <paramref name="PreviousStatus"/> is its status before.</summary>
public sealed record MemberRemoved(Member Member, MemberStatus PreviousStatus) : MemberEvent(Member);

/// <summary>Some member's failure detector now suspects <paramref name="Member"/>.</summary>
public sealed record UnreachableMember(Member Member) : MemberEvent(Member);

/// <summary><paramref name="Member"/> is reachable again from every observer.</summary>
public sealed record ReachableMember(Member Member) : MemberEvent(Member);

/// <summary>The leader changed; <paramref name="Leader"/> is null when there is none.</summary>
public sealed record LeaderChanged(UniqueAddress? Leader) : ClusterEvent;
