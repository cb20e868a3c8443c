using ActorLsm.Storage.FileSystem;

namespace ActorLsm.Storage;

/// <summary>When the WAL is forced to stable storage before a write is acknowledged.</summary>
public enum WalSyncMode
{
    /// <summary>Records reach the OS page cache only (db_bench's default): a process crash loses nothing, a machine crash may lose recent writes.</summary>
    None,

    /// <summary>Each commit group is fsynced before any of its writers is acknowledged (group commit). The default.</summary>
    Batch,

    /// <summary>Records reach the OS at once and an fsync runs every <see cref="LsmOptions.WalSyncInterval"/>.</summary>
    Interval,
}

/// <summary>Block compression codecs. Format constant: the value is stored in each block trailer (SSTable/FORMAT.md).</summary>
public enum BlockCompression : byte
{
    /// <summary>Blocks are stored as built.</summary>
    None = 0,

    /// <summary>Raw DEFLATE (System.IO.Compression.DeflateStream), fastest level.</summary>
    Deflate = 1,

    /// <summary>Brotli (System.IO.Compression.BrotliEncoder), quality 1.</summary>
    Brotli = 2,

    /// <summary>LZ4 block format (K4os.Compression.LZ4, fast level): RocksDB users' usual choice for upper levels.</summary>
    Lz4 = 3,

    /// <summary>Zstandard frame, level 3 (ZstdSharp.Port): RocksDB users' usual choice for the bottommost level.</summary>
    Zstd = 4,
}

/// <summary>
/// Tuning and limits of one store. Defaults follow RocksDB's where the issue names none
/// (hocon/reference.conf lists the same keys with comments). Sizes are in bytes.
/// </summary>
public sealed class LsmOptions
{
    /// <summary>Largest user key accepted, in bytes; larger keys get <see cref="ArgumentException"/>.</summary>
    public int MaxKeySize { get; set; } = 64 * 1024;

    /// <summary>Largest value accepted, in bytes; larger values get <see cref="ArgumentException"/>.</summary>
    public int MaxValueSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Arena size of one memtable; when full it becomes immutable (seed 000). Default 64 MiB.</summary>
    public int MemTableSize { get; set; } = 64 * 1024 * 1024;

    /// <summary>Immutable memtables allowed to wait for flush before writes stop (RocksDB's max_write_buffer_number - 1).</summary>
    public int MaxImmutableMemTables { get; set; } = 2;

    public WalSyncMode WalSyncMode { get; set; } = WalSyncMode.Batch;

    /// <summary>
    /// Where the store creates, syncs, renames and deletes its files. Default
    /// <see cref="DefaultFileSystem.Instance"/>, the real one; tests use
    /// <see cref="FaultInjectionFileSystem"/> (FAULTS.md). Not settable from HOCON.
    /// </summary>
    public IFileSystem FileSystem { get; set; } = DefaultFileSystem.Instance;

    /// <summary>
    /// The clock that decides whether an expiring value (<see cref="WriteBatch.Put(ReadOnlySpan{byte}, ReadOnlySpan{byte}, DateTimeOffset?)"/>)
    /// has expired, for reads (at the read: each get, and each iterator once when created) and for
    /// compaction (once per compaction). Default <see cref="System.TimeProvider.System"/>; tests inject
    /// a manual clock. Not settable from HOCON.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Period of the background fsync in <see cref="WalSyncMode.Interval"/> mode.</summary>
    public TimeSpan WalSyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A non-empty memtable older than this is flushed even if not full (seed 000: 30 s). Zero disables.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Target uncompressed size of a data block. Default 4 KiB.</summary>
    public int BlockSize { get; set; } = 4 * 1024;

    /// <summary>Keys between restart points in a block (shared-prefix compression resets there). Default 16.</summary>
    public int BlockRestartInterval { get; set; } = 16;

    /// <summary>Bloom filter bits per key; 0 disables filters. Default 10 (about 1% false positives).</summary>
    public int BloomBitsPerKey { get; set; } = 10;

    /// <summary>
    /// Data block codec of every level not covered by <see cref="CompressionPerLevel"/> or
    /// <see cref="BottommostCompression"/>. Default none.
    /// </summary>
    public BlockCompression Compression { get; set; } = BlockCompression.None;

    /// <summary>
    /// Codec per output level, index = level (RocksDB's compression_per_level): a flush uses entry
    /// 0, a compaction into level n entry min(n, count - 1). Null or empty: <see cref="Compression"/>
    /// everywhere. Example: [None, None, Lz4] leaves L0 and L1 raw and compresses L2 and deeper.
    /// </summary>
    public IReadOnlyList<BlockCompression>? CompressionPerLevel { get; set; }

    /// <summary>
    /// Codec of compaction outputs at or below the deepest non-empty level, overriding the per-level
    /// choice (RocksDB's bottommost_compression; flushes never use it). Null: no override.
    /// Typical: Lz4 per level and Zstd bottommost, as most of the data sits there.
    /// </summary>
    public BlockCompression? BottommostCompression { get; set; }

    /// <summary>
    /// The codec for an SSTable written at <paramref name="level"/>; <paramref name="bottommost"/>
    /// is true for a compaction output at or below the deepest level holding data.
    /// REQUIRES: level &gt;= 0.
    /// </summary>
    internal BlockCompression CompressionForLevel(int level, bool bottommost)
    {
        if (bottommost && BottommostCompression is { } bottom)
        {
            return bottom;
        }

        if (CompressionPerLevel is { Count: > 0 } perLevel)
        {
            return perLevel[Math.Min(level, perLevel.Count - 1)];
        }

        return Compression;
    }

