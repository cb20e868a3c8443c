using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Singleton;

/// <summary>Conversions between the singleton's Protobuf messages and the public records.</summary>
internal static class SingletonWire
{
    public static UniqueAddressMsg ToMsg(this UniqueAddress a) =>
        new() { Host = a.Address.Host, Port = (uint)a.Address.Port, Uid = a.Uid };

    public static UniqueAddress FromMsg(this UniqueAddressMsg m) => new(new NodeAddress(m.Host, (int)m.Port), m.Uid);

    public static NodeAddressMsg ToMsg(this NodeAddress a) => new() { Host = a.Host, Port = (uint)a.Port };

    public static NodeAddress FromMsg(this NodeAddressMsg m) => new(m.Host, (int)m.Port);

    public static ShardMapMsg ToMsg(this ShardMap map)
    {
        var msg = new ShardMapMsg { Version = map.Version, Epoch = map.Epoch, ShardCount = map.ShardCount };
        foreach (ShardAssignment s in map.Shards)
        {
            var a = new ShardAssignmentMsg
            {
                Id = s.Id,
                Leader = s.Leader?.ToMsg(),
                LeaderEndpoint = s.LeaderEndpoint ?? string.Empty,
                LeaderEpoch = s.LeaderEpoch,
                Available = s.Available,
                LastSequence = s.LastSequence,
            };
            a.Followers.AddRange(s.Followers.Select(f => f.ToMsg()));
            a.InSync.AddRange(s.InSync.Select(f => f.ToMsg()));
            msg.Shards.Add(a);
        }

        return msg;
    }

    public static ShardMap FromMsg(this ShardMapMsg msg) => new(
        msg.Version,
        msg.Epoch,
        msg.ShardCount,
        msg.Shards.Select(a => new ShardAssignment(
            a.Id,
            a.Leader?.FromMsg(),
            a.LeaderEndpoint.Length == 0 ? null : a.LeaderEndpoint,
            a.Followers.Select(f => f.FromMsg()).ToArray(),
            a.InSync.Select(f => f.FromMsg()).ToArray(),
            a.LeaderEpoch,
            a.Available,
            a.LastSequence)).ToArray());

    public static ShardVersionReports ToMsg(UniqueAddress from, IReadOnlyList<ShardVersionReport> reports, IReadOnlyList<ReplicaProgress>? replicas = null)
    {
        var msg = new ShardVersionReports { From = from.ToMsg() };
        msg.Reports.AddRange(reports.Select(r => new ShardVersionReportMsg { ShardId = r.ShardId, Completed = r.Completed, Flushed = r.Flushed, LastSequence = r.LastSequence }));
        if (replicas is not null)
        {
            msg.Replicas.AddRange(replicas.Select(r => new ReplicaProgressMsg { ShardId = r.ShardId, LastSequence = r.LastSequence }));
        }

        return msg;
    }

    public static AlterInSync ToMsg(UniqueAddress from, InSyncProposal proposal)
    {
        var msg = new AlterInSync { From = from.ToMsg(), ShardId = proposal.ShardId, LeaderEpoch = proposal.LeaderEpoch };
        msg.InSync.AddRange(proposal.InSync.Select(a => a.ToMsg()));
        return msg;
    }
}
