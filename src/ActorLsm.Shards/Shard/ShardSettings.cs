using ActorLsm.Storage;

namespace ActorLsm.Shards.Shard;

/// <summary>The settings every shard actor of a node shares. Immutable.</summary>
internal sealed class ShardSettings
{
    /// <summary>Largest group commit, in key and value bytes (a larger single write still commits alone).</summary>
    public const int MaxGroupBytesCap = 1 << 20;

    public ShardSettings(ShardedNodeOptions options, Action<int, FlushCompletedInfo> onFlushCompleted)
    {
        DataDir = Path.GetFullPath(options.DataDir);
        Storage = options.Storage.Clone();
        MaxPendingWrites = options.MaxPendingWrites;
        MaxPendingBytes = options.MaxPendingBytes;
        MaxScanLimit = options.MaxScanLimit;
        RequestTimeout = options.RequestTimeout;
        BeforeShardOpen = options.BeforeShardOpen;
        OnCompactionFinished = options.OnCompactionFinished;
        OnFlushCompleted = onFlushCompleted;
        Replication = options.Replication;
        Dispatcher = options.Dispatcher;
        RestartMinBackoff = options.RestartMinBackoff;
        RestartMaxBackoff = options.RestartMaxBackoff;
        SessionIdleTimeout = options.SessionIdleTimeout;
        MaxSessionUnacknowledged = options.MaxSessionUnacknowledged;

        // A group of about a quarter memtable keeps one commit from forcing an oversized memtable.
        MaxGroupBytes = (int)Math.Clamp(Storage.MemTableSize / 4L, 4096, MaxGroupBytesCap);
    }

    public string DataDir { get; }

    public LsmOptions Storage { get; }

    public int MaxPendingWrites { get; }

    public long MaxPendingBytes { get; }

    public int MaxScanLimit { get; }

    public TimeSpan RequestTimeout { get; }

    public int MaxGroupBytes { get; }

    /// <summary>Test hook run on the shard actor before it opens its store (at start and at each restart).</summary>
    public Action<int>? BeforeShardOpen { get; }

    /// <summary>Test hook run on the shard actor when its compactor reports steps that did work (shard id, steps).</summary>
    public Action<int, int>? OnCompactionFinished { get; }

    /// <summary>Raised on the shard actor after each flush of its store.</summary>
    public Action<int, FlushCompletedInfo> OnFlushCompleted { get; }

    /// <summary>Id of the Akka dispatcher the shard actors and their children run on (blocking file I/O).</summary>
    public string Dispatcher { get; }

    /// <summary>Delay before a failed shard's first reopen (and before retrying a failed open); doubles per further one.</summary>
    public TimeSpan RestartMinBackoff { get; }

    /// <summary>Largest delay before a failed shard reopens its store.</summary>
    public TimeSpan RestartMaxBackoff { get; }

    /// <summary>Lifetime of a session record after the session's last write (R11).</summary>
    public TimeSpan SessionIdleTimeout { get; }

    /// <summary>Most writes of one session with a kept outcome or in flight.</summary>
    public int MaxSessionUnacknowledged { get; }

    /// <summary>Replication settings; null when the node's shards are standalone.</summary>
    public Replication.ShardReplicationOptions? Replication { get; }
}
