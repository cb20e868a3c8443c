using System.Diagnostics;

namespace ActorLsm.Kernel;

/// <summary>The timer message as queued: stale generations (cancelled or replaced timers) are dropped on dequeue.</summary>
internal sealed record TimerFired(object Key, int Generation, object Message);

/// <summary>One actor cell's timers. All members run on the owning actor's thread except the scheduled post.</summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, Entry> _timers = [];
    private int _generation;

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => StartPeriodicTimer(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, initialDelay, interval);
    }

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, null);

    public bool IsTimerActive(object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _timers.ContainsKey(key);
    }

    public void Cancel(object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_timers.Remove(key, out var entry))
        {
            entry.Handle.Cancel();
        }

        AssertInvariants();
    }

    public void CancelAll()
    {
        foreach (var entry in _timers.Values)
        {
            entry.Handle.Cancel();
        }

        _timers.Clear();
        AssertInvariants();
    }

    /// <summary>Unwraps a dequeued timer message if its timer is still current.</summary>
    // REQUIRES: on the owning actor's thread.
    public bool TryAccept(TimerFired fired, out object? message)
    {
        if (_timers.TryGetValue(fired.Key, out var entry) && entry.Generation == fired.Generation)
        {
            if (!entry.Repeating)
            {
                _timers.Remove(fired.Key);
            }

            message = fired.Message;
            return true;
        }

        message = null;
        return false;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Cancel(key);
        var fired = new TimerFired(key, ++_generation, message);
        var scheduler = cell.System.Scheduler;
        void Post() => cell.Post(new Envelope(fired, null), throwOnFull: false);
        var handle = interval is { } every
            ? scheduler.ScheduleRepeatedly(delay, every, Post)
            : scheduler.ScheduleOnce(delay, Post);
        _timers[key] = new Entry(fired.Generation, interval is not null, handle);
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_timers.Values.All(e => e.Generation <= _generation), "generations only grow");
    }

    private sealed record Entry(int Generation, bool Repeating, ICancelable Handle);
}
