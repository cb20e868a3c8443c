namespace ActorLsm.Kernel;

/// <summary>
/// The recipe for an actor (Akka.NET's <c>Props</c>): a factory that makes a fresh instance (called again on
/// every restart), plus per-actor mailbox and supervision settings. Immutable; the <c>With...</c> methods
/// return copies. Settings left null fall back to <see cref="ActorSystemOptions"/>.
/// </summary>
public sealed class Props
{
    /// <summary>Mailbox capacity meaning "no bound" (use with care: a slow actor then grows without limit).</summary>
    public const int UnboundedMailbox = int.MaxValue;

    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory)
    {
        ActorType = actorType;
        _factory = factory;
    }

    private Props(Props other)
    {
        ActorType = other.ActorType;
        _factory = other._factory;
        MailboxCapacity = other.MailboxCapacity;
        Overflow = other.Overflow;
        SupervisorStrategy = other.SupervisorStrategy;
    }

    /// <summary>The declared actor type (for logs and diagnostics).</summary>
    public Type ActorType { get; }

    /// <summary>User mailbox bound in messages (1..<see cref="UnboundedMailbox"/>), or null for the system default (1000).</summary>
    public int? MailboxCapacity { get; private init; }

    /// <summary>Policy when the mailbox is full, or null for the system default (<see cref="MailboxOverflow.DropNewest"/>).</summary>
    public MailboxOverflow? Overflow { get; private init; }

    /// <summary>
    /// How this actor supervises its children, or null for the system default; an actor can still
    /// override <c>ActorBase.SupervisorStrategy()</c>, which wins.
    /// </summary>
    public SupervisorStrategy? SupervisorStrategy { get; private init; }

    /// <summary><c>Props.Create(() => new MyActor(arg))</c>: the factory runs on the actor's thread at start and at each restart.</summary>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(typeof(TActor), factory);
    }

    /// <summary>Props for an actor with a public parameterless constructor.</summary>
    public static Props Create<TActor>()
        where TActor : ActorBase, new() => new(typeof(TActor), static () => new TActor());

    /// <summary>Copy with a mailbox bound (messages, >= 1) and optionally an overflow policy.</summary>
    public Props WithMailbox(int capacity, MailboxOverflow? overflow = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new Props(this) { MailboxCapacity = capacity, Overflow = overflow ?? Overflow };
    }

    /// <summary>Copy with an overflow policy.</summary>
    public Props WithOverflow(MailboxOverflow overflow) => new(this) { Overflow = overflow };

    /// <summary>Copy with the strategy this actor applies to its children.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new Props(this) { SupervisorStrategy = strategy };
    }

    /// <summary>A readable summary, e.g. <c>Props(MyActor, mailbox=1000)</c>.</summary>
    public override string ToString() => $"Props({ActorType.Name}, mailbox={MailboxCapacity?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"})";

    // REQUIRES: called on the new actor's thread with the creating cell published (ActorCell.NewInstance).
    internal ActorBase NewActor() => _factory();
}
