using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Membership;

/// <summary>Local (never serialized) messages of <see cref="ClusterCoreActor"/>: timer ticks and facade commands.</summary>
internal static class ClusterCoreMessages
{
    /// <summary>Resend InitJoin to the seeds.</summary>
    public sealed record JoinTick
    {
        public static JoinTick Instance { get; } = new();
    }

    /// <summary>seed-node-timeout passed without an InitJoinAck: the first seed joins itself.</summary>
    public sealed record SeedTimeout
    {
        public static SeedTimeout Instance { get; } = new();
    }

    /// <summary>retry-unsuccessful-join-after passed without a Welcome: start joining over.</summary>
    public sealed record JoinRetry
    {
        public static JoinRetry Instance { get; } = new();
    }

    /// <summary>Gossip to the other members.</summary>
    public sealed record GossipTick
    {
        public static GossipTick Instance { get; } = new();
    }

    /// <summary>Heartbeat the other members and update reachability.</summary>
    public sealed record HeartbeatTick
    {
        public static HeartbeatTick Instance { get; } = new();
    }

    /// <summary>Leader actions and split-brain resolution.</summary>
    public sealed record LeaderTick
    {
        public static LeaderTick Instance { get; } = new();
    }

    /// <summary>Deliver <see cref="ClusterEvent"/>s to <paramref name="Subscriber"/>, starting with the current state.</summary>
    public sealed record Subscribe(IActorRef Subscriber);

    /// <summary>Stop delivering events to <paramref name="Subscriber"/>.</summary>
    public sealed record Unsubscribe(IActorRef Subscriber);

    /// <summary>Mark this node Leaving.</summary>
    public sealed record LeaveSelf
    {
        public static LeaveSelf Instance { get; } = new();
    }

    /// <summary>This node's leave hooks finished: the leader may remove it once Exiting.</summary>
    public sealed record ConfirmExiting
    {
        public static ConfirmExiting Instance { get; } = new();
    }

    /// <summary>Mark every incarnation on <paramref name="Address"/> Down.</summary>
    public sealed record DownNode(NodeAddress Address);
}

/// <summary>What the core actor reports to the facade after every change (on the actor's thread).</summary>
/// <param name="State">The new snapshot.</param>
/// <param name="SelfStatus">This node's status; null before it joined; Removed once it is a tombstone.</param>
/// <param name="Events">The events since the previous report.</param>
internal sealed record ClusterCoreReport(ClusterState State, MemberStatus? SelfStatus, IReadOnlyList<ClusterEvent> Events);
