using System.Runtime.CompilerServices;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Hosting.Ownership;
using ActorLsm.Hosting.Replication;
using ActorLsm.Hosting.Routing;
using ActorLsm.Hosting.Versions;
using ActorLsm.Shards;
using ActorLsm.Shards.Replication;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorLsm.Hosting;

/// <summary>
/// What <see cref="ActorLsmHostingExtensions.WithActorLsm"/> started in one actor system: this member's
/// shards, the router and, when the system's provider is cluster, the <see cref="ClusterHost"/> (version
/// manager singleton, member actor) with the replication glue (<see cref="ReplicationCoordinator"/>,
/// <see cref="ShardVersionReporter"/>). Stopped by the system's coordinated shutdown (phase
/// before-actor-system-terminate: reporter, coordinator, cluster actors, then the shards, which finish
/// the requests they accepted). <see cref="For"/> finds it, for status and tests.
/// </summary>
public sealed class ActorLsmMember
{
    private static readonly ConditionalWeakTable<ActorSystem, ActorLsmMember> s_members = [];

    private ActorLsmMember(ShardedNode node, IActorRef router, ClusterHost? cluster)
    {
        Node = node;
        Router = router;
        Cluster = cluster;
    }

    /// <summary>This member's shards.</summary>
    public ShardedNode Node { get; }

    /// <summary>The router actor (also in the registry under <see cref="ActorLsmRouter"/>).</summary>
    public IActorRef Router { get; }

    /// <summary>The cluster side; null on a single node (local or remote provider).</summary>
    public ClusterHost? Cluster { get; }

    /// <summary>The member's view of the cluster (shard map, versions); null on a single node.</summary>
    public IClusterView? View => Cluster?.View;

    /// <summary>The member started by WithActorLsm in <paramref name="system"/>, or null (none, or not started yet).</summary>
    public static ActorLsmMember? For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return s_members.TryGetValue(system, out ActorLsmMember? member) ? member : null;
    }

    /// <summary>
    /// Starts the member in <paramref name="system"/> from its config (<c>actorlsm.*</c>) and registers the
    /// router. REQUIRES: the config has ShardedNode.DefaultConfig and <see cref="ActorLsmOptions.DefaultConfig"/> under it.
    /// </summary>
    internal static async Task<ActorLsmMember> StartAsync(ActorSystem system, IActorRegistry registry)
    {
        Config config = system.Settings.Config;
        ILogger logger = LoggerOf(system);
        string dataDir = config.GetString("actorlsm.node.data-dir", "data");
        var nodeOptions = new ShardedNodeOptions
        {
            DataDir = dataDir,
            ShardCount = config.GetInt("actorlsm.node.shard-count", 16),
            MaxPendingWrites = config.GetInt("actorlsm.node.max-pending-writes", 16_384),
            MaxPendingBytes = config.GetByteSize("actorlsm.node.max-pending-bytes") ?? 64L * 1024 * 1024,
            RequestTimeout = config.GetTimeSpan("actorlsm.node.request-timeout", TimeSpan.FromSeconds(30)),
            MaxScanLimit = config.GetInt("actorlsm.node.max-scan-limit", 10_000),
        };

        bool clustered = ((ExtendedActorSystem)system).Provider is IClusterActorRefProvider;
        ClusterHostOptions? hostOptions = null;
        var viewBox = new StrongBox<IClusterView?>();
        if (clustered)
        {
            hostOptions = ClusterHostOptions.FromConfig(config, string.Empty, Path.Combine(dataDir, "cluster")) with { ShardCount = nodeOptions.ShardCount };
            hostOptions.Replication.Validate();
            if (hostOptions.Replication.Factor > 1)
            {
                ReplicationSettings r = hostOptions.Replication;
                nodeOptions = nodeOptions.WithReplication(new ShardReplicationOptions
                {
                    ReplicaLagTimeMax = r.ReplicaLagTimeMax,
                    HeartbeatInterval = r.HeartbeatInterval,
                    ResendTimeout = r.ResendTimeout,
                    ReadLease = r.ReadLease,
                    MaxInflightBytes = r.MaxInflightBytes,
                    SnapshotChunkSize = r.SnapshotChunkSize,
                    ProposeInSync = (shard, epoch, inSync) => ReplicationCoordinator.Propose(viewBox.Value, shard, epoch, inSync),
                });
            }
        }

        ShardedNode node = await ShardedNode.StartAsync(system, nodeOptions).ConfigureAwait(false);
        ClusterHost? host = null;
        ReplicationCoordinator? coordinator = null;
        ShardVersionReporter? reporter = null;
        DurableSequences? durable = null;
        Func<NodeAddress, IActorRef>? remoteRouter = null;
        string routerName = config.GetString("actorlsm.hosting.router-name", "actorlsm-router");
        if (hostOptions is not null)
        {
            host = await ClusterHost.StartAsync(system, hostOptions).ConfigureAwait(false);
            viewBox.Value = host.View;
            if (nodeOptions.Replication is not null)
            {
                coordinator = new ReplicationCoordinator(host.View, host.RefFor, node, hostOptions.Replication.EffectiveMinInSync, logger);
            }

            durable = new DurableSequences(node);
            reporter = new ShardVersionReporter(host.View, new ShardOwnership(host.View), node, durable, TimeSpan.FromMilliseconds(250), logger);
            string routerPath = "/user/" + routerName;
            ClusterHost h = host;
            remoteRouter = member => h.RefFor(member, routerPath);
        }

        var settings = new RouterSettings(
            node,
            host?.View,
            remoteRouter,
            nodeOptions.MaxScanLimit,
            config.GetInt("actorlsm.hosting.unavailable-retries", 10),
            config.GetTimeSpan("actorlsm.hosting.retry-backoff", TimeSpan.FromMilliseconds(100)),
            nodeOptions.RequestTimeout + TimeSpan.FromSeconds(2));
        IActorRef router = system.ActorOf(ActorLsmRouterActor.Props(settings), routerName);
        registry.Register<ActorLsmRouter>(router);
        var member = new ActorLsmMember(node, router, host);
        s_members.AddOrUpdate(system, member);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "actorlsm-stop", async () =>
        {
            if (reporter is not null)
            {
                await reporter.DisposeAsync().ConfigureAwait(false);
            }

            coordinator?.Dispose();
            durable?.Dispose();
            system.Stop(router);
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            await node.DisposeAsync().ConfigureAwait(false);
            return Akka.Done.Instance;
        });
        logger.LogInformation("ActorLsm member started: {Shards} shards in {DataDir}, {Mode}", node.ShardCount, Path.GetFullPath(dataDir), clustered ? "cluster" : "single node");
        return member;
    }

    /// <summary>The application's logger factory (from DI, through Akka.DependencyInjection), or none.</summary>
    internal static ILogger LoggerOf(ActorSystem system)
    {
        try
        {
            ILoggerFactory? factory = DependencyResolver.For(system).Resolver.GetService<ILoggerFactory>();
            return factory?.CreateLogger("ActorLsm.Hosting") ?? NullLogger.Instance;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ConfigurationException)
        {
            return NullLogger.Instance;
        }
    }
}
