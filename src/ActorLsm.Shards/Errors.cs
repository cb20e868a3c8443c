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
