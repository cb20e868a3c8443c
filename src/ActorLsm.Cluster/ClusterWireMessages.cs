using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster;

/// <summary>
/// Every message type this project sends between nodes over Akka.Remote: all are Protobuf
/// (Protos/*.proto) and bound to Akka.Remote's Protobuf serializer (<c>proto</c>, id 2) by name in
/// <see cref="ClusterReferenceConfig.Default"/>, so none falls back to Akka's JSON serializer.
/// Messages nested inside these (ManagerState, ShardMapMsg, ...) travel as fields, not on their own.
/// </summary>
public static class ClusterWireMessages
{
    /// <summary>
    /// The cross-node types: the epoch and persist exchange (version manager ↔ member actors), the
    /// versions broadcast, the members' reports and in-sync proposals (through the singleton proxy),
    /// and the Ping/Pong diagnostics.
    /// </summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(EpochPropose),
        typeof(EpochAck),
        typeof(PersistState),
        typeof(PersistAck),
        typeof(VersionsBroadcast),
        typeof(ShardVersionReports),
        typeof(AlterInSync),
        typeof(Ping),
        typeof(Pong),
    ];
}
