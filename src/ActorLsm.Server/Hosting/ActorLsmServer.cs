using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Connections;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Metrics;
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
    private int _stopped;

    private ActorLsmServer(WebApplication app, INodeStore store, ServerSettings settings, int port)
    {
        _app = app;
        _store = store;
        _settings = settings;
        _inFlight = app.Services.GetRequiredService<InFlightRequests>();
        _logger = app.Services.GetRequiredService<ILogger<ActorLsmServer>>();
        Port = port;
    }

    /// <summary>The TCP port the listener is bound to (the chosen one when configured as 0).</summary>
    public int Port { get; }

    /// <summary>The address the listener is bound to, <c>host:port</c>.</summary>
    public string Endpoint => $"{_settings.Server.Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The node's shards.</summary>
    public INodeStore Store => _store;

    /// <summary>The node's instruments.</summary>
    public ServerMetrics Metrics => _app.Services.GetRequiredService<ServerMetrics>();

    /// <summary>Cancelled when the host is asked to stop (SIGTERM, Ctrl-C, or <see cref="StopAsync"/>).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>
    /// Opens the shards, then starts listening. <paramref name="configureLogging"/> replaces the default
    /// logging (single-line console on stderr); <paramref name="storeFactory"/> replaces the real shards
    /// (tests). Throws what the shards throw on open (e.g. a corrupt store), or an <see cref="IOException"/>
    /// when the port cannot be bound; nothing is left running then.
    /// </summary>
    public static async Task<ActorLsmServer> StartAsync(
        ServerSettings settings,
        Action<ILoggingBuilder>? configureLogging = null,
        Func<ServerSettings, ILoggerFactory, CancellationToken, Task<INodeStore>>? storeFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
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
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Server.ShutdownTimeout);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(settings.Server);
        builder.Services.AddSingleton<INodeStore>(_ => storeBox.Value ?? throw new InvalidOperationException("the node's shards are not started"));
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<InFlightRequests>();
        builder.Services.AddSingleton(sp => new RequestDispatcher(
            sp.GetRequiredService<INodeStore>(), sp.GetRequiredService<ServerMetrics>(), sp.GetRequiredService<ILogger<RequestDispatcher>>(), Environment.MachineName, settings.Server.RequestTimeout));
        builder.Services.AddSingleton<ClientConnectionHandler>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = settings.Server.MaxConnections;
            kestrel.Listen(ResolveHost(settings.Server.Host), settings.Server.Port, listen => listen.UseConnectionHandler<ClientConnectionHandler>());
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
                : await ShardedNodeStore.StartAsync(settings.Node, settings.Kernel with { LoggerFactory = loggerFactory }, cancellationToken).ConfigureAwait(false);
            storeBox.Value = store;
            app.Services.GetRequiredService<ServerMetrics>().Attach(store);

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            int port = BoundPort(app, settings.Server.Port);
            logger.LogInformation("serving clients on {Host}:{Port}", settings.Server.Host, port);
            return new ActorLsmServer(app, store, settings, port);
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
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
