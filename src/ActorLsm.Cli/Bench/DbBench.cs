using System.Diagnostics;
using System.Globalization;
using ActorLsm.Storage;

namespace ActorLsm.Cli.Bench;

/// <summary>
/// Mirrors RocksDB's db_bench for the benchmarks fillseq, fillrandom, readrandom, seekrandom
/// and readseq: keys are the integer as 8 big-endian bytes padded with '0' to key_size; random
/// benchmarks draw keys uniformly with replacement from [0, num); fill benchmarks start from an
/// empty store (db_bench's fresh_db); reads use the store the earlier benchmarks left; one
/// thread; WAL on without an fsync per write unless --sync. Output lines have db_bench's shape.
/// </summary>
internal sealed class DbBench : IDisposable
{
    private readonly DbBenchOptions _options;
    private readonly TextWriter _out;
    private readonly byte[] _valueSource;
    private readonly byte[] _key;
    private ulong _rng;
    private LsmStore? _store;

    public DbBench(DbBenchOptions options, TextWriter output)
    {
        _options = options;
        _out = output;
        _rng = options.Seed | 1;
        _key = new byte[Math.Max(8, options.KeySize)];
        // A buffer of random printable bytes to slice values from, as db_bench's RandomGenerator.
        _valueSource = new byte[Math.Max(1 << 20, options.ValueSize * 2)];
        for (int i = 0; i < _valueSource.Length; i++)
        {
            _valueSource[i] = (byte)(' ' + (int)(NextRandom() % 95));
        }
    }

    /// <summary>Runs each benchmark named in the comma-separated list; returns the process exit code.</summary>
    public int Run()
    {
        PrintHeader();
        foreach (string name in _options.Benchmarks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (name)
            {
                case "fillseq":
                    Fill(name, sequential: true);
                    break;
                case "fillrandom":
                    Fill(name, sequential: false);
                    break;
                case "readrandom":
                    ReadRandom(name);
                    break;
                case "seekrandom":
                    SeekRandom(name);
                    break;
                case "readseq":
                    ReadSeq(name);
                    break;
                case "stats":
                    PrintStats();
                    break;
                default:
                    Console.Error.WriteLine($"dbbench: unknown benchmark '{name}' (known: fillseq, fillrandom, readrandom, seekrandom, readseq, stats)");
                    return 2;
            }
        }

        PrintStats();
        return 0;
    }

    public void Dispose() => _store?.Dispose();

    private LsmOptions StoreOptions() => new()
    {
        WalSyncMode = _options.Sync ? WalSyncMode.Batch : WalSyncMode.None,
        MemTableSize = _options.WriteBufferSize,
        BlockCacheSize = _options.CacheSize,
        BloomBitsPerKey = _options.BloomBits,
        Compression = BlockCompression.None,
        MaxValueSize = Math.Max(16 * 1024 * 1024, _options.ValueSize),
    };

    private LsmStore Store => _store ??= LsmStore.Open(_options.Db, StoreOptions());

    private void Fill(string name, bool sequential)
    {
        // db_bench opens a fresh database for the fill benchmarks.
        if (_store is not null)
        {
            _store.Dispose();
            _store = null;

            // The previous store's memtable arenas are now garbage on the large object heap;
            // collect them before the next benchmark, as db_bench's process frees its DB here.
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        if (Directory.Exists(_options.Db))
        {
            Directory.Delete(_options.Db, recursive: true);
        }

        LsmStore store = Store;
        long num = _options.Num;
        int valueSize = _options.ValueSize;
        int valuePos = 0;
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < num; i++)
        {
            long k = sequential ? i : (long)(NextRandom() % (ulong)num);
            MakeKey(k);
            if (valuePos + valueSize > _valueSource.Length)
            {
                valuePos = 0;
            }

            store.Put(_key.AsSpan(0, _options.KeySize), _valueSource.AsSpan(valuePos, valueSize));
            valuePos += valueSize;
        }

        sw.Stop();
        Report(name, num, sw.Elapsed, num * (_options.KeySize + valueSize), null);
    }

    private void ReadRandom(string name)
    {
        LsmStore store = Store;
        long num = _options.Num;
        long found = 0;
        long bytes = 0;
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < num; i++)
        {
            MakeKey((long)(NextRandom() % (ulong)num));
            byte[]? value = store.Get(_key.AsSpan(0, _options.KeySize));
            if (value is not null)
            {
                found++;
                bytes += _options.KeySize + value.Length;
            }
        }

