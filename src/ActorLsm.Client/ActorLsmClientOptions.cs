using ActorLsm.Protocol;

namespace ActorLsm.Client;

/// <summary>Settings of an <see cref="ActorLsmClient"/>.</summary>
public sealed class ActorLsmClientOptions
{
    /// <summary>
    /// Node endpoints as <c>host:port</c>. Default <c>127.0.0.1:7400</c>. With <see cref="ShardRouting"/>
    /// these are the nodes the shard map is fetched from (any one suffices); requests then go to each
    /// shard's leader, wherever it is.
    /// </summary>
    public IReadOnlyList<string> Endpoints { get; init; } = ["127.0.0.1:7400"];

    /// <summary>TCP connections kept per endpoint; requests are spread over them and pipelined on each.</summary>
    public int ConnectionsPerEndpoint { get; init; } = 4;

    /// <summary>Time allowed for one request, from send to response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed to open a TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// True (default): fetch the shard map from any endpoint, send each key's request to its shard's
    /// leader with the leader epoch, and on NOT_LEADER, STALE_EPOCH (and UNAVAILABLE from a cluster)
    /// refresh the map and retry within <see cref="RequestTimeout"/>. False: spread requests over
    /// <see cref="Endpoints"/> round-robin, as a client of interchangeable single nodes.
    /// </summary>
    public bool ShardRouting { get; init; } = true;

    /// <summary>Largest response frame body accepted, in bytes.</summary>
    public int MaxFrameSize { get; init; } = FrameCodec.DefaultMaxFrameSize;
}
