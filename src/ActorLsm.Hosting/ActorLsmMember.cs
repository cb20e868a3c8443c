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
/// the requests they accepted), or by actorlsm-server itself after it drained its clients
/// (<see cref="ActorLsmMemberSetup.StopOnCoordinatedShutdown"/>). <see cref="For"/> finds it, for status and tests.
/// </summary>
public sealed class ActorLsmMember
{
    private static readonly ConditionalWeakTable<ActorSystem, ActorLsmMember> s_members = [];
    private readonly ActorSystem _system;
    private readonly Lock _gate = new();
    private readonly ShardVersionReporter? _reporter;
    private readonly ReplicationCoordinator? _coordinator;
    private readonly DurableSequences? _durable;
    private Task? _glueStopped;
    private Task? _stopped;

    private ActorLsmMember(
        ActorSystem system, ShardedNode node, IActorRef router, ClusterHost? cluster, ShardOwnership? ownership,
        ShardVersionReporter? reporter, ReplicationCoordinator? coordinator, DurableSequences? durable)
    {
        _system = system;
        Node = node;
        Router = router;
        Cluster = cluster;
        Ownership = ownership;
        _reporter = reporter;
        _coordinator = coordinator;
        _durable = durable;
    }

    /// <summary>This member's shards.</summary>
    public ShardedNode Node { get; }

    /// <summary>The router actor (also in the registry under <see cref="ActorLsmRouter"/>).</summary>
    public IActorRef Router { get; }

    /// <summary>The cluster side; null on a single node (local or remote provider).</summary>
    public ClusterHost? Cluster { get; }

    /// <summary>The member's view of the cluster (shard map, versions); null on a single node.</summary>
    public IClusterView? View => Cluster?.View;

    /// <summary>The actor system the member runs in.</summary>
    internal ActorSystem System => _system;

    /// <summary>The shard gate over <see cref="View"/> the version reporter uses (the server's dispatcher gates requests with it too); null on a single node.</summary>
    internal ShardOwnership? Ownership { get; }

    /// <summary>The member started by WithActorLsm in <paramref name="system"/>, or null (none, or not started yet).</summary>
    public static ActorLsmMember? For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return s_members.TryGetValue(system, out ActorLsmMember? member) ? member : null;
    }

    /// <summary>
    /// Starts the member in <paramref name="system"/> from its config (<c>actorlsm.*</c>) and
    /// <paramref name="setup"/>, and registers the router. On failure stops what it started and throws.
    /// REQUIRES: the config has ShardedNode.DefaultConfig and <see cref="ActorLsmOptions.DefaultConfig"/> under it.
    /// </summary>
    internal static async Task<ActorLsmMember> StartAsync(ActorSystem system, IActorRegistry registry, ActorLsmMemberSetup setup)
    {
        Config config = system.Settings.Config;
        ILogger logger = LoggerOf(system);
        ShardedNodeOptions nodeOptions = setup.Node ?? new ShardedNodeOptions
        {
            DataDir = config.GetString("actorlsm.node.data-dir", "data"),
            ShardCount = config.GetInt("actorlsm.node.shard-count", 16),
            MaxPendingWrites = config.GetInt("actorlsm.node.max-pending-writes", 16_384),
            MaxPendingBytes = config.GetByteSize("actorlsm.node.max-pending-bytes") ?? 64L * 1024 * 1024,
            RequestTimeout = config.GetTimeSpan("actorlsm.node.request-timeout", TimeSpan.FromSeconds(30)),
            MaxScanLimit = config.GetInt("actorlsm.node.max-scan-limit", 10_000),
        };
        string dataDir = nodeOptions.DataDir;

        bool clustered = ((ExtendedActorSystem)system).Provider is IClusterActorRefProvider;
        ClusterHostOptions? hostOptions = null;
        var viewBox = new StrongBox<IClusterView?>();
        if (clustered)
        {
            hostOptions = ClusterHostOptions.FromConfig(config, setup.ClientEndpoint, Path.Combine(dataDir, "cluster")) with { ShardCount = nodeOptions.ShardCount };
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
                    LeaderDirectReads = r.LeaderDirectReads,
                    MaxInflightBytes = r.MaxInflightBytes,
                    SnapshotChunkSize = r.SnapshotChunkSize,
                    MaxMessageBytes = r.MaxMessageBytes,
                    ProposeInSync = (shard, epoch, inSync) => ReplicationCoordinator.Propose(viewBox.Value, shard, epoch, inSync),
                });
            }
        }

        ShardedNode node = await ShardedNode.StartAsync(system, nodeOptions).ConfigureAwait(false);
        ClusterHost? host = null;
        ReplicationCoordinator? coordinator = null;
        ShardVersionReporter? reporter = null;
        DurableSequences? durable = null;
        ShardOwnership? ownership = null;
        try
        {
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
                ownership = new ShardOwnership(host.View);
                reporter = new ShardVersionReporter(host.View, ownership, node, durable, ReportInterval, logger);
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
                nodeOptions.RequestTimeout + TimeSpan.FromSeconds(2))
            {
                MaxRemoteRequestBytes = clustered ? RemoteFrameLimit.PayloadLimit(config) : long.MaxValue,
            };
            IActorRef router = system.ActorOf(ActorLsmRouterActor.Props(settings), routerName);
            registry.Register<ActorLsmRouter>(router);
            var member = new ActorLsmMember(system, node, router, host, ownership, reporter, coordinator, durable);
            s_members.AddOrUpdate(system, member);
            if (setup.StopOnCoordinatedShutdown)
            {
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "actorlsm-stop", async () =>
                {
                    await member.StopAsync().ConfigureAwait(false);
                    return Akka.Done.Instance;
                });
            }
            logger.LogInformation("ActorLsm member started: {Shards} shards in {DataDir}, {Mode}", node.ShardCount, Path.GetFullPath(dataDir), clustered ? "cluster" : "single node");
            return member;
        }
        catch
        {
            // Nothing half-started stays behind: the shards close (their stores unlock) before the error surfaces.
            if (reporter is not null)
            {
                await reporter.DisposeAsync().ConfigureAwait(false);
            }

            coordinator?.Dispose();
            durable?.Dispose();
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How often a cluster member reports its shards' versions to the version manager.</summary>
    internal static TimeSpan ReportInterval { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Stops the replication glue (version reporter, replication coordinator, flush follower); the shards
    /// and the cluster actors keep running. The server calls it before it leaves the cluster. Idempotent.
    /// </summary>
    internal Task StopClusterGlueAsync()
    {
        lock (_gate)
        {
            return _glueStopped ??= StopGlueCoreAsync();
        }
    }

    /// <summary>
    /// Stops the member (what coordinated shutdown runs in phase before-actor-system-terminate): the
    /// replication glue, the router, the cluster actors (without leaving), then the shards, which answer
    /// the requests they accepted first. Idempotent; the shards may already have been killed.
    /// </summary>
    internal Task StopAsync()
    {
        lock (_gate)
        {
            return _stopped ??= StopCoreAsync();
        }
    }

    private async Task StopGlueCoreAsync()
    {
        if (_reporter is not null)
        {
            await _reporter.DisposeAsync().ConfigureAwait(false);
        }

        _coordinator?.Dispose();
        _durable?.Dispose();
    }

    private async Task StopCoreAsync()
    {
        await StopClusterGlueAsync().ConfigureAwait(false);
        _system.Stop(Router);
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync().ConfigureAwait(false);
        }

        await Node.DisposeAsync().ConfigureAwait(false);
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
