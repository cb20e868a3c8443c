using Akka.Actor;

namespace ActorLsm.Shards.Replication;

// Messages between a shard actor and its replicator children (in-process only; the wire messages
// are in ActorLsm.Protocol.Replication). Immutable once sent.

/// <summary>The shard's new role (from <see cref="ShardedNode.SetReplicaRole"/>).</summary>
internal sealed record SetRole(ReplicaRole Role);

/// <summary>Shard to replicators: the leader's log now ends at <paramref name="LeaderLast"/>; the high watermark is <paramref name="HighWatermark"/>.</summary>
internal sealed record RecordsAvailable(ulong LeaderLast, ulong HighWatermark);

/// <summary>
/// Replicator to shard: <paramref name="Node"/> has everything up to <paramref name="Acked"/> on
/// disk. <paramref name="CaughtUpTicks"/> (Stopwatch ticks, 0 = not caught up) is when the
/// acknowledged request was sent if the follower then had all the leader had.
/// <paramref name="SentTicks"/> (Stopwatch ticks, 0 = unknown) is when the leader sent the append
/// the follower acknowledged: the start of the read lease it grants (R10).
/// </summary>
internal sealed record FollowerAcked(string Node, ulong Acked, long CaughtUpTicks, long SentTicks = 0);

/// <summary>Replicator to shard: the follower follows a newer leader epoch than this leader's.</summary>
internal sealed record FollowerRejected(string Node, long Epoch);

/// <summary>Replicator to shard: make a checkpoint of the store for a snapshot transfer; answered with <see cref="CheckpointReady"/>.</summary>
internal sealed record CheckpointRequest(IActorRef ReplyTo);

/// <summary>
/// The checkpoint in <paramref name="Directory"/> holds the store up to <paramref name="Sequence"/>
/// with the leader's epochs up to it; null <paramref name="Directory"/> = it failed (<paramref name="Error"/>).
/// </summary>
internal sealed record CheckpointReady(string? Directory, ulong Sequence, IReadOnlyList<(long Epoch, ulong Start)> Epochs, string? Error);

/// <summary>The shard's own checkpoint task finished (any thread to the shard).</summary>
internal sealed record CheckpointFinished(string Directory, Task<ulong> Task, IReadOnlyList<IActorRef> Waiting);

/// <summary>Timer: the R10 support fence has passed; redeliver the appends and probes of a newer leader that waited for it.</summary>
internal sealed class SupportFencePassed
{
    public static readonly SupportFencePassed Instance = new();
}

/// <summary>Leader tick: re-check the in-sync set.</summary>
internal sealed class InSyncTick
{
    public static readonly InSyncTick Instance = new();
}

/// <summary>Timer to a shard: ask again to resign a leadership whose commit failed (R12).</summary>
internal sealed class ResignTick
{
    public static readonly ResignTick Instance = new();
}
