using System.CommandLine;
using ActorLsm.Cli.Bench;

namespace ActorLsm.Cli.Commands;

/// <summary><c>actorlsm dbbench</c>: the storage engine under RocksDB db_bench's workloads and flags.</summary>
internal static class DbBenchCommand
{
    public static Command Create()
    {
        var benchmarks = new Option<string>("--benchmarks") { Description = "Comma-separated list: fillseq, fillrandom, overwrite, fillsync, readrandom, seekrandom, readseq, readwhilewriting, readrandomwriterandom, deleterandom, stats", DefaultValueFactory = _ => "fillseq,fillrandom,readrandom,seekrandom,readseq" };
        var num = new Option<long>("--num") { Description = "Number of key-value pairs (db_bench --num)", DefaultValueFactory = _ => 1_000_000 };
        var reads = new Option<long>("--reads") { Description = "Reads per thread; negative means --num (db_bench --reads)", DefaultValueFactory = _ => -1 };
        var writes = new Option<long>("--writes") { Description = "Writes per thread; negative means --num (db_bench --writes)", DefaultValueFactory = _ => -1 };
        var deletes = new Option<long>("--deletes") { Description = "Deletes per thread in deleterandom; negative means --num (db_bench --deletes)", DefaultValueFactory = _ => -1 };
        var threads = new Option<int>("--threads") { Description = "Concurrent threads per benchmark; readwhilewriting adds one uncounted writer (db_bench --threads)", DefaultValueFactory = _ => 1 };
        var readWritePercent = new Option<int>("--readwritepercent") { Description = "Percent reads in readrandomwriterandom (db_bench --readwritepercent)", DefaultValueFactory = _ => 90 };
        var keySize = new Option<int>("--key_size") { Description = "Key size in bytes (at least 8)", DefaultValueFactory = _ => 16 };
        var valueSize = new Option<int>("--value_size") { Description = "Value size in bytes", DefaultValueFactory = _ => 100 };
        var db = new Option<string>("--db") { Description = "Store directory (deleted and recreated by fill benchmarks)", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "actorlsm-dbbench") };
        var bloomBits = new Option<int>("--bloom_bits") { Description = "Bloom filter bits per key", DefaultValueFactory = _ => 10 };
        var cacheSize = new Option<long>("--cache_size") { Description = "Block cache bytes", DefaultValueFactory = _ => 64L * 1024 * 1024 };
        var writeBufferSize = new Option<int>("--write_buffer_size") { Description = "Memtable bytes", DefaultValueFactory = _ => 64 * 1024 * 1024 };
        var sync = new Option<bool>("--sync") { Description = "Acknowledge every write only after its WAL fsync (shared by concurrent writers: group commit)" };
        var compression = new Option<string>("--compression_type") { Description = "Block codec: none, lz4, zstd, zlib (raw DEFLATE), brotli (db_bench --compression_type; db_bench's default is snappy, which the engine lacks)", DefaultValueFactory = _ => "none" };
        var compressionRatio = new Option<double>("--compression_ratio") { Description = "Fraction of each value that is random, the rest repeats it (db_bench --compression_ratio)", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 301 };

        var command = new Command("dbbench", "Benchmark the storage engine with RocksDB db_bench's workloads; prints db_bench-shaped lines.")
        {
            benchmarks, num, reads, writes, deletes, threads, readWritePercent, keySize, valueSize, db, bloomBits, cacheSize, writeBufferSize, sync, compression, compressionRatio, seed,
        };
        command.SetAction(parse =>
        {
            if (DbBenchOptions.ParseCompression(parse.GetValue(compression)!) is not { } codec)
            {
                Console.Error.WriteLine($"dbbench: unsupported --compression_type '{parse.GetValue(compression)}' (none, lz4, zstd, zlib, brotli)");
                return 2;
            }

            var options = new DbBenchOptions
            {
                Benchmarks = parse.GetValue(benchmarks)!,
                Num = parse.GetValue(num),
                Reads = parse.GetValue(reads),
                Writes = parse.GetValue(writes),
                Deletes = parse.GetValue(deletes),
                Threads = parse.GetValue(threads),
                ReadWritePercent = parse.GetValue(readWritePercent),
                KeySize = parse.GetValue(keySize),
                ValueSize = parse.GetValue(valueSize),
                Db = parse.GetValue(db)!,
                BloomBits = parse.GetValue(bloomBits),
                CacheSize = parse.GetValue(cacheSize),
                WriteBufferSize = parse.GetValue(writeBufferSize),
                Sync = parse.GetValue(sync),
                Seed = parse.GetValue(seed),
                Compression = codec,
                CompressionRatio = parse.GetValue(compressionRatio),
            };
            if (options.Validate() is { } problem)
            {
                Console.Error.WriteLine($"dbbench: {problem}");
                return 2;
            }

            using var bench = new DbBench(options, Console.Out);
            return bench.Run();
        });
        return command;
    }
}
