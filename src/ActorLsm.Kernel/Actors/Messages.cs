namespace ActorLsm.Kernel;

/// <summary>
/// Delivered to a watcher (see <see cref="IActorContext.Watch"/>) once the watched actor has stopped;
/// also delivered at once when watching an actor that is already gone. Akka.NET's <c>Terminated</c>.
/// </summary>
/// <param name="ActorRef">The actor that stopped.</param>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>
/// An ordinary message that stops the recipient when it reaches the head of its mailbox: messages sent
/// before it are processed first. Akka.NET's <c>PoisonPill</c>.
/// </summary>
public sealed class PoisonPill
{
    private PoisonPill()
    {
    }

    /// <summary>The single instance.</summary>
    public static PoisonPill Instance { get; } = new();
}

/// <summary>
/// An ordinary message that makes the recipient fail with <see cref="ActorKilledException"/> when processed;
/// its supervisor then decides (the default decider stops it). Akka.NET's <c>Kill</c>.
/// </summary>
public sealed class Kill
{
    private Kill()
    {
    }

    /// <summary>The single instance.</summary>
    public static Kill Instance { get; } = new();
}

/// <summary>Reply envelopes understood by <c>Ask</c> (Akka.NET's <c>Status</c>).</summary>
public static class Status
{
    /// <summary>A reply meaning "the request failed": faults the Ask task with <paramref name="Cause"/>.</summary>
    /// <param name="Cause">The exception the asker will observe.</param>
    public sealed record Failure(Exception Cause);

    /// <summary>A reply meaning "done", carrying an optional result.</summary>
    /// <param name="Result">Anything, or null.</param>
    public sealed record Success(object? Result);
}
