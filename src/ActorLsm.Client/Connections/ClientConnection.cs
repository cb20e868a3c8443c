using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Connections;

/// <summary>
/// One TCP connection to a node, pipelining requests (PROTOCOL.md). Callers serialize their
/// request frame synchronously into an in-memory pipe; one writer loop drains whatever has
/// accumulated into as few socket writes as possible (a natural group commit of frames), and one
/// reader loop parses response frames and completes the pending request with the same request id.
/// When anything breaks, the connection closes once and fails every pending request.
/// </summary>
internal sealed class ClientConnection
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly Pipe _outbound;
    private readonly PipeReader _input;
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();
    private readonly Lock _writeLock = new();
    private readonly int _maxFrameSize;
    private readonly long _timeoutMs;
    private readonly Action<ClientConnection> _onClosed;
    private long _nextRequestId;
    private int _closed;
    private long _responses;
    private Task _loops = Task.CompletedTask;

    private ClientConnection(NodeEndpoint endpoint, Socket socket, Stream stream, ActorLsmClientOptions options, Action<ClientConnection> onClosed)
    {
        Endpoint = endpoint;
        _socket = socket;
        _stream = stream;
        _maxFrameSize = options.MaxFrameSize;
        // Saturated so that now + timeout cannot overflow.
        _timeoutMs = (long)Math.Min(options.RequestTimeout.TotalMilliseconds, long.MaxValue / 4);
        _onClosed = onClosed;
        // No writer back-pressure: a flush always completes synchronously, so callers may flush
        // under the write lock. The in-flight volume is bounded by the callers themselves.
        _outbound = new Pipe(new PipeOptions(
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: 16 * 1024,
            useSynchronizationContext: false));
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        OpenedMs = Environment.TickCount64;
    }

    public NodeEndpoint Endpoint { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Requests sent and neither answered, timed out, cancelled nor failed.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Responses received so far (any outcome).</summary>
    public long ResponseCount => Interlocked.Read(ref _responses);

    /// <summary>The <see cref="Environment.TickCount64"/> at which the connection was opened.</summary>
    public long OpenedMs { get; }

    /// <summary>Completes when both loops have ended (after the connection closed).</summary>
    public Task Completion => _loops;

    /// <summary>
    /// Opens a connection: TCP, then the TLS handshake (with <see cref="ActorLsmClientOptions.Tls"/>) within
    /// <see cref="ActorLsmClientOptions.ConnectTimeout"/>, then the AuthRequest (with
    /// <see cref="ActorLsmClientOptions.User"/>) within <see cref="ActorLsmClientOptions.RequestTimeout"/>. Throws <see cref="TimeoutException"/> on timeout,
    /// <see cref="SocketException"/> when refused or unreachable, <see cref="System.Security.Authentication.AuthenticationException"/>
    /// when the TLS handshake fails (e.g. the node's certificate does not chain to the CA file),
    /// <see cref="ActorLsmException"/> (WRONGPASS, AUTH_RATE_LIMITED) when authentication is refused,
    /// <see cref="OperationCanceledException"/> when <paramref name="disposing"/> fires.
    /// </summary>
    public static async Task<ClientConnection> ConnectAsync(
        NodeEndpoint endpoint, ActorLsmClientOptions options, Action<ClientConnection> onClosed, CancellationToken disposing)
    {
        Socket socket = endpoint.CreateSocket();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(disposing);
            timeout.CancelAfter(options.ConnectTimeout);
            Stream stream;
            try
            {
                await socket.ConnectAsync(endpoint.EndPoint, timeout.Token).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: false);
                if (options.Tls is { } tls)
                {
                    stream = await ClientTls.AuthenticateAsync(stream, endpoint, tls, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!disposing.IsCancellationRequested)
            {
                throw new TimeoutException($"connecting to {endpoint} did not complete within {options.ConnectTimeout}");
            }

            var connection = new ClientConnection(endpoint, socket, stream, options, onClosed);
            connection.Start();
            if (options.User is { } user)
            {
                // The password check costs the node a PBKDF2 run: bounded like a request, not like a TCP connect.
                using var authTimeout = CancellationTokenSource.CreateLinkedTokenSource(disposing);
                authTimeout.CancelAfter(options.RequestTimeout);
                await connection.AuthenticateAsync(user, options.Password ?? string.Empty, authTimeout.Token, disposing).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // REQUIRES: called once from ConnectAsync, before the connection is handed out.
    private async Task AuthenticateAsync(string user, string password, CancellationToken timeout, CancellationToken disposing)
    {
        var request = new Request { Auth = new AuthRequest { User = user, Password = password } };
        try
        {
            await Send(request, Response.BodyOneofCase.Auth, timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!disposing.IsCancellationRequested)
        {
            Close("authentication timed out", null);
            throw new TimeoutException($"authenticating to {Endpoint} did not complete within the request timeout");
        }
        catch
        {
            Close("authentication failed", null);
            throw;
        }
    }

    private void Start()
    {
        Task writer = Task.Run(WriteLoopAsync);
        Task reader = Task.Run(ReadLoopAsync);
        _loops = Task.WhenAll(writer, reader);
    }

    /// <summary>
    /// Assigns <paramref name="request"/> a request id, serializes it as one frame into the outbound
    /// pipe and returns the task of its response. The request object is no longer referenced when
    /// this returns, so callers may reuse it and the buffers it wraps.
    /// </summary>
    /// <exception cref="ArgumentException">The request frame exceeds <see cref="ActorLsmClientOptions.MaxFrameSize"/>.</exception>
    public Task<Response> Send(Request request, Response.BodyOneofCase expected, CancellationToken cancellationToken)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextRequestId);
        request.RequestId = id;
        int size = request.CalculateSize();
        if (size > _maxFrameSize)
        {
            // Sending it would make the node close the connection under every other pipelined request.
            throw new ArgumentException($"the request frame is {size} bytes, over the limit of {_maxFrameSize} bytes; nothing was sent");
        }

        var pending = new PendingRequest(this, id, expected, Environment.TickCount64 + _timeoutMs);
        _pending[id] = pending;
        bool written = false;
        lock (_writeLock)
        {
            if (IsOpen)
            {
                FrameCodec.WriteFrame(_outbound.Writer, request);
                // Completes synchronously: the pipe never pauses its writer.
                _ = _outbound.Writer.FlushAsync(CancellationToken.None);
                written = true;
            }
        }

        if (!written || !IsOpen)
        {
            // Closed before or while sending: Close may have swept the table before this entry was added.
            if (_pending.TryRemove(id, out _))
            {
                pending.Fail(ConnectionLost(written ? "the connection closed while the request was sent" : "the connection is closed", null));
            }

            return pending.Task;
        }

        if (cancellationToken.CanBeCanceled)
        {
            pending.SetRegistration(cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var request = (PendingRequest)state!;
                    if (request.Owner._pending.TryRemove(request.RequestId, out _))
                    {
                        request.TrySetCanceled(token);
                    }
                },
                pending));
        }

        return pending.Task;
    }

    /// <summary>Fails with <see cref="TimeoutException"/> every pending request whose deadline is at or before <paramref name="nowMs"/>.</summary>
    public void ExpireOverdue(long nowMs)
    {
        foreach (KeyValuePair<ulong, PendingRequest> entry in _pending)
        {
            if (entry.Value.DeadlineMs <= nowMs && _pending.TryRemove(entry.Key, out PendingRequest? request))
            {
                request.Fail(new TimeoutException(
                    $"no response from {Endpoint} within {TimeSpan.FromMilliseconds(_timeoutMs)} to request {entry.Key}; "
                    + "the outcome of a write is unknown"));
            }
        }
    }

    /// <summary>
    /// Closes the connection (once): stops both loops, closes the socket and fails every pending
    /// request with <see cref="ActorLsmConnectionException"/> naming <paramref name="reason"/>.
    /// </summary>
    public void Close(string reason, Exception? cause)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        lock (_writeLock)
        {
            _outbound.Writer.Complete();
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        if (_stream is not NetworkStream)
        {
            // The TLS stream owns buffers and its inner NetworkStream; the socket is already closed.
            _stream.Dispose();
        }

        foreach (KeyValuePair<ulong, PendingRequest> entry in _pending)
        {
            if (_pending.TryRemove(entry.Key, out PendingRequest? request))
            {
                request.Fail(ConnectionLost(reason, cause));
            }
        }

        _onClosed(this);
        AssertInvariants();
    }

    private ActorLsmConnectionException ConnectionLost(string reason, Exception? cause)
    {
        string message = $"connection to {Endpoint} failed before the response arrived ({reason}); the outcome of a write is unknown";
        return cause is null ? new ActorLsmConnectionException(message) : new ActorLsmConnectionException(message, cause);
    }

    private async Task WriteLoopAsync()
    {
        PipeReader frames = _outbound.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await frames.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    await _stream.WriteAsync(segment).ConfigureAwait(false);
                }

                frames.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close("sending failed: " + e.Message, e);
        }
        finally
        {
            await frames.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (FrameCodec.TryReadFrame(ref buffer, _maxFrameSize, out ReadOnlySequence<byte> body))
                {
                    Response response = FrameCodec.ParseResponse(body);
                    if (!Dispatch(response))
                    {
                        return;
                    }
                }

                if (result.IsCompleted)
                {
                    Close(buffer.IsEmpty ? "the node closed the connection" : "the node closed the connection inside a frame", null);
                    return;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (FrameTooLargeException e)
        {
            Close("response frame too large: " + e.Message, e);
        }
        catch (MalformedFrameException e)
        {
            Close("response frame did not parse: " + e.Message, e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close("receiving failed: " + e.Message, e);
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Completes the request <paramref name="response"/> answers. Returns false when the connection was closed.</summary>
    // REQUIRES: called on the reader loop.
    private bool Dispatch(Response response)
    {
        Interlocked.Increment(ref _responses);
        if (!_pending.TryRemove(response.RequestId, out PendingRequest? request))
        {
            if (response.RequestId == 0 && response.BodyCase == Response.BodyOneofCase.Error)
            {
                // A connection-level error (PROTOCOL.md): the node closes the connection after it.
                Close($"the node reported {response.Error.Code}: {response.Error.Message}", new ActorLsmException(response.Error.Code, response.Error.Message));
                return false;
            }

            // Timed out or cancelled earlier: the late response is dropped.
            return true;
        }

        if (response.BodyCase == Response.BodyOneofCase.Error)
        {
            request.Fail(Requests.ResponseErrors.ToException(response.Error));
            return true;
        }

        if (response.BodyCase != request.Expected)
        {
            string reason = $"protocol violation: request {request.RequestId} expected a {request.Expected} response but got {response.BodyCase}";
            request.Fail(ConnectionLost(reason, null));
            Close(reason, null);
            return false;
        }

        request.Complete(response);
        return true;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Interlocked.Read(ref _nextRequestId) >= 0, "request ids only grow");
        Debug.Assert(_closed is 0 or 1, "closed is a flag");
        Debug.Assert(Interlocked.Read(ref _responses) >= 0, "response count only grows");
    }
}
