namespace ActorLsm.Shards;

/// <summary>A shard's write queue is full; nothing was written; retry later (seed 004 dropped such writes silently; we refuse them loudly).</summary>
public sealed class OverloadedException : Exception
{
    public OverloadedException()
    {
    }

    public OverloadedException(string message)
        : base(message)
    {
    }

    public OverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The shard is restarting, stopped or failed; the request may be retried.</summary>
public sealed class ShardUnavailableException : Exception
{
    public ShardUnavailableException()
    {
    }

    public ShardUnavailableException(string message)
        : base(message)
    {
    }

    public ShardUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The data directory was written with another shard count (or key hash) than the node is
/// configured with (its <c>NODE</c> file, LAYOUT.md). Keys are placed by hash modulo the shard
/// count, so the node refuses to start rather than look for keys in the wrong shards.
/// </summary>
public sealed class ShardCountMismatchException : Exception
{
    public ShardCountMismatchException()
    {
    }

    public ShardCountMismatchException(string message)
        : base(message)
    {
    }

    public ShardCountMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A write to a replicated shard was not acknowledged because the shard's in-sync set is smaller
/// than min-insync-replicas (Kafka's NotEnoughReplicas). When refused before the write nothing was
/// written; when the set shrank while the write waited for replicas, it may or may not be applied.
/// </summary>
public sealed class NotEnoughReplicasException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public NotEnoughReplicasException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NotEnoughReplicasException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public NotEnoughReplicasException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
