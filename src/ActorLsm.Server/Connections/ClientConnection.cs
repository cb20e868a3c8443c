using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using ActorLsm.Protocol;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Metrics;
using Google.Protobuf;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Connections;

/// <summary>
/// One client connection: a read loop that cuts frames off the transport and starts each request
/// without waiting for earlier ones (pipelining, at most <see cref="ServerOptions.MaxInFlightPerConnection"/>
/// at once), and a single writer that frames the responses in completion order and flushes once per
/// burst. Bad input (PROTOCOL.md) gets its error frame after the earlier requests have been answered,
/// then the connection closes; nothing a client sends escapes as an exception.
/// </summary>
internal sealed class ClientConnection : IDisposable
{
    private readonly ConnectionContext _connection;
    private readonly RequestDispatcher _dispatcher;
    private readonly ServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly InFlightRequests _inFlight;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Channel<Response> _responses = Channel.CreateUnbounded<Response>(new UnboundedChannelOptions { SingleReader = true });

    public ClientConnection(ConnectionContext connection, RequestDispatcher dispatcher, ServerOptions options, ServerMetrics metrics, InFlightRequests inFlight, ILogger logger)
    {
        _connection = connection;
        _dispatcher = dispatcher;
        _options = options;
        _metrics = metrics;
        _inFlight = inFlight;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxInFlightPerConnection, options.MaxInFlightPerConnection);
    }

    /// <summary>Serves the connection until the client closes it, sends bad input, or the server shuts down.</summary>
    public async Task RunAsync()
    {
        Task writer = WriteLoopAsync();
        Response? fatal = null;
        try
        {
            fatal = await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException or ConnectionAbortedException or InvalidOperationException)
        {
            _logger.LogDebug("connection {ConnectionId}: read ended: {Message}", _connection.ConnectionId, ex.Message);
        }

        // Answer everything already started, then the fatal error (if any), then close.
        for (int i = 0; i < _options.MaxInFlightPerConnection; i++)
        {
            await _slots.WaitAsync().ConfigureAwait(false);
        }

        if (fatal is not null)
        {
            _logger.LogWarning("connection {ConnectionId} from {Remote}: {Code} ({Message}); closing", _connection.ConnectionId, _connection.RemoteEndPoint, fatal.Error.Code, fatal.Error.Message);
            _responses.Writer.TryWrite(fatal);
        }

        _responses.Writer.TryComplete();
        await writer.ConfigureAwait(false);
    }

    /// <summary>Reads frames until the end of input; returns the error frame to send when the input was bad.</summary>
    private async Task<Response?> ReadLoopAsync()
    {
        PipeReader input = _connection.Transport.Input;
        CancellationToken closing = _connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(closing).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (closing.IsCancellationRequested)
            {
                return null; // server shutdown: stop reading, answer what is in flight
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (true)
                {
                    ReadOnlySequence<byte> body;
                    try
                    {
                        if (!FrameCodec.TryReadFrame(ref buffer, _options.MaxFrameSize, out body))
                        {
                            break;
                        }
                    }
                    catch (FrameTooLargeException ex)
                    {
                        return ErrorResponse(0, ErrorCode.FrameTooLarge, ex.Message);
                    }

                    _metrics.BytesReceived(FrameCodec.HeaderSize + body.Length);
                    Request request;
                    try
                    {
                        request = FrameCodec.ParseRequest(body);
                    }
                    catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException or InvalidOperationException)
                    {
                        return ErrorResponse(0, ErrorCode.MalformedFrame, "the frame body is not a Request: " + ex.Message);
                    }

                    if (request.BodyCase == Request.BodyOneofCase.None)
                    {
                        return ErrorResponse(request.RequestId, ErrorCode.UnknownMessage, "the request carries no body this node knows");
                    }

                    // Backpressure: at the bound, stop taking frames until a response goes out.
                    await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    _inFlight.Enter();
                    _ = ProcessAsync(request);
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    private async Task ProcessAsync(Request request)
    {
        try
        {
            Response response = await _dispatcher.HandleAsync(request, CancellationToken.None).ConfigureAwait(false);
            _responses.Writer.TryWrite(response);
        }
        catch (Exception ex)
        {
            // HandleAsync turns failures into error responses; reaching here is a bug.
            _logger.LogError(ex, "connection {ConnectionId}: request {RequestId} failed outside the dispatcher", _connection.ConnectionId, request.RequestId);
            _responses.Writer.TryWrite(ErrorResponse(request.RequestId, ErrorCode.Internal, ex.Message));
        }
        finally
        {
            _inFlight.Exit();
            _slots.Release();
        }
    }

    private async Task WriteLoopAsync()
    {
        PipeWriter output = _connection.Transport.Output;
        ChannelReader<Response> responses = _responses.Reader;
        bool open = true;
        while (await responses.WaitToReadAsync().ConfigureAwait(false))
        {
            long bytes = 0;
            while (responses.TryRead(out Response? response))
            {
                if (open)
                {
                    bytes += FrameCodec.HeaderSize + response.CalculateSize();
                    FrameCodec.WriteFrame(output, response);
                }
            }

            if (!open)
            {
                continue;
            }

            try
            {
                FlushResult flushed = await output.FlushAsync().ConfigureAwait(false);
                _metrics.BytesSent(bytes);
                open = !flushed.IsCompleted && !flushed.IsCanceled;
            }
            catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException or OperationCanceledException)
            {
                _logger.LogDebug("connection {ConnectionId}: write failed: {Message}", _connection.ConnectionId, ex.Message);
                open = false;
            }
        }

        Debug.Assert(_responses.Reader.Completion.IsCompleted, "the writer stops only after the channel completes");
    }

    public void Dispose() => _slots.Dispose();

    private static Response ErrorResponse(ulong requestId, ErrorCode code, string message) =>
        new() { RequestId = requestId, Error = new Error { Code = code, Message = message } };
}
