using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using ActorLsm.Protocol;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Metrics;
using ActorLsm.Server.Security;
using Google.Protobuf;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Connections;

/// <summary>
/// One client connection: a read loop that cuts frames off the transport and starts each request
/// without waiting for earlier ones (pipelining, at most <see cref="ServerOptions.MaxInFlightPerConnection"/>
/// at once), and responses framed in completion order and flushed once per burst. A response
/// ready at once (a get an unreplicated shard served on this thread) is written by the read loop
/// itself with the others of the same read, one flush per read and no hand-off; the others go
/// through a writer loop. The two take turns on the transport's output (<c>_output</c>). Bad input (PROTOCOL.md) gets its error frame after the earlier requests have been answered,
/// then the connection closes; nothing a client sends escapes as an exception.
/// </summary>
/// <remarks>
/// Security (PROTOCOL.md, "Authentication" and "Limits"): when the node has users, a connection starts
/// unauthenticated and every request but AuthRequest gets NOAUTH; an AuthRequest is checked by the node's
/// <see cref="Authenticator"/> on the read loop (so a connection's later requests run with its new role);
/// each request needs the permission of its kind (<see cref="Roles.Required"/>) or gets NO_PERMISSION. The
/// limits max-pipeline-depth, max-bulk-length and idle-timeout close the connection with their error frame.
/// </remarks>
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
    private readonly SemaphoreSlim _output = new(1, 1);   // held by whoever writes to the transport's output
    private readonly List<Response> _ready = [];           // responses of the current read that completed at once; read loop only
    private readonly Authenticator _authenticator;
    private Role? _role;
    private string _user = string.Empty;
    private int _executing;
    private bool _outputClosed; // a flush failed or the peer closed; guarded by _output

    public ClientConnection(ConnectionContext connection, RequestDispatcher dispatcher, ServerOptions options, ServerMetrics metrics, InFlightRequests inFlight, ILogger logger, Authenticator authenticator)
    {
        _connection = connection;
        _authenticator = authenticator;
        _role = authenticator.UnauthenticatedRole;
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
        TimeSpan idleTimeout = _options.IdleTimeout;
        CancellationTokenSource? idle = null;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    if (idleTimeout > TimeSpan.Zero)
                    {
                        // One timer per read, re-armed while it has not fired.
                        if (idle is null || idle.IsCancellationRequested)
                        {
                            idle?.Dispose();
                            idle = CancellationTokenSource.CreateLinkedTokenSource(closing);
                        }

                        idle.CancelAfter(idleTimeout);
                    }

                    result = await input.ReadAsync(idle?.Token ?? closing).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (closing.IsCancellationRequested)
                {
                    return null; // server shutdown: stop reading, answer what is in flight
                }
                catch (OperationCanceledException) when (idle is { IsCancellationRequested: true })
                {
                    if (Volatile.Read(ref _executing) > 0)
                    {
                        continue; // the client waits for answers: not idle
                    }

                    return ErrorResponse(0, ErrorCode.IdleTimeout, $"no request for {idleTimeout.TotalSeconds:0.###} s (actorlsm.server.idle-timeout); closing");
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                bool wholeRead = false; // every frame of this read was taken: the read loop writes _ready itself
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
                        catch (MalformedFrameException ex)
                        {
                            return ErrorResponse(0, ErrorCode.MalformedFrame, ex.Message);
                        }

                        if (request.BodyCase == Request.BodyOneofCase.None)
                        {
                            return ErrorResponse(request.RequestId, ErrorCode.UnknownMessage, "the request carries no body this node knows");
                        }

                        if (LongestBulk(request) > _options.MaxBulkLength)
                        {
                            return ErrorResponse(request.RequestId, ErrorCode.BulkTooLong, $"a key or value of {LongestBulk(request)} bytes exceeds max-bulk-length ({_options.MaxBulkLength} bytes)");
                        }

                        if (_options.MaxPipelineDepth > 0 && Volatile.Read(ref _executing) >= _options.MaxPipelineDepth)
                        {
                            return ErrorResponse(request.RequestId, ErrorCode.PipelineTooDeep, $"more than max-pipeline-depth ({_options.MaxPipelineDepth}) requests unanswered on this connection");
                        }

                        if (Admit(request) is { } refused)
                        {
                            _responses.Writer.TryWrite(refused);
                            continue;
                        }

                        // Backpressure: at the bound, stop taking frames until a response goes out.
                        if (!_slots.Wait(0))
                        {
                            await WriteReadyAsync().ConfigureAwait(false);
                            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                        }

                        _inFlight.Enter();
                        Interlocked.Increment(ref _executing);
                        Start(request);
                    }

                    wholeRead = true;
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (!wholeRead)
                    {
                        HandOverReady(); // an early return (bad input) or a throw: the writer loop sends them before the error
                    }
                }

                await WriteReadyAsync().ConfigureAwait(false);

                if (result.IsCompleted || result.IsCanceled)
                {
                    return null;
                }
            }
        }
        finally
        {
            idle?.Dispose();
        }
    }

    /// <summary>
    /// Authentication and roles: the response when the connection may not run <paramref name="request"/>
    /// (NOAUTH, NO_PERMISSION) or when the request is an AuthRequest (answered here); null to execute it.
    /// </summary>
    // REQUIRES: called on the read loop (it owns _role and _user).
    private Response? Admit(Request request)
    {
        if (request.BodyCase == Request.BodyOneofCase.Auth)
        {
            long started = Stopwatch.GetTimestamp();
            Response answer = Authenticate(request);
            _metrics.RequestCompleted("auth", answer.BodyCase == Response.BodyOneofCase.Error ? RequestDispatcher.StatusName(answer.Error.Code) : "ok", Stopwatch.GetElapsedTime(started));
            return answer;
        }

        if (_role is not { } role)
        {
            return ErrorResponse(request.RequestId, ErrorCode.Noauth, "authentication required: send an AuthRequest first");
        }

        Permission needed = Roles.Required(request.BodyCase);
        if (!role.Allows(needed))
        {
            _logger.LogWarning("connection {ConnectionId} from {Remote}: user {User} ({Role}) may not run {Op}", _connection.ConnectionId, _connection.RemoteEndPoint, _user, role.Name(), RequestDispatcher.OpName(request.BodyCase));
            return ErrorResponse(request.RequestId, ErrorCode.NoPermission, $"user {_user} has role {role.Name()}; {RequestDispatcher.OpName(request.BodyCase)} needs {(needed == Permission.Admin ? "admin" : "readwrite")}");
        }

        return null;
    }

    // REQUIRES: called on the read loop; request.BodyCase is Auth.
    private Response Authenticate(Request request)
    {
        AuthOutcome outcome = _authenticator.Authenticate(_connection.RemoteEndPoint, request.Auth.User, request.Auth.Password);
        switch (outcome.Status)
        {
            case AuthStatus.Ok:
                _role = outcome.User!.Role;
                _user = outcome.User.Name;
                return new Response
                {
                    RequestId = request.RequestId,
                    Auth = new AuthResponse { User = _user, Role = _role.Value.Name(), AuthEnabled = _authenticator.Required },
                };
            case AuthStatus.RateLimited:
                Response limited = ErrorResponse(request.RequestId, ErrorCode.AuthRateLimited, $"too many failed authentications from this address; retry in {(long)Math.Ceiling(outcome.RetryAfter.TotalMilliseconds)} ms");
                limited.Error.RetryAfterMs = (ulong)Math.Ceiling(outcome.RetryAfter.TotalMilliseconds);
                return limited;
            default:
                return ErrorResponse(request.RequestId, ErrorCode.Wrongpass, "invalid user name or password");
        }
    }

    /// <summary>Length of the longest key, value, bound, user name or password in <paramref name="request"/>.</summary>
    private static long LongestBulk(Request request) => request.BodyCase switch
    {
        Request.BodyOneofCase.Put => Math.Max(request.Put.Key.Length, request.Put.Value.Length),
        Request.BodyOneofCase.Get => request.Get.Key.Length,
        Request.BodyOneofCase.Delete => request.Delete.Key.Length,
        Request.BodyOneofCase.Scan => Math.Max(request.Scan.HasStart ? request.Scan.Start.Length : 0, request.Scan.HasEnd ? request.Scan.End.Length : 0),
        Request.BodyOneofCase.Batch => request.Batch.Ops.Count == 0 ? 0 : request.Batch.Ops.Max(op => Math.Max(op.Key.Length, op.Value.Length)),
        Request.BodyOneofCase.Auth => Math.Max(request.Auth.User.Length, request.Auth.Password.Length),
        _ => 0,
    };

    /// <summary>Starts <paramref name="request"/>: a response ready at once joins <c>_ready</c>, any other is awaited off the read loop.</summary>
    // REQUIRES: called on the read loop, with a slot taken and the request counted as executing.
    private void Start(Request request)
    {
        Task<Response> handled = _dispatcher.HandleAsync(request, CancellationToken.None);
        if (handled.IsCompletedSuccessfully)
        {
            _ready.Add(handled.Result);
            Interlocked.Decrement(ref _executing);
            _inFlight.Exit();
            _slots.Release();
            return;
        }

        _ = ProcessAsync(request, handled);
    }

    /// <summary>Writes the responses of this read that were ready at once, and any queued, with one flush; the writer loop takes them when it holds the output.</summary>
    // REQUIRES: called on the read loop.
    private async Task WriteReadyAsync()
    {
        if (_ready.Count == 0)
        {
            return;
        }

        if (!_output.Wait(0))
        {
            HandOverReady(); // the writer loop is flushing: it sends these next
            return;
        }

        try
        {
            PipeWriter output = _connection.Transport.Output;
            long bytes = 0;
            foreach (Response response in _ready)
            {
                bytes += Frame(output, response);
            }

            _ready.Clear();
            while (_responses.Reader.TryRead(out Response? queued))
            {
                bytes += Frame(output, queued);
            }

            await FlushAsync(output, bytes, byReadLoop: true).ConfigureAwait(false);
        }
        finally
        {
            _output.Release();
        }
    }

    /// <summary>Moves the responses ready at once to the writer loop's queue. REQUIRES: called on the read loop.</summary>
    private void HandOverReady()
    {
        foreach (Response response in _ready)
        {
            _responses.Writer.TryWrite(response);
        }

        _ready.Clear();
    }

    private async Task ProcessAsync(Request request, Task<Response> handled)
    {
        try
        {
            Response response = await handled.ConfigureAwait(false);
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
            Interlocked.Decrement(ref _executing);
            _inFlight.Exit();
            _slots.Release();
        }
    }

    private async Task WriteLoopAsync()
    {
        PipeWriter output = _connection.Transport.Output;
        ChannelReader<Response> responses = _responses.Reader;
        while (await responses.WaitToReadAsync().ConfigureAwait(false))
        {
            await _output.WaitAsync().ConfigureAwait(false);
            try
            {
                long bytes = 0;
                while (responses.TryRead(out Response? response))
                {
                    bytes += Frame(output, response);
                }

                if (bytes > 0)
                {
                    await FlushAsync(output, bytes, byReadLoop: false).ConfigureAwait(false);
                }
            }
            finally
            {
                _output.Release();
            }
        }

        Debug.Assert(_responses.Reader.Completion.IsCompleted, "the writer stops only after the channel completes");
    }

    /// <summary>Frames <paramref name="response"/> into <paramref name="output"/> unless the output is closed; returns the bytes written. REQUIRES: the caller holds <c>_output</c>.</summary>
    private long Frame(PipeWriter output, Response response)
    {
        if (_outputClosed)
        {
            return 0;
        }

        FrameCodec.WriteFrame(output, response);
        return FrameCodec.HeaderSize + response.CalculateSize();
    }

    /// <summary>Flushes the output; a failure or a closed peer marks it closed, and later responses are dropped. REQUIRES: the caller holds <c>_output</c>.</summary>
    private async Task FlushAsync(PipeWriter output, long bytes, bool byReadLoop)
    {
        if (_outputClosed)
        {
            return;
        }

        _metrics.ResponsesFlushed(byReadLoop);
        try
        {
            FlushResult flushed = await output.FlushAsync().ConfigureAwait(false);
            _metrics.BytesSent(bytes);
            _outputClosed = flushed.IsCompleted || flushed.IsCanceled;
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException or OperationCanceledException)
        {
            _logger.LogDebug("connection {ConnectionId}: write failed: {Message}", _connection.ConnectionId, ex.Message);
            _outputClosed = true;
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        _output.Dispose();
    }

    private static Response ErrorResponse(ulong requestId, ErrorCode code, string message) =>
        new() { RequestId = requestId, Error = new Error { Code = code, Message = message } };
}
