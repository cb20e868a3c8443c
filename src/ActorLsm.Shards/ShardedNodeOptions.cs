using ActorLsm.Storage;

namespace ActorLsm.Shards;

/// <summary>Settings of the shards of one node (hocon: actorlsm.node.* and actorlsm.storage.*).</summary>
public sealed class ShardedNodeOptions
{
    /// <summary>Directory holding one sub-directory per shard (<c>shard-07</c>).</summary>
    public required string DataDir { get; init; }

    /// <summary>Fixed number of shards over the key space. Default 16. Changing it needs an empty data directory.</summary>
    public int ShardCount { get; init; } = 16;

    /// <summary>Options of every shard's storage engine.</summary>
    public LsmOptions Storage { get; init; } = new();

    /// <summary>Writes waiting in one shard's write queue before new ones get <see cref="OverloadedException"/>.</summary>
    public int MaxPendingWrites { get; init; } = 16_384;

    /// <summary>Key and value bytes waiting in one shard's write queue before new writes get <see cref="OverloadedException"/>.</summary>
    public long MaxPendingBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long the node waits for a shard to answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest number of entries one scan returns.</summary>
    public int MaxScanLimit { get; init; } = 10_000;
}
