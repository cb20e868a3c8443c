using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Tests.SSTable;

public sealed class TableTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static TableProperties Write(string path, List<(byte[] Key, byte[] Value)> entries, TableBuilderOptions? options = null)
    {
        using var builder = new TableBuilder(path, options ?? new TableBuilderOptions());
        foreach (var (key, value) in entries)
        {
            builder.Add(key, value);
        }

        var props = builder.Finish();
        Assert.Equal(new FileInfo(path).Length, builder.FileSize);
        return props;
    }

    [Fact]
    public void Finish_ManyVersionsAndTombstones_PropertiesMatchInput()
    {
        var entries = TestData.Entries(11, 5000, maxVersions: 3);
        string path = _dir.File("000001.sst");
        var written = Write(path, entries);
        using var reader = TableReader.Open(path, 1, null, verifyChecksums: true);
        var p = reader.Properties;

        Assert.Equal(entries.Count, p.EntryCount);
        Assert.Equal(entries.Count(e => InternalKey.Kind(e.Key) == ValueKind.Delete), p.TombstoneCount);
        Assert.Equal(entries[0].Key, p.SmallestKey);
        Assert.Equal(entries[^1].Key, p.LargestKey);
        Assert.Equal(entries.Min(e => InternalKey.Sequence(e.Key)), p.SmallestSequence);
        Assert.Equal(entries.Max(e => InternalKey.Sequence(e.Key)), p.LargestSequence);
        Assert.Equal(entries.Sum(e => (long)e.Key.Length), p.RawKeyBytes);
        Assert.Equal(entries.Sum(e => (long)e.Value.Length), p.RawValueBytes);
        Assert.True(p.DataBlockCount > 20);
        Assert.True(p.FilterSize > 0 && p.IndexSize > 0);
        Assert.Equal(TableFormat.FormatVersion, p.FormatVersion);
        Assert.Equal(written.ToString(), p.ToString());
    }

    [Fact]
    public void TryGet_SnapshotSequences_ReturnsNewestVisibleVersion()
    {
        const int seed = 21;
        var entries = TestData.Entries(seed, 5000, maxVersions: 4);
        string path = _dir.File("000002.sst");
        Write(path, entries);
        using var cache = new CacheScope(1 << 20);
        using var reader = TableReader.Open(path, 2, cache.Cache, verifyChecksums: true);
        var rng = new Random(seed);
        ulong maxSeq = reader.Properties.LargestSequence;
        for (int round = 0; round < 5000; round++)
        {
            var user = InternalKey.UserKey(entries[rng.Next(entries.Count)].Key).ToArray();
            ulong snapshot = (ulong)rng.NextInt64(0, (long)maxSeq + 2);
            var seek = InternalKey.Create(user, snapshot, InternalKey.KindForSeek);
            int lb = TestData.LowerBound(entries, seek);
            bool expected = lb < entries.Count && InternalKey.UserKey(entries[lb].Key).SequenceEqual(user);

            bool found = reader.TryGet(seek, out var kind, out var value, out ulong sequence, out var pin);
            Assert.True(expected == found, $"seed {seed} round {round}: found={found} for {InternalKey.Describe(seek)}");
            if (found)
            {
                Assert.Equal(InternalKey.Sequence(entries[lb].Key), sequence);
                Assert.Equal(InternalKey.Kind(entries[lb].Key), kind);
                Assert.True(value.SequenceEqual(entries[lb].Value), $"seed {seed} round {round}: value");
                pin!.Unref();
            }
        }

        Assert.True(cache.Cache.Hits > 0);
    }

    [Fact]
    public void TryGet_AbsentKeys_ReturnsFalse()
    {
        var entries = TestData.Entries(31, 3000);
        string path = _dir.File("000003.sst");
        Write(path, entries);
        using var reader = TableReader.Open(path, 3, null, verifyChecksums: true);
        for (int i = 0; i < 3000; i++)
        {
            var seek = InternalKey.Create(System.Text.Encoding.ASCII.GetBytes($"absent{i}"), InternalKey.MaxSequence, ValueKind.Put);
            Assert.False(reader.TryGet(seek, out _, out _, out _, out _));
        }

        foreach (var (key, _) in entries)
        {
            Assert.True(reader.MayContain(InternalKey.UserKey(key)));
        }
    }

    [Fact]
    public void Iterator_ForwardAndReverse_EqualsModel()
    {
        const int seed = 41;
        var entries = TestData.Entries(seed, 5000, maxVersions: 3, maxValue: 100);
        string path = _dir.File("000004.sst");
        Write(path, entries, new TableBuilderOptions { BlockSize = 1024 });
        using var reader = TableReader.Open(path, 4, null, verifyChecksums: true);
        using var it = reader.NewIterator();

        int i = 0;
        for (it.SeekToFirst(); it.Valid; it.Next(), i++)
        {
            Assert.True(it.Key.SequenceEqual(entries[i].Key) && it.Value.SequenceEqual(entries[i].Value), $"seed {seed}: entry {i}");
        }

        Assert.Equal(entries.Count, i);
        i = entries.Count - 1;
        for (it.SeekToLast(); it.Valid; it.Prev(), i--)
        {
            Assert.True(it.Key.SequenceEqual(entries[i].Key), $"seed {seed}: reverse entry {i}");
        }

        Assert.Equal(-1, i);
    }

    [Fact]
    public void Iterator_SeekAndSeekForPrev_MatchModel()
    {
        const int seed = 43;
        var entries = TestData.Entries(seed, 4000, maxVersions: 3);
        string path = _dir.File("000005.sst");
        Write(path, entries, new TableBuilderOptions { BlockSize = 512, RestartInterval = 4 });
        using var reader = TableReader.Open(path, 5, null, verifyChecksums: true);
        using var it = reader.NewIterator();
        var rng = new Random(seed);
        for (int round = 0; round < 2000; round++)
        {
            var target = TestData.ProbeKey(rng, entries);
            int lb = TestData.LowerBound(entries, target);
            it.Seek(target);
            Assert.Equal(lb < entries.Count, it.Valid);
            if (it.Valid)
            {
                Assert.True(it.Key.SequenceEqual(entries[lb].Key), $"seed {seed} round {round}: Seek");
                it.Next();
                Assert.Equal(lb + 1 < entries.Count, it.Valid);
            }

            int prev = lb < entries.Count && InternalKey.Compare(entries[lb].Key, target) == 0 ? lb : lb - 1;
            it.SeekForPrev(target);
            Assert.Equal(prev >= 0, it.Valid);
            if (it.Valid)
            {
                Assert.True(it.Key.SequenceEqual(entries[prev].Key), $"seed {seed} round {round}: SeekForPrev");
                it.Prev();
                Assert.Equal(prev > 0, it.Valid);
                if (it.Valid)
                {
                    Assert.True(it.Key.SequenceEqual(entries[prev - 1].Key), $"seed {seed} round {round}: Prev");
                }
            }
        }
    }

    [Fact]
    public void Finish_NoEntries_ReadsBackEmpty()
    {
        string path = _dir.File("000006.sst");
        var props = Write(path, []);
        Assert.Equal(0, props.EntryCount);
        using var reader = TableReader.Open(path, 6, null, verifyChecksums: true);
        using var it = reader.NewIterator();
        it.SeekToFirst();
        Assert.False(it.Valid);
        it.SeekToLast();
        Assert.False(it.Valid);
        Assert.False(reader.TryGet(InternalKey.Create("a"u8, 5, ValueKind.Put), out _, out _, out _, out _));
    }

    [Fact]
    public void Open_NoBloomFilter_MayContainAlwaysTrue()
    {
        var entries = TestData.Entries(51, 1000);
        string path = _dir.File("000007.sst");
        var props = Write(path, entries, new TableBuilderOptions { BloomBitsPerKey = 0 });
        Assert.Equal(0, props.FilterSize);
        using var reader = TableReader.Open(path, 7, null, verifyChecksums: true);
        Assert.False(reader.HasFilter);
        Assert.True(reader.MayContain("nothing-like-this"u8));
        Assert.True(reader.TryGet(InternalKey.Create(InternalKey.UserKey(entries[500].Key), InternalKey.MaxSequence, ValueKind.Put), out _, out _, out _, out var pin));
        pin.Unref();
    }

    [Fact]
    public void Add_KeyNotIncreasing_Throws()
    {
        using var builder = new TableBuilder(_dir.File("000008.sst"), new TableBuilderOptions());
        builder.Add(InternalKey.Create("b"u8, 5, ValueKind.Put), "v"u8);
        Assert.Throws<ArgumentException>(() => builder.Add(InternalKey.Create("a"u8, 9, ValueKind.Put), "v"u8));
        Assert.Throws<ArgumentException>(() => builder.Add(InternalKey.Create("b"u8, 5, ValueKind.Put), "v"u8));
        builder.Add(InternalKey.Create("b"u8, 4, ValueKind.Put), "v"u8);
        Assert.Equal(2, builder.EntryCount);
    }

    [Fact]
    public void Abandon_AfterAdds_DeletesFile()
    {
        string path = _dir.File("000009.sst");
        var builder = new TableBuilder(path, new TableBuilderOptions());
        builder.Add(InternalKey.Create("a"u8, 1, ValueKind.Put), "v"u8);
        builder.Abandon();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ApproximateOffsetOf_IncreasingKeys_IsMonotoneAndBounded()
    {
        var entries = TestData.Entries(61, 4000, maxValue: 200);
        string path = _dir.File("000010.sst");
        Write(path, entries);
        using var reader = TableReader.Open(path, 10, null, verifyChecksums: true);
        Assert.Equal(0, reader.ApproximateOffsetOf(entries[0].Key));
        long last = 0;
        for (int i = 0; i < entries.Count; i += 97)
        {
            long offset = reader.ApproximateOffsetOf(entries[i].Key);
            Assert.True(offset >= last, $"offset went back at entry {i}");
            last = offset;
        }

        long end = reader.ApproximateOffsetOf(InternalKey.Create([0xff, 0xff], 1, ValueKind.Put));
        Assert.True(end >= last && end < reader.FileSize);
        Assert.True(end > reader.FileSize / 2);
    }

    [Fact]
    public void TryGet_ConcurrentReadersOnOneTable_AllSeeCorrectValues()
    {
        const int seed = 71;
        var entries = TestData.Entries(seed, 4000, maxVersions: 2);
        string path = _dir.File("000011.sst");
        Write(path, entries, new TableBuilderOptions { BlockSize = 1024 });
        using var cache = new CacheScope(64 * 1024); // small: constant eviction under load
        using var reader = TableReader.Open(path, 11, cache.Cache, verifyChecksums: true);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = new Thread[8];
        for (int t = 0; t < threads.Length; t++)
        {
            int threadSeed = seed + t;
            threads[t] = new Thread(() =>
            {
                var rng = new Random(threadSeed);
                for (int i = 0; i < 1000; i++)
                {
                    var (key, value) = entries[rng.Next(entries.Count)];
                    bool found = reader.TryGet(key, out _, out var got, out ulong seq, out var pin);
                    if (!found || !got.SequenceEqual(value) || seq != InternalKey.Sequence(key))
                    {
                        failures.Enqueue($"seed {threadSeed}: TryGet {InternalKey.Describe(key)}");
                    }

                    pin?.Unref();
                }

                using var it = reader.NewIterator();
                int n = 0;
                for (it.SeekToFirst(); it.Valid; it.Next())
                {
                    if (!it.Key.SequenceEqual(entries[n++].Key))
                    {
                        failures.Enqueue($"seed {threadSeed}: scan entry {n - 1}");
                        break;
                    }
                }

                if (n != entries.Count)
                {
                    failures.Enqueue($"seed {threadSeed}: scan saw {n} entries");
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Empty(failures);
        Assert.True(cache.Cache.Usage <= cache.Cache.Capacity);
    }

    [Fact]
    public void NewIterator_FillCacheFalse_DoesNotInsertBlocks()
    {
        var entries = TestData.Entries(81, 5000);
        string path = _dir.File("000012.sst");
        Write(path, entries);
        using var cache = new CacheScope(1 << 24);
        using var reader = TableReader.Open(path, 12, cache.Cache, verifyChecksums: true);
        using (var it = reader.NewIterator(fillCache: false))
        {
            int n = 0;
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                n++;
            }

            Assert.Equal(entries.Count, n);
        }

        Assert.Equal(0, cache.Cache.Count);
        using (var it = reader.NewIterator())
        {
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
            }
        }

        Assert.Equal(reader.Properties.DataBlockCount, cache.Cache.Count);
    }

    /// <summary>Gives a test a BlockCache with a using-scope for symmetry with readers.</summary>
    internal sealed class CacheScope(long capacity) : IDisposable
    {
        public BlockCache Cache { get; } = new(capacity);

        public void Dispose()
        {
            Cache.AssertInvariants();
            Cache.Dispose();
        }
    }
}
