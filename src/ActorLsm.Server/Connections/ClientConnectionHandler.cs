using ActorLsm.Protocol;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Metrics;
using ActorLsm.Server.Security;
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
    private readonly Authenticator _authenticator;
    private int _open;

    public ClientConnectionHandler(IServiceProvider services, ServerOptions options, ServerMetrics metrics, InFlightRequests inFlight, ILogger<ClientConnectionHandler> logger, Authenticator authenticator)
    {
        _authenticator = authenticator;
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
        if (Interlocked.Increment(ref _open) > _options.MaxConnections)
        {
            try
            {
                await RefuseAsync(connection).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }

            return;
        }

        _metrics.ConnectionOpened();
        _logger.LogDebug("connection {ConnectionId} from {Remote} opened", connection.ConnectionId, connection.RemoteEndPoint);
        try
        {
            using var client = new ClientConnection(connection, _dispatcher.Value, _options, _metrics, _inFlight, _logger, _authenticator);
            await client.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            _metrics.ConnectionClosed();
            _logger.LogDebug("connection {ConnectionId} closed", connection.ConnectionId);
        }
    }

    // Over max-connections: the error frame (request id 0, PROTOCOL.md), then close. Reads nothing.
    private async Task RefuseAsync(ConnectionContext connection)
    {
        _logger.LogWarning("connection {ConnectionId} from {Remote} refused: {Max} connections open (actorlsm.server.max-connections)", connection.ConnectionId, connection.RemoteEndPoint, _options.MaxConnections);
        var refusal = new Response
        {
            Error = new Error { Code = ErrorCode.TooManyConnections, Message = $"the node serves max-connections ({_options.MaxConnections}) connections already; try later" },
        };
        try
        {
            FrameCodec.WriteFrame(connection.Transport.Output, refusal);
            await connection.Transport.Output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException or OperationCanceledException)
        {
            _logger.LogDebug("connection {ConnectionId}: refusal not delivered: {Message}", connection.ConnectionId, ex.Message);
        }
    }
}