        sw.Stop();
        Report(name, num, sw.Elapsed, bytes, $"({found} of {num} found)");
    }

    private void SeekRandom(string name)
    {
        LsmStore store = Store;
        long num = _options.Num;
        long found = 0;
        long bytes = 0;
        var sw = Stopwatch.StartNew();
        using (LsmIterator it = store.NewIterator())
        {
            for (long i = 0; i < num; i++)
            {
                MakeKey((long)(NextRandom() % (ulong)num));
                ReadOnlySpan<byte> key = _key.AsSpan(0, _options.KeySize);
                it.Seek(key);
                if (it.Valid && it.Key.SequenceEqual(key))
                {
                    found++;
                    bytes += it.Key.Length + it.Value.Length;
                }
            }
        }

        sw.Stop();
        Report(name, num, sw.Elapsed, bytes, $"({found} of {num} found)");
    }

    private void ReadSeq(string name)
    {
        LsmStore store = Store;
        long count = 0;
        long bytes = 0;
        var sw = Stopwatch.StartNew();
        using (LsmIterator it = store.NewIterator())
        {
            for (it.SeekToFirst(); it.Valid && count < _options.Num; it.Next())
            {
                bytes += it.Key.Length + it.Value.Length;
                count++;
            }
        }

        sw.Stop();
        Report(name, count, sw.Elapsed, bytes, null);
    }

    private void MakeKey(long k)
    {
        // db_bench's GenerateKeyFromInt: big-endian integer, then '0' padding up to key_size.
        int fill = Math.Min(_options.KeySize, 8);
        for (int i = 0; i < fill; i++)
        {
            _key[i] = (byte)(k >> ((fill - i - 1) * 8));
        }

        _key.AsSpan(fill, _options.KeySize - fill).Fill((byte)'0');
    }

    private ulong NextRandom()
    {
        // xorshift64*: uniform enough for key choice, cheap enough not to show in the figures.
        _rng ^= _rng >> 12;
        _rng ^= _rng << 25;
        _rng ^= _rng >> 27;
        return _rng * 2685821657736338717UL;
    }

    private void PrintHeader()
    {
        _out.WriteLine($"ActorLsm:   dbbench (db_bench-compatible), .NET {Environment.Version}");
        _out.WriteLine($"Keys:       {_options.KeySize} bytes each");
        _out.WriteLine($"Values:     {_options.ValueSize} bytes each");
        _out.WriteLine($"Entries:    {_options.Num}");
        _out.WriteLine($"WAL:        on, {(_options.Sync ? "fsync per write group" : "no fsync per write")}");
        _out.WriteLine($"Bloom bits: {_options.BloomBits}, block cache: {_options.CacheSize} bytes, write buffer: {_options.WriteBufferSize} bytes");
        _out.WriteLine("------------------------------------------------");
    }

    private void Report(string name, long ops, TimeSpan elapsed, long bytes, string? extra)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        double microsPerOp = seconds * 1e6 / Math.Max(ops, 1);
        long opsPerSec = (long)(ops / seconds);
        string rate = bytes > 0 ? string.Create(CultureInfo.InvariantCulture, $" {bytes / 1048576.0 / seconds,6:F1} MB/s") : string.Empty;
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-12} : {microsPerOp,11:F3} micros/op {opsPerSec} ops/sec {seconds:F3} seconds {ops} operations;{rate}{(extra is null ? string.Empty : " " + extra)}"));
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"",-12}   memory: rss {self.WorkingSet64 / 1048576} MiB, peak {self.PeakWorkingSet64 / 1048576} MiB, managed heap {gc.HeapSizeBytes / 1048576} MiB, committed {gc.TotalCommittedBytes / 1048576} MiB"));
        _out.Flush();
    }

    private void PrintStats()
    {
        if (_store is null)
        {
            return;
        }

        LsmStats stats = _store.GetStats();
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stats        : write-amp {stats.WriteAmplification:F2}, flushes {stats.Flushes}, compactions {stats.Compactions}, stall {stats.StallTime.TotalSeconds:F3} s, cache hits {stats.BlockCacheHits} misses {stats.BlockCacheMisses}"));
        foreach (LevelStats level in stats.Levels)
        {
            if (level.Files > 0)
            {
                _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  L{level.Level}: {level.Files} files, {level.Bytes / 1048576.0:F1} MiB"));
            }
        }
    }
}
