namespace ActorLsm.Kernel;

/// <summary>
/// Kernel control messages. They travel in each mailbox's unbounded system queue, which is drained
/// before any user message, so a full user mailbox never blocks supervision or stopping.
/// </summary>
internal abstract class SystemMessage
{
}

/// <summary>Create the actor instance and run PreStart. Always the first system message of a cell.</summary>
internal sealed class Create : SystemMessage
{
    public static readonly Create Instance = new();
}

/// <summary>Stop the actor: stop children, wait for them, PostStop, notify watchers and parent.</summary>
internal sealed class Terminate : SystemMessage
{
    public static readonly Terminate Instance = new();
}

/// <summary>Supervisor directive: continue with the same instance after a failure.</summary>
internal sealed class Resume(Exception cause) : SystemMessage
{
    public Exception Cause { get; } = cause;
}

/// <summary>Supervisor directive: restart with a new instance after <see cref="Backoff"/>.</summary>
internal sealed class Recreate(Exception cause, TimeSpan backoff) : SystemMessage
{
    public Exception Cause { get; } = cause;

    public TimeSpan Backoff { get; } = backoff;
}

/// <summary>Child to parent: "I failed and I am suspended until you decide".</summary>
internal sealed class Failed(ActorCell child, Exception cause) : SystemMessage
{
    public ActorCell Child { get; } = child;

    public Exception Cause { get; } = cause;
}

/// <summary>Child to parent: "I have fully stopped", frees the child's name.</summary>
internal sealed class ChildTerminated(ActorCell child) : SystemMessage
{
    public ActorCell Child { get; } = child;
}

/// <summary>To the watchee: start notifying <see cref="Watcher"/> of termination.</summary>
internal sealed class Watch(InternalActorRef watchee, InternalActorRef watcher) : SystemMessage
{
    public InternalActorRef Watchee { get; } = watchee;

    public InternalActorRef Watcher { get; } = watcher;
}

/// <summary>To the watchee: stop notifying <see cref="Watcher"/>.</summary>
internal sealed class Unwatch(InternalActorRef watchee, InternalActorRef watcher) : SystemMessage
{
    public InternalActorRef Watchee { get; } = watchee;

    public InternalActorRef Watcher { get; } = watcher;
}

/// <summary>To a watcher: <see cref="Actor"/> has stopped; becomes a <see cref="Terminated"/> message.</summary>
internal sealed class DeathWatchNotification(InternalActorRef actor) : SystemMessage
{
    public InternalActorRef Actor { get; } = actor;
}

/// <summary>Self-sent by the scheduler when a restart backoff has elapsed.</summary>
internal sealed class BackoffElapsed(int generation) : SystemMessage
{
    public int Generation { get; } = generation;
}
