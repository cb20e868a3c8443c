using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Singleton;

/// <summary>Settings of the version-manager singleton (hocon <c>actorlsm.cluster.singleton</c> and <c>actorlsm.cluster.versions</c>).</summary>
public sealed record SingletonSettings
{
    /// <summary>How often the version manager broadcasts versions and the shard map when nothing changed. Default 500 ms.</summary>
    public TimeSpan BroadcastInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Reads the singleton's settings from <paramref name="config"/> (the full configuration, reference included).</summary>
    public static SingletonSettings FromConfig(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new SingletonSettings { BroadcastInterval = config.GetDuration("actorlsm.cluster.versions.broadcast-interval") };
    }
}
