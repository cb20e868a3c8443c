using System.Globalization;

namespace ActorLsm.Cluster;

/// <summary>
/// Where a node's remoting listens: <c>host:port</c>. Stable across restarts of the node, unlike
/// <see cref="UniqueAddress"/>. Ordered by host (ordinal) then port: the order Akka.Cluster uses
/// to pick the leader. Name from Akka's <c>Address</c>.
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

    /// <summary><c>host:port</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}

/// <summary>
/// One incarnation of a node: its <see cref="NodeAddress"/> and a random non-zero uid chosen when
/// the node starts, so a node restarted on the same host and port is never taken for the old one
/// (Akka's <c>UniqueAddress</c>). Written <c>host:port:uid</c>.
/// </summary>
public sealed record UniqueAddress(NodeAddress Address, ulong Uid) : IComparable<UniqueAddress>
{
    /// <summary>A fresh incarnation of <paramref name="address"/> with a random non-zero uid.</summary>
    public static UniqueAddress NewIncarnation(NodeAddress address)
    {
        ulong uid;
        do
        {
            uid = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 33);
        }
        while (uid == 0);

        return new UniqueAddress(address, uid);
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
