using System.Text;
using ActorLsm.Storage.Tests.Wal;

namespace ActorLsm.Storage.Tests.Engine;

public sealed class LsmStoreTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Put_ThenGet_ReturnsValue()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path);
        store.Put(B("a"), B("1"));
        store.Put(B("a"), B("2"));
        Assert.Equal(B("2"), store.Get(B("a")));
        Assert.Null(store.Get(B("b")));
    }

    [Fact]
    public void Delete_ThenGet_ReturnsNull()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path);
        store.Put(B("a"), B("1"));
        store.Delete(B("a"));
        Assert.Null(store.Get(B("a")));
        store.Flush();
        Assert.Null(store.Get(B("a")));
    }

    [Fact]
    public void Put_KeyOverLimit_ThrowsAndWritesNothing()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, new LsmOptions { MaxKeySize = 16 });
        ulong before = store.LastSequence;
        Assert.Throws<ArgumentException>(() => store.Put(new byte[17], B("v")));
        var batch = new WriteBatch().Put(B("ok"), B("v")).Put(new byte[17], B("v"));
        Assert.Throws<ArgumentException>(() => store.Write(batch));
        Assert.Equal(before, store.LastSequence);
        Assert.Null(store.Get(B("ok")));
    }

    [Fact]
    public void Put_ValueOverLimit_Throws()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, new LsmOptions { MaxValueSize = 100 });
        Assert.Throws<ArgumentException>(() => store.Put(B("k"), new byte[101]));
        store.Put(B("k"), new byte[100]);
        Assert.Equal(100, store.Get(B("k"))!.Length);
    }

    [Fact]
    public void Operations_AfterDispose_ThrowObjectDisposed()
    {
        using var dir = new TempDir();
        LsmStore store = LsmStore.Open(dir.Path);
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Put(B("a"), B("1")));
        Assert.Throws<ObjectDisposedException>(() => store.Get(B("a")));
        Assert.Throws<ObjectDisposedException>(() => store.NewIterator());
    }

    [Fact]
    public void Open_SameDirectoryTwice_ThrowsStoreLocked()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path);
        Assert.Throws<StoreLockedException>(() => LsmStore.Open(dir.Path));
    }

    [Fact]
    public void Reopen_AfterWritesWithoutFlush_RecoversFromWal()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path))
        {
            for (int i = 0; i < 1000; i++)
            {
                store.Put(B($"k{i:D5}"), B($"v{i}"));
            }

            store.Delete(B("k00007"));
        }

        using LsmStore reopened = LsmStore.Open(dir.Path);
        Assert.Equal(B("v999"), reopened.Get(B("k00999")));
        Assert.Null(reopened.Get(B("k00007")));
        Assert.Equal(1001UL, reopened.LastSequence);
    }

    [Fact]
    public async Task Flush_WritesL0AndRaisesFlushCompleted()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path);
        var flushed = new TaskCompletionSource<FlushCompletedInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.FlushCompleted += info => flushed.TrySetResult(info);
        store.Put(B("a"), B("1"));
        store.Flush();
        Assert.Equal(1, store.GetStats().Levels[0].Files);
        FlushCompletedInfo info = await flushed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1UL, info.LargestSequence);
        Assert.True(info.FileSize > 0);
        Assert.Equal(B("1"), store.Get(B("a")));
    }

    [Fact]
    public async Task FlushInterval_MemTableOlderThanInterval_IsFlushedByTimer()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, new LsmOptions { FlushInterval = TimeSpan.FromMilliseconds(100) });
        var done = new TaskCompletionSource<FlushCompletedInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.FlushCompleted += info => done.TrySetResult(info);
        store.Put(B("a"), B("1"));
        FlushCompletedInfo info = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1UL, info.LargestSequence);
    }

    [Fact]
    public void CompactRange_AfterManyFlushes_EmptiesL0AndKeepsData()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, SmallOptions.Create());
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 300; i++)
            {
                store.Put(B($"k{i:D4}"), B($"r{round}-{i}"));
            }

            store.Flush();
        }

        store.CompactRange(null, null);
        LsmStats stats = store.GetStats();
        Assert.Equal(0, stats.Levels[0].Files);
        Assert.True(stats.CompactionBytesWritten > 0);
        for (int i = 0; i < 300; i++)
        {
            Assert.Equal(B($"r4-{i}"), store.Get(B($"k{i:D4}")));
        }
    }

    [Fact]
    public void Snapshot_AcrossOverwriteFlushAndCompaction_ReadsOldValue()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, SmallOptions.Create());
        store.Put(B("k"), B("old"));
        store.Put(B("gone"), B("here"));
        using LsmSnapshot snapshot = store.GetSnapshot();
        store.Put(B("k"), B("new"));
        store.Delete(B("gone"));
        store.Flush();
        store.CompactRange(null, null);

        Assert.Equal(B("old"), store.Get(B("k"), snapshot));
        Assert.Equal(B("here"), store.Get(B("gone"), snapshot));
        Assert.Equal(B("new"), store.Get(B("k")));
        Assert.Null(store.Get(B("gone")));
        Assert.Equal(2, store.Scan(null, null, snapshot: snapshot).Count());
    }

    [Fact]
    public void Scan_BoundsAndReverse_ReturnKeysInOrder()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path);
        foreach (string k in new[] { "d", "a", "c", "b", "e" })
        {
            store.Put(B(k), B(k.ToUpperInvariant()));
        }

        store.Delete(B("c"));
        string Keys(IEnumerable<KeyValuePair<byte[], byte[]>> kvs) => string.Concat(kvs.Select(kv => Encoding.UTF8.GetString(kv.Key)));
        Assert.Equal("abde", Keys(store.Scan(null, null)));
        Assert.Equal("edba", Keys(store.Scan(null, null, reverse: true)));
        Assert.Equal("bd", Keys(store.Scan(B("b"), B("e"))));
        Assert.Equal("db", Keys(store.Scan(B("b"), B("e"), reverse: true)));
    }

    [Fact]
    public void Open_WalRecordCorruptedBeforeTail_ThrowsCorruptionNamingFile()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path))
        {
            for (int i = 0; i < 50; i++)
            {
                store.Put(B($"key{i}"), B(new string('v', 100)));
            }
        }

        string log = Directory.GetFiles(dir.Path, "*.log").Single(f => new FileInfo(f).Length > 0);
        byte[] bytes = File.ReadAllBytes(log);
        bytes[bytes.Length / 3] ^= 0x40;
        File.WriteAllBytes(log, bytes);

        CorruptionException e = Assert.Throws<CorruptionException>(() => LsmStore.Open(dir.Path));
        Assert.Equal(log, e.FilePath);
        Assert.InRange(e.Offset, 0, bytes.Length / 3);
    }

    [Fact]
    public void Open_WalTornTail_SucceedsAndKeepsEarlierWrites()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path))
        {
            for (int i = 0; i < 50; i++)
            {
                store.Put(B($"key{i:D2}"), B(new string('v', 100)));
            }
        }

        string log = Directory.GetFiles(dir.Path, "*.log").Single(f => new FileInfo(f).Length > 0);
        LogTestData.TearLastRecord(log, 30); // the crash hit mid-append of the last record

        using LsmStore reopened = LsmStore.Open(dir.Path);
        Assert.NotNull(reopened.Get(B("key48")));
        Assert.Null(reopened.Get(B("key49")));
    }

    [Fact]
    public void Write_ConcurrentWriters_AllVisibleAndGroupCommitted()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, new LsmOptions { WalSyncMode = WalSyncMode.Batch });
        const int threads = 4, perThread = 300;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                store.Put(B($"t{t}-{i}"), B($"{t}:{i}"));
            }
        });

        for (int t = 0; t < threads; t++)
        {
            for (int i = 0; i < perThread; i++)
            {
                Assert.Equal(B($"{t}:{i}"), store.Get(B($"t{t}-{i}")));
            }
        }

        LsmStats stats = store.GetStats();
        Assert.Equal((ulong)(threads * perThread), stats.LastSequence);
        Assert.InRange(stats.WriteGroups, 1, threads * perThread);
    }

    [Fact]
    public void GetStats_AfterWrites_ReportsBytesAndWriteAmplification()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path);
        store.Put(B("key"), new byte[1000]);
        store.Flush();
        LsmStats stats = store.GetStats();
        Assert.Equal(1003, stats.UserBytesWritten);
        Assert.True(stats.WalBytesWritten > 1003);
        Assert.True(stats.FlushBytesWritten > 1000);
        Assert.True(stats.WriteAmplification > 2.0);
    }

    [Fact]
    public void Iterator_SeekAndPrevAcrossMemtableAndTables_Consistent()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, SmallOptions.Create());
        for (int i = 0; i < 200; i += 2)
        {
            store.Put(B($"k{i:D3}"), B($"v{i}"));
        }

        store.Flush();
        for (int i = 1; i < 200; i += 2)
        {
            store.Put(B($"k{i:D3}"), B($"v{i}"));
        }

        using LsmIterator it = store.NewIterator();
        it.Seek(B("k100"));
        Assert.Equal("k100", Encoding.UTF8.GetString(it.Key));
        it.Prev();
        Assert.Equal("k099", Encoding.UTF8.GetString(it.Key));
        it.Next();
        it.Next();
        Assert.Equal("k101", Encoding.UTF8.GetString(it.Key));
        it.SeekForPrev(B("k0505"));
        Assert.Equal("k050", Encoding.UTF8.GetString(it.Key));
    }
}
