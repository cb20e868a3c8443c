namespace ActorLsm.Kernel;

/// <summary>
/// Faults the task returned by <see cref="AskExtensions.Ask{T}(IActorRef, object, TimeSpan, CancellationToken)"/>
/// when no reply arrived within the timeout (measured on the system's <see cref="IScheduler"/>).
/// Named after Akka.NET's <c>AskTimeoutException</c>.
/// </summary>
public sealed class AskTimeoutException : TimeoutException
{
    public AskTimeoutException()
    {
    }

    public AskTimeoutException(string message)
        : base(message)
    {
    }

    public AskTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
