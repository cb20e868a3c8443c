using System.Text.RegularExpressions;
using ActorLsm.Cli.Bench;
using ActorLsm.Storage;

namespace ActorLsm.Cli.Tests;

/// <summary>dbbench's flag handling and output shape (db_bench's result line); no timing is asserted.</summary>
public sealed partial class DbBenchTests : IDisposable
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), "actorlsm-dbbench-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_db))
        {
            Directory.Delete(_db, recursive: true);
        }
    }

    [Theory]
    [InlineData("none", BlockCompression.None)]
    [InlineData("lz4", BlockCompression.Lz4)]
    [InlineData("ZSTD", BlockCompression.Zstd)]
    [InlineData("zlib", BlockCompression.Deflate)]
    [InlineData("brotli", BlockCompression.Brotli)]
    public void ParseCompression_DbBenchName_MapsToCodec(string name, BlockCompression expected) =>
        Assert.Equal(expected, DbBenchOptions.ParseCompression(name));

    [Fact]
    public void ParseCompression_Snappy_ReturnsNull() => Assert.Null(DbBenchOptions.ParseCompression("snappy"));

    [Fact]
    public void Validate_ZeroThreads_NamesThreads() =>
        Assert.Contains("--threads", Options("fillrandom", threads: 0).Validate());

    [Fact]
    public void Run_EveryBenchmarkOnTwoThreads_PrintsDbBenchLinesWithOperationCounts()
    {
        var output = new StringWriter();
        const string all = "fillseq,fillrandom,overwrite,readrandom,seekrandom,readseq,readwhilewriting,readrandomwriterandom,deleterandom,fillsync";
        using (var bench = new DbBench(Options(all, threads: 2), output))
        {
            Assert.Equal(0, bench.Run());
        }

        var counts = new Dictionary<string, long>();
        foreach (Match m in ResultLine().Matches(output.ToString()))
        {
            counts[m.Groups["name"].Value] = long.Parse(m.Groups["ops"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(all.Split(',').Order(), counts.Keys.Order());
        Assert.Equal(400, counts["fillrandom"]); // 2 threads x --num 200 each, as db_bench
        Assert.Equal(400, counts["readrandom"]);
        Assert.Equal(400, counts["readwhilewriting"]); // the writer thread is not counted
        Assert.Equal(400, counts["fillsync"]); // --writes (default --num) per thread, as db_bench 7.x
        Assert.Matches(@"fillsync .*\r?\n\s+memory: .*\r?\n\s+wal: [1-9]\d* fsyncs for 400 writes", output.ToString());
    }

    private DbBenchOptions Options(string benchmarks, int threads) => new()
    {
        Benchmarks = benchmarks,
        Num = 200,
        Threads = threads,
        KeySize = 16,
        ValueSize = 100,
        Db = _db,
        BloomBits = 10,
        CacheSize = 1 << 20,
        WriteBufferSize = 1 << 20,
        Sync = false,
        Seed = 301,
    };

    [GeneratedRegex(@"^(?<name>\w+)\s+:\s+[\d.]+ micros/op \d+ ops/sec [\d.]+ seconds (?<ops>\d+) operations;", RegexOptions.Multiline)]
    private static partial Regex ResultLine();
}
