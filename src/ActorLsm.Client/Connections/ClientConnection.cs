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
/// request frame synchronously into the connection's outbound buffer; one flush at a time writes
/// whatever has accumulated with one socket write (a natural group commit of frames). A flush is
/// started by the first caller that finds none running (as a thread-pool work item queued behind
/// the callers already runnable, so they join it) or, for requests sent by continuations that ran
/// on the reader, by the reader once it has dispatched the whole read. One reader loop parses
/// every response frame of a read and completes the pending request with the same request id;
/// with <see cref="ActorLsmClientOptions.InlineCompletions"/> the callers' continuations run right
/// there, so a read of N responses leads to one write of the N next requests without a thread hop;
/// that reader is then a dedicated thread blocked in the socket read (the kernel wakes it, not a
/// thread-pool worker), otherwise an async loop on the thread pool. No thread ever blocks on a
/// socket write: a write the kernel cannot take at once is finished asynchronously while the reader
/// goes on reading (so a node that is itself waiting for its responses to be read cannot deadlock
/// with it). When anything breaks, the connection closes once and fails every pending request.
/// </summary>
internal sealed class ClientConnection : IThreadPoolWorkItem
{
    /// <summary>Initial size of an outbound buffer (bytes); a flush swaps two of them.</summary>
    private const int InitialBufferSize = 16 * 1024;

    /// <summary>A buffer grown past this (by large puts) is dropped after its flush instead of kept.</summary>
    private const int MaxRetainedBufferSize = 1024 * 1024;

    /// <summary>Longest single poll(2) while a dedicated reader's connect is under way (microseconds); cancellation is seen between polls.</summary>
    private const int ConnectPollSliceMicros = 50_000;

    [ThreadStatic]
    private static ClientConnection? t_dispatching;   // the connection whose read this thread is dispatching, if any

