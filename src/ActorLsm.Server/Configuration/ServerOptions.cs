using ActorLsm.Protocol;

namespace ActorLsm.Server.Configuration;

/// <summary>Settings of the client endpoint (hocon: <c>actorlsm.server.*</c>; defaults in hocon/reference.conf).</summary>
public sealed record ServerOptions
{
    /// <summary>Address the client listener binds: an IP literal, <c>localhost</c>, or <c>0.0.0.0</c>. Default 127.0.0.1.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>
    /// Host clients are told to connect to (in the cluster's shard map); empty = <see cref="Host"/>.
    /// Needed when the listener binds 0.0.0.0 or sits behind a port mapping (docker compose). Default empty.
    /// </summary>
    public string AdvertisedHost { get; init; } = string.Empty;

    /// <summary>TCP port of the client listener; 0 picks a free port. Default 7400.</summary>
    public int Port { get; init; } = 7400;

    /// <summary>TCP port of the RESP listener (<c>actorlsm.resp.port</c>); null: no RESP listener; 0 picks a free port. Default null.</summary>
    public int? RespPort { get; init; }

    /// <summary>Address the RESP listener binds (<c>actorlsm.resp.host</c>); empty: <see cref="Host"/>. Default empty.</summary>
    public string RespHost { get; init; } = string.Empty;

    /// <summary>
    /// How long a RESP command for a slot whose shard is changing leader (no available leader, or a leader
    /// this node's failure detector no longer hears) waits for the new shard map before it gets
    /// <c>TRYAGAIN</c> (<c>actorlsm.resp.leader-change-wait</c>); zero answers TRYAGAIN at once. Default 10 s.
    /// </summary>
    public TimeSpan RespLeaderChangeWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The address the RESP listener binds: <see cref="RespHost"/>, else <see cref="Host"/>.</summary>
    public string EffectiveRespHost => RespHost.Length > 0 ? RespHost : Host;

    /// <summary>Largest request frame body accepted, in bytes; larger announced lengths get FRAME_TOO_LARGE. Default 16 MiB.</summary>
    public int MaxFrameSize { get; init; } = FrameCodec.DefaultMaxFrameSize;

    /// <summary>Client connections served at once; a further one gets TOO_MANY_CONNECTIONS and is closed. Default 10 000.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>
    /// Requests of one connection received and not yet answered; one more gets PIPELINE_TOO_DEEP and the
    /// connection is closed (after the earlier ones are answered). 0 (default): no such bound, and
    /// <see cref="MaxInFlightPerConnection"/> pushes back instead.
    /// </summary>
    public int MaxPipelineDepth { get; init; }

    /// <summary>A connection with no request in flight and none arriving for this long gets IDLE_TIMEOUT and is closed. Zero (default): never.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Longest key or value (a "bulk string") in one request; a longer one gets BULK_TOO_LONG and the connection is closed. Default 512 MiB.</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>Requests of one connection executing at once; at the bound the connection's frames are not read. Default 1024.</summary>
    public int MaxInFlightPerConnection { get; init; } = 1024;

    /// <summary>Longest time from a request's arrival to its response; past it the client gets TIMEOUT. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>On SIGTERM or Ctrl-C, how long in-flight requests may take to finish before the shards close anyway. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
