using ActorLsm.Cluster.Hosting;
using Akka.Actor;

namespace ActorLsm.Cluster.Singleton;

/// <summary>Test hook: what the singleton machinery did, for checking "never two active".</summary>
internal interface ISingletonObserver
{
    /// <summary><paramref name="node"/> durably accepted <paramref name="epoch"/> (propose or persist).</summary>
    void OnEpochAccepted(UniqueAddress node, long epoch);

    /// <summary>The version manager on <paramref name="node"/> started acting in <paramref name="epoch"/>.</summary>
    void OnActing(UniqueAddress node, long epoch);

    /// <summary>The version manager on <paramref name="node"/> stopped acting in <paramref name="epoch"/>.</summary>
    void OnStoppedActing(UniqueAddress node, long epoch);

    /// <summary><paramref name="node"/>'s view rejected a broadcast of <paramref name="epoch"/> as stale.</summary>
    void OnBroadcastRejected(UniqueAddress node, long epoch);
}

/// <summary>What a version manager needs besides its node's cluster: the same on every node.</summary>
/// <param name="Settings">Singleton settings.</param>
/// <param name="ShardCount">Shards in the map (&gt;= 1).</param>
/// <param name="MinNrOfMembers">Up members needed before the first shard map is made (&gt;= 1; <c>akka.cluster.min-nr-of-members</c>).</param>
/// <param name="ReplicationFactor">Replicas per shard the shard map places (&gt;= 1).</param>
/// <param name="Observer">Test hook, or null.</param>
internal sealed record VersionManagerContext(
    SingletonSettings Settings,
    int ShardCount,
    int MinNrOfMembers,
    int ReplicationFactor,
    ISingletonObserver? Observer);

/// <summary>Local only: a version manager tells its node's member actor it started, so a higher accepted epoch reaches it at once.</summary>
internal sealed record VersionManagerStarted(IActorRef VersionManager);

/// <summary>Local only: the node accepted a higher epoch than its version manager's: that one must stop acting.</summary>
internal sealed record EpochSuperseded(long Epoch);
