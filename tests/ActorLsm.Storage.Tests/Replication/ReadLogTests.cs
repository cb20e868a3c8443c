using static ActorLsm.Storage.Tests.Replication.ReplicationTestData;

namespace ActorLsm.Storage.Tests.Replication;

public sealed class ReadLogTests
{
    /// <summary>Writes batches of 1, 2, 3, 1, 2, 3, ... records; returns each batch's first sequence.</summary>
    private static List<ulong> WriteBatches(LsmStore store, int batches, string prefix = "k")
    {
        var firsts = new List<ulong>();
        for (int i = 0; i < batches; i++)
        {
            firsts.Add(store.LastSequence + 1);
            var batch = new WriteBatch();
            for (int j = 0; j <= i % 3; j++)
            {
                batch.Put(B($"{prefix}{i:D4}-{j}"), B($"value-{i}-{j}"));
            }

            store.Write(batch);
        }

        return firsts;
    }

    [Fact]
    public void ReadLog_FromFirstSequence_ReturnsEveryBatchInOrder()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        List<ulong> firsts = WriteBatches(store, 30);

        IReadOnlyList<LogRecord>? records = store.ReadLog(1, long.MaxValue);

        Assert.NotNull(records);
        Assert.Equal(firsts, records.Select(r => r.FirstSequence));
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal((i % 3) + 1, records[i].Count);
            WriteBatch batch = WriteBatch.FromBytes(records[i].Payload);
            Assert.Equal(records[i].Count, batch.Count);
        }

        Assert.Equal(store.LastSequence, records[^1].FirstSequence + (ulong)records[^1].Count - 1);
    }

    [Fact]
    public void ReadLog_AtLastSequencePlusOne_ReturnsEmpty()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        Assert.Empty(store.ReadLog(1, 100)!);
        WriteBatches(store, 4);

        IReadOnlyList<LogRecord>? records = store.ReadLog(store.LastSequence + 1, 100);

        Assert.NotNull(records);
        Assert.Empty(records);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.ReadLog(store.LastSequence + 2, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.ReadLog(0, 100));
    }

    [Fact]
    public void ReadLog_SmallMaxBytes_PagesThroughEveryBatchOnce()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        List<ulong> firsts = WriteBatches(store, 40);
        var seen = new List<ulong>();
        ulong next = 1;

        while (next <= store.LastSequence)
        {
            IReadOnlyList<LogRecord> page = store.ReadLog(next, 100)!;
            Assert.True(page.Count == 1 || page.Sum(r => r.Payload.Length) <= 100, "over the byte budget only for a single batch");
            seen.AddRange(page.Select(r => r.FirstSequence));
            next = page[^1].FirstSequence + (ulong)page[^1].Count;
        }

        Assert.Equal(firsts, seen);
        Assert.Single(store.ReadLog(1, 0)!);
    }

    [Fact]
    public void ReadLog_InsideBatch_ReturnsNull()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Write(new WriteBatch().Put(B("a"), B("1")).Put(B("b"), B("2")).Put(B("c"), B("3")));
        store.Put(B("d"), B("4"));

        Assert.Null(store.ReadLog(2, 1000));
        Assert.Null(store.ReadLog(3, 1000));
        Assert.Equal(4UL, Assert.Single(store.ReadLog(4, 1000)!).FirstSequence);
    }

    [Fact]
    public void ReadLog_FlushedSequence_ReturnsNullAndNewerStillReadable()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        WriteBatches(store, 10);
        ulong flushedLast = store.LastSequence;
        store.Flush();
        List<ulong> newer = WriteBatches(store, 5, "n");

        Assert.Null(store.ReadLog(1, 1000));
        IReadOnlyList<LogRecord>? records = store.ReadLog(flushedLast + 1, long.MaxValue);
        Assert.NotNull(records);
        Assert.Equal(newer, records.Select(r => r.FirstSequence));
    }

    [Fact]
    public void ReadLog_AfterReopen_ReturnsNullForRecoveredWrites()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path, NoSync()))
        {
            WriteBatches(store, 5);
        }

        using LsmStore reopened = LsmStore.Open(dir.Path, NoSync());
        Assert.Null(reopened.ReadLog(1, 1000));
        Assert.Empty(reopened.ReadLog(reopened.LastSequence + 1, 1000)!);
        reopened.Put(B("new"), B("1"));
        Assert.Equal(reopened.LastSequence, Assert.Single(reopened.ReadLog(reopened.LastSequence, 1000)!).FirstSequence);
    }

    [Fact]
    public void ReadLog_SeveralUnflushedSegments_ReadsAcrossThem()
    {
        using var dir = new TempDir();
        LsmOptions options = NoSync();
        options.MemTableSize = 16 * 1024;
        options.MaxImmutableMemTables = 100;
        using LsmStore store = LsmStore.Open(dir.Path, options, _ => new NoBackgroundHost());
        List<ulong> firsts = WriteBatches(store, 600);
        Assert.True(Directory.GetFiles(dir.Path, "*.log").Length >= 3, "the writes span several WAL segments");

        IReadOnlyList<LogRecord>? all = store.ReadLog(1, long.MaxValue);
        IReadOnlyList<LogRecord>? tail = store.ReadLog(firsts[450], long.MaxValue);

        Assert.Equal(firsts, all!.Select(r => r.FirstSequence));
        Assert.Equal(firsts[450..], tail!.Select(r => r.FirstSequence));
    }

    [Fact]
    public async Task ReadLog_ConcurrentWritesAndFlushes_ReturnsContiguousRecordsOrNull()
    {
        using var dir = new TempDir();
        LsmOptions options = NoSync();
        options.MemTableSize = 32 * 1024;
        using LsmStore store = LsmStore.Open(dir.Path, options);
        const int Batches = 3000;
        var writer = Task.Run(() => WriteBatches(store, Batches));
        ulong next = 1;
        int nulls = 0;
        int records = 0;

        while (!writer.IsCompleted || next <= store.LastSequence)
        {
            ulong lastBefore = store.LastSequence;
            if (next > lastBefore)
            {
                Thread.Yield();
                continue;
            }

            IReadOnlyList<LogRecord>? page = store.ReadLog(next, 2048);
            if (page is null)
            {
                nulls++;
                next = store.LastSequence + 1; // a real follower would fetch a snapshot here
                continue;
            }

            Assert.NotEmpty(page);
            foreach (LogRecord record in page)
            {
                Assert.Equal(next, record.FirstSequence);
                Assert.Equal(record.Count, WriteBatch.FromBytes(record.Payload).Count);
                next += (ulong)record.Count;
                records++;
            }

            Assert.True(next - 1 <= store.LastSequence, "never past the last sequence");
        }

        await writer;
        Assert.Equal(store.LastSequence + 1, next);
        Assert.True(records > 0, $"read {records} records, {nulls} nulls");
    }

    [Fact]
    public void ReadLog_Disposed_ThrowsObjectDisposed()
    {
        using var dir = new TempDir();
        LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.ReadLog(1, 100));
    }
}
