using System.Globalization;
using Akka.Actor;

namespace ActorLsm.Cluster;

/// <summary>
/// Where a node's Akka.Remote transport listens: <c>host:port</c> of its Akka <see cref="Address"/>
/// (protocol and actor-system name left out: every member shares them). Stable across restarts
/// of the node, unlike <see cref="UniqueAddress"/>; the shard map names nodes by it. Ordered by
/// host (ordinal) then port.
/// </summary>
/// <param name="Host">Host name or IP literal, e.g. <c>127.0.0.1</c>.</param>
/// <param name="Port">TCP port, 1..65535 (0 only before a transport has bound).</param>
public sealed record NodeAddress(string Host, int Port) : IComparable<NodeAddress>
{
    /// <inheritdoc/>
    public int CompareTo(NodeAddress? other)
    {
        if (other is null)
        {
            return 1;
        }

        int c = string.CompareOrdinal(Host, other.Host);
        return c != 0 ? c : Port.CompareTo(other.Port);
    }

    /// <summary>Parses <c>host:port</c>; throws <see cref="FormatException"/> for anything else.</summary>
    public static NodeAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{text}' is not a node address of the form host:port");
        }

        return new NodeAddress(text[..colon], port);
    }

    /// <summary>
    /// The <c>host:port</c> of an Akka address; throws <see cref="ArgumentException"/> when
    /// <paramref name="address"/> has no host or port (a local-only address).
    /// </summary>
    public static NodeAddress FromAkka(Address address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Host is null || address.Port is null)
        {
            throw new ArgumentException($"'{address}' has no host and port (is akka.actor.provider = cluster?)", nameof(address));
        }

        return new NodeAddress(address.Host, address.Port.Value);
    }

    /// <summary>
    /// The Akka address of this node in a cluster whose members use <paramref name="protocol"/>
    /// (e.g. <c>akka.tcp</c>) and actor-system name <paramref name="system"/>.
    /// </summary>
    public Address ToAkka(string protocol, string system) => new(protocol, system, Host, Port);

    /// <summary><c>host:port</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}

/// <summary>
/// One incarnation of a node: its <see cref="NodeAddress"/> and the uid Akka.Cluster gave the
/// member when its actor system started (<c>Akka.Cluster.UniqueAddress.Uid</c>, a 32-bit value
/// stored here as its unsigned bits), so a node restarted on the same host and port is never taken
/// for the old one. Written <c>host:port:uid</c>; used for status output and quorum bookkeeping.
/// </summary>
public sealed record UniqueAddress(NodeAddress Address, ulong Uid) : IComparable<UniqueAddress>
{
    /// <summary>The incarnation of an Akka.Cluster member address (see <see cref="NodeAddress.FromAkka"/> for errors).</summary>
    public static UniqueAddress FromAkka(Akka.Cluster.UniqueAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new UniqueAddress(NodeAddress.FromAkka(address.Address), unchecked((uint)address.Uid));
    }

    /// <inheritdoc/>
    public int CompareTo(UniqueAddress? other)
    {
        if (other is null)
        {
            return 1;
        }

        int c = Address.CompareTo(other.Address);
        return c != 0 ? c : Uid.CompareTo(other.Uid);
    }

    /// <summary><c>host:port:uid</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}:{Uid}");
}
