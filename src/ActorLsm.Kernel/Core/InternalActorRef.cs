namespace ActorLsm.Kernel;

/// <summary>
/// Kernel-side ref: everything that can take system messages (watch, terminate) besides user messages.
/// </summary>
internal abstract class InternalActorRef : IActorRef
{
    public abstract ActorPath Path { get; }

    /// <summary>The owning system, or null for refs made outside any system.</summary>
    public abstract ActorSystem? System { get; }

    public abstract bool IsTerminated { get; }

    public abstract void Tell(object message, IActorRef? sender = null);

    /// <summary>Like <see cref="Tell"/> but a full mailbox always drops to dead letters instead of throwing.</summary>
    // REQUIRES: message is not null.
    public virtual void Post(object message, IActorRef? sender) => Tell(message, sender);

    // REQUIRES: message is a kernel system message; may be called from any thread.
    public abstract void SendSystem(SystemMessage message);

    public override string ToString() => $"Actor[{Path}]";
}

/// <summary>Implemented by wrappers (the TestKit's probe) that stand for an underlying kernel ref.</summary>
internal interface IActorRefProxy
{
    InternalActorRef Underlying { get; }
}

internal static class ActorRefInternals
{
    /// <summary>The kernel ref behind <paramref name="actor"/>, or null for a foreign implementation.</summary>
    public static InternalActorRef? AsInternal(this IActorRef? actor) => actor switch
    {
        InternalActorRef internalRef => internalRef,
        IActorRefProxy proxy => proxy.Underlying,
        _ => null,
    };

    // REQUIRES: message is not null. Never throws for a full mailbox.
    public static void TellNoThrow(IActorRef target, object message, IActorRef? sender)
    {
        if (target.AsInternal() is { } internalRef)
        {
            internalRef.Post(message, sender);
            return;
        }

        try
        {
            target.Tell(message, sender);
        }
#pragma warning disable CA1031 // Foreign refs must not break kernel paths (event stream, timers).
        catch (Exception)
#pragma warning restore CA1031
        {
            // A foreign ref that throws loses the event; kernel refs never get here.
        }
    }
}
