namespace ActorLsm.Cli.Bench;

/// <summary>
/// Settings of <c>actorlsm dbbench</c>, named and defaulted as RocksDB's db_bench flags so the
/// same command line runs both.
/// </summary>
internal sealed class DbBenchOptions
{
    public required string Benchmarks { get; init; }

    public required long Num { get; init; }

    public required int KeySize { get; init; }

    public required int ValueSize { get; init; }

    public required string Db { get; init; }

    public required int BloomBits { get; init; }

    public required long CacheSize { get; init; }

    public required int WriteBufferSize { get; init; }

    /// <summary>fsync the WAL per write group (db_bench --sync).</summary>
    public required bool Sync { get; init; }

    public required ulong Seed { get; init; }
}
