namespace ActorLsm.Cluster.Membership;

/// <summary>
/// One cluster member as the membership view knows it. <paramref name="UpNumber"/> is given by the
/// leader when the member moves to Up (1, 2, ...) and orders members by age: lower is older, ties
/// broken by address. <paramref name="ClientEndpoint"/> is the <c>host:port</c> clients use.
/// </summary>
public sealed record Member(UniqueAddress UniqueAddress, MemberStatus Status, int UpNumber, string ClientEndpoint)
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
