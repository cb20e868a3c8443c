using System.Diagnostics;

namespace ActorLsm.Kernel.Testing;

/// <summary>
/// An <see cref="IScheduler"/> whose time moves only when a test calls <see cref="Advance"/>: due actions run
/// synchronously on the caller's thread, in due-time order (ties in scheduling order), each seeing
/// <see cref="Elapsed"/> equal to its due time. Periodic actions due several times within one advance run
/// that many times. Inject with <c>new ActorSystemOptions { Scheduler = new VirtualTimeScheduler() }</c>.
/// Kernel actions only post messages, so after an advance the effects arrive asynchronously in mailboxes;
/// wait for them with a probe. Same idea as Akka.NET's <c>TestScheduler</c>.
/// </summary>
public sealed class VirtualTimeScheduler : IScheduler
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Item, (TimeSpan Due, long Sequence)> _queue = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private readonly DateTimeOffset _start;
    private TimeSpan _now;
    private long _sequence;

    /// <summary>Starts at virtual elapsed zero and wall time <paramref name="start"/> (default 2000-01-01 UTC).</summary>
    public VirtualTimeScheduler(DateTimeOffset? start = null) =>
        _start = start ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc/>
    public DateTimeOffset UtcNow => _start + Elapsed;

    /// <inheritdoc/>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return _now;
            }
        }
    }

    /// <summary>Number of scheduled, not cancelled actions (a periodic one counts once).</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return CountPending();
            }
        }
    }

    /// <inheritdoc/>
    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(action);
        return Add(new Item(action, null), delay);
    }

    /// <inheritdoc/>
    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(action);
        return Add(new Item(action, interval), initialDelay);
    }

    /// <summary>
    /// Moves time forward by <paramref name="by"/> (>= 0), running every action due up to the new time.
    /// An exception thrown by an action propagates to the caller (time stays at that action's due time).
    /// </summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        TimeSpan target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (TryTakeDue(target, out var item))
        {
            item.Action();
        }
    }

    /// <summary>
    /// Completes once at least <paramref name="count"/> actions are pending, e.g. to know that an actor has
    /// scheduled its restart backoff before advancing. Faults with <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/> of real time.
    /// </summary>
    public Task WaitForPendingAsync(int count, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (CountPending() >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(timeout);
        }
    }

    private Item Add(Item item, TimeSpan delay)
    {
        lock (_gate)
        {
            _queue.Enqueue(item, (_now + delay, _sequence++));
            var pending = CountPending();
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (pending >= _waiters[i].Count)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }

            AssertInvariants();
        }

        return item;
    }

    private bool TryTakeDue(TimeSpan target, out Item item)
    {
        lock (_gate)
        {
            while (_queue.TryPeek(out item!, out var key) && key.Due <= target)
            {
                _queue.Dequeue();
                if (item.IsCancellationRequested)
                {
                    continue;
                }

                _now = key.Due;
                if (item.Period is { } period)
                {
                    _queue.Enqueue(item, (key.Due + period, _sequence++));
                }

                AssertInvariants();
                return true;
            }

            if (target > _now)
            {
                _now = target;
            }

            AssertInvariants();
            return false;
        }
    }

    // REQUIRES: _gate held.
    private int CountPending()
    {
        var n = 0;
        foreach (var (item, _) in _queue.UnorderedItems)
        {
            if (!item.IsCancellationRequested)
            {
                n++;
            }
        }

        return n;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_now >= TimeSpan.Zero, "virtual time never goes below zero");
        Debug.Assert(!_queue.TryPeek(out _, out var head) || head.Due >= TimeSpan.Zero, "due times are non-negative");
    }

    private sealed class Item(Action action, TimeSpan? period) : ICancelable
    {
        private volatile bool _cancelled;

        public Action Action { get; } = action;

        public TimeSpan? Period { get; } = period;

        public bool IsCancellationRequested => _cancelled;

        public void Cancel() => _cancelled = true;
    }
}
