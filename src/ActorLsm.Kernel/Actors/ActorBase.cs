using Microsoft.Extensions.Logging;

namespace ActorLsm.Kernel;

/// <summary>
/// Base class of all actors (Akka.NET's <c>ActorBase</c>). The kernel calls the members one message at a time
/// on a thread-pool thread: no locking is needed for the actor's own fields. Create instances only through
/// <see cref="Props"/> and <c>ActorOf</c>; constructing one directly throws <see cref="ActorInitializationException"/>.
/// Lifecycle: constructor → <see cref="PreStart"/> → messages → <see cref="PostStop"/>; on restart the old
/// instance gets <see cref="PreRestart"/> and the new one <see cref="PostRestart"/>.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;
    private ILogger? _log;

    /// <summary>Binds the instance to the cell that is creating it.</summary>
    protected ActorBase()
    {
        _cell = ActorCell.TakeCreatingCell()
            ?? throw new ActorInitializationException(
                $"{GetType().Name} must be created by the kernel: use ActorOf(Props.Create(() => new {GetType().Name}(...))).");
    }

    /// <summary>This actor's context (children, watch, become). Valid on the actor's thread only.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor's ref.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>Sender of the current message (dead letters when none). Stable across awaits inside <c>ReceiveAsync</c>.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>This actor's keyed timers (Akka.NET's <c>IWithTimers.Timers</c>).</summary>
    protected ITimerScheduler Timers => _cell.Timers;

    /// <summary>A logger from the system's <see cref="ActorSystemOptions.LoggerFactory"/>, category = actor type.</summary>
    protected ILogger Log => _log ??= _cell.System.LoggerFactory.CreateLogger(GetType());

    /// <summary>Handles one message; returns false when not handled (then <see cref="Unhandled"/> is called).</summary>
    protected abstract bool Receive(object message);

    /// <summary>Called for messages no behavior handled. Default: publish a <see cref="DeadLetter"/> with <see cref="DeadLetterReason.Unhandled"/>.</summary>
    protected virtual void Unhandled(object message) => _cell.PublishUnhandled(message);

    /// <summary>Called once on the new instance before the first message. An exception here fails the actor with <see cref="ActorInitializationException"/>.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Called once after the actor stopped (children already stopped). Exceptions are logged and ignored.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>
    /// Called on the failed instance before it is replaced; <paramref name="message"/> is the message being
    /// processed when it failed, if any. Default: stop all children, then <see cref="PostStop"/>.
    /// The restart waits until the children stopped here have terminated. Exceptions are logged and ignored.
    /// </summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart (after the backoff). Default: <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Override to choose how this actor supervises its children; null uses <see cref="Props.SupervisorStrategy"/>, then the system default.</summary>
    protected virtual SupervisorStrategy? SupervisorStrategy() => null;

    /// <summary>
    /// Runs an asynchronous step inside the current message: the mailbox processes nothing else (not even
    /// stop requests) until the task completes; a faulted task fails the actor like a thrown exception.
    /// At most once per message; only from a message handler. Akka.NET's <c>RunTask</c>.
    /// </summary>
    protected void RunTask(Func<Task> action) => _cell.RunTask(action);

    internal ActorCell Cell => _cell;

    // REQUIRES: on the actor's thread (these are the kernel's entry points into user code).
    internal bool InvokeReceive(object message) => Receive(message);

    internal void InvokeUnhandled(object message) => Unhandled(message);

    internal void InvokePreStart() => PreStart();

    internal void InvokePostStop() => PostStop();

    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void InvokePostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy? InvokeSupervisorStrategy() => SupervisorStrategy();

    /// <summary>Called by the kernel right after the constructor returned.</summary>
    internal virtual void OnConstructed()
    {
    }
}
