using System.Diagnostics;

namespace ActorLsm.Client.Connections;

/// <summary>
/// One place in an endpoint's connection pool: holds the current <see cref="ClientConnection"/>,
/// opens it lazily on first use and reopens it after it breaks, waiting out an exponential
/// backoff so a node that refuses or drops connections is not hammered. Concurrent callers
/// share one connect attempt.
/// </summary>
internal sealed class ConnectionSlot
{
    /// <summary>Wait before the first reconnect after a failure.</summary>
    internal static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest wait between reconnect attempts.</summary>
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    /// <summary>A connection that lived this long before breaking resets the backoff.</summary>
    private const long HealthyLifetimeMs = 1000;

    private readonly NodeEndpoint _endpoint;
    private readonly ActorLsmClientOptions _options;
    private readonly CancellationToken _disposing;
    private readonly Lock _lock = new();
    private readonly Action<ClientConnection> _onClosed;
    private ClientConnection? _current;
    private bool _shutDown;
    private Task<ClientConnection>? _connecting;
    private long _retryNotBeforeMs;
    private long _backoffMs = (long)InitialBackoff.TotalMilliseconds;

    public ConnectionSlot(NodeEndpoint endpoint, ActorLsmClientOptions options, CancellationToken disposing)
    {
        _endpoint = endpoint;
        _options = options;
        _disposing = disposing;
        _onClosed = OnClosed;
    }

    /// <summary>
    /// The connection whose read the calling thread is dispatching (<see cref="ClientConnection.DispatchingOnThisThread"/>)
    /// when it is open and held by one of <paramref name="slots"/>, else null: a continuation on a reader
    /// sends on that reader's connection (<see cref="ActorLsmClientOptions.InlineCompletions"/>).
    /// </summary>
    public static ClientConnection? ReaderAmong(IReadOnlyList<ConnectionSlot> slots)
    {
        if (ClientConnection.DispatchingOnThisThread is not { IsOpen: true } reader)
        {
            return null;
        }

        foreach (ConnectionSlot slot in slots)
        {
            if (ReferenceEquals(slot.Current, reader))
            {
                return reader;
            }
        }

        return null;
    }

    /// <summary>The open connection, or null.</summary>
    public ClientConnection? Current
    {
        get
        {
            ClientConnection? current = Volatile.Read(ref _current);
            return current is { IsOpen: true } ? current : null;
        }
    }

    /// <summary>
    /// The open connection, opening one when there is none. Throws <see cref="ActorLsmConnectionException"/>
    /// when the connect fails or times out; <see cref="OperationCanceledException"/> on
    /// <paramref name="cancellationToken"/> (the shared connect attempt goes on).
    /// </summary>
    public ValueTask<ClientConnection> GetAsync(CancellationToken cancellationToken)
    {
        ClientConnection? current = Volatile.Read(ref _current);
        return current is { IsOpen: true } ? new ValueTask<ClientConnection>(current) : new ValueTask<ClientConnection>(GetSlowAsync(cancellationToken));
    }

    private Task<ClientConnection> GetSlowAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<ClientConnection>? started = null;
        Task<ClientConnection> connecting;
        lock (_lock)
        {
            if (_shutDown)
            {
                return Task.FromException<ClientConnection>(new ObjectDisposedException(nameof(ActorLsmClient)));
            }

            if (_current is { IsOpen: true } current)
            {
                return Task.FromResult(current);
            }

            if (_connecting is null)
            {
                started = new TaskCompletionSource<ClientConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                _connecting = started.Task;
            }

            connecting = _connecting;
            AssertInvariants();
        }

        if (started is not null)
        {
            _ = ConnectAsync(started);
        }

        return cancellationToken.CanBeCanceled ? connecting.WaitAsync(cancellationToken) : connecting;
    }

    private async Task ConnectAsync(TaskCompletionSource<ClientConnection> result)
    {
        ClientConnection? connection = null;
        Exception? failure = null;
        try
        {
            long waitMs = Interlocked.Read(ref _retryNotBeforeMs) - Environment.TickCount64;
            if (waitMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(waitMs), _disposing).ConfigureAwait(false);
            }

            connection = await ClientConnection.ConnectAsync(_endpoint, _options, _onClosed, _disposing).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (_disposing.IsCancellationRequested)
        {
            failure = new ObjectDisposedException(nameof(ActorLsmClient), e.Message);
        }
        catch (ActorLsmException e)
        {
            // The node refused the credentials (WRONGPASS, AUTH_RATE_LIMITED): not a connection failure to retry.
            failure = e;
        }
        catch (Exception e)
        {
            failure = new ActorLsmConnectionException($"cannot connect to {_endpoint}: {e.Message}", e);
        }

        lock (_lock)
        {
            _connecting = null;
            if (connection is not null && _shutDown)
            {
                failure = new ObjectDisposedException(nameof(ActorLsmClient));
            }
            else if (connection is not null)
            {
                _current = connection;
            }
            else
            {
                ScheduleRetry();
            }

            AssertInvariants();
        }

        if (failure is not null)
        {
            connection?.Close("the client was disposed", null);
            result.SetException(failure);
        }
        else
        {
            result.SetResult(connection!);
        }
    }

    /// <summary>
    /// Stops the slot for good: no further connects; closes the current connection, failing its
    /// pending requests. Returns a task that completes when the connection's loops have ended.
    /// </summary>
    public Task ShutDown()
    {
        ClientConnection? current;
        lock (_lock)
        {
            _shutDown = true;
            current = _current;
            _current = null;
        }

        if (current is null)
        {
            return Task.CompletedTask;
        }

        current.Close("the client was disposed", new ObjectDisposedException(nameof(ActorLsmClient)));
        return current.Completion;
    }

    private void OnClosed(ClientConnection connection)
    {
        lock (_lock)
        {
            if (Environment.TickCount64 - connection.OpenedMs >= HealthyLifetimeMs)
            {
                _backoffMs = (long)InitialBackoff.TotalMilliseconds;
            }

            ScheduleRetry();
            if (ReferenceEquals(_current, connection))
            {
                _current = null;
            }

            AssertInvariants();
        }
    }

    // REQUIRES: _lock held.
    private void ScheduleRetry()
    {
        Interlocked.Exchange(ref _retryNotBeforeMs, Environment.TickCount64 + _backoffMs);
        _backoffMs = Math.Min(_backoffMs * 2, (long)MaxBackoff.TotalMilliseconds);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        // REQUIRES: _lock held.
        Debug.Assert(_connecting is null || _current is null || !_current.IsOpen, "no connect attempt while a connection is open");
        Debug.Assert(_backoffMs > 0 && _backoffMs <= (long)MaxBackoff.TotalMilliseconds, "backoff within its bounds");
    }
}
