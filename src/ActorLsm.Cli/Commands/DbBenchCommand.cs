using System.CommandLine;
using ActorLsm.Cli.Bench;

namespace ActorLsm.Cli.Commands;

/// <summary><c>actorlsm dbbench</c>: the storage engine under RocksDB db_bench's workloads and flags.</summary>
internal static class DbBenchCommand
{
    public static Command Create()
    {
        var benchmarks = new Option<string>("--benchmarks") { Description = "Comma-separated list: fillseq, fillrandom, readrandom, seekrandom, readseq, stats", DefaultValueFactory = _ => "fillseq,fillrandom,readrandom,seekrandom,readseq" };
        var num = new Option<long>("--num") { Description = "Number of key-value pairs (db_bench --num)", DefaultValueFactory = _ => 1_000_000 };
        var keySize = new Option<int>("--key_size") { Description = "Key size in bytes (at least 8)", DefaultValueFactory = _ => 16 };
        var valueSize = new Option<int>("--value_size") { Description = "Value size in bytes", DefaultValueFactory = _ => 100 };
        var db = new Option<string>("--db") { Description = "Store directory (deleted and recreated by fill benchmarks)", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "actorlsm-dbbench") };
        var bloomBits = new Option<int>("--bloom_bits") { Description = "Bloom filter bits per key", DefaultValueFactory = _ => 10 };
        var cacheSize = new Option<long>("--cache_size") { Description = "Block cache bytes", DefaultValueFactory = _ => 64L * 1024 * 1024 };
        var writeBufferSize = new Option<int>("--write_buffer_size") { Description = "Memtable bytes", DefaultValueFactory = _ => 64 * 1024 * 1024 };
        var sync = new Option<bool>("--sync") { Description = "fsync the WAL for every write group" };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 301 };

        var command = new Command("dbbench", "Benchmark the storage engine with RocksDB db_bench's workloads; prints db_bench-shaped lines.")
        {
            benchmarks, num, keySize, valueSize, db, bloomBits, cacheSize, writeBufferSize, sync, seed,
        };
        command.SetAction(parse =>
        {
            var options = new DbBenchOptions
            {
                Benchmarks = parse.GetValue(benchmarks)!,
                Num = parse.GetValue(num),
                KeySize = parse.GetValue(keySize),
                ValueSize = parse.GetValue(valueSize),
                Db = parse.GetValue(db)!,
                BloomBits = parse.GetValue(bloomBits),
                CacheSize = parse.GetValue(cacheSize),
                WriteBufferSize = parse.GetValue(writeBufferSize),
                Sync = parse.GetValue(sync),
                Seed = parse.GetValue(seed),
            };
            if (options.KeySize < 8 || options.Num <= 0 || options.ValueSize < 0)
            {
                Console.Error.WriteLine("dbbench: --key_size must be >= 8, --num > 0, --value_size >= 0");
                return 2;
            }

            using var bench = new DbBench(options, Console.Out);
            return bench.Run();
        });
        return command;
    }
}
