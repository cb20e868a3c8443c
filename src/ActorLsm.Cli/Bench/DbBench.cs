using System.Diagnostics;
using System.Globalization;
using ActorLsm.Storage;

namespace ActorLsm.Cli.Bench;

/// <summary>
/// Mirrors RocksDB's db_bench (tools/db_bench_tool.cc, 7.x) for fillseq, fillrandom, overwrite,
/// fillsync, readrandom, seekrandom, readseq, readwhilewriting, readrandomwriterandom and
/// deleterandom. Keys are the integer as 8 big-endian bytes padded with '0' to key_size; random
/// benchmarks draw keys uniformly with replacement from [0, num); fill benchmarks and fillsync
/// start from an empty store (db_bench's fresh_db), the others use the store the earlier
/// benchmarks left. Every benchmark runs on --threads threads, each doing the full per-thread
/// operation count (--writes, --reads, --deletes, each defaulting to --num), as db_bench does;
/// readwhilewriting adds one writer thread whose operations are not counted. fillsync is
/// fillrandom with every write synced over the key space num/1000 (db_bench 7.x keeps
/// --writes, default --num, operations). The WAL is on; writes are fsynced before they are
/// acknowledged when --sync is set (the store runs in <see cref="WalSyncMode.Batch"/> mode then).
/// Result lines have db_bench's shape:
/// <c>name : X micros/op Y ops/sec Z seconds N operations; M MB/s (message)</c>, where micros/op
/// is the mean per-thread latency and ops/sec is all counted operations over the wall time.
/// </summary>
internal sealed class DbBench : IDisposable
{
    private static readonly string[] s_known =
    [
        "fillseq", "fillrandom", "overwrite", "fillsync", "readrandom", "seekrandom", "readseq",
        "readwhilewriting", "readrandomwriterandom", "deleterandom", "stats",
    ];

    private readonly DbBenchOptions _options;
    private readonly TextWriter _out;
    private readonly byte[] _valueSource;
    private LsmStore? _store;
    private bool _storeSynced;
    private int _activeReaders;

    // Threads started by all benchmarks so far: seeds each new thread's key stream.
    private int _threadsStarted;

    public DbBench(DbBenchOptions options, TextWriter output)
    {
        _options = options;
        _out = output;
        // A buffer to slice values from, as db_bench's RandomGenerator: 100-byte pieces, each a run
        // of compression_ratio * 100 random printable bytes repeated to fill the piece, so a
        // codec shrinks values to about that ratio (db_bench's default 0.5).
        ulong rng = SplitMix(options.Seed);
        _valueSource = new byte[Math.Max(1 << 20, options.ValueSize * 2)];
        const int piece = 100;
        int randomPart = Math.Clamp((int)(piece * options.CompressionRatio), 1, piece);
        for (int start = 0; start < _valueSource.Length; start += piece)
        {
            int end = Math.Min(start + piece, _valueSource.Length);
            for (int i = start; i < end; i++)
            {
                _valueSource[i] = i - start < randomPart
                    ? (byte)(' ' + (int)(XorShift(ref rng) % 95))
                    : _valueSource[start + ((i - start) % randomPart)];
            }
        }
    }

    /// <summary>Runs each benchmark named in the comma-separated list; returns the process exit code.</summary>
    public int Run()
    {
        string[] names = _options.Benchmarks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string name in names)
        {
            if (Array.IndexOf(s_known, name) < 0)
            {
                Console.Error.WriteLine($"dbbench: unknown benchmark '{name}' (known: {string.Join(", ", s_known)})");
                return 2;
            }
        }

        PrintHeader();
        foreach (string name in names)
        {
            RunBenchmark(name);
        }

