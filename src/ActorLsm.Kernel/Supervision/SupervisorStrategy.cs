namespace ActorLsm.Kernel;

/// <summary>
/// How a parent handles a child's failure (Akka.NET's <c>SupervisorStrategy</c>). The kernel ships
/// <see cref="OneForOneStrategy"/>: the decision applies to the failed child only.
/// </summary>
public abstract class SupervisorStrategy
{
    /// <summary>
    /// Used when neither the actor nor its Props name one: <see cref="DefaultDecider"/>, unlimited
    /// restarts, no time window, no backoff (immediate restart) — Akka.NET's default.
    /// </summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stops the failed child whatever the exception.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(static _ => Directive.Stop);

    /// <summary>
    /// Restart limit per child within <see cref="WithinTimeRange"/>: negative means unlimited, 0 means
    /// "never restart" (Restart becomes Stop). Exceeding it stops the child.
    /// </summary>
    public abstract int MaxNrOfRetries { get; }

    /// <summary>Window over which restarts are counted; <see cref="Timeout.InfiniteTimeSpan"/> or zero means no window (count forever).</summary>
    public abstract TimeSpan WithinTimeRange { get; }

    /// <summary>Delay before the first restart in a window; zero means restart at once.</summary>
    public abstract TimeSpan MinBackoff { get; }

    /// <summary>Cap of the exponential backoff (each further restart in the window doubles the delay).</summary>
    public abstract TimeSpan MaxBackoff { get; }

    /// <summary>
    /// The default mapping: <see cref="ActorInitializationException"/> and <see cref="ActorKilledException"/>
    /// → <see cref="Directive.Stop"/>; any other exception → <see cref="Directive.Restart"/>.
    /// </summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException or ActorKilledException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Maps a child's exception to a directive; runs on the supervisor's thread. An exception thrown here stops the child.</summary>
    public abstract Directive Decide(Exception cause);

    /// <summary>
    /// The delay before restart number <paramref name="restartNumber"/> (1-based, within the window):
    /// <c>min(MaxBackoff, MinBackoff * 2^(restartNumber - 1))</c>; zero when <see cref="MinBackoff"/> is zero.
    /// </summary>
    public TimeSpan BackoffFor(int restartNumber)
    {
        if (MinBackoff <= TimeSpan.Zero || restartNumber < 1)
        {
            return TimeSpan.Zero;
        }

        var factor = Math.Pow(2, Math.Min(restartNumber - 1, 30));
        var ticks = Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * factor);
        return TimeSpan.FromTicks((long)Math.Max(ticks, MinBackoff.Ticks));
    }
}
