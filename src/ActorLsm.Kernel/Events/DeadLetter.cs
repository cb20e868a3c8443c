namespace ActorLsm.Kernel;

/// <summary>Why a message became a <see cref="DeadLetter"/>.</summary>
public enum DeadLetterReason
{
    /// <summary>The recipient had stopped (or stopped before processing it).</summary>
    RecipientStopped,

    /// <summary>The recipient's bounded mailbox was full and its policy is <see cref="MailboxOverflow.DropNewest"/>.</summary>
    MailboxFull,

    /// <summary>The recipient's behavior returned false and its <c>Unhandled</c> hook forwarded it here.</summary>
    Unhandled,

    /// <summary>It was sent to <see cref="ActorSystem.DeadLetters"/> directly, e.g. a reply to "no sender".</summary>
    SentToDeadLetters,
}

/// <summary>
/// Published on <see cref="ActorSystem.EventStream"/> for every message that could not be delivered or
/// was not handled, and counted in <see cref="ActorSystem.DeadLetterCount"/>. Akka.NET's <c>DeadLetter</c>.
/// </summary>
/// <param name="Message">The original message (timer wrappers removed).</param>
/// <param name="Sender">The original sender, or null.</param>
/// <param name="Recipient">The intended recipient.</param>
/// <param name="Reason">Why it was not delivered.</param>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient, DeadLetterReason Reason);