        PrintStats();
        return 0;
    }

    public void Dispose() => _store?.Dispose();

    private void RunBenchmark(string name)
    {
        int threads = _options.Threads;
        long num = _options.Num;
        bool sync = _options.Sync;
        Action<ThreadState, LsmStore> body;
        bool fresh = false;
        bool writes = true;
        switch (name)
        {
            case "fillseq":
                fresh = true;
                body = (t, s) => DoWrite(t, s, sequential: true, num);
                break;
            case "fillrandom":
                fresh = true;
                body = (t, s) => DoWrite(t, s, sequential: false, num);
                break;
            case "overwrite":
                body = (t, s) => DoWrite(t, s, sequential: false, num);
                break;
            case "fillsync":
                fresh = true;
                sync = true;
                body = (t, s) => DoWrite(t, s, sequential: false, Math.Max(1, num / 1000));
                break;
            case "deleterandom":
                body = DoDelete;
                break;
            case "readrandom":
                writes = false;
                body = DoReadRandom;
                break;
            case "seekrandom":
                writes = false;
                body = DoSeekRandom;
                break;
            case "readseq":
                writes = false;
                body = DoReadSeq;
                break;
            case "readrandomwriterandom":
                body = DoReadRandomWriteRandom;
                break;
            case "readwhilewriting":
                threads++; // thread 0 writes, the others read (db_bench's BGWriter)
                _activeReaders = threads - 1;
                body = (t, s) =>
                {
                    if (t.Tid == 0)
                    {
                        t.ExcludeFromMerge = true;
                        DoBackgroundWrite(t, s);
                    }
                    else
                    {
                        try
                        {
                            DoReadRandom(t, s);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _activeReaders);
                        }
                    }
                };
                break;
            case "stats":
                PrintStats();
                return;
            default:
                throw new InvalidOperationException($"benchmark '{name}' passed validation but has no body");
        }

        LsmStore store = fresh ? OpenFresh(sync) : OpenExisting(writes ? sync : null);
        long syncsBefore = store.GetStats().WalSyncs;
        ThreadState[] states = RunThreads(threads, store, body);
        long syncs = store.GetStats().WalSyncs - syncsBefore;
        Report(name, states);
        if (writes)
        {
            long written = states.Sum(s => s.Writes);
            _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"",-12}   wal: {syncs} fsyncs for {written} writes, {(written == 0 ? 0 : (double)syncs / written):F4} fsyncs per write ({(sync ? "synced" : "not synced")})"));
            _out.Flush();
        }
    }

    private ThreadState[] RunThreads(int count, LsmStore store, Action<ThreadState, LsmStore> body)
    {
        var states = new ThreadState[count];
        for (int i = 0; i < count; i++)
        {
            // As db_bench seeds each thread from a count of all threads started so far, every
            // benchmark draws a new key stream: overwrite reaches keys fillrandom missed, and
            // readrandom misses the keys no write reached (about e^-2 of them after both).
            ulong stream = (ulong)_threadsStarted++;
            states[i] = new ThreadState(i, SplitMix(_options.Seed + (stream * 0x9E3779B97F4A7C15UL)), _options.KeySize);
        }

        if (count == 1)
        {
            RunOne(states[0], store, body, null);
            return states;
        }

        using var start = new Barrier(count);
        var errors = new Exception?[count];
        var workers = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            ThreadState state = states[i];
            workers[i] = new Thread(() =>
            {
                try
                {
                    RunOne(state, store, body, start);
                }
                catch (Exception e)
                {
                    errors[state.Tid] = e;
                }
            })
            { IsBackground = true, Name = $"dbbench-{i}" };
            workers[i].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        foreach (Exception? e in errors)
        {
            if (e is not null)
            {
                throw new InvalidOperationException("a benchmark thread failed", e);
            }
        }

        return states;
    }

    private static void RunOne(ThreadState state, LsmStore store, Action<ThreadState, LsmStore> body, Barrier? start)
    {
        start?.SignalAndWait();
        state.StartTicks = Stopwatch.GetTimestamp();
        body(state, store);
        state.EndTicks = Stopwatch.GetTimestamp();
    }

    private LsmStore OpenFresh(bool sync)
    {
        CloseStore();
        if (Directory.Exists(_options.Db))
        {
            Directory.Delete(_options.Db, recursive: true);
        }

        return OpenStore(sync);
    }

    /// <summary>The open store; reopened when a write benchmark needs the other sync mode (null: either will do).</summary>
    private LsmStore OpenExisting(bool? sync)
    {
        if (_store is not null && (sync is null || sync == _storeSynced))
        {
            return _store;
        }

        CloseStore();
        return OpenStore(sync ?? _options.Sync);
    }

    private LsmStore OpenStore(bool sync)
    {
        _store = LsmStore.Open(_options.Db, new LsmOptions
        {
            WalSyncMode = sync ? WalSyncMode.Batch : WalSyncMode.None,
            MemTableSize = _options.WriteBufferSize,
            BlockCacheSize = _options.CacheSize,
            BloomBitsPerKey = _options.BloomBits,
            Compression = _options.Compression,
            MaxValueSize = Math.Max(16 * 1024 * 1024, _options.ValueSize),
        });
        _storeSynced = sync;
        return _store;
    }

    private void CloseStore()
    {
        if (_store is null)
        {
            return;
        }

        _store.Dispose();
        _store = null;

        // The previous store's memtable arenas are now garbage on the large object heap;
        // collect them before the next benchmark, as db_bench's process frees its DB here.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private void DoWrite(ThreadState t, LsmStore store, bool sequential, long keySpace)
    {
        long ops = _options.WritesPerThread;
        int keySize = _options.KeySize;
        for (long i = 0; i < ops; i++)
        {
            t.MakeKey(sequential ? i : (long)(t.Next() % (ulong)keySpace), keySize);
            store.Put(t.Key.AsSpan(0, keySize), NextValue(t));
        }

        t.Ops = ops;
        t.Writes = ops;
        t.Bytes = ops * (keySize + _options.ValueSize);
    }

    private void DoBackgroundWrite(ThreadState t, LsmStore store)
    {
        int keySize = _options.KeySize;
        ulong num = (ulong)_options.Num;
        while (Volatile.Read(ref _activeReaders) > 0)
        {
            t.MakeKey((long)(t.Next() % num), keySize);
            store.Put(t.Key.AsSpan(0, keySize), NextValue(t));
            t.Writes++;
        }

        t.Ops = t.Writes;
        t.Bytes = t.Writes * (keySize + _options.ValueSize);
    }

    private void DoDelete(ThreadState t, LsmStore store)
    {
        long ops = _options.DeletesPerThread;
        int keySize = _options.KeySize;
        ulong num = (ulong)_options.Num;
        for (long i = 0; i < ops; i++)
        {
            t.MakeKey((long)(t.Next() % num), keySize);
            store.Delete(t.Key.AsSpan(0, keySize));
        }

        t.Ops = ops;
        t.Writes = ops;
    }

    private void DoReadRandom(ThreadState t, LsmStore store)
    {
        long ops = _options.ReadsPerThread;
        int keySize = _options.KeySize;
        ulong num = (ulong)_options.Num;
        for (long i = 0; i < ops; i++)
        {
            t.MakeKey((long)(t.Next() % num), keySize);
            byte[]? value = store.Get(t.Key.AsSpan(0, keySize));
            if (value is not null)
            {
                t.Found++;
                t.Bytes += keySize + value.Length;
            }
        }

        t.Ops = ops;
        t.Reads = ops;
        t.Message = $"({t.Found} of {ops} found)";
    }

    private void DoSeekRandom(ThreadState t, LsmStore store)
    {
        long ops = _options.ReadsPerThread;
        int keySize = _options.KeySize;
        ulong num = (ulong)_options.Num;
        using (LsmIterator it = store.NewIterator())
        {
            for (long i = 0; i < ops; i++)
            {
                t.MakeKey((long)(t.Next() % num), keySize);
                ReadOnlySpan<byte> key = t.Key.AsSpan(0, keySize);
                it.Seek(key);
                if (it.Valid && it.Key.SequenceEqual(key))
                {
                    t.Found++;
                    t.Bytes += it.Key.Length + it.Value.Length;
                }
            }
        }

        t.Ops = ops;
        t.Reads = ops;
        t.Message = $"({t.Found} of {ops} found)";
    }

    private void DoReadSeq(ThreadState t, LsmStore store)
    {
        long limit = _options.ReadsPerThread;
        using (LsmIterator it = store.NewIterator())
        {
            for (it.SeekToFirst(); it.Valid && t.Ops < limit; it.Next())
            {
                t.Bytes += it.Key.Length + it.Value.Length;
                t.Ops++;
            }
        }

        t.Reads = t.Ops;
    }

    private void DoReadRandomWriteRandom(ThreadState t, LsmStore store)
    {
        long ops = _options.ReadsPerThread;
        int keySize = _options.KeySize;
        ulong num = (ulong)_options.Num;
        for (long i = 0; i < ops; i++)
        {
            t.MakeKey((long)(t.Next() % num), keySize);
            ReadOnlySpan<byte> key = t.Key.AsSpan(0, keySize);
            if ((int)(t.Next() % 100) < _options.ReadWritePercent)
            {
                t.Reads++;
                byte[]? value = store.Get(key);
                if (value is not null)
                {
                    t.Found++;
                    t.Bytes += keySize + value.Length;
                }
            }
            else
            {
                t.Writes++;
                store.Put(key, NextValue(t));
                t.Bytes += keySize + _options.ValueSize;
            }
        }

        t.Ops = ops;
        t.Message = $"( reads:{t.Reads} writes:{t.Writes} total:{ops} found:{t.Found})";
    }

    private ReadOnlySpan<byte> NextValue(ThreadState t)
    {
        int valueSize = _options.ValueSize;
        if (t.ValuePos + valueSize > _valueSource.Length)
        {
            t.ValuePos = 0;
        }

        ReadOnlySpan<byte> value = _valueSource.AsSpan(t.ValuePos, valueSize);
        t.ValuePos += valueSize;
        return value;
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (x ^ (x >> 31)) | 1;
    }

    private static ulong XorShift(ref ulong state)
    {
        // xorshift64*: uniform enough for key choice, cheap enough not to show in the figures.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 2685821657736338717UL;
    }

    private void PrintHeader()
    {
        _out.WriteLine($"ActorLsm:   dbbench (db_bench-compatible), .NET {Environment.Version}");
        _out.WriteLine($"Keys:       {_options.KeySize} bytes each");
        _out.WriteLine($"Values:     {_options.ValueSize} bytes each");
        _out.WriteLine($"Entries:    {_options.Num}");
        _out.WriteLine($"Threads:    {_options.Threads}");
        _out.WriteLine($"WAL:        on, {(_options.Sync ? "fsync before every write is acknowledged (group commit)" : "no fsync per write (fillsync: synced)")}");
        _out.WriteLine($"Compression: {_options.Compression}");
        _out.WriteLine($"Bloom bits: {_options.BloomBits}, block cache: {_options.CacheSize} bytes, write buffer: {_options.WriteBufferSize} bytes");
        _out.WriteLine("------------------------------------------------");
    }

    /// <summary>Merges the counted threads as db_bench's Stats::Merge and prints its Report line and a memory line.</summary>
    private void Report(string name, ThreadState[] states)
    {
        long ops = 0;
        long bytes = 0;
        long start = long.MaxValue;
        long end = long.MinValue;
        double threadSeconds = 0;
        string? message = null;
        foreach (ThreadState s in states)
        {
            if (s.ExcludeFromMerge)
            {
                continue;
            }

            ops += s.Ops;
            bytes += s.Bytes;
            start = Math.Min(start, s.StartTicks);
            end = Math.Max(end, s.EndTicks);
            threadSeconds += Stopwatch.GetElapsedTime(s.StartTicks, s.EndTicks).TotalSeconds;
            message ??= s.Message; // db_bench keeps the first thread's message
        }

        double seconds = Math.Max(Stopwatch.GetElapsedTime(start, end).TotalSeconds, 1e-9);
        double microsPerOp = threadSeconds * 1e6 / Math.Max(ops, 1);
        long opsPerSec = (long)(ops / seconds);
        string rate = bytes > 0 ? string.Create(CultureInfo.InvariantCulture, $" {bytes / 1048576.0 / seconds,6:F1} MB/s") : string.Empty;
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-12} : {microsPerOp,11:F3} micros/op {opsPerSec} ops/sec {seconds:F3} seconds {ops} operations;{rate}{(message is null ? string.Empty : " " + message)}"));
        using var self = Process.GetCurrentProcess();
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"",-12}   memory: rss {self.WorkingSet64 / 1048576} MiB, peak {self.PeakWorkingSet64 / 1048576} MiB, managed heap {gc.HeapSizeBytes / 1048576} MiB (gen2 {gc.GenerationInfo[2].SizeAfterBytes / 1048576} MiB, loh {gc.GenerationInfo[3].SizeAfterBytes / 1048576} MiB at the last GC), committed {gc.TotalCommittedBytes / 1048576} MiB{NativeMemoryNote()}"));
        _out.Flush();
    }

    // Native memory the engine reports: data blocks (cached or pinned) and memtables.
    private string NativeMemoryNote()
    {
        if (_store is null)
        {
            return string.Empty;
        }

        LsmStats stats = _store.GetStats();
        return string.Create(CultureInfo.InvariantCulture,
            $", native blocks {stats.NativeBlockBytes / 1048576} MiB in {stats.NativeBlocks} (cache charge {stats.BlockCacheUsage / 1048576} MiB), memtables {stats.MemTableBytes / 1048576} MiB");
    }

    private void PrintStats()
    {
        if (_store is null)
        {
            return;
        }

        LsmStats stats = _store.GetStats();
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stats        : write-amp {stats.WriteAmplification:F2}, flushes {stats.Flushes}, compactions {stats.Compactions}, stall {stats.StallTime.TotalSeconds:F3} s, cache hits {stats.BlockCacheHits} misses {stats.BlockCacheMisses}, write groups {stats.WriteGroups}, WAL fsyncs {stats.WalSyncs}"));
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sstables     : {stats.Levels.Sum(l => l.Bytes)} bytes in {stats.Levels.Sum(l => l.Files)} live files"));
        foreach (LevelStats level in stats.Levels)
        {
            if (level.Files > 0)
            {
                _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  L{level.Level}: {level.Files} files, {level.Bytes / 1048576.0:F1} MiB"));
            }
        }
    }

    /// <summary>One benchmark thread's generator, key buffer and counts (db_bench's ThreadState and Stats).</summary>
    private sealed class ThreadState
    {
        private ulong _rng;

        public ThreadState(int tid, ulong seed, int keySize)
        {
            Tid = tid;
            _rng = seed;
            Key = new byte[Math.Max(8, keySize)];
        }

        public int Tid { get; }

        public byte[] Key { get; }

        public int ValuePos { get; set; }

        public long Ops { get; set; }

        public long Bytes { get; set; }

        public long Found { get; set; }

        public long Reads { get; set; }

        public long Writes { get; set; }

        public long StartTicks { get; set; }

        public long EndTicks { get; set; }

        public bool ExcludeFromMerge { get; set; }

        public string? Message { get; set; }

        public ulong Next() => XorShift(ref _rng);

        /// <summary>db_bench's GenerateKeyFromInt: big-endian integer, then '0' padding up to <paramref name="keySize"/>.</summary>
        public void MakeKey(long k, int keySize)
        {
            int fill = Math.Min(keySize, 8);
            for (int i = 0; i < fill; i++)
            {
                Key[i] = (byte)(k >> ((fill - i - 1) * 8));
            }

            Key.AsSpan(fill, keySize - fill).Fill((byte)'0');
        }
    }
}
