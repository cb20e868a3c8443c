using System.Globalization;
using System.Text;
using ActorLsm.Protocol;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>
/// CLUSTER SHARDS, SLOTS, NODES, KEYSLOT, MYID and INFO from the backend's <see cref="RespTopology"/> (the
/// shard map: shard i owns one contiguous slot range, <see cref="ShardHash.SlotRange"/>, led by one node).
/// Every node that leads a shard is shown as a master owning that shard's slots; followers are listed by
/// CLUSTER SHARDS only (an ActorLsm node leads some shards and follows others, which Redis's master/replica
/// node flags cannot express). A node not in cluster mode answers as Redis does:
/// <c>ERR This instance has cluster support disabled</c> (KEYSLOT works either way).
/// </summary>
internal static class ClusterCommands
{
    public static ValueTask<RespValue> Cluster(RespSession s, IReadOnlyList<byte[]> a)
    {
        string sub = Args.Text(a[1]).ToLowerInvariant();
        if (sub == "keyslot")
        {
            return ValueTask.FromResult(a.Count == 3 ? RespValue.Int(KeySlot.Of(a[2])) : Errors.WrongArgs("cluster|keyslot"));
        }

        if (s.Service.Backend.Topology is not { } t)
        {
            return ValueTask.FromResult(RespValue.Error("ERR This instance has cluster support disabled"));
        }

        RespValue reply = sub switch
        {
            "myid" => RespValue.Bulk(t.Self.Id),
            "info" => RespValue.Verbatim(Info(t)),
            "nodes" => RespValue.Verbatim(Nodes(t)),
            "slots" => Slots(t),
            "shards" => Shards(t),
            _ => Errors.UnknownSubcommand(Args.Text(a[1]), "cluster"),
        };
        return ValueTask.FromResult(reply);
    }

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Info(RespTopology t)
    {
        int assigned = t.Shards.Where(x => x.Leader is not null).Sum(x => x.LastSlot - x.FirstSlot + 1);
        int leaders = t.Shards.Where(x => x.Leader is not null).Select(x => x.Leader!.Id).Distinct().Count();
        return new StringBuilder()
            .Append("cluster_enabled:1\r\n")
            .Append("cluster_state:").Append(t.State ? "ok" : "fail").Append("\r\n")
            .Append("cluster_slots_assigned:").Append(N(assigned)).Append("\r\n")
            .Append("cluster_slots_ok:").Append(N(assigned)).Append("\r\n")
            .Append("cluster_slots_pfail:0\r\n")
            .Append("cluster_slots_fail:").Append(N(KeySlot.SlotCount - assigned)).Append("\r\n")
            .Append("cluster_known_nodes:").Append(N(t.Nodes.Count)).Append("\r\n")
            .Append("cluster_size:").Append(N(leaders)).Append("\r\n")
            .Append("cluster_current_epoch:").Append(N(t.Epoch)).Append("\r\n")
            .Append("cluster_my_epoch:").Append(N(t.Epoch)).Append("\r\n")
            .Append("cluster_stats_messages_sent:0\r\n")
            .Append("cluster_stats_messages_received:0\r\n")
            .ToString();
    }

    private static string Nodes(RespTopology t)
    {
        var text = new StringBuilder();
        foreach (RespNode node in t.Nodes)
        {
            string flags = (node.Id == t.Self.Id ? "myself," : string.Empty) + "master" + (node.Connected ? string.Empty : ",fail");
            text.Append(node.Id).Append(' ')
                .Append(node.Host).Append(':').Append(N(node.Port)).Append('@').Append(N(node.BusPort)).Append(' ')
                .Append(flags).Append(" - 0 0 ").Append(N(t.Epoch)).Append(' ')
                .Append(node.Connected ? "connected" : "disconnected");
            foreach (RespShard shard in t.Shards.Where(x => x.Leader?.Id == node.Id))
            {
                text.Append(' ').Append(N(shard.FirstSlot));
                if (shard.LastSlot != shard.FirstSlot)
                {
                    text.Append('-').Append(N(shard.LastSlot));
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static RespValue Endpoint(RespNode n) => RespValue.Array(RespValue.Bulk(n.Host), RespValue.Int(n.Port), RespValue.Bulk(n.Id));

    private static RespValue Slots(RespTopology t) => RespValue.Array([.. t.Shards
        .Where(x => x.Leader is not null)
        .Select(x => RespValue.Array(RespValue.Int(x.FirstSlot), RespValue.Int(x.LastSlot), Endpoint(x.Leader!)))]);

    private static RespValue Shards(RespTopology t) => RespValue.Array([.. t.Shards.Select(x =>
    {
        var nodes = new List<RespValue>();
        if (x.Leader is { } leader)
        {
            nodes.Add(ShardNode(leader, "master"));
        }

        nodes.AddRange(x.Replicas.Select(r => ShardNode(r, "replica")));
        return RespValue.Map(
            RespValue.Bulk("slots"), RespValue.Array(RespValue.Int(x.FirstSlot), RespValue.Int(x.LastSlot)),
            RespValue.Bulk("nodes"), RespValue.Array([.. nodes]));
    })]);

    private static RespValue ShardNode(RespNode n, string role) => RespValue.Map(
        RespValue.Bulk("id"), RespValue.Bulk(n.Id),
        RespValue.Bulk("port"), RespValue.Int(n.Port),
        RespValue.Bulk("ip"), RespValue.Bulk(n.Host),
        RespValue.Bulk("endpoint"), RespValue.Bulk(n.Host),
        RespValue.Bulk("role"), RespValue.Bulk(role),
        RespValue.Bulk("replication-offset"), RespValue.Int(0),
        RespValue.Bulk("health"), RespValue.Bulk(n.Connected ? "online" : "failed"));
}
