using ActorLsm.Protocol;

namespace ActorLsm;

/// <summary>
/// The store answered with an error (src/ActorLsm.Protocol/PROTOCOL.md lists the codes). Thrown by every
/// <see cref="IActorLsm"/> implementation, the TCP client and the in-cluster client alike.
/// </summary>
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

/// <summary>The shard's write queue was full (OVERLOADED); nothing was written; retry later.</summary>
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
