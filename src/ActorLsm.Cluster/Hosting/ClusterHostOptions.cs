using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using Akka.Configuration;

namespace ActorLsm.Cluster.Hosting;

/// <summary>
/// What a <see cref="ClusterHost"/> needs besides its actor system. Membership, failure detection,
/// downing and remoting settings are Akka's own (<c>akka.cluster.*</c>, <c>akka.remote.*</c>) and
/// are read by Akka from the system's configuration; these are ours (<c>actorlsm.cluster.*</c>).
/// </summary>
public sealed record ClusterHostOptions
{
    /// <summary>Version-manager singleton settings (<c>actorlsm.cluster.versions</c>, <c>actorlsm.cluster.singleton</c>).</summary>
    public SingletonSettings Singleton { get; init; } = new();

    /// <summary>Replication factor and in-sync settings (<c>actorlsm.cluster.replication</c>).</summary>
    public ReplicationSettings Replication { get; init; } = new();

    /// <summary>Replicas per shard the version manager places (<see cref="ReplicationSettings.Factor"/>).</summary>
    public int ReplicationFactor => Replication.Factor;

    /// <summary>Number of shards over the key space; must be the same on every node (<c>actorlsm.node.shard-count</c>). Default 16.</summary>
    public int ShardCount { get; init; } = 16;

    /// <summary>
    /// Up members needed before the version manager makes the first shard map (&gt;= 1). Default 1;
    /// <see cref="FromConfig"/> reads Akka's <c>akka.cluster.min-nr-of-members</c>, which also holds
    /// members in Joining until that many joined.
    /// </summary>
    public int MinNrOfMembers { get; init; } = 1;

    /// <summary>
    /// The <c>host:port</c> clients reach this node on. Published in gossip as the member role
    /// <c>actorlsm-endpoint:HOST:PORT</c>, which must be in the actor system's configuration
    /// (<see cref="ClusterHost.ComposeConfig"/>); <see cref="ClusterHost.StartAsync"/> checks it.
    /// Empty for a member with no client endpoint (the store embedded in an application): no
    /// endpoint role is published and shard maps show an empty leader endpoint.
    /// </summary>
    public required string ClientEndpoint { get; init; }

    /// <summary>Directory for the node's durable cluster state (accepted epoch, last manager state: <c>DataDir/cluster/singleton.state</c>).</summary>
    public required string DataDir { get; init; }

    /// <summary>Test hook: told when epochs are accepted and version managers act (null in production).</summary>
    internal ISingletonObserver? SingletonObserver { get; init; }

    /// <summary>
    /// Reads our settings from <paramref name="config"/> (the actor system's configuration, with
    /// <see cref="ClusterReferenceConfig.Default"/> as fallback). Throws <see cref="ArgumentException"/>
    /// naming the key of a value out of range.
    /// </summary>
    public static ClusterHostOptions FromConfig(Config config, string clientEndpoint, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ClusterHostOptions
        {
            Singleton = SingletonSettings.FromConfig(config),
            Replication = ReplicationSettings.FromConfig(config),
            ShardCount = config.HasPath("actorlsm.node.shard-count") ? config.GetInt("actorlsm.node.shard-count", 16) : 16,
            MinNrOfMembers = Math.Max(1, config.GetInt("akka.cluster.min-nr-of-members", 1)),
            ClientEndpoint = clientEndpoint,
            DataDir = dataDir,
        };
    }
}
