using Microsoft.Extensions.Logging;

namespace ActorLsm.Kernel;

/// <summary>
/// Settings of an <see cref="ActorSystem"/>; every default is listed in <c>reference.conf</c> next to this
/// project. Immutable (init-only properties); derive variants with <c>with { ... }</c>.
/// </summary>
public sealed record ActorSystemOptions
{
    /// <summary>Time source and timer service; default <see cref="TimeProviderScheduler"/> over the system clock. Tests inject a virtual one.</summary>
    public IScheduler? Scheduler { get; init; }

    /// <summary>Where kernel and actor logs go; default: nowhere (<c>NullLoggerFactory</c>).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>User mailbox bound (messages) for Props that do not set one. Default 1000; <see cref="Props.UnboundedMailbox"/> for none.</summary>
    public int DefaultMailboxCapacity { get; init; } = 1000;

    /// <summary>Overflow policy for Props that do not set one. Default <see cref="MailboxOverflow.DropNewest"/>.</summary>
    public MailboxOverflow DefaultMailboxOverflow { get; init; } = MailboxOverflow.DropNewest;

    /// <summary>
    /// Strategy for actors that name none, including the <c>/user</c> guardian supervising top-level actors.
    /// Default <see cref="SupervisorStrategy.DefaultStrategy"/> (restart, unlimited, no backoff).
    /// </summary>
    public SupervisorStrategy DefaultSupervisorStrategy { get; init; } = SupervisorStrategy.DefaultStrategy;

    /// <summary>User messages an actor processes per turn before giving its pool thread back (fairness). Default 30.</summary>
    public int Throughput { get; init; } = 30;

    /// <summary>Timeout of <c>Ask</c> calls that do not pass one. Default 5 s.</summary>
    public TimeSpan DefaultAskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a non-positive capacity, throughput or ask timeout.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultMailboxCapacity, 1, nameof(DefaultMailboxCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(Throughput, 1, nameof(Throughput));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DefaultAskTimeout, TimeSpan.Zero, nameof(DefaultAskTimeout));
        ArgumentNullException.ThrowIfNull(DefaultSupervisorStrategy);
    }
}
