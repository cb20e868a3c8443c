using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;

namespace ActorLsm.Cluster.Hosting;

/// <summary>
/// What one node knows of the cluster, for the server: membership, where the singleton runs, the
/// latest cluster versions and shard map (both cached, with older epochs rejected). Thread-safe;
/// properties return immutable snapshots.
/// </summary>
public interface IClusterView
{
    /// <summary>This node's incarnation (Akka.Cluster's self unique address).</summary>
    UniqueAddress SelfAddress { get; }

    /// <summary>The membership view (members with the role <c>actorlsm</c>, from Akka.Cluster's events).</summary>
    ClusterState Membership { get; }

    /// <summary>The node running the version-manager singleton, as last known; null when none is known.</summary>
    UniqueAddress? Singleton { get; }

    /// <summary>The latest cluster versions received.</summary>
    ClusterVersions Versions { get; }

    /// <summary>The latest shard map received; null before the first one.</summary>
    ShardMap? ShardMap { get; }

    /// <summary>Raised (on a cluster thread; keep handlers short) after any property changed.</summary>
    event Action? Changed;

    /// <summary>Sends this node's shard progress to the version manager (through the singleton proxy, which buffers while none is known).</summary>
    void ReportShardVersions(IReadOnlyList<ShardVersionReport> reports);

    /// <summary>
    /// Sends the last sequence of each shard this node follows to the version manager, which elects
    /// the most up-to-date in-sync follower when a leader fails (through the singleton proxy).
    /// </summary>
    void ReportReplicaProgress(IReadOnlyList<ReplicaProgress> replicas)
    {
    }

    /// <summary>
    /// Asks the version manager to change a shard's in-sync set (this node must lead the shard at
    /// the proposal's epoch; otherwise the request is ignored). Fire and forget: the outcome shows
    /// in a later <see cref="ShardMap"/>.
    /// </summary>
    void ProposeInSync(InSyncProposal proposal)
    {
    }
}
