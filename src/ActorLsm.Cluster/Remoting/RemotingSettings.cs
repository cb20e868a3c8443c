using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Remoting;

/// <summary>Settings of remoting (hocon <c>actorlsm.remote</c>; commented defaults in reference.conf).</summary>
public sealed record RemotingSettings
{
    /// <summary>Host the transport binds to and advertises. Default <c>127.0.0.1</c>.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (tests). Default 2551.</summary>
    public int Port { get; init; } = 2551;

    /// <summary>Reads <c>actorlsm.remote</c> from <paramref name="config"/> (the full configuration, reference included).</summary>
    public static RemotingSettings FromConfig(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        HoconConfig c = config.GetConfig("actorlsm.remote");
        return new RemotingSettings { Hostname = c.GetString("hostname"), Port = c.GetInt("port") };
    }
}
