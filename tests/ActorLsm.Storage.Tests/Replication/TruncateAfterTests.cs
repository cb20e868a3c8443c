using static ActorLsm.Storage.Tests.Replication.ReplicationTestData;

namespace ActorLsm.Storage.Tests.Replication;

public sealed class TruncateAfterTests
{
    /// <summary>Writes k001..k{count} one per sequence and closes the store (the writes stay in the WAL).</summary>
    private static void WriteAndClose(string dir, int count, LsmOptions? options = null, Func<IBackgroundWork, IBackgroundWorkHost>? host = null)
    {
        using LsmStore store = LsmStore.Open(dir, options ?? NoSync(), host);
        for (int i = 1; i <= count; i++)
        {
            store.Put(B($"k{i:D3}"), B($"v{i}"));
        }

        Assert.Equal((ulong)count, store.LastSequence);
    }

    [Fact]
    public void TruncateAfter_InsideWal_DropsLaterWritesKeepsEarlier()
    {
        using var dir = new TempDir();
        WriteAndClose(dir.Path, 100);

        Assert.True(LsmStore.TruncateAfter(dir.Path, 60, NoSync()));

        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(60UL, store.LastSequence);
        Assert.Equal(B("v60"), store.Get(B("k060")));
        Assert.Null(store.Get(B("k061")));
        Assert.Equal(60, Contents(store).Count);
    }

    [Fact]
    public void TruncateAfter_AcrossSegments_DeletesLaterSegments()
    {
        using var dir = new TempDir();
        LsmOptions options = NoSync();
        options.MemTableSize = 16 * 1024;
        options.MaxImmutableMemTables = 100;
        WriteAndClose(dir.Path, 900, options, _ => new NoBackgroundHost());
        Assert.True(Directory.GetFiles(dir.Path, "*.log").Length >= 3, "the writes span several WAL segments");

        Assert.True(LsmStore.TruncateAfter(dir.Path, 50, options));

        using LsmStore store = LsmStore.Open(dir.Path, options);
        Assert.Equal(50UL, store.LastSequence);
        Assert.Equal(50, Contents(store).Count);
        Assert.Equal(B("v50"), store.Get(B("k050")));
        Assert.Null(store.Get(B("k051")));
        Assert.Null(store.Get(B("k900")));
    }

    [Fact]
    public void TruncateAfter_BelowFlushedData_ReturnsFalseAndChangesNothing()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path, NoSync()))
        {
            for (int i = 1; i <= 20; i++)
            {
                store.Put(B($"k{i:D3}"), B($"v{i}"));
            }

            store.Flush();
            store.Put(B("k021"), B("v21"));
        }

        List<(string, long)> walBefore = WalFiles(dir.Path);

        Assert.False(LsmStore.TruncateAfter(dir.Path, 10, NoSync()));

        Assert.Equal(walBefore, WalFiles(dir.Path));
        using LsmStore reopened = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(21UL, reopened.LastSequence);
        Assert.Equal(B("v10"), reopened.Get(B("k010")));
        Assert.Equal(B("v20"), reopened.Get(B("k020")));
        Assert.Equal(B("v21"), reopened.Get(B("k021")));
    }

    [Fact]
    public void TruncateAfter_AfterReopenRecoveredWal_ReturnsFalse()
    {
        using var dir = new TempDir();
        WriteAndClose(dir.Path, 10);
        using (LsmStore.Open(dir.Path, NoSync()))
        {
            // Recovery writes the WAL to L0: sequences 1..10 now live in an SSTable.
        }

        Assert.False(LsmStore.TruncateAfter(dir.Path, 5, NoSync()));

        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(10UL, store.LastSequence);
        Assert.Equal(B("v10"), store.Get(B("k010")));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(1000UL)]
    public void TruncateAfter_AtOrAfterLastSequence_ReturnsTrueAndChangesNothing(ulong beyond)
    {
        using var dir = new TempDir();
        WriteAndClose(dir.Path, 30);
        List<(string, long)> walBefore = WalFiles(dir.Path);

        Assert.True(LsmStore.TruncateAfter(dir.Path, 30 + beyond, NoSync()));

        Assert.Equal(walBefore, WalFiles(dir.Path));
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(30UL, store.LastSequence);
        Assert.Equal(30, Contents(store).Count);
    }

    [Fact]
    public void TruncateAfter_InsideBatch_ReturnsFalseAndChangesNothing()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path, NoSync()))
        {
            store.Write(new WriteBatch().Put(B("a"), B("1")).Put(B("b"), B("2")).Put(B("c"), B("3")));
        }

        List<(string, long)> walBefore = WalFiles(dir.Path);

        Assert.False(LsmStore.TruncateAfter(dir.Path, 2, NoSync()));

        Assert.Equal(walBefore, WalFiles(dir.Path));
        Assert.True(LsmStore.TruncateAfter(dir.Path, 0, NoSync()));
        using LsmStore reopened = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(0UL, reopened.LastSequence);
        Assert.Empty(Contents(reopened));
    }

    [Fact]
    public void TruncateAfter_OpenStore_ThrowsStoreLocked()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Put(B("a"), B("1"));

        Assert.Throws<StoreLockedException>(() => LsmStore.TruncateAfter(dir.Path, 0, NoSync()));

        Assert.Equal(B("1"), store.Get(B("a")));
    }

    [Fact]
    public void TruncateAfter_ThenWriteAt_ContinuesFromTruncatedSequence()
    {
        using var dir = new TempDir();
        WriteAndClose(dir.Path, 40);
        Assert.True(LsmStore.TruncateAfter(dir.Path, 25, NoSync()));

        using (LsmStore store = LsmStore.Open(dir.Path, NoSync()))
        {
            Assert.Throws<SequenceGapException>(() => store.WriteAt(new WriteBatch().Put(B("k030"), B("new")), 30));
            store.WriteAt(new WriteBatch().Put(B("k026"), B("new")), 26);
        }

        using LsmStore reopened = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(26UL, reopened.LastSequence);
        Assert.Equal(B("new"), reopened.Get(B("k026")));
        Assert.Null(reopened.Get(B("k027")));
    }
}
