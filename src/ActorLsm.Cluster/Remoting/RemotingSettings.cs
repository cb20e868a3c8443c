using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Remoting;

/// <summary>Settings of remoting (hocon <c>actorlsm.remote</c>; commented defaults in reference.conf). Names follow Akka.Remote where it has one.</summary>
public sealed record RemotingSettings
{
    /// <summary>Host the transport binds to and advertises. Default <c>127.0.0.1</c>.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (tests). Default 2551.</summary>
    public int Port { get; init; } = 2551;

    /// <summary>Envelopes queued per peer before <see cref="ITransport.TrySend"/> returns false (> 0). Default 10000.</summary>
    public int OutboundQueueCapacity { get; init; } = 10_000;

    /// <summary>First wait before redialling a peer after a failed or dropped connection; doubles per failure. Default 100 ms.</summary>
    public TimeSpan ReconnectMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of the redial wait. Default 5 s.</summary>
    public TimeSpan ReconnectMaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long either side waits for the other's handshake frame before closing. Default 5 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest frame (bytes of one Protobuf message, length prefix excluded) sent or accepted. Default 4 MiB.</summary>
    public int MaximumFrameSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Reads <c>actorlsm.remote</c> from <paramref name="config"/> (the full configuration, reference included).</summary>
    public static RemotingSettings FromConfig(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        HoconConfig c = config.GetConfig("actorlsm.remote");
        return new RemotingSettings
        {
            Hostname = c.GetString("hostname"),
            Port = c.GetInt("port"),
            OutboundQueueCapacity = c.GetInt("outbound-queue-capacity"),
            ReconnectMinBackoff = c.GetDuration("reconnect-min-backoff"),
            ReconnectMaxBackoff = c.GetDuration("reconnect-max-backoff"),
            HandshakeTimeout = c.GetDuration("handshake-timeout"),
            MaximumFrameSize = c.GetInt("maximum-frame-size"),
        };
    }
}
