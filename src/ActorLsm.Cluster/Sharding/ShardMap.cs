namespace ActorLsm.Cluster.Sharding;

/// <summary>
/// Who serves which shard, as the version manager publishes it. <paramref name="Version"/> grows
/// with every change; <paramref name="Epoch"/> is the epoch of the singleton incarnation that
/// published it. Shards are <c>0 .. ShardCount - 1</c>; a key's shard is the stable key hash
/// modulo <paramref name="ShardCount"/>.
/// </summary>
public sealed record ShardMap(long Version, long Epoch, int ShardCount, IReadOnlyList<ShardAssignment> Shards)
{
    /// <summary>The assignment of <paramref name="shardId"/>. REQUIRES: 0 &lt;= shardId &lt; ShardCount.</summary>
    public ShardAssignment this[int shardId] => Shards[shardId];
}

/// <summary>
/// One shard's replicas. <paramref name="Leader"/> serves reads and writes while
/// <paramref name="Available"/>; it is kept (with Available false) while its node is down, because
/// with one replica only that node has the data. <paramref name="LeaderEndpoint"/> is the leader's
/// client <c>host:port</c>. <paramref name="LeaderEpoch"/> grows each time leadership is assigned;
/// nodes reject requests carrying an older one. <paramref name="LastSequence"/> is the last
/// sequence number the leader reported.
/// </summary>
public sealed record ShardAssignment(
    int Id,
    NodeAddress? Leader,
    string? LeaderEndpoint,
    IReadOnlyList<NodeAddress> Followers,
    IReadOnlyList<NodeAddress> InSync,
    long LeaderEpoch,
    bool Available,
    long LastSequence);
