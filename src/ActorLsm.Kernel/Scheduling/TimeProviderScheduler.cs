using System.Diagnostics;

namespace ActorLsm.Kernel;

/// <summary>
/// The production <see cref="IScheduler"/>: timers from a <see cref="TimeProvider"/> (default
/// <see cref="TimeProvider.System"/>), which fire on the thread pool. An exception thrown by an action
/// is caught and written to <see cref="Trace"/> so a timer can never take the process down.
/// </summary>
public sealed class TimeProviderScheduler : IScheduler
{
    private readonly TimeProvider _timeProvider;
    private readonly long _startTimestamp;

    /// <summary>Creates a scheduler over <paramref name="timeProvider"/> (null: the system clock).</summary>
    public TimeProviderScheduler(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _startTimestamp = _timeProvider.GetTimestamp();
    }

    /// <inheritdoc/>
    public DateTimeOffset UtcNow => _timeProvider.GetUtcNow();

    /// <inheritdoc/>
    public TimeSpan Elapsed => _timeProvider.GetElapsedTime(_startTimestamp);

    /// <inheritdoc/>
    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(action);
        return new TimerHandle(_timeProvider, action, delay, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(action);
        return new TimerHandle(_timeProvider, action, initialDelay, interval);
    }

    private sealed class TimerHandle : ICancelable
    {
        private readonly Action _action;
        private readonly ITimer _timer;
        private int _cancelled;

        public TimerHandle(TimeProvider timeProvider, Action action, TimeSpan dueTime, TimeSpan period)
        {
            _action = action;
            // The ITimer is rooted by the provider while scheduled; we also keep it to dispose it.
            _timer = timeProvider.CreateTimer(static s => ((TimerHandle)s!).Fire(), this, dueTime, period);
        }

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled) != 0;

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                _timer.Dispose();
            }
        }

        private void Fire()
        {
            if (IsCancellationRequested)
            {
                return;
            }

            try
            {
                _action();
            }
#pragma warning disable CA1031 // A scheduled action must never crash the process.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Trace.TraceError("ActorLsm.Kernel scheduled action failed: {0}", ex);
            }
        }
    }
}
