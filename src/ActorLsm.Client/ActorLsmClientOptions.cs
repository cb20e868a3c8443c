using ActorLsm.Protocol;

namespace ActorLsm.Client;

/// <summary>Settings of an <see cref="ActorLsmClient"/>.</summary>
public sealed class ActorLsmClientOptions
{
    /// <summary>Node endpoints as <c>host:port</c>. Default <c>127.0.0.1:7400</c>.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = ["127.0.0.1:7400"];

    /// <summary>TCP connections kept per endpoint; requests are spread over them and pipelined on each.</summary>
    public int ConnectionsPerEndpoint { get; init; } = 4;

    /// <summary>Time allowed for one request, from send to response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed to open a TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest response frame body accepted, in bytes.</summary>
    public int MaxFrameSize { get; init; } = FrameCodec.DefaultMaxFrameSize;
}
