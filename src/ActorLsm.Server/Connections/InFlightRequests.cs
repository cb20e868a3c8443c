using System.Diagnostics;

namespace ActorLsm.Server.Connections;

/// <summary>
/// Counts the requests of every connection that are executing, so that shutdown can wait until
/// they have been answered before the shards close. Thread-safe.
/// </summary>
public sealed class InFlightRequests
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource? _idle;

    /// <summary>Requests executing now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>A request started executing; pair with <see cref="Exit"/>.</summary>
    public void Enter()
    {
        lock (_gate)
        {
            _count++;
            AssertInvariants();
        }
    }

    /// <summary>A request has been answered (or given up).</summary>
    public void Exit()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            _count--;
            AssertInvariants();
            if (_count == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }

    /// <summary>True once no request executes; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan timeout)
    {
        Task idle;
        lock (_gate)
        {
            if (_count == 0)
            {
                return true;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_count >= 0, "more exits than enters");
}
