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

    /// <summary>
    /// User name to authenticate every connection as (an AuthRequest is its first request), or null (default)
    /// to send none. A node with users answers a connection that has not authenticated with NOAUTH; a wrong
    /// name or password fails the connection with an <see cref="ActorLsmException"/> of code WRONGPASS
    /// (AUTH_RATE_LIMITED after repeated failures from this address).
    /// </summary>
    public string? User { get; init; }

    /// <summary>Password of <see cref="User"/>; sent only inside the connection (use TLS off loopback).</summary>
    public string? Password { get; init; }

    /// <summary>TLS to the nodes, or null (default) for plaintext TCP.</summary>
    public ActorLsmClientTlsOptions? Tls { get; init; }
}

/// <summary>
/// TLS of an <see cref="ActorLsmClient"/>'s connections (TLS 1.2 or 1.3): the node's certificate is checked
/// against <see cref="CaPath"/> (else the machine's trust store) and must name the host of the endpoint
/// (or <see cref="TargetHost"/>); the client may present a certificate of its own.
/// </summary>
public sealed class ActorLsmClientTlsOptions
{
    /// <summary>PEM file of the CA certificate(s) the node's certificate must chain to; null: the machine's trust store.</summary>
    public string? CaPath { get; init; }

    /// <summary>The client's certificate (PEM with <see cref="ClientKeyPath"/>, or PKCS#12 <c>.pfx</c>/<c>.p12</c>); null: none.</summary>
    public string? ClientCertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="ClientCertificatePath"/>; null when that file holds it.</summary>
    public string? ClientKeyPath { get; init; }

    /// <summary>Password of a PKCS#12 client certificate or an encrypted PEM key; null: none.</summary>
    public string? ClientCertificatePassword { get; init; }

    /// <summary>Name the node's certificate must carry (SNI and name check); null: the host of each endpoint.</summary>
    public string? TargetHost { get; init; }
}
