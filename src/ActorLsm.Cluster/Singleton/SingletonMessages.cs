using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Membership;
using ActorLsm.Kernel;

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

/// <summary>What a node's singleton manager and its version manager share.</summary>
/// <param name="Self">This node's incarnation.</param>
/// <param name="Settings">Singleton settings.</param>
/// <param name="ShardCount">Shards in the map (&gt;= 1).</param>
/// <param name="MinNrOfMembers">Up members needed before the first shard map is made (&gt;= 1).</param>
/// <param name="Store">This node's durable singleton record.</param>
/// <param name="View">This node's cluster view (broadcasts land here).</param>
/// <param name="Resolve">The singleton manager actor on a node (remote or local).</param>
/// <param name="Observer">Test hook, or null.</param>
/// <param name="ReplicationFactor">Replicas per shard the shard map places (&gt;= 1).</param>
internal sealed record SingletonContext(
    UniqueAddress Self,
    SingletonSettings Settings,
    int ShardCount,
    int MinNrOfMembers,
    SingletonStateStore Store,
    ClusterView View,
    Func<UniqueAddress, IActorRef> Resolve,
    ISingletonObserver? Observer,
    int ReplicationFactor = 1);

/// <summary>A new membership snapshot for the singleton manager (from the membership facade).</summary>
internal sealed record MembershipSnapshot(ClusterState State);

/// <summary>The leave hook asks the manager to hand the singleton over; answered with <see cref="HandOverCompleted"/>.</summary>
internal sealed record WaitForHandOver
{
    public static WaitForHandOver Instance { get; } = new();
}

/// <summary>This node runs no singleton any more.</summary>
internal sealed record HandOverCompleted
{
    public static HandOverCompleted Instance { get; } = new();
}

/// <summary>The node accepted a higher epoch than its version manager's: that one must stop acting.</summary>
internal sealed record EpochSuperseded(long Epoch);
