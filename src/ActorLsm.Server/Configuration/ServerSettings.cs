using ActorLsm.Cluster.Hosting;
using ActorLsm.Server.Security;
using ActorLsm.Shards;

namespace ActorLsm.Server.Configuration;

/// <summary>Everything one node needs to start, bound from HOCON by <see cref="ServerConfigBinder"/>.</summary>
/// <param name="Server">The client endpoint (<c>actorlsm.server</c>).</param>
/// <param name="Node">The shards and their storage engines (<c>actorlsm.node</c>, <c>actorlsm.storage</c>).</param>
/// <param name="Config">
/// The whole layered configuration: the node's Akka ActorSystem is created from <see cref="NodeConfig.Config"/>,
/// so <c>akka.*</c> keys (remoting, cluster, dispatchers) take effect as Akka documents them.
/// </param>
/// <param name="Cluster">
/// Cluster mode (<c>akka.cluster</c>, <c>actorlsm.cluster</c>) when <c>akka.cluster.seed-nodes</c> is
/// non-empty; null runs a single node. Its client endpoint is replaced by the bound endpoint at start; its
/// data directory is <c>&lt;data-dir&gt;/cluster</c>.
/// </param>
public sealed record ServerSettings(ServerOptions Server, ShardedNodeOptions Node, NodeConfig Config, ClusterHostOptions? Cluster = null)
{
    /// <summary>Users, protected mode and TLS (<c>actorlsm.security</c>, <c>actorlsm.tls</c>); default: none of them.</summary>
    public SecuritySettings Security { get; init; } = SecuritySettings.Default;
}
