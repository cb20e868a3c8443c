namespace ActorLsm.Storage;

/// <summary>Size and file count of one level.</summary>
/// <param name="Level">0 for L0.</param>
/// <param name="Files">Number of SSTables.</param>
/// <param name="Bytes">Total SSTable bytes.</param>
public readonly record struct LevelStats(int Level, int Files, long Bytes);

/// <summary>
/// A point-in-time copy of the store's counters (RocksDB's "rocksdb.stats" in spirit). Byte
/// counts are since the store was opened. <see cref="WriteAmplification"/> is
/// (WAL + flush + compaction bytes written) / user bytes written.
/// </summary>
public sealed record LsmStats
{
    /// <summary>Key and value bytes handed to Put, Delete and Write.</summary>
    public long UserBytesWritten { get; init; }

    public long WalBytesWritten { get; init; }

    public long FlushBytesWritten { get; init; }

    public long CompactionBytesRead { get; init; }

    public long CompactionBytesWritten { get; init; }

    public long Flushes { get; init; }

    public long Compactions { get; init; }

    /// <summary>Commit groups written to the WAL (each is one write and, in Batch mode, one fsync).</summary>
    public long WriteGroups { get; init; }

    /// <summary>
    /// fsyncs of WAL segments since open: one per commit group in <see cref="WalSyncMode.Batch"/>
    /// mode, one per tick in <see cref="WalSyncMode.Interval"/> mode, plus one per finished segment
    /// at a memtable switch (RocksDB's "rocksdb.wal.synced"). Divided by writes it shows how well
    /// group commit shares fsyncs.
    /// </summary>
    public long WalSyncs { get; init; }

    public double WriteAmplification =>
        UserBytesWritten == 0 ? 0 : (double)(WalBytesWritten + FlushBytesWritten + CompactionBytesWritten) / UserBytesWritten;

    public IReadOnlyList<LevelStats> Levels { get; init; } = [];

    public long BlockCacheHits { get; init; }

    public long BlockCacheMisses { get; init; }

    /// <summary>Bytes charged by the block cache now: native block memory plus a fixed per-entry overhead.</summary>
    public long BlockCacheUsage { get; init; }

    /// <summary>
    /// Native memory in bytes held by SSTable data blocks of the whole process now: cached blocks
    /// and blocks still pinned by iterators or lookups after eviction (or read without caching).
    /// </summary>
    public long NativeBlockBytes { get; init; }

    /// <summary>Native data blocks alive in the whole process now (see <see cref="NativeBlockBytes"/>).</summary>
    public long NativeBlocks { get; init; }

    /// <summary>Time writers spent delayed (slowdown) or stopped by L0 or immutable-memtable pile-up.</summary>
    public TimeSpan StallTime { get; init; }

    public long SlowdownCount { get; init; }

    public long StopCount { get; init; }

    public long MemTableBytes { get; init; }

    public int ImmutableMemTables { get; init; }

    public ulong LastSequence { get; init; }

    public int LiveSnapshots { get; init; }
}
