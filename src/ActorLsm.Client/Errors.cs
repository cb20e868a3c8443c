namespace ActorLsm.Client;

/// <summary>The connection failed or closed before the response arrived; the outcome of a write is unknown.</summary>
public sealed class ActorLsmConnectionException : Exception
{
    public ActorLsmConnectionException()
    {
    }

    public ActorLsmConnectionException(string message)
        : base(message)
    {
    }

    public ActorLsmConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
