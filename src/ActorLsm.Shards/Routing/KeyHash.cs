using ActorLsm.Protocol;

namespace ActorLsm.Shards.Routing;

/// <summary>
/// The shards' name for <see cref="ShardHash"/>, the placement rule shared with clients (it lives
/// in ActorLsm.Protocol so that a client routes a key exactly as the node stores it).
/// </summary>
internal static class KeyHash
{
    /// <summary>See <see cref="ShardHash.ShardOf"/>. REQUIRES: shardCount &gt;= 1.</summary>
    public static int ShardOf(ReadOnlySpan<byte> key, int shardCount) => ShardHash.ShardOf(key, shardCount);
}