    [ThreadStatic]
    private static List<ClientConnection>? t_deferredFlushes;   // other connections this reader flushes once its dispatch ends

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader? _input;   // the async read loop's; null with a dedicated reader
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();
    private readonly Lock _writeLock = new();   // guards _filling, _spare and _flushing
    private readonly bool _inlineCompletions;
    private ArrayBufferWriter<byte> _filling = new(InitialBufferSize);   // frames not yet handed to a flush
    private ArrayBufferWriter<byte>? _spare = new(InitialBufferSize);    // null while a flush writes it
    private bool _flushing;             // a flush is queued or running; it drains _filling before it clears this
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
        _inlineCompletions = options.InlineCompletions;
        _input = _inlineCompletions ? null : PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        OpenedMs = Environment.TickCount64;
    }

    public NodeEndpoint Endpoint { get; }

    /// <summary>The connection whose responses the calling thread is dispatching (its reader, inside a read), or null.</summary>
    public static ClientConnection? DispatchingOnThisThread => t_dispatching;

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Requests sent and neither answered, timed out, cancelled nor failed.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Responses received so far (any outcome).</summary>
    public long ResponseCount => Interlocked.Read(ref _responses);

    /// <summary>The <see cref="Environment.TickCount64"/> at which the connection was opened.</summary>
    public long OpenedMs { get; }

    /// <summary>Completes when the read loop has ended (after the connection closed); a flush still running then fails at once on the closed socket.</summary>
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
                if (options.InlineCompletions)
                {
                    await ConnectBlockingAsync(socket, endpoint, timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    await socket.ConnectAsync(endpoint.EndPoint, timeout.Token).ConfigureAwait(false);
                }

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

    /// <summary>
    /// Connects <paramref name="socket"/> without the runtime's socket engine, so that it never
    /// registers the socket: an async connect that has to wait adds it to the engine's epoll set, whose
    /// thread (and a thread-pool worker) would then wake for every read the dedicated reader does
    /// itself. A non-blocking connect(2) is started and poll(2) waits for it on a thread of its own, in
    /// slices, so <paramref name="cancellation"/> (the connect timeout or the client's disposal) ends the
    /// wait within one slice with <see cref="OperationCanceledException"/>; the socket is blocking again
    /// afterwards. Throws <see cref="SocketException"/> when the connect is refused or fails.
    /// </summary>
    private static Task ConnectBlockingAsync(Socket socket, NodeEndpoint endpoint, CancellationToken cancellation) =>
        Task.Factory.StartNew(
            static state =>
            {
                var (s, e, token) = ((Socket, NodeEndpoint, CancellationToken))state!;
                s.Blocking = false;
                try
                {
                    s.Connect(e.EndPoint);
                }
                catch (SocketException started) when (started.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    while (!s.Poll(ConnectPollSliceMicros, SelectMode.SelectWrite))
                    {
                        token.ThrowIfCancellationRequested();
                    }

                    token.ThrowIfCancellationRequested();
                    if (s.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error && error != 0)
                    {
                        throw new SocketException(error);
                    }
                }

                s.Blocking = true;
                if (!s.Connected)
                {
                    throw new SocketException((int)SocketError.NotConnected);
                }
            },
            (socket, endpoint, cancellation),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

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
        if (!_inlineCompletions)
        {
            _loops = Task.Run(ReadLoopAsync);
            return;
        }

        // Inline completions: the reader is a thread of its own that blocks in the socket read, so a
        // read's responses, the callers' continuations and the flush of the requests they send all
        // run on the thread the kernel wakes, with no thread-pool worker woken (or spinning) per read.
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = new Thread(() =>
        {
            try
            {
                ReadLoopBlocking();
            }
            finally
            {
                ended.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "actorlsm-client-reader",
        };
        _loops = ended.Task;
        reader.Start();
    }

    /// <summary>
    /// Assigns <paramref name="request"/> a request id, serializes it as one frame into the outbound
    /// buffer and returns the task of its response; the frame leaves with the next flush, which this
    /// call queues when none is queued or running. The request object is no longer referenced when
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

        var pending = new PendingRequest(this, id, expected, Environment.TickCount64 + _timeoutMs, _inlineCompletions);
        _pending[id] = pending;
        bool written = false;
        bool startFlush = false;
        lock (_writeLock)
        {
            if (IsOpen)
            {
                FrameCodec.WriteFrame(_filling, request, size);
                written = true;
                // On the reader, mid-dispatch: the reader flushes once the whole read is dispatched.
                if (!_flushing && !ReferenceEquals(t_dispatching, this))
                {
                    _flushing = true;
                    startFlush = true;
                }
            }
        }

        if (startFlush)
        {
            if (t_dispatching is not null)
            {
                // Sent by a continuation on another connection's reader (a request for another node or
                // connection): that reader flushes it once its dispatch ends, with no thread-pool hop.
                (t_deferredFlushes ??= []).Add(this);
            }
            else
            {
                // Global queue: callers already runnable (e.g. continuations of one read) append first.
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        if (!written || !IsOpen)
        {
            // Closed before or while sending: Close may have swept the table before this entry was added.
            if (_pending.TryRemove(id, out _))
            {
                pending.FailDetached(ConnectionLost(written ? "the connection closed while the request was sent" : "the connection is closed", null));
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
                        request.FailDetached(new OperationCanceledException(token));
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
                request.FailDetached(new TimeoutException(
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
                request.FailDetached(ConnectionLost(reason, cause));
            }
        }

        _onClosed(this);
        lock (_writeLock)
        {
            AssertInvariants();
        }
    }

    private ActorLsmConnectionException ConnectionLost(string reason, Exception? cause)
    {
        string message = $"connection to {Endpoint} failed before the response arrived ({reason}); the outcome of a write is unknown";
        return cause is null ? new ActorLsmConnectionException(message) : new ActorLsmConnectionException(message, cause);
    }

    /// <summary>Runs a flush queued by <see cref="Send"/>.</summary>
    void IThreadPoolWorkItem.Execute() => _ = FlushAsync();

    /// <summary>
    /// Writes the outbound buffer, again and again while callers keep adding to it, then clears
    /// <c>_flushing</c>. Returns at the first write the socket does not take at once, which then
    /// finishes (and the flush goes on) asynchronously: the calling thread never blocks on the socket.
    /// A failed write closes the connection.
    /// </summary>
    // REQUIRES: the caller set _flushing (under _writeLock); one flush runs at a time.
    private async Task FlushAsync()
    {
        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> batch;
                lock (_writeLock)
                {
                    if (_filling.WrittenCount == 0 || !IsOpen)
                    {
                        _flushing = false;
                        return;
                    }

                    batch = _filling;
                    _filling = _spare ?? new ArrayBufferWriter<byte>(InitialBufferSize);
                    _spare = null;
                }

                ValueTask write = _stream.WriteAsync(batch.WrittenMemory);
                if (!write.IsCompletedSuccessfully)
                {
                    await write.ConfigureAwait(false);
                }

                batch.ResetWrittenCount();
                lock (_writeLock)
                {
                    _spare = batch.Capacity <= MaxRetainedBufferSize ? batch : null;
                    AssertInvariants();
                }
            }
        }
        catch (Exception e)
        {
            Close("sending failed: " + e.Message, e);
        }
    }

    /// <summary>Starts the flushes of the other connections the continuations of this thread's dispatch sent on.</summary>
    // REQUIRES: called on a reader right after its dispatch (t_dispatching cleared); each listed connection has _flushing set for this.
    private static void RunDeferredFlushes()
    {
        if (t_deferredFlushes is not { Count: > 0 } deferred)
        {
            return;
        }

        foreach (ClientConnection connection in deferred)
        {
            _ = connection.FlushAsync();
        }

        deferred.Clear();
    }

    /// <summary>Flushes what the continuations run by the last dispatch sent, unless a flush is already under way.</summary>
    // REQUIRES: called on the reader loop after a dispatch.
    private void FlushAfterDispatch()
    {
        lock (_writeLock)
        {
            if (_flushing || _filling.WrittenCount == 0)
            {
                return;
            }

            _flushing = true;
        }

        _ = FlushAsync();
    }

    // REQUIRES: started by Start without a dedicated reader (_input is set).
    private async Task ReadLoopAsync()
    {
        PipeReader input = _input!;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!DispatchRead(ref buffer))
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    Close(buffer.IsEmpty ? "the node closed the connection" : "the node closed the connection inside a frame", null);
                    return;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            CloseAfterReadFailure(e);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The reader of a connection with <see cref="ActorLsmClientOptions.InlineCompletions"/>: blocking
    /// reads into one buffer (compacted when a frame straddles its end, doubled when one frame does not
    /// fit; frames stay bounded by the max frame size), every whole frame of a read dispatched, then one
    /// flush. Responses are parsed into their own messages, so the buffer is reused at once.
    /// </summary>
    // REQUIRES: runs on the connection's own reader thread (Start).
    private void ReadLoopBlocking()
    {
        byte[] buffer = new byte[64 * 1024];
        int start = 0;   // first byte not yet consumed
        int end = 0;     // one past the last byte read
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }

                if (_stream is NetworkStream)
                {
                    // Wait in poll(2), which the kernel ends by waking this thread; the read then finds
                    // the bytes at once. (A read that waited itself would park on the runtime's socket
                    // engine, whose own thread then wakes this one.) Not over TLS: SslStream may hold
                    // decrypted bytes the socket no longer shows.
                    _socket.Poll(-1, SelectMode.SelectRead);
                }

                int read = _stream.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    Close(start == end ? "the node closed the connection" : "the node closed the connection inside a frame", null);
                    return;
                }

                end += read;
                var unread = new ReadOnlySequence<byte>(buffer, start, end - start);
                if (!DispatchRead(ref unread))
                {
                    return;
                }

                start = end - (int)unread.Length;
                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            CloseAfterReadFailure(e);
        }
    }

    /// <summary>
    /// Dispatches every whole response frame at the front of <paramref name="buffer"/> (taking them off
    /// it) as this thread's read of the connection, flushes the other connections its continuations
    /// sent on, then flushes this one once for every request they sent here. Returns false when the
    /// connection was closed.
    /// </summary>
    // REQUIRES: called by a read loop of this connection.
    private bool DispatchRead(ref ReadOnlySequence<byte> buffer)
    {
        t_dispatching = this;
        try
        {
            while (FrameCodec.TryReadFrame(ref buffer, _maxFrameSize, out ReadOnlySequence<byte> body))
            {
                if (!Dispatch(FrameCodec.ParseResponse(body)))
                {
                    return false;
                }
            }
        }
        finally
        {
            t_dispatching = null;
            RunDeferredFlushes();
        }

        FlushAfterDispatch();
        return true;
    }

    /// <summary>The failures a read loop ends on by closing the connection (<see cref="CloseAfterReadFailure"/>).</summary>
    private static bool IsReadFailure(Exception e) =>
        e is FrameTooLargeException or MalformedFrameException or IOException or SocketException or ObjectDisposedException or InvalidOperationException;

    private void CloseAfterReadFailure(Exception e) => Close(
        e switch
        {
            FrameTooLargeException => "response frame too large: ",
            MalformedFrameException => "response frame did not parse: ",
            _ => "receiving failed: ",
        } + e.Message,
        e);

    /// <summary>
    /// Completes the request <paramref name="response"/> answers (with <see cref="ActorLsmClientOptions.InlineCompletions"/>
    /// its caller's continuation runs here). Returns false when the connection was closed.
    /// </summary>
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

    // REQUIRES: _writeLock held.
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Interlocked.Read(ref _nextRequestId) >= 0, "request ids only grow");
        Debug.Assert(_closed is 0 or 1, "closed is a flag");
        Debug.Assert(Interlocked.Read(ref _responses) >= 0, "response count only grows");
        Debug.Assert(!ReferenceEquals(_filling, _spare), "the buffer being filled is not the spare");
        Debug.Assert(_inlineCompletions == (_input is null), "a dedicated reader reads the stream itself; the async loop reads through the pipe");
    }
}
