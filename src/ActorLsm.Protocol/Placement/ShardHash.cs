namespace ActorLsm.Protocol;

/// <summary>
/// Assigns keys to shards, shared by nodes (ActorLsm.Shards), clients (which route each key to its
/// shard's leader), the RESP front end and the persistence plugin. Part of the on-disk data layout
/// (src/ActorLsm.Shards/LAYOUT.md): a key's shard is the owner of its <see cref="KeySlot"/> hash
/// slot, and shard <c>i</c> of <c>n</c> owns the contiguous slot range
/// <c>[ceil(i * 16384 / n), ceil((i + 1) * 16384 / n))</c>. Changing the shard count moves slots
/// between shard directories, so a node refuses to start on a data directory written with another
/// shard count or placement rule.
/// </summary>
public static class ShardHash
{
    /// <summary>The placement rule's name, recorded in the data directory's NODE file.</summary>
    public const string PlacementName = "redis-crc16-slots";

    /// <summary>The shard (0 .. <paramref name="shardCount"/> - 1) owning <paramref name="key"/>. REQUIRES: 1 &lt;= shardCount &lt;= 16384.</summary>
    public static int ShardOf(ReadOnlySpan<byte> key, int shardCount) => ShardOfSlot(KeySlot.Of(key), shardCount);

    /// <summary>The shard owning hash slot <paramref name="slot"/>. REQUIRES: 0 &lt;= slot &lt; 16384, 1 &lt;= shardCount &lt;= 16384.</summary>
    public static int ShardOfSlot(int slot, int shardCount) => (int)((long)slot * shardCount / KeySlot.SlotCount);

    /// <summary>
    /// The slots shard <paramref name="shard"/> owns, as a half-open range [First, End).
    /// REQUIRES: 0 &lt;= shard &lt; shardCount &lt;= 16384.
    /// </summary>
    public static (int First, int End) SlotRange(int shard, int shardCount) =>
        (CeilDiv((long)shard * KeySlot.SlotCount, shardCount), CeilDiv((long)(shard + 1) * KeySlot.SlotCount, shardCount));

    private static int CeilDiv(long a, int b) => (int)((a + b - 1) / b);
}
