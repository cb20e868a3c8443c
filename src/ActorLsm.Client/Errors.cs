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

/// <summary>
/// The key's shard has fewer in-sync replicas than min-insync-replicas (Kafka's NotEnoughReplicas):
/// the write was not acknowledged. Refused up front, nothing was written; when the set shrank while
/// the write waited for replicas, it may or may not be applied. Not retried by the client: the
/// cluster must first regain replicas.
/// </summary>
public sealed class ActorLsmNotEnoughReplicasException : ActorLsmException
{
    public ActorLsmNotEnoughReplicasException()
    {
    }

    public ActorLsmNotEnoughReplicasException(string message)
        : base(ErrorCode.NotEnoughReplicas, message)
    {
    }

    public ActorLsmNotEnoughReplicasException(string message, Exception innerException)
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
