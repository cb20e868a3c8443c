using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Hosting;

/// <summary>Everything a <see cref="ClusterHost"/> needs to start one node's cluster side.</summary>
public sealed record ClusterHostOptions
{
    /// <summary>Remoting settings (<c>actorlsm.remote</c>).</summary>
    public RemotingSettings Remoting { get; init; } = new();

    /// <summary>Membership, failure detector and downing settings (<c>actorlsm.cluster</c>).</summary>
    public MembershipSettings Membership { get; init; } = new();

    /// <summary>Version-manager singleton settings.</summary>
    public SingletonSettings Singleton { get; init; } = new();

    /// <summary>Replication factor and in-sync settings (<c>actorlsm.cluster.replication</c>).</summary>
    public ReplicationSettings Replication { get; init; } = new();

    /// <summary>Replicas per shard the version manager places (<see cref="ReplicationSettings.Factor"/>).</summary>
    public int ReplicationFactor => Replication.Factor;

    /// <summary>Registers further wire messages (e.g. the replication stream) on the node's registry before remoting starts.</summary>
    public Action<MessageRegistry>? RegisterMessages { get; init; }

    /// <summary>Number of shards over the key space; must be the same on every node.</summary>
    public int ShardCount { get; init; } = 16;

    /// <summary>The <c>host:port</c> clients reach this node on; published in the membership view and the shard map.</summary>
    public required string ClientEndpoint { get; init; }

    /// <summary>Directory for the node's durable cluster state (accepted epochs, last versions and shard map).</summary>
    public required string DataDir { get; init; }

    /// <summary>Transport to use instead of TCP (tests: in-memory or fault-injecting); null for TCP per <see cref="Remoting"/>.</summary>
    public ITransport? Transport { get; init; }

    /// <summary>Test hook: told when epochs are accepted and version managers act (null in production).</summary>
    internal ISingletonObserver? SingletonObserver { get; init; }

    /// <summary>Reads every setting from <paramref name="config"/> (the full configuration, reference included).</summary>
    public static ClusterHostOptions FromConfig(HoconConfig config, string clientEndpoint, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ClusterHostOptions
        {
            Remoting = RemotingSettings.FromConfig(config),
            Membership = MembershipSettings.FromConfig(config),
            Singleton = SingletonSettings.FromConfig(config),
            Replication = ReplicationSettings.FromConfig(config),
            ShardCount = config.GetInt("actorlsm.node.shard-count"),
            ClientEndpoint = clientEndpoint,
            DataDir = dataDir,
        };
    }
}
