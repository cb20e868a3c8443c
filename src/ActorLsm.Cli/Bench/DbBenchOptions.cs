using ActorLsm.Storage;

namespace ActorLsm.Cli.Bench;

/// <summary>
/// Settings of <c>actorlsm dbbench</c>, named and defaulted as RocksDB's db_bench flags so the
/// same command line runs both.
/// </summary>
internal sealed class DbBenchOptions
{
    public required string Benchmarks { get; init; }

    /// <summary>Key space and default operation count (db_bench --num).</summary>
    public required long Num { get; init; }

    /// <summary>Read operations per thread; negative means <see cref="Num"/> (db_bench --reads).</summary>
    public long Reads { get; init; } = -1;

    /// <summary>Write operations per thread; negative means <see cref="Num"/> (db_bench --writes).</summary>
    public long Writes { get; init; } = -1;

    /// <summary>Delete operations per thread; negative means <see cref="Num"/> (db_bench --deletes).</summary>
    public long Deletes { get; init; } = -1;

    /// <summary>Percent of operations that are reads in readrandomwriterandom (db_bench --readwritepercent).</summary>
    public int ReadWritePercent { get; init; } = 90;

    /// <summary>Concurrent benchmark threads (db_bench --threads); readwhilewriting adds one writer.</summary>
    public int Threads { get; init; } = 1;

    public required int KeySize { get; init; }

    public required int ValueSize { get; init; }

    public required string Db { get; init; }

    public required int BloomBits { get; init; }

    public required long CacheSize { get; init; }

    public required int WriteBufferSize { get; init; }

    /// <summary>fsync the WAL before acknowledging every write (db_bench --sync).</summary>
    public required bool Sync { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>Fraction of each generated value that is random; the rest repeats it (db_bench --compression_ratio).</summary>
    public double CompressionRatio { get; init; } = 0.5;

    /// <summary>Block codec of every level (db_bench --compression_type: none, lz4, zstd, zlib/deflate, brotli).</summary>
    public BlockCompression Compression { get; init; } = BlockCompression.None;

    /// <summary>
    /// Maps a db_bench --compression_type name to a codec; null for names the engine lacks
    /// (snappy, bzip2, xpress). zlib maps to raw DEFLATE, the same algorithm without zlib's wrapper.
    /// </summary>
    public static BlockCompression? ParseCompression(string name) => name.ToLowerInvariant() switch
    {
        "none" => BlockCompression.None,
        "lz4" => BlockCompression.Lz4,
        "zstd" => BlockCompression.Zstd,
        "zlib" or "deflate" => BlockCompression.Deflate,
        "brotli" => BlockCompression.Brotli,
        _ => null,
    };

    /// <summary>Operations of each read benchmark per thread.</summary>
    public long ReadsPerThread => Reads < 0 ? Num : Reads;

    /// <summary>Operations of each write benchmark per thread.</summary>
    public long WritesPerThread => Writes < 0 ? Num : Writes;

    /// <summary>Operations of deleterandom per thread.</summary>
    public long DeletesPerThread => Deletes < 0 ? Num : Deletes;

    /// <summary>Returns the first problem with the settings, or null when they are usable.</summary>
    public string? Validate()
    {
        if (KeySize < 8)
        {
            return "--key_size must be >= 8";
        }

        if (Num <= 0)
        {
            return "--num must be > 0";
        }

        if (ValueSize < 0)
        {
            return "--value_size must be >= 0";
        }

        if (Threads < 1)
        {
            return "--threads must be >= 1";
        }

        if (CompressionRatio is <= 0 or > 1)
        {
            return "--compression_ratio must be in (0, 1]";
        }

        if (ReadWritePercent is < 0 or > 100)
        {
            return "--readwritepercent must be in [0, 100]";
        }

        return null;
    }
}
