namespace ActorLsm.Cluster.Versions;

/// <summary>
/// The cluster versions the version manager broadcasts (seed 000, tektite's version manager).
/// <paramref name="Current"/> is the version writes are tagged with now; <paramref name="Completed"/>
/// the highest version every shard has moved past; <paramref name="Flushed"/> the highest version
/// durable in SSTables on every shard: the consistent recovery point across shards. Always
/// Flushed &lt;= Completed &lt; Current. <paramref name="Epoch"/> is the singleton incarnation's epoch
/// that published them; members ignore versions from an older epoch.
/// </summary>
public sealed record ClusterVersions(long Current, long Completed, long Flushed, long Epoch)
{
    /// <summary>Before any version manager has spoken.</summary>
    public static ClusterVersions None { get; } = new(0, 0, 0, 0);
}

/// <summary>
/// One shard's progress as its leader node reports it to the version manager.
/// <paramref name="Completed"/>: highest cluster version whose writes on this shard are all done;
/// <paramref name="Flushed"/>: highest cluster version whose writes are all in durable SSTables;
/// <paramref name="LastSequence"/>: the shard's last committed sequence number.
/// </summary>
public sealed record ShardVersionReport(int ShardId, long Completed, long Flushed, long LastSequence);

/// <summary>The last sequence number durable on this node for a shard it follows (for the version manager's leader election).</summary>
public sealed record ReplicaProgress(int ShardId, long LastSequence);

/// <summary>
/// A shard leader's request to set the shard's in-sync set to <paramref name="InSync"/> (Kafka's
/// AlterPartition); honoured only while the sender leads the shard at <paramref name="LeaderEpoch"/>.
/// </summary>
public sealed record InSyncProposal(int ShardId, long LeaderEpoch, IReadOnlyList<NodeAddress> InSync);
