using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ActorLsm.Client.Connections;

/// <summary>A parsed <c>host:port</c> (or <c>[v6-address]:port</c>) endpoint of a node.</summary>
internal sealed class NodeEndpoint
{
    private NodeEndpoint(string text, EndPoint endPoint)
    {
        Text = text;
        EndPoint = endPoint;
    }

    /// <summary>The endpoint as configured, for messages.</summary>
    public string Text { get; }

    /// <summary>An <see cref="IPEndPoint"/> for literal addresses, else a <see cref="DnsEndPoint"/>.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="ArgumentException"/> when it is not <c>host:port</c> with a port in 1..65535.</summary>
    public static NodeEndpoint Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("an endpoint is empty; expected host:port", nameof(text));
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ArgumentException($"endpoint '{text}' is not host:port", nameof(text));
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port < IPEndPoint.MinPort + 1 || port > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"endpoint '{text}' has no valid port (1..65535)", nameof(text));
        }

        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"endpoint '{text}' has no host", nameof(text));
        }

        EndPoint endPoint = IPAddress.TryParse(host, out IPAddress? address)
            ? new IPEndPoint(address, port)
            : new DnsEndPoint(host, port);
        return new NodeEndpoint(text, endPoint);
    }

    /// <summary>A new, unconnected TCP socket able to reach this endpoint, with Nagle's algorithm off.</summary>
    public Socket CreateSocket()
    {
        Socket socket = EndPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        return socket;
    }

    public override string ToString() => Text;
}
