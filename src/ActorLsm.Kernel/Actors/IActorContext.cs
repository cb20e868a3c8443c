namespace ActorLsm.Kernel;

/// <summary>
/// The actor's view of its cell (Akka.NET's <c>IActorContext</c>): identity, the current sender,
/// children, death watch and behavior switching. Only valid on the actor's own thread, i.e. inside its
/// handlers and lifecycle hooks; do not capture it into other threads.
/// </summary>
public interface IActorContext
{
    /// <summary>This actor's ref.</summary>
    IActorRef Self { get; }

    /// <summary>Sender of the message being processed; <see cref="ActorSystem.DeadLetters"/> when there is none.</summary>
    IActorRef Sender { get; }

    /// <summary>The supervising parent (the root guardian is its own parent).</summary>
    IActorRef Parent { get; }

    /// <summary>The system this actor belongs to.</summary>
    ActorSystem System { get; }

    /// <summary>The props this actor was created from.</summary>
    Props Props { get; }

    /// <summary>Snapshot of the children not yet fully stopped.</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>The child named <paramref name="name"/>, or null.</summary>
    IActorRef? Child(string name);

    /// <summary>
    /// Creates a child at <c>Self.Path / name</c> (null: a generated <c>$..</c> name) and returns its ref at once;
    /// the instance is created asynchronously on the child's thread. Throws <see cref="InvalidActorNameException"/>
    /// for an invalid or taken name and <see cref="InvalidOperationException"/> while this actor is stopping.
    /// </summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Asynchronously stops <paramref name="actor"/> (a child, or Self after the current message).</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers <see cref="Terminated"/> to this actor once <paramref name="subject"/> stops (at once if already stopped). Idempotent.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Stops watching; no <see cref="Terminated"/> for <paramref name="subject"/> is delivered afterwards.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Replaces the current behavior with <paramref name="handler"/> (the constructor's behavior stays underneath).</summary>
    void Become(MessageHandler handler);

    /// <summary>Pushes <paramref name="handler"/> on the behavior stack; <see cref="Unbecome"/> returns to the previous one.</summary>
    void BecomeStacked(MessageHandler handler);

    /// <summary>Pops the current behavior; at the bottom, the actor's <c>Receive</c> is used again.</summary>
    void Unbecome();
}
