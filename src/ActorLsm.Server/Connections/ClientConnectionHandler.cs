using ActorLsm.Server.Configuration;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Connections;

/// <summary>
/// Kestrel's entry point for client TCP connections (bound with
/// <c>ListenOptions.UseConnectionHandler&lt;ClientConnectionHandler&gt;()</c>): serves each connection
/// with a <see cref="ClientConnection"/> until it closes. One instance serves all connections.
/// </summary>
public sealed class ClientConnectionHandler : ConnectionHandler
{
    private readonly Lazy<RequestDispatcher> _dispatcher;
    private readonly ServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly InFlightRequests _inFlight;
    private readonly ILogger<ClientConnectionHandler> _logger;

    public ClientConnectionHandler(IServiceProvider services, ServerOptions options, ServerMetrics metrics, InFlightRequests inFlight, ILogger<ClientConnectionHandler> logger)
    {
        // Kestrel builds the handler with the server; the shards (and so the dispatcher) exist only
        // once they have opened, which is before the first connection is accepted.
        _dispatcher = new Lazy<RequestDispatcher>(services.GetRequiredService<RequestDispatcher>);
        _options = options;
        _metrics = metrics;
        _inFlight = inFlight;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _metrics.ConnectionOpened();
        _logger.LogDebug("connection {ConnectionId} from {Remote} opened", connection.ConnectionId, connection.RemoteEndPoint);
        try
        {
            using var client = new ClientConnection(connection, _dispatcher.Value, _options, _metrics, _inFlight, _logger);
            await client.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _metrics.ConnectionClosed();
            _logger.LogDebug("connection {ConnectionId} closed", connection.ConnectionId);
        }
    }
}
