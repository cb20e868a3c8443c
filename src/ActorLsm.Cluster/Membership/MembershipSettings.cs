using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Membership;

/// <summary>Settings of membership, failure detection and downing (hocon <c>actorlsm.cluster</c>; commented defaults in reference.conf).</summary>
public sealed record MembershipSettings
{
    /// <summary>Remoting addresses of the seed nodes, <c>host:port</c>.</summary>
    public IReadOnlyList<NodeAddress> SeedNodes { get; init; } = [];

    /// <summary>Reads <c>actorlsm.cluster</c> from <paramref name="config"/> (the full configuration, reference included).</summary>
    public static MembershipSettings FromConfig(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        HoconConfig c = config.GetConfig("actorlsm.cluster");
        return new MembershipSettings { SeedNodes = c.GetStringList("seed-nodes").Select(NodeAddress.Parse).ToArray() };
    }
}
