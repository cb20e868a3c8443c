using System.Diagnostics;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Protocol;

namespace ActorLsm.Hosting.Ownership;

/// <summary>
/// Decides, from the node's cached <see cref="ShardMap"/>, whether this node may serve a shard:
/// only the shard's leader serves it, only while the shard is available, and only for requests
/// whose leader epoch is not older than the map's (Kafka's leader-epoch fencing). Thread-safe:
/// every call reads the view's latest immutable snapshot.
/// </summary>
public sealed class ShardOwnership
{
    private readonly IClusterView _view;

    /// <summary>Gates requests by <paramref name="view"/>'s shard map for the node <paramref name="view"/> describes.</summary>
    public ShardOwnership(IClusterView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        _view = view;
    }

    /// <summary>The view this gate reads.</summary>
    public IClusterView View => _view;

    private NodeAddress Self => _view.SelfAddress.Address;

    /// <summary>
    /// Null when this node may serve <paramref name="shard"/> for a request carrying
    /// <paramref name="requestEpoch"/> (0 = unknown, not checked); else the error to answer:
    /// UNAVAILABLE before the first shard map, while the shard's leader is down, or when the
    /// request knows a newer epoch than this node; NOT_LEADER (with the leader's endpoint and
    /// epoch) when another node leads it; STALE_EPOCH when the request's epoch is older.
    /// REQUIRES: 0 &lt;= shard &lt; the map's shard count.
    /// </summary>
    public Error? Check(int shard, ulong requestEpoch)
    {
        ShardMap? map = _view.ShardMap;
        if (map is null)
        {
            return new Error { Code = ErrorCode.Unavailable, Message = "this node has no shard map yet", Shard = (uint)shard };
        }

        ShardAssignment a = map[shard];
        ulong epoch = (ulong)Math.Max(0, a.LeaderEpoch);
        if (!a.Available || a.Leader is null)
        {
            return new Error
            {
                Code = ErrorCode.Unavailable,
                Message = $"shard {shard} has no available leader",
                Shard = (uint)shard,
                LeaderEndpoint = a.LeaderEndpoint ?? string.Empty,
                LeaderEpoch = epoch,
            };
        }

        if (a.Leader != Self)
        {
            return new Error
            {
                Code = ErrorCode.NotLeader,
                Message = $"shard {shard} is led by {a.Leader} ({a.LeaderEndpoint}) at epoch {epoch}",
                Shard = (uint)shard,
                LeaderEndpoint = a.LeaderEndpoint ?? string.Empty,
                LeaderEpoch = epoch,
            };
        }

        if (requestEpoch != 0 && requestEpoch < epoch)
        {
            return new Error
            {
                Code = ErrorCode.StaleEpoch,
                Message = $"shard {shard}: request epoch {requestEpoch} is older than the leader epoch {epoch}",
                Shard = (uint)shard,
                LeaderEndpoint = a.LeaderEndpoint ?? string.Empty,
                LeaderEpoch = epoch,
            };
        }

        if (requestEpoch > epoch)
        {
            return new Error
            {
                Code = ErrorCode.Unavailable,
                Message = $"shard {shard}: request epoch {requestEpoch} is newer than this node's map (epoch {epoch}); retry",
                Shard = (uint)shard,
                LeaderEndpoint = a.LeaderEndpoint ?? string.Empty,
                LeaderEpoch = epoch,
            };
        }

        return null;
    }

    /// <summary>The shards this node leads and may serve now, ascending (empty before the first map).</summary>
    public IReadOnlyList<int> ServedShards()
    {
        ShardMap? map = _view.ShardMap;
        if (map is null)
        {
            return [];
        }

        var served = new List<int>();
        foreach (ShardAssignment a in map.Shards)
        {
            if (a.Available && a.Leader == Self)
            {
                served.Add(a.Id);
            }
        }

        return served;
    }

    /// <summary>The shard map for clients (empty shard list before the first map).</summary>
    public ShardMapResponse BuildShardMap(int shardCount)
    {
        ShardMap? map = _view.ShardMap;
        var response = new ShardMapResponse { ShardCount = (uint)(map?.ShardCount ?? shardCount), Version = (ulong)Math.Max(0, map?.Version ?? 0), Clustered = true };
        if (map is not null)
        {
            foreach (ShardAssignment a in map.Shards)
            {
                response.Shards.Add(new ShardLeader
                {
                    Id = (uint)a.Id,
                    LeaderEndpoint = a.LeaderEndpoint ?? string.Empty,
                    LeaderEpoch = (ulong)Math.Max(0, a.LeaderEpoch),
                    Available = a.Available && a.Leader is not null,
                });
            }
        }

        Debug.Assert(map is null || response.Shards.Count == map.ShardCount, "a shard map lists every shard");
        return response;
    }

    /// <summary>The map a single node answers: every shard led by itself (empty endpoint = the node asked), epoch 0.</summary>
    public static ShardMapResponse SingleNodeShardMap(int shardCount)
    {
        var response = new ShardMapResponse { ShardCount = (uint)shardCount, Version = 1, Clustered = false };
        for (int i = 0; i < shardCount; i++)
        {
            response.Shards.Add(new ShardLeader { Id = (uint)i, LeaderEndpoint = string.Empty, LeaderEpoch = 0, Available = true });
        }

        return response;
    }
}
