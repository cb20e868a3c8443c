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
