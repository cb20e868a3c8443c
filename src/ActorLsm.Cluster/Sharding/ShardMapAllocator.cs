using ActorLsm.Cluster.View;

namespace ActorLsm.Cluster.Sharding;

/// <summary>
/// Creates and updates the shard map from the membership view (pure functions). Each shard has
/// up to <c>replicationFactor</c> replicas on distinct nodes: a leader and followers, and an
/// in-sync set (the leader plus the followers known to hold every acknowledged write). The rules
/// are those of Kafka's controller (leader epochs, ISR, clean leader election), named in
/// src/ActorLsm.Cluster/PROTOCOL.md:
/// <list type="bullet">
/// <item>a follower whose node is not alive (not Up, or unreachable) leaves the in-sync set (R3);</item>
/// <item>a leader whose node is not alive is replaced by the alive in-sync follower with the
/// highest reported last sequence, leader epoch + 1; when no in-sync replica is alive the shard is
/// unavailable and keeps its last leader and in-sync set: no unclean election (R6);</item>
/// <item>an unavailable shard becomes available again (epoch + 1) when a member of its last
/// in-sync set is alive again;</item>
/// <item>shards with fewer replicas than the factor (and than alive nodes) gain followers, outside
/// the in-sync set until their leader reports them caught up (<see cref="WithInSync"/>).</item>
/// </list>
/// </summary>
public static class ShardMapAllocator
{
    /// <summary>
    /// The first map: shard <c>i</c> is led by the <c>i mod n</c>-th Up member in address order
    /// (leaders spread evenly), followed by the next <c>min(replicationFactor, n) - 1</c> members;
    /// every replica is in sync (all stores are empty), leader epoch 1, version 1. Returns null
    /// when <paramref name="state"/> has fewer than <paramref name="minMembers"/> Up members (or none).
    /// <paramref name="shardCount"/> and <paramref name="replicationFactor"/> must be &gt;= 1.
    /// </summary>
    public static ShardMap? Create(int shardCount, ClusterState state, long epoch, int minMembers = 1, int replicationFactor = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentNullException.ThrowIfNull(state);
        Member[] up = UpByAddress(state);
        if (up.Length == 0 || up.Length < minMembers)
        {
            return null;
        }

        int rf = Math.Min(replicationFactor, up.Length);
        var shards = new ShardAssignment[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            Member leader = up[i % up.Length];
            var followers = new NodeAddress[rf - 1];
            for (int k = 1; k < rf; k++)
            {
                followers[k - 1] = up[(i + k) % up.Length].Address;
            }

            shards[i] = new ShardAssignment(i, leader.Address, EndpointOf(leader), followers, [leader.Address, .. followers], 1, true, 0);
        }

        return new ShardMap(1, epoch, shardCount, shards);
    }

    /// <summary>
    /// Applies membership to <paramref name="map"/> by the rules in the type summary.
    /// <paramref name="progress"/> holds the last sequence each node reported for each shard it
    /// replicates (may be null). Returns <paramref name="map"/> itself when nothing changed, else a
    /// copy with <c>Version + 1</c> and <paramref name="epoch"/>.
    /// </summary>
    public static ShardMap Update(ShardMap map, ClusterState state, long epoch, int replicationFactor = 1, IReadOnlyDictionary<(int Shard, NodeAddress Node), long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        Member[] up = UpByAddress(state);
        Dictionary<NodeAddress, Member> alive = up
            .Where(m => !state.Unreachable.Contains(m.UniqueAddress))
            .GroupBy(m => m.Address)
            .ToDictionary(g => g.Key, g => g.Last());
        var next = new ShardAssignment[map.Shards.Count];
        bool changed = false;
        int rr = 0;
        for (int i = 0; i < next.Length; i++)
        {
            ShardAssignment s = map.Shards[i];
            ShardAssignment n = s.Leader is null ? AssignLeaderless(s, up, ref rr) : Elect(s, alive, progress);
            n = ShrinkInSync(n, alive);
            n = TopUpReplicas(n, alive, replicationFactor);
            bool same = SameAssignment(n, s);
            changed |= !same;
            next[i] = same ? s : n;
        }

        return changed ? new ShardMap(map.Version + 1, epoch, map.ShardCount, next) : map;
    }

    /// <summary>
    /// Applies a leader's request to change the in-sync set of <paramref name="shardId"/> (Kafka's
    /// AlterPartition). Returns null, changing nothing, when the request is stale or invalid:
    /// <paramref name="leader"/> is not the shard's available leader at <paramref name="leaderEpoch"/>,
    /// or <paramref name="inSync"/> lacks the leader or names a node that is not a replica. Returns
    /// <paramref name="map"/> when the set is already that; else a copy with <c>Version + 1</c>.
    /// </summary>
    public static ShardMap? WithInSync(ShardMap map, int shardId, NodeAddress leader, long leaderEpoch, IReadOnlyCollection<NodeAddress> inSync, long epoch)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(leader);
        ArgumentNullException.ThrowIfNull(inSync);
        if ((uint)shardId >= (uint)map.Shards.Count)
        {
            return null;
        }

