namespace ActorLsm.Cluster.View;

/// <summary>
/// The Akka.Cluster roles ActorLsm gives its members (<c>akka.cluster.roles</c>). Every ActorLsm
/// node has <see cref="Member"/>; the version manager runs on, and epochs are voted by, members
/// with it. A node's client endpoint travels in gossip as a second role
/// <c>actorlsm-endpoint:HOST:PORT</c> (Akka gossip carries roles, not arbitrary data), so every
/// member knows every other member's client endpoint from the moment it joins.
/// </summary>
public static class ClusterRoles
{
    /// <summary>The role of every ActorLsm node: <c>actorlsm</c>.</summary>
    public const string Member = "actorlsm";

    /// <summary>Prefix of the client-endpoint role: <c>actorlsm-endpoint:</c>.</summary>
    public const string EndpointPrefix = "actorlsm-endpoint:";

    /// <summary>
    /// Prefix of the RESP-endpoint role: <c>actorlsm-resp:</c>. A node with a RESP listener publishes
    /// <c>actorlsm-resp:HOST:PORT</c> beside its client endpoint, so MOVED redirects and CLUSTER NODES can name
    /// each shard leader's RESP endpoint.
    /// </summary>
    public const string RespEndpointPrefix = "actorlsm-resp:";

    /// <summary>The role that publishes <paramref name="respEndpoint"/> (<c>host:port</c>; validated with <see cref="NodeAddress.Parse"/>).</summary>
    public static string RespEndpointRole(string respEndpoint)
    {
        ArgumentNullException.ThrowIfNull(respEndpoint);
        _ = NodeAddress.Parse(respEndpoint);
        return RespEndpointPrefix + respEndpoint;
    }

    /// <summary>The RESP endpoint published in <paramref name="roles"/>, or an empty string when none is.</summary>
    public static string RespEndpointOf(IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        foreach (string r in roles)
        {
            if (r.StartsWith(RespEndpointPrefix, StringComparison.Ordinal))
            {
                return r[RespEndpointPrefix.Length..];
            }
        }

        return string.Empty;
    }

    /// <summary>The role that publishes <paramref name="clientEndpoint"/> (<c>host:port</c>; validated with <see cref="NodeAddress.Parse"/>).</summary>
    public static string EndpointRole(string clientEndpoint)
    {
        ArgumentNullException.ThrowIfNull(clientEndpoint);
        _ = NodeAddress.Parse(clientEndpoint);
        return EndpointPrefix + clientEndpoint;
    }

    /// <summary>The client endpoint published in <paramref name="roles"/>, or an empty string when none is.</summary>
    public static string EndpointOf(IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        foreach (string r in roles)
        {
            if (r.StartsWith(EndpointPrefix, StringComparison.Ordinal))
            {
                return r[EndpointPrefix.Length..];
            }
        }

        return string.Empty;
    }
}
