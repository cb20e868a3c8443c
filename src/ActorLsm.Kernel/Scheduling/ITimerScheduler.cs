namespace ActorLsm.Kernel;

/// <summary>
/// Per-actor keyed timers (Akka.NET's <c>ITimerScheduler</c> behind <c>IWithTimers</c>). A timer sends its
/// message to the actor itself (Sender = dead letters) through the normal mailbox. Starting a timer with a
/// key in use replaces it; after <see cref="Cancel"/> no message of the old timer is delivered, even one
/// already queued. All timers are cancelled when the actor stops or restarts. Use only from the actor's own
/// thread (its handlers and hooks). Delays are measured on the system's <see cref="IScheduler"/>.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> every <paramref name="interval"/> (> 0), first after one interval.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Sends <paramref name="message"/> after <paramref name="initialDelay"/> (>= 0), then every <paramref name="interval"/> (> 0).</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>Sends <paramref name="message"/> once after <paramref name="delay"/> (>= 0); the timer is inactive once delivered.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>True while a timer with <paramref name="key"/> is scheduled or its message not yet delivered.</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer with <paramref name="key"/>, if any.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer of this actor.</summary>
    void CancelAll();
}
