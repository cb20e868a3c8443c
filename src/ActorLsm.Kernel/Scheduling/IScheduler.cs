namespace ActorLsm.Kernel;

/// <summary>
/// Runs actions after a delay, once or periodically, and tells the time (it is the system's
/// <see cref="IClock"/>). All kernel timing goes through it: actor timers, restart backoff, Ask timeouts.
/// Set it in <see cref="ActorSystemOptions.Scheduler"/>; the default is
/// <see cref="TimeProviderScheduler"/> over <see cref="TimeProvider.System"/>.
/// Actions must be short and must not block: the kernel only posts messages from them.
/// Modelled on Akka.NET's <c>IScheduler</c>/<c>IActionScheduler</c>.
/// </summary>
public interface IScheduler : IClock
{
    /// <summary>
    /// Runs <paramref name="action"/> once after <paramref name="delay"/> (zero or positive; zero means
    /// "as soon as possible", possibly on another thread). Throws <see cref="ArgumentOutOfRangeException"/>
    /// for a negative delay.
    /// </summary>
    ICancelable ScheduleOnce(TimeSpan delay, Action action);

    /// <summary>
    /// Runs <paramref name="action"/> after <paramref name="initialDelay"/> and then every
    /// <paramref name="interval"/> (strictly positive) until cancelled.
    /// Throws <see cref="ArgumentOutOfRangeException"/> for a negative delay or non-positive interval.
    /// </summary>
    ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action);
}
