using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Singleton;

/// <summary>
/// Settings of the version-manager singleton (hocon <c>actorlsm.cluster.singleton</c> and
/// <c>actorlsm.cluster.versions</c>; commented defaults in reference.conf). The hand-over names
/// follow Akka's <c>ClusterSingletonManager</c>; the ceiling jump is tektite's durable version
/// counter (seed 000).
/// </summary>
public sealed record SingletonSettings
{
    /// <summary>How often the version manager broadcasts versions and the shard map when nothing changed. Default 500 ms.</summary>
    public TimeSpan BroadcastInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How far (in versions, &gt;= 2) the durable version ceiling is raised at a time; a new
    /// singleton starts handing out versions at the recovered ceiling. Default 10000.
    /// </summary>
    public long CeilingJump { get; init; } = 10000;

    /// <summary>How often the new oldest repeats <c>HandOverToMe</c> to a leaving previous oldest. Default 1 s.</summary>
    public TimeSpan HandOverRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a singleton waits for a majority of epoch (or persist) acknowledgements before retrying. Default 2 s.</summary>
    public TimeSpan EpochAckTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Reads the singleton's settings from <paramref name="config"/> (the full configuration, reference included).</summary>
    public static SingletonSettings FromConfig(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new SingletonSettings
        {
            BroadcastInterval = config.GetDuration("actorlsm.cluster.versions.broadcast-interval"),
            CeilingJump = config.GetLong("actorlsm.cluster.versions.ceiling-jump"),
            HandOverRetryInterval = config.GetDuration("actorlsm.cluster.singleton.hand-over-retry-interval"),
            EpochAckTimeout = config.GetDuration("actorlsm.cluster.singleton.epoch-ack-timeout"),
        };
    }
}
