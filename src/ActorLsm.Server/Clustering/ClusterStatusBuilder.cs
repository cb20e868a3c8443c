using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using ActorLsm.Protocol;
using ActorLsm.Shards;

namespace ActorLsm.Server.Clustering;

/// <summary>
/// Builds the <see cref="ClusterStatusResponse"/> that <c>actorlsm status</c> prints, in the shape of
/// Akka.Cluster's <c>CurrentClusterState</c> plus the version manager's versions and shard map.
/// </summary>
public static class ClusterStatusBuilder
{
    /// <summary>
    /// From <paramref name="view"/>; a shard this node leads takes its last sequence from
    /// <paramref name="local"/> (fresher than the map's last report).
    /// </summary>
    public static ClusterStatusResponse FromView(IClusterView view, NodeStatus local)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(local);
        ClusterState state = view.Membership;
        var response = new ClusterStatusResponse { Clustered = true, Singleton = view.Singleton?.ToString() ?? string.Empty };
        foreach (Member m in state.Members)
        {
            response.Members.Add(new ClusterMember
            {
                Address = m.UniqueAddress.ToString(),
                Status = StatusName(m.Status),
                Reachable = !state.Unreachable.Contains(m.UniqueAddress),
            });
        }

        ClusterVersions v = view.Versions;
        response.Versions = new ClusterVersionsInfo { Current = ToU(v.Current), Completed = ToU(v.Completed), Flushed = ToU(v.Flushed) };
        ShardMap? map = view.ShardMap;
        if (map is not null)
        {
            NodeAddress self = view.SelfAddress.Address;
            foreach (ShardAssignment a in map.Shards)
            {
                ulong last = ToU(a.LastSequence);
                if (a.Leader == self && a.Id < local.Shards.Count)
                {
                    last = Math.Max(last, local.Shards[a.Id].LastSequence);
                }

                var shard = new ClusterShard
                {
                    Id = (uint)a.Id,
                    Leader = a.Leader?.ToString() ?? string.Empty,
                    Epoch = ToU(a.LeaderEpoch),
                    LastSequence = last,
                    Available = a.Available && a.Leader is not null,
                };
                shard.Followers.AddRange(a.Followers.Select(f => f.ToString()));
                shard.InSync.AddRange(a.InSync.Select(f => f.ToString()));
                response.Shards.Add(shard);
            }
        }

        return response;
    }

    /// <summary>
    /// A single node's status in the cluster shape: one member (<paramref name="self"/>, up, reachable),
    /// no singleton, versions 0, every shard led by itself at epoch 0.
    /// </summary>
    public static ClusterStatusResponse SingleNode(string self, NodeStatus local)
    {
        ArgumentNullException.ThrowIfNull(local);
        var response = new ClusterStatusResponse { Clustered = false, Singleton = string.Empty, Versions = new ClusterVersionsInfo() };
        response.Members.Add(new ClusterMember { Address = self, Status = "up", Reachable = true });
        foreach (ShardStatusInfo s in local.Shards)
        {
            response.Shards.Add(new ClusterShard { Id = (uint)s.Id, Leader = self, Epoch = 0, LastSequence = s.LastSequence, Available = s.State == "running" });
        }

        return response;
    }

    /// <summary>Akka's lower-case member status names: <c>joining</c>, <c>up</c>, ...</summary>
    public static string StatusName(MemberStatus status) => status switch
    {
        MemberStatus.Joining => "joining",
        MemberStatus.Up => "up",
        MemberStatus.Leaving => "leaving",
        MemberStatus.Exiting => "exiting",
        MemberStatus.Down => "down",
        MemberStatus.Removed => "removed",
        _ => "unknown",
    };

    private static ulong ToU(long value) => value < 0 ? 0 : (ulong)value;
}
