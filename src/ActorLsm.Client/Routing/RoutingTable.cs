using System.Diagnostics;
using ActorLsm.Protocol;

namespace ActorLsm.Client.Routing;

/// <summary>
/// An immutable snapshot of the shard map as the client routes by it: per shard the leader's pool
/// and leader epoch, and the shards grouped by leader (for scans and batches).
/// </summary>
internal sealed class RoutingTable
{
    private readonly EndpointPool[] _leaders;
    private readonly ulong[] _epochs;

    public RoutingTable(ShardMapResponse map, EndpointPool source, Func<string, EndpointPool> poolOf)
    {
        ShardCount = (int)map.ShardCount;
        Clustered = map.Clustered;
        Version = map.Version;
        _leaders = new EndpointPool[ShardCount];
        _epochs = new ulong[ShardCount];
        Array.Fill(_leaders, source);
        foreach (ShardLeader s in map.Shards)
        {
            if (s.Id < (uint)ShardCount)
            {
                _leaders[s.Id] = s.LeaderEndpoint.Length == 0 ? source : poolOf(s.LeaderEndpoint);
                _epochs[s.Id] = s.LeaderEpoch;
            }
        }

        var groups = new Dictionary<EndpointPool, List<uint>>();
        for (int i = 0; i < ShardCount; i++)
        {
            if (!groups.TryGetValue(_leaders[i], out List<uint>? ids))
            {
                ids = [];
                groups[_leaders[i]] = ids;
            }

            ids.Add((uint)i);
        }

        Groups = [.. groups.Select(g => (g.Key, (IReadOnlyList<uint>)g.Value))];
        AssertInvariants();
    }

    public int ShardCount { get; }

    public bool Clustered { get; }

    public ulong Version { get; }

    /// <summary>Every leader with the shards it leads.</summary>
    public IReadOnlyList<(EndpointPool Pool, IReadOnlyList<uint> Shards)> Groups { get; }

    public EndpointPool LeaderOf(int shard) => _leaders[shard];

    public ulong EpochOf(int shard) => _epochs[shard];

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(ShardCount > 0, "a routing table has shards");
        Debug.Assert(Groups.Sum(g => g.Shards.Count) == ShardCount, "every shard in exactly one group");
    }
}
