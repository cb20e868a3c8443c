using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorLsm.Kernel;

/// <summary>
/// The kernel's home of one actor: mailbox, processing loop, current instance, behavior stack, children,
/// death watch, supervision state and timers. Everything marked "actor thread" is touched only inside
/// the processing run, of which the mailbox guarantees at most one at a time.
/// Akka.NET splits this into ActorCell, Mailbox and Dispatcher; here it is one class in partial files.
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic]
    private static ActorCell? s_creating;

    private readonly ActorCell? _parent;
    private readonly Mailbox _mailbox;
    private readonly ConcurrentDictionary<string, ActorCell> _children = new(StringComparer.Ordinal);
    private readonly TimerScheduler _timers;
    private readonly int _throughput;
    private long _childNameCounter;

    // Cross-thread flags.
    private int _terminatingFlag;
    private volatile bool _isTerminated;

    // Actor thread only.
    private CellState _state = CellState.Creating;
    private ActorBase? _actor;
    private readonly List<MessageHandler> _behaviors = [];
    private object? _currentMessage;
    private IActorRef? _currentSender;

    // REQUIRES: parent is null only for the root guardian; path = parent.Path / name. Call Start() after registering.
    public ActorCell(ActorSystem system, Props props, ActorCell? parent, ActorPath path)
    {
        System = system;
        Props = props;
        _parent = parent;
        Path = path;
        Self = new LocalActorRef(this);
        var options = system.Options;
        _mailbox = new Mailbox(props.MailboxCapacity ?? options.DefaultMailboxCapacity, props.Overflow ?? options.DefaultMailboxOverflow);
        _throughput = options.Throughput;
        _timers = new TimerScheduler(this);
    }

    private enum CellState
    {
        /// <summary>No instance yet (or creating a new one); user messages wait.</summary>
        Creating,

        /// <summary>Processing user messages.</summary>
        Running,

        /// <summary>Failed; waiting for the parent's directive. User messages wait.</summary>
        Suspended,

        /// <summary>Old instance gone; waiting for backoff and for stopped children before the new one.</summary>
        Restarting,

        /// <summary>Stopping children; then PostStop.</summary>
        Terminating,

        /// <summary>Gone. Mail is forwarded to dead letters; watch requests are answered at once.</summary>
        Terminated,
    }

    public ActorSystem System { get; }

    public Props Props { get; }

    public ActorPath Path { get; }

    public LocalActorRef Self { get; }

    public bool IsTerminated => _isTerminated;

    public ITimerScheduler Timers => _timers;

    public IActorRef Sender => _currentSender ?? System.DeadLetters;

    IActorRef IActorContext.Self => Self;

    public IActorRef Parent => _parent?.Self ?? (IActorRef)Self;

    public IReadOnlyCollection<IActorRef> Children => [.. _children.Values.Select(static c => (IActorRef)c.Self)];

    /// <summary>Hands the cell being constructed to the <see cref="ActorBase"/> constructor, once.</summary>
    public static ActorCell? TakeCreatingCell()
    {
        var cell = s_creating;
        s_creating = null;
        return cell;
    }

    public IActorRef? Child(string name) => _children.TryGetValue(name, out var c) && !c.IsTerminated ? c.Self : null;

    /// <summary>Looks up a direct child cell by name (any thread).</summary>
    public ActorCell? ChildCell(string name) => _children.TryGetValue(name, out var c) ? c : null;

    public IActorRef ActorOf(Props props, string? name = null) => CreateChild(props, name, allowReservedName: false);

    // REQUIRES: on this actor's thread, or on any thread for the guardians (the children map is concurrent).
    public IActorRef CreateChild(Props props, string? name, bool allowReservedName)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (Volatile.Read(ref _terminatingFlag) != 0)
        {
            throw new InvalidOperationException($"{Path} is stopping; it cannot create children.");
        }

        if (name is null)
        {
            name = ActorPath.GeneratedName(Interlocked.Increment(ref _childNameCounter));
        }
        else if (!ActorPath.IsValidElement(name) || (name[0] == '$' && !allowReservedName))
        {
            throw new InvalidActorNameException($"'{name}' is not a valid actor name (letters, digits, -_.:+=@!~*',;%&(); not starting with '$').");
        }

        var child = new ActorCell(System, props, this, Path / name);
        if (!_children.TryAdd(name, child))
        {
            throw new InvalidActorNameException($"Actor name '{name}' is not unique under {Path}.");
        }

        // Pairs with BeginTerminate: either it sees the child, or we see its flag.
        Interlocked.MemoryBarrier();
        child.Start();
        if (Volatile.Read(ref _terminatingFlag) != 0)
        {
            child.SendSystem(Terminate.Instance);
        }

        return child.Self;
    }

    /// <summary>Queues the Create message; the instance is made on the pool.</summary>
    // REQUIRES: called once, after the cell is registered with its parent.
    public void Start() => SendSystem(Create.Instance);

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (ReferenceEquals(actor.AsInternal(), Self))
        {
            SendSystem(Terminate.Instance);
        }
        else if (actor.AsInternal() is LocalActorRef local && local.Cell._parent == this)
        {
            StopChild(local.Cell);
        }
        else
        {
            actor.AsInternal()?.SendSystem(Terminate.Instance);
        }
    }

    public void Become(MessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_behaviors.Count > 0)
        {
            _behaviors[^1] = handler;
        }
        else
        {
            _behaviors.Add(handler);
        }
    }

    public void BecomeStacked(MessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _behaviors.Add(handler);
    }

    public void Unbecome()
    {
        if (_behaviors.Count > 0)
        {
            _behaviors.RemoveAt(_behaviors.Count - 1);
        }
    }

    /// <summary>Enqueues a user message, applying the overflow policy; any thread.</summary>
    public void Post(in Envelope envelope, bool throwOnFull)
    {
        if (_isTerminated)
        {
            DeadLetterUser(envelope, DeadLetterReason.RecipientStopped);
            return;
        }

        if (_mailbox.TryEnqueueUser(envelope))
        {
            Schedule();
            return;
        }

        if (throwOnFull && _mailbox.Overflow == MailboxOverflow.Fail)
        {
            throw new MailboxFullException($"Mailbox of {Path} is full ({_mailbox.Capacity} messages); overflow policy is Fail.");
        }

        DeadLetterUser(envelope, DeadLetterReason.MailboxFull);
    }

    /// <summary>Enqueues a system message (never bounded); any thread.</summary>
    public void SendSystem(SystemMessage message)
    {
        _mailbox.EnqueueSystem(message);
        Schedule();
    }

    /// <summary>Publishes an unhandled message as a dead letter (ActorBase.Unhandled's default).</summary>
    // REQUIRES: on this actor's thread.
    public void PublishUnhandled(object message) =>
        System.PublishDeadLetter(new DeadLetter(message, _currentSender, Self, DeadLetterReason.Unhandled));

    private void DeadLetterUser(in Envelope envelope, DeadLetterReason reason)
    {
        if (envelope.Message is TimerFired)
        {
            return; // Timer ticks for a stopped or overloaded actor are not worth reporting.
        }

        System.PublishDeadLetter(new DeadLetter(envelope.Message, envelope.Sender, Self, reason));
    }

    // REQUIRES: on this actor's thread.
    private ActorBase NewInstance()
    {
        var previous = s_creating;
        s_creating = this;
        try
        {
            var actor = Props.NewActor();
            if (actor.Cell != this)
            {
                throw new ActorInitializationException($"The factory of {Props} returned an actor not created for {Path}.");
            }

            actor.OnConstructed();
            return actor;
        }
        finally
        {
            s_creating = previous;
        }
    }

    public override string ToString() => $"ActorCell[{Path}, {_state}]";

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_state != CellState.Running || _actor is not null, "a running cell has an instance");
        Debug.Assert(_state != CellState.Terminated || _isTerminated, "terminated state is published");
        Debug.Assert(!_awaitingTask || _state == CellState.Running, "only a running actor awaits a task");
        Debug.Assert(_state is not (CellState.Terminating or CellState.Terminated) || _terminatingFlag == 1, "stopping is published");
    }
}
