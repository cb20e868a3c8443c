namespace ActorLsm.Shards;

/// <summary>One operation of a batch: a put of <paramref name="Value"/>, or a delete when <paramref name="Value"/> is null.</summary>
/// <param name="Key">The key; never null.</param>
/// <param name="Value">The value to write; null deletes the key.</param>
/// <param name="ExpiresAt">
/// For a put: the absolute time the value expires (millisecond precision, stored in the WAL record
/// with the value; Storage Wal/FORMAT.md), or null for never. From then on reads on every replica
/// treat the key as absent and compaction removes it. Ignored for a delete.
/// </param>
public readonly record struct BatchOperation(byte[] Key, byte[]? Value, DateTimeOffset? ExpiresAt = null)
{
    public bool IsDelete => Value is null;
}

/// <summary>
/// The state of one shard, for status reports. <c>WriteStalls</c> counts commit groups slowed down
/// or stopped by L0 or memtable pile-up since the shard's store was last opened.
/// </summary>
public sealed record ShardStatusInfo(
    int Id,
    string State,
    ulong LastSequence,
    IReadOnlyList<int> LevelFiles,
    IReadOnlyList<long> LevelBytes,
    long Flushes,
    long Compactions,
    long MemTableBytes,
    long PendingWrites,
    long Restarts,
    long WriteStalls = 0)
{
    /// <summary>The replica's role: standalone (no replication), leader, follower or offline.</summary>
    public string Role { get; init; } = "standalone";

    /// <summary>The shard's leader epoch as this replica knows it (0 when standalone).</summary>
    public long LeaderEpoch { get; init; }

    /// <summary>
    /// Last sequence known durable on the whole in-sync set: the leader's high watermark; on a
    /// follower the leader's high watermark it last heard (capped by its own log); standalone: the last sequence.
    /// </summary>
    public ulong CommittedSequence { get; init; }

    /// <summary>The in-sync set a leader uses (node names); empty elsewhere.</summary>
    public IReadOnlyList<string> InSync { get; init; } = [];

    /// <summary>Snapshots of a leader's SSTables this replica installed to catch up (since the node started).</summary>
    public long SnapshotsInstalled { get; init; }

    /// <summary>Divergent log suffixes this replica truncated in place (since the node started).</summary>
    public long Truncations { get; init; }
}

/// <summary>The state of all shards of a node.</summary>
public sealed record NodeStatus(int ShardCount, IReadOnlyList<ShardStatusInfo> Shards);
