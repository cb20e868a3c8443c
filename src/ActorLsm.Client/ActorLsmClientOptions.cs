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

    /// <summary>
    /// With <see cref="ShardRouting"/> against a cluster: whether a put, delete or batch whose outcome
    /// is unknown (UNAVAILABLE, or the connection was lost after sending) is sent again after the
    /// map refresh. True (default): writes get through a leader failover (at least once; a retried
    /// put can land after a concurrent writer's put to the same key, so single-key histories are
    /// then not linearizable). False: the caller gets the error and decides (the write may or may
    /// not be applied). NOT_LEADER and STALE_EPOCH, refused before anything is written, are always
    /// retried; so are reads.
    /// </summary>
    public bool RetryIndeterminateWrites { get; init; } = true;

    /// <summary>Largest response frame body accepted, in bytes.</summary>
    public int MaxFrameSize { get; init; } = FrameCodec.DefaultMaxFrameSize;
}
