namespace ActorLsm.Kernel;

/// <summary>
/// The kernel's source of time. <see cref="Elapsed"/> is monotonic and is what supervision windows
/// and backoffs are measured against; <see cref="UtcNow"/> is for humans and logs.
/// Inject a virtual clock (the TestKit's <c>VirtualTimeScheduler</c>) to make time-dependent tests deterministic.
/// </summary>
public interface IClock
{
    /// <summary>Wall-clock time, UTC.</summary>
    DateTimeOffset UtcNow { get; }

    /// <summary>Monotonic time since the clock was created; never goes backwards.</summary>
    TimeSpan Elapsed { get; }
}
