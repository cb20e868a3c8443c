using System.Diagnostics;

namespace ActorLsm.Shards;

/// <summary>
/// Counts the node's requests in flight so that disposal can stop accepting new ones and wait,
/// on a signal, until every accepted one has been answered. Thread-safe; two interlocked
/// operations per request.
/// </summary>
internal sealed class RequestGate
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _active;
    private volatile bool _closed;

    public bool IsClosed => _closed;

    /// <summary>Admits a request; false after <see cref="CloseAsync"/> began. A true return must be paired with <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _active);
        if (_closed)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        int left = Interlocked.Decrement(ref _active);
        Debug.Assert(left >= 0, "exits never outnumber entries");
        if (left == 0 && _closed)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new requests; completes when the admitted ones are answered.</summary>
    public Task CloseAsync()
    {
        _closed = true;
        if (Volatile.Read(ref _active) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }
}
