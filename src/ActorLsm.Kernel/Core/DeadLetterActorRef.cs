namespace ActorLsm.Kernel;

/// <summary>The <c>/deadLetters</c> ref: everything told to it is published as a <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : InternalActorRef
{
    private static readonly ActorPath s_path = ActorPath.Root / "deadLetters";

    public override ActorPath Path => s_path;

    public override ActorSystem System { get; } = system;

    public override bool IsTerminated => false;

    public override void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.PublishDeadLetter(message as DeadLetter ?? new DeadLetter(message, sender, this, DeadLetterReason.SentToDeadLetters));
    }

    public override void SendSystem(SystemMessage message)
    {
        // Watching dead letters: it never stops, so a watch is simply never answered.
    }
}
