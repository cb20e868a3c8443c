namespace ActorLsm.Cluster.View;

/// <summary>
/// One cluster member as this node's view knows it (a snapshot of an <c>Akka.Cluster.Member</c>
/// with the role <c>actorlsm</c>). <paramref name="UpNumber"/> orders members by age, lower is
/// older: the member's rank (1, 2, ...) in Akka's <c>Member.AgeOrdering</c> when the snapshot was
/// taken (Akka's own up number is not public); ties, which Akka's order does not produce, are
/// broken by address.
/// <paramref name="ClientEndpoint"/> is the <c>host:port</c> clients use, read from the member's
/// role <c>actorlsm-endpoint:HOST:PORT</c> (<see cref="ClusterRoles"/>); empty when it has none.
/// <paramref name="RespEndpoint"/> is its RESP listener's <c>host:port</c> from the role
/// <c>actorlsm-resp:HOST:PORT</c>; empty when it runs none.
/// </summary>
public sealed record Member(UniqueAddress UniqueAddress, MemberStatus Status, int UpNumber, string ClientEndpoint, string RespEndpoint = "")
{
    /// <summary>The member's stable <c>host:port</c>.</summary>
    public NodeAddress Address => UniqueAddress.Address;

    /// <summary>True when this member is older than <paramref name="other"/> (Akka's <c>IsOlderThan</c>).</summary>
    public bool IsOlderThan(Member other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return UpNumber != other.UpNumber ? UpNumber < other.UpNumber : UniqueAddress.CompareTo(other.UniqueAddress) < 0;
    }
}
