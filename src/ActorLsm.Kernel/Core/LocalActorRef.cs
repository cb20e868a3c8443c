namespace ActorLsm.Kernel;

/// <summary>The ref of an actor living in an <see cref="ActorCell"/>; one instance per cell, so reference equality is identity.</summary>
internal sealed class LocalActorRef(ActorCell cell) : InternalActorRef
{
    public ActorCell Cell { get; } = cell;

    public override ActorPath Path => Cell.Path;

    public override ActorSystem System => Cell.System;

    public override bool IsTerminated => Cell.IsTerminated;

    public override void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Post(new Envelope(message, sender), throwOnFull: true);
    }

    public override void Post(object message, IActorRef? sender) => Cell.Post(new Envelope(message, sender), throwOnFull: false);

    public override void SendSystem(SystemMessage message) => Cell.SendSystem(message);
}
