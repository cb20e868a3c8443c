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
    /// True (default): every put, delete, expire and batch carries this client's write session
    /// (<see cref="ClientId"/> and a sequence number per write; src/ActorLsm.Cluster/PROTOCOL.md, R11), so
    /// the shard leaders apply each write at most once however often it is resent, and a resend after an
    /// unknown outcome gets the original answer. False: no session (as clients before sessions), a resent
    /// write may be applied twice.
    /// </summary>
    public bool ExactlyOnceWrites { get; init; } = true;

    /// <summary>
    /// The id of this client's write session: null (default) draws 128 random bits. An assigned id must
    /// belong to one client object at a time and must not be reused by a new one within the nodes'
    /// <c>actorlsm.node.sessions.idle-timeout</c> (10 minutes by default) of the old one's last write: the
    /// new one numbers its writes from 1 again, and the shards would answer them with the old outcomes.
    /// </summary>
    public Guid? ClientId { get; init; }

    /// <summary>
    /// The retry policy for writes whose outcome is unknown (UNAVAILABLE from a cluster, or the connection
    /// was lost after sending), with <see cref="ShardRouting"/> against a cluster. True (default): sent
    /// again after the map refresh, within <see cref="RequestTimeout"/>; with <see cref="ExactlyOnceWrites"/>
    /// the resend is deduplicated by the leader, so writes get through a failover exactly once and
    /// single-key histories stay linearizable. False: the caller gets the error (the write may or may not
    /// be applied). NOT_LEADER and STALE_EPOCH, refused before anything is written, are always retried;
    /// so are reads. SESSION_EXPIRED is never retried.
    /// </summary>
    public bool RetryIndeterminateWrites { get; init; } = true;

    /// <summary>
    /// False (default): a caller's continuation after a response runs on the thread pool. True: it runs
    /// synchronously on the connection's reader, right where the response is parsed, and the requests
    /// the continuations of one read send leave together in one socket write once the read is dispatched:
    /// no thread hop per request, and a node's answers to N pipelined callers come back as the next N
    /// requests in one write (the batching of Redis pipelining, with independent callers). Use it only
    /// when every continuation is short and never blocks: code that waits synchronously on the reader
    /// (<c>.Result</c>, <c>.Wait()</c>, a lock held across another request) stalls every request on that
    /// connection until the request timeout, and long work there delays the other callers' responses.
    /// Timeouts, cancellations and a failed connection still complete callers on the thread pool.
    /// Each connection's reader is then a thread of its own, blocked in the socket read (connected with a
    /// connect the runtime's socket engine never sees, so that engine never wakes a thread-pool worker for its reads),
    /// and a continuation that sends to the same node sends on the connection it runs on. On one node over
    /// loopback this halved the client's CPU per YCSB read (README, "Network against embedded").
    /// </summary>
    public bool InlineCompletions { get; init; }

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