        ShardAssignment s = map.Shards[shardId];
        if (!s.Available || s.Leader != leader || s.LeaderEpoch != leaderEpoch || !inSync.Contains(leader)
            || inSync.Any(a => a != leader && !s.Followers.Contains(a)))
        {
            return null;
        }

        NodeAddress[] ordered = [leader, .. s.Followers.Where(inSync.Contains)];
        if (ordered.SequenceEqual(s.InSync))
        {
            return map;
        }

        var shards = map.Shards.ToArray();
        shards[shardId] = s with { InSync = ordered };
        return new ShardMap(map.Version + 1, epoch, map.ShardCount, shards);
    }

    /// <summary>
    /// A leader gives up its leadership of <paramref name="shardId"/> at <paramref name="leaderEpoch"/>
    /// (PROTOCOL.md R12: its group commit failed after the group was shipped, so it must not write at
    /// that epoch again). Sent as an in-sync proposal that lacks the leader. The alive in-sync follower
    /// with the highest reported last sequence becomes leader at epoch + 1 (clean: every in-sync
    /// replica holds every acknowledged write, R1/R6) and the old leader stays a follower outside the
    /// in-sync set; with no alive in-sync follower the same leader gets epoch + 1 (it leads again once
    /// its store has reopened, at a new epoch). Returns null, changing nothing, when
    /// <paramref name="leader"/> is not the shard's available leader at <paramref name="leaderEpoch"/>
    /// (a repeated or stale request); else a copy with <c>Version + 1</c> and <paramref name="epoch"/>.
    /// </summary>
    public static ShardMap? Resign(ShardMap map, int shardId, NodeAddress leader, long leaderEpoch, ClusterState state, long epoch, IReadOnlyDictionary<(int Shard, NodeAddress Node), long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(leader);
        ArgumentNullException.ThrowIfNull(state);
        if ((uint)shardId >= (uint)map.Shards.Count)
        {
            return null;
        }

        ShardAssignment s = map.Shards[shardId];
        if (!s.Available || s.Leader != leader || s.LeaderEpoch != leaderEpoch)
        {
            return null;
        }

        Dictionary<NodeAddress, Member> alive = UpByAddress(state)
            .Where(m => !state.Unreachable.Contains(m.UniqueAddress))
            .GroupBy(m => m.Address)
            .ToDictionary(g => g.Key, g => g.Last());
        NodeAddress? best = s.InSync
            .Where(a => a != leader && alive.ContainsKey(a))
            .OrderByDescending(a => progress is not null && progress.TryGetValue((s.Id, a), out long seq) ? seq : -1)
            .ThenBy(a => a)
            .FirstOrDefault();
        var shards = map.Shards.ToArray();
        shards[shardId] = best is null
            ? s with { LeaderEpoch = s.LeaderEpoch + 1 }
            : s with
            {
                Leader = best,
                LeaderEndpoint = EndpointOf(alive[best]),
                Followers = [.. s.Followers.Where(f => f != best), leader],
                InSync = [best, .. s.InSync.Where(a => a != best && a != leader)],
                LeaderEpoch = s.LeaderEpoch + 1,
            };
        return new ShardMap(map.Version + 1, epoch, map.ShardCount, shards);
    }

    /// <summary>
    /// Moves one shard's leadership toward balance (Kafka's preferred-leader rebalance, one shard at
    /// a time): when the alive node leading the most available shards leads at least two more than
    /// another alive node that is in the in-sync set of one of those shards, that node becomes the
    /// shard's leader at leader epoch + 1 (a clean move: it has every acknowledged write, R1/R6).
    /// Returns <paramref name="map"/> itself when leaders are balanced or no move is possible, else
    /// a copy with <c>Version + 1</c> and <paramref name="epoch"/>.
    /// </summary>
    public static ShardMap Rebalance(ShardMap map, ClusterState state, long epoch)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(state);
        Dictionary<NodeAddress, Member> alive = UpByAddress(state)
            .Where(m => !state.Unreachable.Contains(m.UniqueAddress))
            .GroupBy(m => m.Address)
            .ToDictionary(g => g.Key, g => g.Last());
        if (alive.Count < 2 || map.Shards.Any(s => !s.Available || s.Leader is null || !alive.ContainsKey(s.Leader)))
        {
            return map;
        }

        Dictionary<NodeAddress, int> led = alive.Keys.ToDictionary(a => a, a => map.Shards.Count(s => s.Leader == a));
        foreach ((NodeAddress busiest, int most) in led.OrderByDescending(p => p.Value).ThenBy(p => p.Key))
        {
            foreach (ShardAssignment s in map.Shards.Where(s => s.Leader == busiest))
            {
                NodeAddress? target = s.InSync
                    .Where(a => a != busiest && alive.ContainsKey(a) && led[a] + 2 <= most)
                    .OrderBy(a => led[a])
                    .ThenBy(a => a)
                    .FirstOrDefault();
                if (target is null)
                {
                    continue;
                }

                var shards = map.Shards.ToArray();
                shards[s.Id] = s with
                {
                    Leader = target,
                    LeaderEndpoint = EndpointOf(alive[target]),
                    Followers = [.. s.Followers.Where(f => f != target), busiest],
                    InSync = [target, .. s.InSync.Where(a => a != target)],
                    LeaderEpoch = s.LeaderEpoch + 1,
                };
                return new ShardMap(map.Version + 1, epoch, map.ShardCount, shards);
            }
        }

        return map;
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

    private static ShardAssignment AssignLeaderless(ShardAssignment s, Member[] up, ref int rr)
    {
        if (up.Length == 0)
        {
            return s;
        }

        Member m = up[rr++ % up.Length];
        return s with { Leader = m.Address, LeaderEndpoint = EndpointOf(m), Followers = [], InSync = [m.Address], LeaderEpoch = s.LeaderEpoch + 1, Available = true };
    }

    // R6: a leader is chosen only from the last committed in-sync set; none alive = unavailable.
    private static ShardAssignment Elect(ShardAssignment s, Dictionary<NodeAddress, Member> alive, IReadOnlyDictionary<(int, NodeAddress), long>? progress)
    {
        NodeAddress leader = s.Leader!;
        if (alive.TryGetValue(leader, out Member? current))
        {
            return s.Available && s.LeaderEndpoint == EndpointOf(current)
                ? s
                : s with { Available = true, LeaderEpoch = s.LeaderEpoch + 1, LeaderEndpoint = EndpointOf(current) };
        }

        NodeAddress? best = s.InSync
            .Where(a => a != leader && alive.ContainsKey(a))
            .OrderByDescending(a => progress is not null && progress.TryGetValue((s.Id, a), out long seq) ? seq : -1)
            .ThenBy(a => a)
            .FirstOrDefault();
        if (best is null)
        {
            return s.Available ? s with { Available = false } : s;
        }

        Member m = alive[best];
        return s with
        {
            Leader = best,
            LeaderEndpoint = EndpointOf(m),
            Followers = [.. s.Followers.Where(f => f != best), leader],
            InSync = [best, .. s.InSync.Where(a => a != best && a != leader)],
            LeaderEpoch = s.LeaderEpoch + 1,
            Available = true,
        };
    }

    // R3: a follower whose node is not alive cannot acknowledge: it leaves the in-sync set, and the
    // map carrying the smaller set is committed on a majority before any leader uses it.
    private static ShardAssignment ShrinkInSync(ShardAssignment s, Dictionary<NodeAddress, Member> alive)
    {
        if (!s.Available || s.Leader is null || !s.InSync.Any(a => a != s.Leader && !alive.ContainsKey(a)))
        {
            return s;
        }

        return s with { InSync = [.. s.InSync.Where(a => a == s.Leader || alive.ContainsKey(a))] };
    }

    private static ShardAssignment TopUpReplicas(ShardAssignment s, Dictionary<NodeAddress, Member> alive, int replicationFactor)
    {
        if (s.Leader is null || !s.Available)
        {
            return s;
        }

        int want = Math.Min(replicationFactor, alive.Count) - 1 - s.Followers.Count;
        if (want <= 0)
        {
            return s;
        }

        NodeAddress[] extra = alive.Keys.Where(a => a != s.Leader && !s.Followers.Contains(a)).Order().Take(want).ToArray();
        return extra.Length == 0 ? s : s with { Followers = [.. s.Followers, .. extra] };
    }

    private static bool SameAssignment(ShardAssignment a, ShardAssignment b) =>
        a.Leader == b.Leader && a.LeaderEndpoint == b.LeaderEndpoint && a.LeaderEpoch == b.LeaderEpoch && a.Available == b.Available
        && a.Followers.SequenceEqual(b.Followers) && a.InSync.SequenceEqual(b.InSync);

    /// <summary>
    /// A member's client endpoint as a map holds it: null when the member serves no client endpoint (an
    /// application member that only embeds the store), as the wire form (SingletonWire) decodes an empty one.
    /// Comparing the map's endpoint with the member's raw empty string instead made every update bump every
    /// such shard's leader epoch (and the leaders restart), over and over.
    /// </summary>
    private static string? EndpointOf(Member m) => m.ClientEndpoint.Length == 0 ? null : m.ClientEndpoint;

    private static Member[] UpByAddress(ClusterState state) =>
        state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m.UniqueAddress).ToArray();
}
