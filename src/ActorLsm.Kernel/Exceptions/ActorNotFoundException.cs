namespace ActorLsm.Kernel;

/// <summary>
/// Faults <see cref="ActorSystem.ResolveAsync(string, CancellationToken)"/> when no live actor has the path.
/// Named after Akka.NET's exception thrown by <c>ActorSelection.ResolveOne</c>.
/// </summary>
public sealed class ActorNotFoundException : Exception
{
    public ActorNotFoundException()
    {
    }

    public ActorNotFoundException(string message)
        : base(message)
    {
    }

    public ActorNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
