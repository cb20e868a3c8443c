namespace ActorLsm.Protocol;

/// <summary>
/// The stable key hash that assigns keys to shards, shared by nodes (ActorLsm.Shards) and clients
/// (which route each key to its shard's leader). Part of the on-disk data layout
/// (src/ActorLsm.Shards/LAYOUT.md): a key's shard is <c>Hash64(key) % shardCount</c>, so changing this function or
/// the shard count moves keys between shard directories, and a node refuses to start on a data
/// directory written with another shard count.
/// </summary>
/// <remarks>
/// <c>Hash64</c> is 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over
/// the key bytes, followed by the 64-bit avalanche finalizer of MurmurHash3 (fmix64), because
/// FNV-1a alone spreads its low bits poorly when keys differ only in their last byte and the
/// shard count is a power of two.
/// </remarks>
public static class ShardHash
{
    private const ulong FnvOffsetBasis = 0xcbf29ce484222325UL;
    private const ulong FnvPrime = 0x100000001b3UL;

    /// <summary>The 64-bit hash of <paramref name="key"/> (any length, empty included).</summary>
    public static ulong Hash64(ReadOnlySpan<byte> key)
    {
        ulong h = FnvOffsetBasis;
        foreach (byte b in key)
        {
            h ^= b;
            h *= FnvPrime;
        }

        // fmix64: every input bit affects every output bit.
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    /// <summary>The shard (0 .. <paramref name="shardCount"/> - 1) owning <paramref name="key"/>. REQUIRES: shardCount &gt;= 1.</summary>
    public static int ShardOf(ReadOnlySpan<byte> key, int shardCount) => (int)(Hash64(key) % (ulong)shardCount);
}
