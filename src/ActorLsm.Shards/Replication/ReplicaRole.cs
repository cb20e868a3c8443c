using Akka.Actor;

namespace ActorLsm.Shards.Replication;

/// <summary>
/// What this node's replica of a shard does, as the cluster's shard map says (sent to the shard
/// with <see cref="ShardedNode.SetReplicaRole"/>). A shard that was never given a role is
/// standalone: it serves every request and acknowledges writes once they are on its own disk.
/// <paramref name="Epoch"/> is the shard's leader epoch in the map; <paramref name="Self"/> this
/// node's name in in-sync sets and replication messages (its remoting <c>host:port</c>).
/// Protocol: src/ActorLsm.Cluster/PROTOCOL.md.
/// </summary>
public abstract record ReplicaRole(long Epoch, string Self);

/// <summary>
/// Lead the shard at <paramref name="Epoch"/>: serve reads and writes, stream the WAL to
/// <paramref name="Followers"/>, acknowledge a write once every member of <paramref name="InSync"/>
/// (node names, the leader's own included) has it on disk and the set has at least
/// <paramref name="MinInSync"/> members.
/// </summary>
public sealed record LeaderRole(long Epoch, string Self, IReadOnlyList<ReplicaPeer> Followers, IReadOnlyList<string> InSync, int MinInSync) : ReplicaRole(Epoch, Self);

/// <summary>Follow <paramref name="Leader"/> (its node name) at <paramref name="Epoch"/>: apply its records, serve no client requests.</summary>
public sealed record FollowerRole(long Epoch, string Self, string Leader) : ReplicaRole(Epoch, Self);

/// <summary>This node holds no serving replica of the shard (not a replica, or the shard is unavailable): refuse client requests.</summary>
public sealed record OfflineRole(long Epoch, string Self) : ReplicaRole(Epoch, Self);

/// <summary>
/// A follower replica: its node name (remoting <c>host:port</c>) and an Akka reference to its shard
/// actor on that node, resolved from <see cref="ShardedNode.ShardActorPath"/> under the node's
/// remote address (for example <c>akka.tcp://sys@10.0.0.7:4053/user/actorlsm-shards/shard-07</c>).
/// The replication messages sent to it are Protobuf messages (ActorLsm.Protocol.Replication), which
/// Akka.Remote serializes with its Protobuf serializer.
/// </summary>
public sealed record ReplicaPeer(string Node, IActorRef Shard);

/// <summary>
/// Replication settings of a node's shards (the server fills them from
/// <c>actorlsm.cluster.replication</c>); see src/ActorLsm.Cluster/reference.conf for each one.
/// </summary>
public sealed record ShardReplicationOptions
{
    /// <summary>A follower not caught up for this long is proposed for removal from the in-sync set.</summary>
    public TimeSpan ReplicaLagTimeMax { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle replicators heartbeat, and leaders re-check their in-sync set, this often.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A replicator without an answer for this long probes its follower again.</summary>
    public TimeSpan ResendTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// R10 (src/ActorLsm.Cluster/PROTOCOL.md): a leader serves reads only while every other in-sync
    /// member acknowledged an append sent less than this long ago; a replica supports no newer leader
    /// until <see cref="SupportFence"/> after its last acknowledgement of an older one.
    /// </summary>
    public TimeSpan ReadLease { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after acknowledging a leader a replica waits before it supports a newer one: 1.1 x <see cref="ReadLease"/> (10% clock-rate margin).</summary>
    public TimeSpan SupportFence => ReadLease + (ReadLease / 10);

    /// <summary>
    /// R13 (src/ActorLsm.Cluster/PROTOCOL.md): a leader publishes its store, high watermark and lease
    /// expiry so that gets run on the caller's thread while the lease holds (ShardedNode.GetAsync);
    /// false: every get goes through the shard actor. Default true.
    /// </summary>
    public bool LeaderDirectReads { get; init; } = true;

    /// <summary>WAL bytes in flight to one follower.</summary>
    public long MaxInflightBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>Bytes per snapshot piece (capped by <see cref="MaxMessageBytes"/>).</summary>
    public int SnapshotChunkSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Largest replication message in payload bytes (hocon <c>actorlsm.cluster.replication.max-message-bytes</c>,
    /// default 1 MiB): an <c>AppendRecords</c> carries whole WAL records up to this many bytes, or one
    /// piece of at most this many bytes of a larger record (src/ActorLsm.Cluster/PROTOCOL.md, R14), and a
    /// <c>SnapshotChunk</c> at most this many bytes of file data. Keeps messages under Akka.Remote's
    /// <c>maximum-frame-size</c> and heartbeats from waiting behind huge frames. Must be at least 1 KiB.
    /// </summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>Bytes of recent WAL records a leader keeps in memory for its replicators (older ones are read from the WAL files).</summary>
    public long RecentLogBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>
    /// Called (on a shard actor's thread; must not block) when a leader wants the shard's in-sync
    /// set changed: shard id, leader epoch, the proposed set of node names.
    /// </summary>
    public Action<int, long, IReadOnlyList<string>>? ProposeInSync { get; init; }
}
