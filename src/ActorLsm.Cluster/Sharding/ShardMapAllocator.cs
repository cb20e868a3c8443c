using ActorLsm.Cluster.Membership;

namespace ActorLsm.Cluster.Sharding;

/// <summary>
/// Creates and updates the shard map from the membership view (pure functions; one replica per
/// shard). A shard keeps its leader while the leader's node is down, marked unavailable, because
/// only that node has the data; it becomes available again (leader epoch + 1) when a member with
/// the same <see cref="NodeAddress"/> is Up again. Shards without a leader go to Up members round
/// robin in address order. Leader epochs play the role of Kafka's leader epochs.
/// </summary>
public static class ShardMapAllocator
{
    /// <summary>
    /// The first map: shard <c>i</c> goes to the <c>i mod n</c>-th Up member in address order, leader
    /// epoch 1, available, version 1. Returns null when <paramref name="state"/> has fewer than
    /// <paramref name="minMembers"/> Up members (or none). <paramref name="shardCount"/> must be &gt;= 1.
    /// </summary>
    public static ShardMap? Create(int shardCount, ClusterState state, long epoch, int minMembers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentNullException.ThrowIfNull(state);
        Member[] up = UpByAddress(state);
        if (up.Length == 0 || up.Length < minMembers)
        {
            return null;
        }

        var shards = new ShardAssignment[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            Member m = up[i % up.Length];
            shards[i] = new ShardAssignment(i, m.Address, m.ClientEndpoint, [], [m.Address], 1, true, 0);
        }

        return new ShardMap(1, epoch, shardCount, shards);
    }

    /// <summary>
    /// Applies membership to <paramref name="map"/>: availability follows whether the leader's
    /// address has an Up member (a return to Up bumps the leader epoch and refreshes the endpoint),
    /// leaderless shards get Up members. Returns <paramref name="map"/> itself when nothing changed,
    /// else a copy with <c>Version + 1</c> and <paramref name="epoch"/>.
    /// </summary>
    public static ShardMap Update(ShardMap map, ClusterState state, long epoch)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(state);
        Member[] up = UpByAddress(state);
        var upByAddress = up.GroupBy(m => m.Address).ToDictionary(g => g.Key, g => g.Last());
        var next = new ShardAssignment[map.Shards.Count];
        bool changed = false;
        int rr = 0;
        for (int i = 0; i < next.Length; i++)
        {
            ShardAssignment s = map.Shards[i];
            ShardAssignment n = s;
            if (s.Leader is null)
            {
                if (up.Length > 0)
                {
                    Member m = up[rr++ % up.Length];
                    n = s with { Leader = m.Address, LeaderEndpoint = m.ClientEndpoint, InSync = [m.Address], LeaderEpoch = s.LeaderEpoch + 1, Available = true };
                }
            }
            else if (upByAddress.TryGetValue(s.Leader, out Member? leader))
            {
                if (!s.Available || s.LeaderEndpoint != leader.ClientEndpoint)
                {
                    n = s with { Available = true, LeaderEpoch = s.LeaderEpoch + 1, LeaderEndpoint = leader.ClientEndpoint };
                }
            }
            else if (s.Available)
            {
                n = s with { Available = false };
            }

            changed |= !ReferenceEquals(n, s);
            next[i] = n;
        }

        return changed ? new ShardMap(map.Version + 1, epoch, map.ShardCount, next) : map;
    }

    /// <summary>
    /// Copies the reported last sequence numbers into the map (not a map change: the version stays).
    /// </summary>
    public static ShardMap WithLastSequences(ShardMap map, IReadOnlyDictionary<int, long> lastSequences)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(lastSequences);
        if (lastSequences.Count == 0)
        {
            return map;
        }

        return map with
        {
            Shards = map.Shards.Select(s => lastSequences.TryGetValue(s.Id, out long seq) ? s with { LastSequence = seq } : s).ToArray(),
        };
    }

    private static Member[] UpByAddress(ClusterState state) =>
        state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m.UniqueAddress).ToArray();
}
