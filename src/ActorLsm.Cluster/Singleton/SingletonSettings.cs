using Akka.Configuration;

namespace ActorLsm.Cluster.Singleton;

/// <summary>
/// Settings of the version-manager singleton (HOCON <c>actorlsm.cluster.versions</c> and
/// <c>actorlsm.cluster.singleton</c>; commented defaults in <see cref="ClusterReferenceConfig"/>).
/// Where it runs and its hand-over are Akka's <c>ClusterSingletonManager</c> (<c>akka.cluster.singleton</c>);
/// the ceiling jump is tektite's durable version counter (seed 000).
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

    /// <summary>How long a singleton waits for a majority of epoch (or persist) acknowledgements before retrying. Default 2 s.</summary>
    public TimeSpan EpochAckTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long after a crashed member running the version manager is removed the next oldest member
    /// starts a new one (Akka's <c>ClusterSingletonManagerSettings.RemovalMargin</c> for this singleton).
    /// Default 100 ms; zero = Akka's default, the downing provider's margin, which with the split-brain
    /// resolver is its <c>stable-after</c>. Short is safe because a version manager acts only under an
    /// epoch a majority promised (PROTOCOL.md R8), so an old one still running elsewhere cannot publish.
    /// </summary>
    public TimeSpan RemovalMargin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Reads the singleton's settings from <paramref name="config"/> (the full configuration,
    /// <see cref="ClusterReferenceConfig.Default"/> as fallback). Throws <see cref="ArgumentException"/>
    /// naming the key when a value is out of range.
    /// </summary>
    public static SingletonSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var s = new SingletonSettings
        {
            BroadcastInterval = config.GetTimeSpan("actorlsm.cluster.versions.broadcast-interval", null, allowInfinite: false),
            CeilingJump = config.GetLong("actorlsm.cluster.versions.ceiling-jump", 0),
            EpochAckTimeout = config.GetTimeSpan("actorlsm.cluster.singleton.epoch-ack-timeout", null, allowInfinite: false),
            RemovalMargin = config.GetTimeSpan("actorlsm.cluster.singleton.removal-margin", null, allowInfinite: false),
        };
        Check(s.BroadcastInterval > TimeSpan.Zero, "actorlsm.cluster.versions.broadcast-interval", s.BroadcastInterval);
        Check(s.CeilingJump >= 2, "actorlsm.cluster.versions.ceiling-jump", s.CeilingJump);
        Check(s.EpochAckTimeout > TimeSpan.Zero, "actorlsm.cluster.singleton.epoch-ack-timeout", s.EpochAckTimeout);
        Check(s.RemovalMargin >= TimeSpan.Zero, "actorlsm.cluster.singleton.removal-margin", s.RemovalMargin);
        return s;
    }

    private static void Check(bool ok, string key, object value)
    {
        if (!ok)
        {
            throw new ArgumentException($"{key} is out of range: {value}", key);
        }
    }
}
