using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Hosting;
using ActorLsm.Hosting.Ownership;
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
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Transport.DotNetty;
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
/// One running node: an Akka.Hosting application on the Generic Host
/// (<see cref="WebApplication.CreateSlimBuilder()"/>; no HTTP endpoints). Its services get
/// <c>AddAkka("actorlsm", ...)</c> with the node's HOCON (Akka's keys beside <c>actorlsm.*</c>) and the
/// store's member started by the code path of <c>WithActorLsm</c> (shards, router registered under
/// <see cref="ActorLsmRouter"/>, and in cluster mode the cluster side and replication glue), plus
/// <c>AddActorLsmClient</c> (<see cref="IActorLsm"/> in DI); beside them, Kestrel listeners serve the
/// client protocol with <see cref="ClientConnectionHandler"/> and RESP. <c>actorlsm-server</c> runs one;
/// tests host several in-process on port 0.
/// </summary>
/// <remarks>
/// Shutdown (<see cref="StopAsync"/>, also on SIGTERM or Ctrl-C through the host's console lifetime): in
/// cluster mode leave the cluster first (bounded); then stop accepting connections and reading requests,
/// wait up to <see cref="ServerOptions.ShutdownTimeout"/> for in-flight requests to be answered, stop the
/// member (every store closes cleanly), run the actor system's coordinated shutdown, terminate the system.
/// The member is not stopped by coordinated shutdown (<see cref="ActorLsmMemberSetup.StopOnCoordinatedShutdown"/>):
/// Akka runs it as soon as a leaving member is Exiting, before the server has stopped serving.
/// The node's HOCON keeps the actor system running through coordinated shutdown
/// (<c>akka.coordinated-shutdown.terminate-actor-system = off</c>) and out of a downed node's way
/// (<c>akka.cluster.run-coordinated-shutdown-when-down = off</c>), so that the server, not Akka.Hosting's
/// termination hook, decides when the process stops and with which exit code.
/// </remarks>
public sealed class ActorLsmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly INodeStore _store;
    private readonly ActorLsmMember? _member;
    private readonly NodeLifecycleService _lifecycle;
    private readonly InFlightRequests _inFlight;
    private readonly ServerSettings _settings;
    private readonly ILogger _logger;
    private readonly ClusterRole _role;
    private IClusterNode? _cluster;
    private ShardVersionReporter? _reporter;
    private int _downed;
    private int _crashing;
    private int _stopped;

    private ActorLsmServer(WebApplication app, INodeStore store, ActorLsmMember? member, NodeLifecycleService lifecycle, ServerSettings settings, int port, ClusterRole role)
    {
        _app = app;
        _store = store;
        _member = member;
        _lifecycle = lifecycle;
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

    /// <summary>
    /// The node's services: Akka.Hosting's (<see cref="ActorSystem"/>, <see cref="ActorRegistry"/> with the
    /// router under <see cref="ActorLsmRouter"/>, <c>IRequiredActor&lt;ActorLsmRouter&gt;</c>) and
    /// <see cref="IActorLsm"/>, as an application that embeds the store with WithActorLsm has them; none of
    /// Akka's for a node over a test's store.
    /// </summary>
    public IServiceProvider Services => _app.Services;

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
    /// As the public overload. With <paramref name="storeFactory"/> (tests) the node serves that store and
    /// runs no actor system; <paramref name="clusterFactory"/> (tests, with a test store only) then puts it in
    /// cluster mode: it gets the store and the bound client endpoint and returns the started cluster side.
    /// Without a store factory the node is an Akka.Hosting application whose member (WithActorLsm's code
    /// path) owns the shards and, when <see cref="ServerSettings.Cluster"/> is set, the cluster side.
    /// </summary>
    internal static async Task<ActorLsmServer> StartAsync(
        ServerSettings settings,
        Action<ILoggingBuilder>? configureLogging,
        Func<ServerSettings, ILoggerFactory, CancellationToken, Task<INodeStore>>? storeFactory,
        Func<INodeStore, string, CancellationToken, Task<IClusterNode>>? clusterFactory,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        bool hosted = storeFactory is null;
        if (hosted && clusterFactory is not null)
        {
            throw new ArgumentException("a test cluster side needs a test store (the real shards run the real cluster side)", nameof(clusterFactory));
        }

        if (!hosted && clusterFactory is null && settings.Cluster is not null)
        {
            throw new InvalidOperationException("cluster mode needs the node's real shards (no store factory)");
        }

        if (settings.Server.RespPort == 0)
        {
            // The RESP port is published to the cluster (and told to tests) before Kestrel binds it.
            settings = settings with { Server = settings.Server with { RespPort = FreePort(settings.Server.EffectiveRespHost) } };
        }

        if (hosted && settings.Cluster is not null && settings.Server.Port == 0)
        {
            // Cluster mode publishes the client endpoint as a member role, so the port must be known
            // before the actor system starts: a configured 0 is resolved to a free port now.
            settings = settings with { Server = settings.Server with { Port = FreePort(settings.Server.Host) } };
        }

        bool clustered = hosted ? settings.Cluster is not null : clusterFactory is not null;
        var role = new ClusterRole(clustered);
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

        // The node as an Akka.Hosting application: the actor system, its member and IActorLsm, registered
        // before the lifecycle service and Kestrel, so they start first and stop last (NodeLifecycleService).
        var memberStarted = new TaskCompletionSource<ActorLsmMember>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (hosted)
        {
            AddAkka(builder.Services, settings, memberStarted);
        }

        Func<IServiceProvider, CancellationToken, Task<INodeStore>> open = hosted
            ? async (_, ct) =>
            {
                // Akka.Hosting has run the member's start by now (its hosted service awaits it); a failed start
                // fails the host's start here, before the listeners bind.
                ActorLsmMember member = await memberStarted.Task.WaitAsync(ct).ConfigureAwait(false);
                return new ShardedNodeStore(member.System, member, bound.Node);
            }
            : (sp, ct) => storeFactory!(bound, sp.GetRequiredService<ILoggerFactory>(), ct);
        Func<Task>? close = hosted ? () => memberStarted.Task.IsCompletedSuccessfully ? memberStarted.Task.Result.StopAsync() : Task.CompletedTask : null;
        builder.Services.AddSingleton(sp => new NodeLifecycleService(
            ct => open(sp, ct), store => storeBox.Value = store, close, sp.GetRequiredService<InFlightRequests>(), sp.GetRequiredService<ServerMetrics>(), sp.GetRequiredService<ILogger<ActorLsmServer>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeLifecycleService>());

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
        NodeLifecycleService lifecycle = app.Services.GetRequiredService<NodeLifecycleService>();
        try
        {
            logger.LogInformation("opening {Shards} shards in {DataDir}", settings.Node.ShardCount, Path.GetFullPath(settings.Node.DataDir));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Whatever started stops again: the member's shards close (their stores unlock) and the port is free.
            lifecycle.SkipDrain();
            await StopFailedStartAsync(app, hosted ? memberStarted.Task : null, storeBox.Value, hosted).ConfigureAwait(false);
            throw;
        }

        INodeStore store = storeBox.Value ?? throw new InvalidOperationException("the host started without the node's shards");
        ActorLsmMember? started = hosted ? await memberStarted.Task.ConfigureAwait(false) : null;
        int port = BoundPort(app, settings.Server.Port);
        var server = new ActorLsmServer(app, store, started, lifecycle, settings, port, role);
        role.Self = server.Endpoint;
        logger.LogInformation("serving clients on {Host}:{Port}", settings.Server.Host, port);
        if (settings.Server.RespPort is { } resp)
        {
            logger.LogInformation("serving RESP on {Host}:{Port}", settings.Server.EffectiveRespHost, resp);
        }

        if (clustered)
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

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl-C, or <see cref="StopAsync"/>).</summary>
    public Task WaitForStopSignalAsync()
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Stopping.Register(() => stopping.TrySetResult());
        return stopping.Task;
    }

    /// <summary>
    /// Graceful shutdown: leave the cluster (cluster mode, bounded by <see cref="LeaveTimeout"/>; not when
    /// downed), stop accepting, answer in-flight requests (up to the shutdown timeout), close the shards,
    /// run coordinated shutdown, terminate the actor system. Idempotent. Returns false when requests were
    /// still in flight at the timeout (their clients see the connection close).
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
            // A simulated crash: the shards go first (waiting requests fail), nothing is drained, and the actor
            // system stops without coordinated shutdown (akka.coordinated-shutdown.run-by-actor-system-terminate
            // = off), so no leave reaches the others: to them it is a crash.
            _lifecycle.SkipDrain();
            if (_store is ShardedNodeStore shards)
            {
                await shards.KillAsync().ConfigureAwait(false);
            }

            await _store.DisposeAsync().ConfigureAwait(false);
            if (_member is not null)
            {
                await _member.StopAsync().ConfigureAwait(false);
                await _member.System.Terminate().ConfigureAwait(false);
            }

            using var quick = new CancellationTokenSource(TimeSpan.Zero);
            await StopHostAsync(_app, quick.Token).ConfigureAwait(false);
            return false;
        }

        TimeSpan timeout = _settings.Server.ShutdownTimeout;
        _logger.LogInformation("stopping: no new connections; answering {InFlight} in-flight requests (up to {Timeout})", _inFlight.Count, timeout);
        _lifecycle.DrainUntil(DateTime.UtcNow + timeout);
        using (var cts = new CancellationTokenSource(timeout))
        {
            // Kestrel stops, the lifecycle service drains and closes the shards (the member's stop), Akka.Hosting runs coordinated shutdown.
            await StopHostAsync(_app, cts.Token).ConfigureAwait(false);
        }

        if (_member is not null)
        {
            // Already done by the lifecycle service; awaited again in case the host gave up waiting for it at the timeout.
            await _member.StopAsync().ConfigureAwait(false);
            await _member.System.Terminate().ConfigureAwait(false);
        }
        else
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        _logger.LogInformation("shards closed; stopped");
        return _lifecycle.Drained;
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

    /// <summary>
    /// The node's Akka.Hosting part: <c>AddAkka</c> with the actor system named <see cref="ClusterHost.SystemName"/>,
    /// the node's whole configuration in front (Akka's keys beside <c>actorlsm.*</c>; in cluster mode with this
    /// node's roles, <see cref="ClusterHost.ComposeConfig"/>, else the local provider), TLS on Akka.Remote when
    /// configured, and the member through WithActorLsm's code path (<see cref="ActorLsmMemberSetup"/>: the
    /// bound shard options, the published client endpoint, the start's outcome to <paramref name="started"/>);
    /// then <c>AddActorLsmClient</c>. Akka logs through the host's <c>ILoggerFactory</c> (Akka.Hosting's
    /// <c>LoggerFactorySetup</c>; reference.conf names its logger). Configuration errors surface here, before the host exists.
    /// </summary>
    private static void AddAkka(IServiceCollection services, ServerSettings settings, TaskCompletionSource<ActorLsmMember> started)
    {
        Config config = NodeAkkaConfig(settings);
        DotNettySslSetup? tls = settings.Cluster is not null && settings.Security.Tls.Remote ? RemoteTls.CreateSetup(settings.Security.Tls) : null;
        var setup = new ActorLsmMemberSetup
        {
            Node = settings.Node,
            ClientEndpoint = settings.Cluster is not null ? AdvertisedEndpointOf(settings.Server, settings.Server.Port) : string.Empty,

            // Akka runs coordinated shutdown when this member is Exiting after the server's leave, while the
            // server still serves: the shards close in the host's stop instead, after the drain.
            StopOnCoordinatedShutdown = false,
            Started = (member, error) =>
            {
                if (member is not null)
                {
                    started.TrySetResult(member);
                }
                else
                {
                    started.TrySetException(error!);
                }
            },
        };
        services.AddAkka(ClusterHost.SystemName, (akka, _) =>
        {
            // Not ConfigureLoggers: it would put its own akka.loglevel and akka.loggers in front of the node's.
            akka.AddHocon(config, HoconAddMode.Prepend);
            if (tls is not null)
            {
                akka.AddSetup(tls);
            }

            akka.WithActorLsmMember(setup);
        });
        services.AddActorLsmClient();
    }

    /// <summary>
    /// The node's Akka configuration: its whole configuration with the shards' dispatcher defaults under it;
    /// in cluster mode with the RESP endpoint role, TLS addresses when Akka.Remote runs TLS, and the cluster's
    /// defaults and this node's roles (<see cref="ClusterHost.ComposeConfig"/>); else the local provider.
    /// </summary>
    internal static Config NodeAkkaConfig(ServerSettings settings)
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

        if (settings.Cluster is not null && settings.Security.Tls.Remote)
        {
            config = RemoteTls.Apply(config);
        }

        return settings.Cluster is not null
            ? ClusterHost.ComposeConfig(config, AdvertisedEndpointOf(settings.Server, settings.Server.Port))
            : ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(config);
    }

    // REQUIRES: app.StartAsync failed. Stops what started (Akka's coordinated shutdown closes the member's shards),
    // terminates the actor system, closes a test's store.
    private static async Task StopFailedStartAsync(WebApplication app, Task<ActorLsmMember>? member, INodeStore? store, bool hosted)
    {
        using (var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await StopHostAsync(app, quick.Token).ConfigureAwait(false);
        }

        if (member is { IsCompletedSuccessfully: true })
        {
            await member.Result.StopAsync().ConfigureAwait(false);
        }

        if (hosted && app.Services.GetService<ActorSystem>() is { } system)
        {
            await system.Terminate().ConfigureAwait(false);
        }
        else if (store is not null)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }

        await app.DisposeAsync().ConfigureAwait(false);
    }

    // Host.StopAsync collects the hosted services' stop errors into one exception; a stop that timed out or
    // failed still leaves the server to finish it (the member's stop and the system's termination are awaited after).
    private static async Task StopHostAsync(WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or AggregateException)
        {
            app.Services.GetRequiredService<ILogger<ActorLsmServer>>().LogWarning("the host did not stop cleanly: {Message}", ex.Message);
        }
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

    // REQUIRES: called once, from StartAsync, after the listener is bound; factory is null exactly when the
    // node runs its own member (whose cluster side, reporter and replication glue are already running).
    private async Task StartClusterAsync(Func<INodeStore, string, CancellationToken, Task<IClusterNode>>? factory, CancellationToken ct)
    {
        IClusterNode cluster;
        ShardOwnership ownership;
        if (_member is { Cluster: { } host, Ownership: { } memberOwnership })
        {
            cluster = new ClusterHostNode(host);
            ownership = memberOwnership;
        }
        else
        {
            _logger.LogInformation("cluster mode: starting the cluster side; requests get UNAVAILABLE until it has started");
            cluster = await (factory ?? throw new InvalidOperationException("cluster mode without a cluster side"))(_store, AdvertisedEndpoint, ct).ConfigureAwait(false);
            ownership = new ShardOwnership(cluster.View);
            _reporter = new ShardVersionReporter(cluster.View, ownership, _store.StatusAsync, null, ActorLsmMember.ReportInterval, _logger);
        }

        _cluster = cluster;
        _role.Ownership = ownership;
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

    // REQUIRES: called from StopAsync only.
    private async Task StopClusterAsync()
    {
        if (_reporter is { } reporter)
        {
            await reporter.DisposeAsync().ConfigureAwait(false);
        }

        if (_member is not null)
        {
            // The member's version reporter and replication coordinator stop before the leave, as the server's own did.
            await _member.StopClusterGlueAsync().ConfigureAwait(false);
        }

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
