using ActorLsm.Cluster.Hosting;
using ActorLsm.Kernel;
using ActorLsm.Shards;

namespace ActorLsm.Server.Configuration;

/// <summary>Everything one node needs to start, bound from HOCON by <see cref="ServerConfigBinder"/>.</summary>
/// <param name="Server">The client endpoint (<c>actorlsm.server</c>).</param>
/// <param name="Node">The shards and their storage engines (<c>actorlsm.node</c>, <c>actorlsm.storage</c>).</param>
/// <param name="Kernel">The actor system hosting the shards (<c>actorlsm.kernel</c>).</param>
/// <param name="Cluster">
/// Cluster mode (<c>actorlsm.remote</c>, <c>actorlsm.cluster</c>) when <c>actorlsm.cluster.seed-nodes</c> is
/// non-empty; null runs a single node. Its <see cref="ClusterHostOptions.ClientEndpoint"/> is replaced by the
/// bound endpoint at start; its data directory is <c>&lt;data-dir&gt;/cluster</c>.
/// </param>
public sealed record ServerSettings(ServerOptions Server, ShardedNodeOptions Node, ActorSystemOptions Kernel, ClusterHostOptions? Cluster = null);
