using System.Diagnostics;

namespace ActorLsm.Kernel;

/// <summary>
/// An actor whose behavior is a list of typed handlers registered in the constructor (Akka.NET's
/// <c>ReceiveActor</c>): the first handler whose type (and optional predicate) matches handles the message.
/// <see cref="ReceiveAsync{T}"/> handlers keep one-message-at-a-time: the next message waits for the task.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly HandlerTable _initial;
    private HandlerTable? _building;

    /// <summary>Starts collecting the constructor's handlers.</summary>
    protected ReceiveActor()
    {
        _initial = new HandlerTable(this);
        _building = _initial;
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> (matching <paramref name="shouldHandle"/>, if given) synchronously.</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Building().Add(new SyncHandler<T>(handler, shouldHandle));
    }

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> with an async handler; the mailbox resumes when the
    /// task completes, and a faulted task fails the actor (supervision as for a thrown exception).
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Building().Add(new AsyncHandler<T>(handler, shouldHandle));
    }

    /// <summary>Handles any message not matched by earlier handlers.</summary>
    protected void ReceiveAny(Action<object> handler) => Receive(handler);

    /// <summary>Async variant of <see cref="ReceiveAny"/>.</summary>
    protected void ReceiveAnyAsync(Func<object, Task> handler) => ReceiveAsync(handler);

    /// <summary>Replaces the current behavior with the handlers registered by <paramref name="configure"/>.</summary>
    protected void Become(Action configure) => Context.Become(Build(configure).Handle);

    /// <summary>Pushes the handlers registered by <paramref name="configure"/>; <see cref="UnbecomeStacked"/> pops them.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Build(configure).Handle);

    /// <summary>Returns to the previous behavior.</summary>
    protected void UnbecomeStacked() => Context.Unbecome();

    /// <inheritdoc/>
    protected sealed override bool Receive(object message) => _initial.Handle(message);

    internal override void OnConstructed() => _building = null;

    private HandlerTable Building() => _building
        ?? throw new InvalidOperationException("Receive<T> may only be called in the constructor or inside Become(configure).");

    private HandlerTable Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var previous = _building;
        var table = new HandlerTable(this);
        _building = table;
        try
        {
            configure();
        }
        finally
        {
            _building = previous;
        }

        return table;
    }

    private abstract class Handler
    {
        public abstract bool TryHandle(object message, ReceiveActor actor);
    }

    private sealed class SyncHandler<T>(Action<T> handler, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryHandle(object message, ReceiveActor actor)
        {
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                handler(typed);
                return true;
            }

            return false;
        }
    }

    private sealed class AsyncHandler<T>(Func<T, Task> handler, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryHandle(object message, ReceiveActor actor)
        {
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                actor.RunTask(() => handler(typed));
                return true;
            }

            return false;
        }
    }

    private sealed class HandlerTable(ReceiveActor owner)
    {
        private readonly List<Handler> _handlers = [];

        public void Add(Handler handler)
        {
            _handlers.Add(handler);
            AssertInvariants();
        }

        public bool Handle(object message)
        {
            foreach (var h in _handlers)
            {
                if (h.TryHandle(message, owner))
                {
                    return true;
                }
            }

            return false;
        }

        [Conditional("DEBUG")]
        private void AssertInvariants() => Debug.Assert(_handlers.TrueForAll(h => h is not null), "no null handlers");
    }
}