    /// <summary>
    /// Capacity of the shared LRU block cache in bytes. Default 64 MiB; 0 disables it. Cached data
    /// blocks live in native memory, charged at their allocation plus about 160 bytes each; blocks
    /// still read by iterators or lookups after eviction are freed when those let go, so resident
    /// block memory can briefly exceed the capacity by what readers pin.
    /// </summary>
    public long BlockCacheSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>Open SSTable readers kept by the table cache.</summary>
    public int MaxOpenFiles { get; set; } = 1000;

    /// <summary>Verify each block's CRC32C on read. Default true.</summary>
    public bool VerifyChecksums { get; set; } = true;

    /// <summary>Number of levels, L0 included.</summary>
    public int NumLevels { get; set; } = 7;

    /// <summary>L0 file count that triggers an L0 compaction. Default 4.</summary>
    public int L0CompactionTrigger { get; set; } = 4;

    /// <summary>L0 file count at which each write is delayed (write slowdown). Default 20.</summary>
    public int L0SlowdownWritesTrigger { get; set; } = 20;

    /// <summary>L0 file count at which writes stop until compaction catches up. Default 36.</summary>
    public int L0StopWritesTrigger { get; set; } = 36;

    /// <summary>Delay added to each write group while slowed down.</summary>
    public TimeSpan SlowdownDelay { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Target total size of L1. Default 64 MiB; each deeper level is <see cref="LevelSizeMultiplier"/> times larger.</summary>
    public long MaxBytesForLevelBase { get; set; } = 64L * 1024 * 1024;

    public int LevelSizeMultiplier { get; set; } = 10;

    /// <summary>Target size of a compaction output file. Default 64 MiB (RocksDB's target_file_size_base).</summary>
    public long TargetFileSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>A compaction output file is cut when it overlaps this many bytes of the grandparent level (LevelDB: 10 x file size).</summary>
    public long MaxGrandparentOverlapBytes => 10 * TargetFileSize;

    /// <summary>Bytes per second compaction may write; 0 means unlimited.</summary>
    public long CompactionRateLimit { get; set; }

    /// <summary>Create the directory if it does not exist.</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, object value)
        {
            if (!ok)
            {
                throw new ArgumentException($"LsmOptions.{name} is out of range: {value}", name);
            }
        }

        Check(MaxKeySize is > 0 and <= 1024 * 1024, nameof(MaxKeySize), MaxKeySize);
        Check(MaxValueSize is > 0 and <= 256 * 1024 * 1024, nameof(MaxValueSize), MaxValueSize);
        Check(MemTableSize >= 4096, nameof(MemTableSize), MemTableSize);
        Check(MaxImmutableMemTables >= 1, nameof(MaxImmutableMemTables), MaxImmutableMemTables);
        Check(WalSyncInterval > TimeSpan.Zero, nameof(WalSyncInterval), WalSyncInterval);
        Check(FlushInterval >= TimeSpan.Zero, nameof(FlushInterval), FlushInterval);
        Check(BlockSize is >= 256 and <= 4 * 1024 * 1024, nameof(BlockSize), BlockSize);
        Check(BlockRestartInterval >= 1, nameof(BlockRestartInterval), BlockRestartInterval);
        Check(BloomBitsPerKey is >= 0 and <= 64, nameof(BloomBitsPerKey), BloomBitsPerKey);
        Check(Enum.IsDefined(Compression), nameof(Compression), Compression);
        Check(CompressionPerLevel is null || CompressionPerLevel.All(Enum.IsDefined), nameof(CompressionPerLevel), string.Join(",", CompressionPerLevel ?? []));
        Check(BottommostCompression is null || Enum.IsDefined(BottommostCompression.Value), nameof(BottommostCompression), BottommostCompression!);
        Check(BlockCacheSize >= 0, nameof(BlockCacheSize), BlockCacheSize);
        Check(MaxOpenFiles >= 16, nameof(MaxOpenFiles), MaxOpenFiles);
        Check(NumLevels is >= 2 and <= 16, nameof(NumLevels), NumLevels);
        Check(L0CompactionTrigger >= 1, nameof(L0CompactionTrigger), L0CompactionTrigger);
        Check(L0SlowdownWritesTrigger >= L0CompactionTrigger, nameof(L0SlowdownWritesTrigger), L0SlowdownWritesTrigger);
        Check(L0StopWritesTrigger >= L0SlowdownWritesTrigger, nameof(L0StopWritesTrigger), L0StopWritesTrigger);
        Check(MaxBytesForLevelBase >= 4096, nameof(MaxBytesForLevelBase), MaxBytesForLevelBase);
        Check(LevelSizeMultiplier >= 2, nameof(LevelSizeMultiplier), LevelSizeMultiplier);
        Check(TargetFileSize >= 4096, nameof(TargetFileSize), TargetFileSize);
        Check(TimeProvider is not null, nameof(TimeProvider), "null");
        Check(CompactionRateLimit >= 0, nameof(CompactionRateLimit), CompactionRateLimit);
    }

    /// <summary>A copy, so a running store never sees later changes to the caller's object.</summary>
    public LsmOptions Clone()
    {
        var copy = (LsmOptions)MemberwiseClone();
        copy.CompressionPerLevel = CompressionPerLevel?.ToArray();
        return copy;
    }
}
