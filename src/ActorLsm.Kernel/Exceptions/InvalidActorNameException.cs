namespace ActorLsm.Kernel;

/// <summary>
/// Thrown by <c>ActorOf</c> and <see cref="ActorPath.Child"/> when a name is not a valid path element
/// or is already taken by a live sibling. Named after Akka.NET's exception of the same name.
/// </summary>
public sealed class InvalidActorNameException : Exception
{
    public InvalidActorNameException()
    {
    }

    public InvalidActorNameException(string message)
        : base(message)
    {
    }

    public InvalidActorNameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
