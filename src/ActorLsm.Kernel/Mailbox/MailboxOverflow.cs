namespace ActorLsm.Kernel;

/// <summary>
/// What <see cref="IActorRef.Tell"/> does when the recipient's bounded user mailbox is full.
/// Tell never waits for space in either case. System messages are never subject to this policy.
/// </summary>
public enum MailboxOverflow
{
    /// <summary>
    /// Default. The new message is not enqueued; it is published as a <see cref="DeadLetter"/> with
    /// <see cref="DeadLetterReason.MailboxFull"/> and counted in <see cref="ActorSystem.DeadLetterCount"/>.
    /// Tell returns normally.
    /// </summary>
    DropNewest,

    /// <summary>
    /// The new message is not enqueued and Tell throws <see cref="MailboxFullException"/> to the caller,
    /// who can apply backpressure. Kernel-internal sends (timers, event stream) drop to dead letters instead.
    /// </summary>
    Fail,
}
