namespace ActorLsm.Kernel;

/// <summary>
/// Wraps an exception thrown while creating an actor instance (constructor, <c>PreStart</c>,
/// <c>PostRestart</c>), or thrown when an actor is constructed outside <c>ActorOf</c>.
/// The default decider answers <see cref="Directive.Stop"/> to it, as in Akka.NET.
/// </summary>
public sealed class ActorInitializationException : Exception
{
    public ActorInitializationException()
    {
    }

    public ActorInitializationException(string message)
        : base(message)
    {
    }

    public ActorInitializationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
