namespace ActorLsm.Kernel;

/// <summary>
/// Thrown by <see cref="IActorRef.Tell"/> when the recipient's bounded mailbox is full and its
/// <see cref="Props.Overflow"/> is <see cref="MailboxOverflow.Fail"/>. The message was not enqueued.
/// </summary>
public sealed class MailboxFullException : Exception
{
    public MailboxFullException()
    {
    }

    public MailboxFullException(string message)
        : base(message)
    {
    }

    public MailboxFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
