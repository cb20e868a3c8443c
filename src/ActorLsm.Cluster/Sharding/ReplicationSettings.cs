using Akka.Configuration;

namespace ActorLsm.Cluster.Sharding;

/// <summary>
/// Settings of replicated shards (HOCON <c>actorlsm.cluster.replication</c>; commented defaults in
/// <see cref="ClusterReferenceConfig"/>; the protocol is in PROTOCOL.md). Names after Kafka's replication settings.
/// </summary>
public sealed record ReplicationSettings
{
    /// <summary>Replicas per shard on distinct nodes (capped by the Up nodes); 1 = no replication. Default 3.</summary>
    public int Factor { get; init; } = 3;

    /// <summary>Smallest in-sync set that may acknowledge a write (capped by <see cref="Factor"/>). Default 2.</summary>
    public int MinInSyncReplicas { get; init; } = 2;

    /// <summary>A follower not caught up for this long leaves the in-sync set. Default 10 s.</summary>
    public TimeSpan ReplicaLagTimeMax { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Heartbeat period of an idle replicator, and of the leader's in-sync check. Default 200 ms.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A replicator without an answer for this long probes its follower again. Default 2 s.</summary>
    public TimeSpan ResendTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// R10 (PROTOCOL.md): how long a follower's acknowledgement lets its leader serve reads, and
    /// (x 1.1) how long the follower then supports no newer leader. Default 1 s.
    /// </summary>
    public TimeSpan ReadLease { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// R13 (PROTOCOL.md): a leader serves gets on the caller's thread while its read lease holds, at
    /// its high watermark; false sends every get through the shard actor. Default true.
    /// </summary>
    public bool LeaderDirectReads { get; init; } = true;

    /// <summary>WAL bytes in flight to one follower before the replicator waits. Default 4 MiB.</summary>
    public long MaxInflightBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>
    /// Largest replication message in payload bytes: whole WAL records up to this size per append, a
    /// larger record in pieces of this size (PROTOCOL.md, R14), snapshot pieces of at most this size.
    /// At least 1 KiB and at most <see cref="RemoteFrameLimit.PayloadLimit"/>. Default 1 MiB.
    /// </summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>Snapshot piece size in bytes. Default 1 MiB.</summary>
    public int SnapshotChunkSize { get; init; } = 1024 * 1024;

    /// <summary>The effective minimum in-sync set: <c>min(MinInSyncReplicas, Factor)</c>.</summary>
    public int EffectiveMinInSync => Math.Min(MinInSyncReplicas, Factor);

    /// <summary>
    /// Reads <c>actorlsm.cluster.replication</c> from <paramref name="config"/> (with
    /// <see cref="ClusterReferenceConfig.Default"/> as fallback).
    /// Throws <see cref="ArgumentException"/> naming the key when a value is out of range.
    /// </summary>
    public static ReplicationSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string p = "actorlsm.cluster.replication.";
        var s = new ReplicationSettings
        {
            Factor = config.GetInt(p + "factor", 0),
            MinInSyncReplicas = config.GetInt(p + "min-insync-replicas", 0),
            ReplicaLagTimeMax = config.GetTimeSpan(p + "replica-lag-time-max", null, allowInfinite: false),
            HeartbeatInterval = config.GetTimeSpan(p + "heartbeat-interval", null, allowInfinite: false),
            ResendTimeout = config.GetTimeSpan(p + "resend-timeout", null, allowInfinite: false),
            ReadLease = config.GetTimeSpan(p + "read-lease", null, allowInfinite: false),
            LeaderDirectReads = config.GetBoolean(p + "leader-direct-reads", true),
            MaxInflightBytes = config.GetByteSize(p + "max-inflight-bytes") ?? 0,
            SnapshotChunkSize = (int)Math.Min(int.MaxValue, config.GetByteSize(p + "snapshot-chunk-size") ?? 0),
            MaxMessageBytes = (int)Math.Min(int.MaxValue, config.GetByteSize(p + "max-message-bytes") ?? 0),
        };
        s.Validate();
        if (s.MaxMessageBytes > RemoteFrameLimit.PayloadLimit(config))
        {
            throw new ArgumentException(
                $"{s.MaxMessageBytes} bytes plus {RemoteFrameLimit.Margin} for framing exceed {RemoteFrameLimit.Key} ({RemoteFrameLimit.FrameBytes(config)}); Akka.Remote drops larger messages",
                p + "max-message-bytes");
        }

        return s;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the key of the first value out of range.</summary>
    public void Validate()
    {
        Check(Factor >= 1, "factor", Factor);
        Check(MinInSyncReplicas >= 1, "min-insync-replicas", MinInSyncReplicas);
        Check(ReplicaLagTimeMax > TimeSpan.Zero, "replica-lag-time-max", ReplicaLagTimeMax);
        Check(HeartbeatInterval > TimeSpan.Zero, "heartbeat-interval", HeartbeatInterval);
        Check(ResendTimeout > TimeSpan.Zero, "resend-timeout", ResendTimeout);
        Check(ReadLease > HeartbeatInterval, "read-lease (must exceed heartbeat-interval)", ReadLease);
        Check(MaxInflightBytes >= 1024, "max-inflight-bytes", MaxInflightBytes);
        Check(SnapshotChunkSize >= 1024, "snapshot-chunk-size", SnapshotChunkSize);
        Check(MaxMessageBytes >= 1024, "max-message-bytes", MaxMessageBytes);
    }

    private static void Check(bool ok, string key, object value)
    {
        if (!ok)
        {
            throw new ArgumentException($"actorlsm.cluster.replication.{key} is out of range: {value}", key);
        }
    }
}
