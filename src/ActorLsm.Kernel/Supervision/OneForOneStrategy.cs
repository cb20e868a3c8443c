namespace ActorLsm.Kernel;

/// <summary>
/// Applies the decider's directive to the failed child only (Akka.NET's <c>OneForOneStrategy</c>), with a
/// restart limit per child within a time window and an exponential restart backoff scheduled on the
/// system's <see cref="IScheduler"/>: the restarted instance processes no message before the delay ends.
/// </summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>
    /// A strategy with limits. <paramref name="maxNrOfRetries"/>: restarts allowed per child within
    /// <paramref name="withinTimeRange"/> (negative: unlimited; 0: never restart). <paramref name="withinTimeRange"/>:
    /// counting window (zero or <see cref="Timeout.InfiniteTimeSpan"/>: no window). <paramref name="minBackoff"/> /
    /// <paramref name="maxBackoff"/>: first and largest restart delay (defaults zero: restart at once).
    /// Throws <see cref="ArgumentOutOfRangeException"/> for negative backoffs or max &lt; min.
    /// </summary>
    public OneForOneStrategy(
        int maxNrOfRetries,
        TimeSpan withinTimeRange,
        Func<Exception, Directive> decider,
        TimeSpan? minBackoff = null,
        TimeSpan? maxBackoff = null)
    {
        ArgumentNullException.ThrowIfNull(decider);
        var min = minBackoff ?? TimeSpan.Zero;
        var max = maxBackoff ?? min;
        ArgumentOutOfRangeException.ThrowIfLessThan(min, TimeSpan.Zero, nameof(minBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min, nameof(maxBackoff));
        if (withinTimeRange < TimeSpan.Zero && withinTimeRange != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(withinTimeRange), "Window must be positive, zero or infinite.");
        }

        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        MinBackoff = min;
        MaxBackoff = max;
        _decider = decider;
    }

    /// <summary>Unlimited restarts, no window, no backoff; only the decider is given.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : this(-1, Timeout.InfiniteTimeSpan, decider)
    {
    }

    /// <inheritdoc/>
    public override int MaxNrOfRetries { get; }

    /// <inheritdoc/>
    public override TimeSpan WithinTimeRange { get; }

    /// <inheritdoc/>
    public override TimeSpan MinBackoff { get; }

    /// <inheritdoc/>
    public override TimeSpan MaxBackoff { get; }

    /// <inheritdoc/>
    public override Directive Decide(Exception cause) => _decider(cause);
}
