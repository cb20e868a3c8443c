using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Membership;

/// <summary>Conversions between the membership types and their Protobuf messages (Protos/membership.proto).</summary>
internal static class GossipWire
{
    /// <summary>The wire form of <paramref name="address"/>.</summary>
    public static UniqueAddressMsg ToWire(this UniqueAddress address) =>
        new() { Host = address.Address.Host, Port = (uint)address.Address.Port, Uid = address.Uid };

    /// <summary>The address in <paramref name="msg"/>; throws <see cref="FormatException"/> for a missing one.</summary>
    public static UniqueAddress FromWire(this UniqueAddressMsg? msg) =>
        msg is null ? throw new FormatException("missing address") : new UniqueAddress(new NodeAddress(msg.Host, (int)msg.Port), msg.Uid);

    /// <summary>The wire form of <paramref name="gossip"/>.</summary>
    public static GossipMsg ToWire(this Gossip gossip)
    {
        var msg = new GossipMsg();
        foreach (Member m in gossip.Members.Values)
        {
            msg.Members.Add(new MemberMsg { Address = m.UniqueAddress.ToWire(), Status = (int)m.Status, UpNumber = m.UpNumber, ClientEndpoint = m.ClientEndpoint });
        }

        msg.Tombstones.AddRange(gossip.Tombstones.Select(t => t.ToWire()));
        foreach (ReachabilityRecord r in gossip.Reachability.Values)
        {
            msg.Reachability.Add(new ReachabilityMsg { Observer = r.Observer.ToWire(), Subject = r.Subject.ToWire(), Unreachable = r.Unreachable, Version = r.Version });
        }

        msg.ExitingConfirmed.AddRange(gossip.ExitingConfirmed.Select(e => e.ToWire()));
        foreach ((UniqueAddress member, SeenEntry seen) in gossip.Seen)
        {
            msg.Seen.Add(new SeenMsg { Member = member.ToWire(), Sequence = seen.Sequence, Digest = seen.Digest });
        }

        return msg;
    }

    /// <summary>The view in <paramref name="msg"/>; throws <see cref="FormatException"/> for malformed content.</summary>
    public static Gossip FromWire(this GossipMsg? msg)
    {
        if (msg is null)
        {
            throw new FormatException("missing gossip");
        }

        var members = msg.Members.Select(m => new Member(
            m.Address.FromWire(),
            m.Status is >= 0 and <= (int)MemberStatus.Removed ? (MemberStatus)m.Status : throw new FormatException($"bad member status {m.Status}"),
            m.UpNumber,
            m.ClientEndpoint));
        var reachability = msg.Reachability.Select(r => new ReachabilityRecord(r.Observer.FromWire(), r.Subject.FromWire(), r.Unreachable, r.Version));
        var seen = msg.Seen.Select(s => (s.Member.FromWire(), new SeenEntry(s.Sequence, s.Digest)));
        return Gossip.Create(members, msg.Tombstones.Select(t => t.FromWire()), reachability, msg.ExitingConfirmed.Select(e => e.FromWire()), seen);
    }
}
