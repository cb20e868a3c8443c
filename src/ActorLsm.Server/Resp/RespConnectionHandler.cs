using ActorLsm.Resp;
using ActorLsm.Server.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Resp;

/// <summary>
/// Kestrel's entry point for RESP connections (bound with <c>UseConnectionHandler&lt;RespConnectionHandler&gt;()</c>
/// when <c>actorlsm.resp.port</c> is set): serves each with a <see cref="RespSession"/> of the node's
/// <see cref="RespService"/> until it closes.
/// </summary>
internal sealed class RespConnectionHandler : ConnectionHandler
{
    private readonly Lazy<RespService> _service;
    private readonly ServerMetrics _metrics;
    private readonly ILogger<RespConnectionHandler> _logger;

    public RespConnectionHandler(Lazy<RespService> service, ServerMetrics metrics, ILogger<RespConnectionHandler> logger)
    {
        _service = service;
        _metrics = metrics;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _metrics.ConnectionOpened();
        _logger.LogDebug("RESP connection {ConnectionId} from {Remote} opened", connection.ConnectionId, connection.RemoteEndPoint);
        try
        {
            var session = new RespSession(_service.Value, connection.RemoteEndPoint?.ToString() ?? string.Empty);
            await session.RunAsync(connection.Transport, connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogWarning("RESP connection {ConnectionId} failed: {Message}", connection.ConnectionId, ex.Message);
        }
        finally
        {
            _metrics.ConnectionClosed();
            _logger.LogDebug("RESP connection {ConnectionId} closed", connection.ConnectionId);
        }
    }
}
