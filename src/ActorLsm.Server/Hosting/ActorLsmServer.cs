using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Shards.Replication;
using ActorLsm.Hosting.Ownership;
using ActorLsm.Hosting.Replication;
using ActorLsm.Hosting.Versions;
using Akka.Actor;
using ActorLsm.Server.Clustering;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Connections;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Metrics;
using ActorLsm.Server.Resp;
using ActorLsm.Resp;
using ActorLsm.Server.Security;
using ActorLsm.Shards;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ActorLsm.Server.Hosting;

/// <summary>
/// One running node: the shards (an <see cref="INodeStore"/>) behind a Kestrel listener that serves
/// the client protocol with <see cref="ClientConnectionHandler"/>, on the Generic Host
/// (<see cref="WebApplication.CreateSlimBuilder()"/>; no HTTP endpoints). <c>actorlsm-server</c>
/// runs one; tests host several in-process on port 0.
/// </summary>
/// <remarks>
/// Shutdown (<see cref="StopAsync"/>, also on SIGTERM or Ctrl-C through the host's console lifetime):
/// stop accepting connections and reading requests, wait up to <see cref="ServerOptions.ShutdownTimeout"/>
/// for in-flight requests to be answered, close the shards (every store closes cleanly), stop the host.
/// </remarks>
public sealed class ActorLsmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly INodeStore _store;
    private readonly InFlightRequests _inFlight;
    private readonly ServerSettings _settings;
    private readonly ILogger _logger;
    private readonly ClusterRole _role;
    private IClusterNode? _cluster;
    private ShardVersionReporter? _reporter;
    private ReplicationCoordinator? _replication;
    private StrongBox<IClusterView?> _viewBox = new();
    private int _downed;
    private int _crashing;
    private int _stopped;

    private ActorLsmServer(WebApplication app, INodeStore store, ServerSettings settings, int port, ClusterRole role)
    {
        _app = app;
        _store = store;
        _settings = settings;
        _role = role;
        _inFlight = app.Services.GetRequiredService<InFlightRequests>();
        _logger = app.Services.GetRequiredService<ILogger<ActorLsmServer>>();
        Port = port;
    }

    /// <summary>The TCP port the listener is bound to (the chosen one when configured as 0).</summary>
    public int Port { get; }

    /// <summary>The address the listener is bound to, <c>host:port</c>.</summary>
    public string Endpoint => $"{_settings.Server.Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The endpoint published to clients in the shard map: <c>advertised-host</c> (else the host) and the bound port.</summary>
    public string AdvertisedEndpoint => AdvertisedEndpointOf(_settings.Server, Port);

    /// <summary>The node's shards.</summary>
    public INodeStore Store => _store;

    /// <summary>The port of the RESP listener (<c>actorlsm.resp.port</c>; a configured 0 resolved to the chosen port); null when it is off.</summary>
    public int? RespPort => _settings.Server.RespPort;

    /// <summary>The RESP endpoint published to the cluster, <c>host:port</c>; null when RESP is off.</summary>
    public string? RespEndpoint => RespEndpointOf(_settings.Server);

    /// <summary>The node's instruments.</summary>
    public ServerMetrics Metrics => _app.Services.GetRequiredService<ServerMetrics>();

    /// <summary>The node's cluster side; null for a single node.</summary>
    public IClusterNode? Cluster => _cluster;

    /// <summary>Completes when a client sent a LeaveRequest (the caller then stops the node with <see cref="StopAsync"/>).</summary>
    public Task LeaveRequested => _role.LeaveRequested;

    /// <summary>Completes when the cluster downed this node (never for a single node); the node then stops serving.</summary>
    public Task WhenDowned => _cluster?.WhenDowned ?? new TaskCompletionSource().Task;

    /// <summary>Cancelled when the host is asked to stop (SIGTERM, Ctrl-C, or <see cref="StopAsync"/>).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>
    /// Opens the shards, then starts listening. <paramref name="configureLogging"/> replaces the default
    /// logging (single-line console on stderr); <paramref name="storeFactory"/> replaces the real shards
    /// (tests). Throws what the shards throw on open (e.g. a corrupt store), or an <see cref="IOException"/>
    /// when the port cannot be bound; nothing is left running then.
    /// </summary>
    public static Task<ActorLsmServer> StartAsync(
        ServerSettings settings,
        Action<ILoggingBuilder>? configureLogging = null,
        Func<ServerSettings, ILoggerFactory, CancellationToken, Task<INodeStore>>? storeFactory = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(settings, configureLogging, storeFactory, null, cancellationToken);

    /// <summary>
    /// As the public overload; <paramref name="clusterFactory"/> (tests) replaces <see cref="ClusterHost"/> and
    /// puts the node in cluster mode: it gets the store and the bound client endpoint and returns the started
    /// cluster side. Without it, cluster mode starts a <see cref="ClusterHost"/> when <see cref="ServerSettings.Cluster"/> is set.
    /// </summary>
    internal static async Task<ActorLsmServer> StartAsync(
        ServerSettings settings,
        Action<ILoggingBuilder>? configureLogging,
        Func<ServerSettings, ILoggerFactory, CancellationToken, Task<INodeStore>>? storeFactory,
        Func<INodeStore, string, CancellationToken, Task<IClusterNode>>? clusterFactory,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Server.RespPort == 0)
        {
            // The RESP port is published to the cluster (and told to tests) before Kestrel binds it.
            settings = settings with { Server = settings.Server with { RespPort = FreePort(settings.Server.EffectiveRespHost) } };
        }

        if (clusterFactory is null && settings.Cluster is not null)
        {
            // Cluster mode publishes the client endpoint as a member role, so the port must be known
            // before the actor system starts: a configured 0 is resolved to a free port now.
            if (settings.Server.Port == 0)
            {
                settings = settings with { Server = settings.Server with { Port = FreePort(settings.Server.Host) } };
            }

            clusterFactory = (store, endpoint, ct) => StartClusterHostAsync(store, endpoint, ct);
        }

        // Cluster mode with the node's own shards: the shards replicate (PROTOCOL.md). The proposals
        // of in-sync sets reach the version manager once the cluster side has started.
        var viewBox = new StrongBox<IClusterView?>();
        if (clusterFactory is not null && storeFactory is null && settings.Cluster is { } replicated && replicated.Replication.Factor > 1)
        {
            ReplicationSettings r = replicated.Replication;
            settings = settings with
            {
                Node = settings.Node.WithReplication(new ShardReplicationOptions
                {
                    ReplicaLagTimeMax = r.ReplicaLagTimeMax,
                    HeartbeatInterval = r.HeartbeatInterval,
                    ResendTimeout = r.ResendTimeout,
                    ReadLease = r.ReadLease,
                    MaxInflightBytes = r.MaxInflightBytes,
                    SnapshotChunkSize = r.SnapshotChunkSize,
                    ProposeInSync = (shard, epoch, inSync) => ReplicationCoordinator.Propose(viewBox.Value, shard, epoch, inSync),
                }),
            };
        }

        var role = new ClusterRole(clustered: clusterFactory is not null);
        var storeBox = new StrongBox<INodeStore?>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (configureLogging is not null)
        {
            configureLogging(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

            // The host's own start/stop lines speak of HTTP and content roots; this node logs its own.
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Server.ShutdownTimeout);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(settings.Server);
        builder.Services.AddSingleton<INodeStore>(_ => storeBox.Value ?? throw new InvalidOperationException("the node's shards are not started"));
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<InFlightRequests>();
        builder.Services.AddSingleton(sp => new RequestDispatcher(
            sp.GetRequiredService<INodeStore>(), sp.GetRequiredService<ServerMetrics>(), sp.GetRequiredService<ILogger<RequestDispatcher>>(), Environment.MachineName, settings.Server.RequestTimeout, role));
        builder.Services.AddSingleton(sp => new Authenticator(
            settings.Security.Users, new AuthRateLimiter(settings.Security.RateLimit), sp.GetRequiredService<ILogger<Authenticator>>()));
        builder.Services.AddSingleton<ClientConnectionHandler>();
        ServerSettings bound = settings;
        builder.Services.AddSingleton(sp => new Lazy<RespService>(() => new RespService(
            new RespNodeBackend(sp.GetRequiredService<INodeStore>(), role),
            new RespServiceOptions { Port = bound.Server.RespPort ?? 0, Version = ServerVersion, LeaderChangeWait = bound.Server.RespLeaderChangeWait },
            new RespUserAuthenticator(sp.GetRequiredService<Authenticator>()),
            new RespNodeExpiry(sp.GetRequiredService<INodeStore>()))));
        builder.Services.AddSingleton<RespConnectionHandler>();

        // The connection code never blocks (it parses frames, Tells shards and queues responses), so
        // Kestrel may run it on the socket's own completion thread instead of handing every read and
        // every send to its I/O queue on the thread pool: two thread hops less per request burst.
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The handler refuses connections past max-connections with an error frame; Kestrel's own bound,
            // a little higher, only drops connections (or TLS handshakes) beyond that silently.
            kestrel.Limits.MaxConcurrentConnections = settings.Server.MaxConnections + Math.Min(1024, settings.Server.MaxConnections / 10 + 16);
            kestrel.Listen(ResolveHost(settings.Server.Host), settings.Server.Port, listen =>
            {
                if (settings.Security.Tls.ClientListener)
                {
                    ServerTls.UseTls(listen, settings.Security.Tls);
                }

                listen.UseConnectionHandler<ClientConnectionHandler>();
            });
            if (settings.Server.RespPort is { } respPort)
            {
                kestrel.Listen(ResolveHost(settings.Server.EffectiveRespHost), respPort, listen =>
                {
                    if (settings.Security.Tls.RespListener)
                    {
                        ServerTls.UseTls(listen, settings.Security.Tls);
                    }

                    listen.UseConnectionHandler<RespConnectionHandler>();
                });
            }
        });

        WebApplication app = builder.Build();
        ILogger logger = app.Services.GetRequiredService<ILogger<ActorLsmServer>>();
        ILoggerFactory loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        INodeStore? store = null;
        try
        {
            logger.LogInformation("opening {Shards} shards in {DataDir}", settings.Node.ShardCount, Path.GetFullPath(settings.Node.DataDir));
            store = storeFactory is not null
                ? await storeFactory(settings, loggerFactory, cancellationToken).ConfigureAwait(false)
                : await ShardedNodeStore.StartAsync(settings.Node, CreateActorSystem(settings, loggerFactory), cancellationToken).ConfigureAwait(false);
            storeBox.Value = store;
            app.Services.GetRequiredService<ServerMetrics>().Attach(store);

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            int port = BoundPort(app, settings.Server.Port);
            var server = new ActorLsmServer(app, store, settings, port, role) { _viewBox = viewBox };
            role.Self = server.Endpoint;
            logger.LogInformation("serving clients on {Host}:{Port}", settings.Server.Host, port);
            if (settings.Server.RespPort is { } resp)
            {
                logger.LogInformation("serving RESP on {Host}:{Port}", settings.Server.EffectiveRespHost, resp);
            }

            if (clusterFactory is not null)
            {
                try
                {
                    await server.StartClusterAsync(clusterFactory, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            return server;
        }
        catch when (storeBox.Value is not null && app is not null && IsDisposedByServer(app))
        {
            throw;
        }
        catch
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl-C, or <see cref="StopAsync"/>).</summary>
    public Task WaitForStopSignalAsync()
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Stopping.Register(() => stopping.TrySetResult());
        return stopping.Task;
    }

    /// <summary>
    /// Graceful shutdown: stop accepting, answer in-flight requests (up to the shutdown timeout),
    /// close the shards, stop the host. Idempotent. Returns false when requests were still in flight
    /// at the timeout (their clients see the connection close).
    /// </summary>
    public async Task<bool> StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return true;
        }

        await StopClusterAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _crashing) != 0)
        {
            // A simulated crash: the shards go first (waiting requests fail), nothing is drained.
            if (_store is ShardedNodeStore shards)
            {
                await shards.KillAsync().ConfigureAwait(false);
            }

            await _store.DisposeAsync().ConfigureAwait(false);
            using var quick = new CancellationTokenSource(TimeSpan.Zero);
            await _app.StopAsync(quick.Token).ConfigureAwait(false);
            return false;
        }

        TimeSpan timeout = _settings.Server.ShutdownTimeout;
        DateTime deadline = DateTime.UtcNow + timeout;
        _logger.LogInformation("stopping: no new connections; answering {InFlight} in-flight requests (up to {Timeout})", _inFlight.Count, timeout);
        using (var cts = new CancellationTokenSource(timeout))
        {
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }

        TimeSpan left = deadline - DateTime.UtcNow;
        bool drained = await _inFlight.WaitIdleAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        if (!drained)
        {
            _logger.LogWarning("{InFlight} requests still in flight after {Timeout}; closing the shards anyway", _inFlight.Count, timeout);
        }

        _logger.LogInformation("connections closed; closing the shards");
        await _store.DisposeAsync().ConfigureAwait(false);
        _logger.LogInformation("shards closed; stopped");
        return drained;
    }

    /// <summary>
    /// Test hook: stops without leaving the cluster (peers see a crash; nothing is flushed beyond
    /// what the WAL already holds). In-flight requests are answered or fail as on any stop.
    /// </summary>
    internal ValueTask CrashAsync()
    {
        Interlocked.Exchange(ref _crashing, 1);
        return DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Longest a graceful leave may take on stop before the node stops anyway.</summary>
    internal static TimeSpan LeaveTimeout { get; } = TimeSpan.FromSeconds(30);

    private static async Task<IClusterNode> StartClusterHostAsync(INodeStore store, string endpoint, CancellationToken ct)
    {
        ActorSystem system = store is ShardedNodeStore real
            ? real.System
            : throw new InvalidOperationException("cluster mode needs the node's real shards (ShardedNodeStore)");
        var options = ClusterHostOptions.FromConfig(system.Settings.Config, endpoint, Path.Combine(real.DataDir, "cluster"));
        ClusterHost host = await ClusterHost.StartAsync(system, options, ct).ConfigureAwait(false);
        return new ClusterHostNode(host);
    }

    /// <summary>
    /// The node's Akka actor system (named <see cref="ClusterHost.SystemName"/>), from the node's whole
    /// configuration with the shards' dispatcher defaults under it; in cluster mode with the cluster's
    /// defaults and this node's roles (<see cref="ClusterHost.ComposeConfig"/>). Akka logs through
    /// <paramref name="loggerFactory"/> (Akka.Hosting's <c>LoggerFactoryLogger</c>).
    /// </summary>
    internal static ActorSystem CreateActorSystem(ServerSettings settings, ILoggerFactory loggerFactory)
    {
        Config config = settings.Config.Config.WithFallback(ShardedNode.DefaultConfig);
        if (settings.Cluster is not null && RespEndpointOf(settings.Server) is { } resp)
        {
            // Published beside the client endpoint: MOVED redirects and CLUSTER NODES name it.
            IEnumerable<string> roles = config.GetStringList("akka.cluster.roles", [])
                .Where(r => !r.StartsWith(ActorLsm.Cluster.View.ClusterRoles.RespEndpointPrefix, StringComparison.Ordinal))
                .Append(ActorLsm.Cluster.View.ClusterRoles.RespEndpointRole(resp));
            config = ConfigurationFactory.ParseString("akka.cluster.roles = [" + string.Join(", ", roles.Select(r => "\"" + r + "\"")) + "]").WithFallback(config);
        }

        bool remoteTls = settings.Cluster is not null && settings.Security.Tls.Remote;
        if (remoteTls)
        {
            config = RemoteTls.Apply(config);
        }

        config = settings.Cluster is not null
            ? ClusterHost.ComposeConfig(config, AdvertisedEndpointOf(settings.Server, settings.Server.Port))
            : ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(config);
        ActorSystemSetup setup = BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(loggerFactory));
        if (remoteTls)
        {
            setup = setup.And(RemoteTls.CreateSetup(settings.Security.Tls));
        }

        return ActorSystem.Create(ClusterHost.SystemName, setup);
    }

    private static string? RespEndpointOf(ServerOptions server) =>
        server.RespPort is { } port
            ? $"{(server.AdvertisedHost.Length > 0 ? server.AdvertisedHost : server.EffectiveRespHost)}:{port.ToString(CultureInfo.InvariantCulture)}"
            : null;

    private static string ServerVersion { get; } =
        typeof(ActorLsmServer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";

    private static string AdvertisedEndpointOf(ServerOptions server, int port) =>
        $"{(server.AdvertisedHost.Length > 0 ? server.AdvertisedHost : server.Host)}:{port.ToString(CultureInfo.InvariantCulture)}";

    // A free TCP port on host, for a configured port 0 in cluster mode (tests): bound, read, released.
    private static int FreePort(string host)
    {
        using var probe = new TcpListener(ResolveHost(host), 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static bool IsDisposedByServer(WebApplication app) => app.Lifetime.ApplicationStopped.IsCancellationRequested;

    // REQUIRES: called once, from StartAsync, after the listener is bound.
    private async Task StartClusterAsync(Func<INodeStore, string, CancellationToken, Task<IClusterNode>> factory, CancellationToken ct)
    {
        _logger.LogInformation("cluster mode: starting the cluster side; requests get UNAVAILABLE until it has started");
        IClusterNode cluster = await factory(_store, AdvertisedEndpoint, ct).ConfigureAwait(false);
        _cluster = cluster;
        var ownership = new ShardOwnership(cluster.View);
        _role.Ownership = ownership;
        _viewBox.Value = cluster.View;
        if (cluster is ClusterHostNode real && _store is ShardedNodeStore shards && _settings.Node.Replication is not null)
        {
            int minInSync = real.Host.Options.Replication.EffectiveMinInSync;
            _replication = new ReplicationCoordinator(cluster.View, real.Host.RefFor, shards.Node, minInSync, _logger);
        }

        _reporter = new ShardVersionReporter(cluster.View, ownership, _store.StatusAsync, _store is ShardedNodeStore nodeStore ? nodeStore.DurableSequence : null, ReportInterval, _logger);
        MembershipLog.Attach(cluster.View, _logger);
        _ = cluster.WhenDowned.ContinueWith(
            _ =>
            {
                // Stop serving at once: the cluster has moved this node's shards (or will).
                Interlocked.Exchange(ref _downed, 1);
                _role.Ownership = null;
                _logger.LogWarning("this node was downed by the cluster; it stops serving");
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>How often the node reports its shards' versions to the version manager.</summary>
    internal static TimeSpan ReportInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    // REQUIRES: called from StopAsync only.
    private async Task StopClusterAsync()
    {
        if (_reporter is { } reporter)
        {
            await reporter.DisposeAsync().ConfigureAwait(false);
        }

        _replication?.Dispose();

        if (_cluster is not { } cluster)
        {
            return;
        }

        if (Volatile.Read(ref _downed) == 0 && !cluster.WhenDowned.IsCompleted && Volatile.Read(ref _crashing) == 0)
        {
            _logger.LogInformation("leaving the cluster (up to {Timeout})", LeaveTimeout);
            try
            {
                using var cts = new CancellationTokenSource(LeaveTimeout);
                await cluster.LeaveAsync(cts.Token).WaitAsync(LeaveTimeout).ConfigureAwait(false);
                _logger.LogInformation("left the cluster");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogWarning("leaving the cluster did not finish: {Message}; stopping anyway", ex.Message);
            }
        }

        _role.Ownership = null;
        await cluster.DisposeAsync().ConfigureAwait(false);
    }

    private static IPAddress ResolveHost(string host)
    {
        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return address;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        IPAddress[] addresses = Dns.GetHostAddresses(host);
        return addresses.Length > 0 ? addresses[0] : throw new IOException($"host {host} has no address");
    }

    private static int BoundPort(WebApplication app, int configured)
    {
        ICollection<string>? addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is not null)
        {
            foreach (string address in addresses)
            {
                if (Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) && uri.Port > 0)
                {
                    return uri.Port;
                }
            }
        }

        return configured;
    }
}
