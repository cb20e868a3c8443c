using ActorLsm.Kernel;
using ActorLsm.Shards;

namespace ActorLsm.Server.Configuration;

/// <summary>Everything one node needs to start, bound from HOCON by <see cref="ServerConfigBinder"/>.</summary>
/// <param name="Server">The client endpoint (<c>actorlsm.server</c>).</param>
/// <param name="Node">The shards and their storage engines (<c>actorlsm.node</c>, <c>actorlsm.storage</c>).</param>
/// <param name="Kernel">The actor system hosting the shards (<c>actorlsm.kernel</c>).</param>
public sealed record ServerSettings(ServerOptions Server, ShardedNodeOptions Node, ActorSystemOptions Kernel);
