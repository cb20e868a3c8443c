using ActorLsm.Protocol;

namespace ActorLsm.Client;

/// <summary>The node answered with an error (PROTOCOL.md lists the codes).</summary>
public class ActorLsmException : Exception
{
    public ActorLsmException()
    {
    }

    public ActorLsmException(string message)
        : base(message)
    {
    }

    public ActorLsmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ActorLsmException(ErrorCode code, string message)
        : base($"{code}: {message}")
    {
        Code = code;
    }

    /// <summary>The protocol error code.</summary>
    public ErrorCode Code { get; }
}

/// <summary>The node's shard write queue was full; nothing was written; retry later.</summary>
public sealed class ActorLsmOverloadedException : ActorLsmException
{
    public ActorLsmOverloadedException()
    {
    }

    public ActorLsmOverloadedException(string message)
        : base(ErrorCode.Overloaded, message)
    {
    }

    public ActorLsmOverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

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
