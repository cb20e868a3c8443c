namespace ActorLsm.Shards;

/// <summary>One operation of a batch: a put of <paramref name="Value"/>, or a delete when <paramref name="Value"/> is null.</summary>
public readonly record struct BatchOperation(byte[] Key, byte[]? Value)
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
    long WriteStalls = 0);

/// <summary>The state of all shards of a node.</summary>
public sealed record NodeStatus(int ShardCount, IReadOnlyList<ShardStatusInfo> Shards);
