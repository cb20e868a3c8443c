using static ActorLsm.Storage.Tests.Replication.ReplicationTestData;

namespace ActorLsm.Storage.Tests.Replication;

public sealed class WriteAtTests
{
    [Fact]
    public void WriteAt_LeaderRecords_FollowerHasSameSequencesAndData()
    {
        using var leaderDir = new TempDir();
        using var followerDir = new TempDir();
        using LsmStore leader = LsmStore.Open(leaderDir.Path, NoSync());
        using LsmStore follower = LsmStore.Open(followerDir.Path, NoSync());
        for (int i = 0; i < 50; i++)
        {
            leader.Write(new WriteBatch().Put(B($"k{i:D3}"), B($"v{i}")).Put(B($"x{i:D3}"), B("y")));
            if (i % 7 == 0)
            {
                leader.Delete(B($"k{i / 2:D3}"));
            }
        }

        int applied = CatchUp(leader, follower, maxBytes: 300);

        Assert.Equal(58, applied);
        Assert.Equal(leader.LastSequence, follower.LastSequence);
        Assert.Equal(Contents(leader), Contents(follower));
        IReadOnlyList<LogRecord> mine = follower.ReadLog(1, long.MaxValue)!;
        IReadOnlyList<LogRecord> theirs = leader.ReadLog(1, long.MaxValue)!;
        Assert.Equal(theirs.Select(r => (r.FirstSequence, r.Count)), mine.Select(r => (r.FirstSequence, r.Count)));
    }

    [Theory]
    [InlineData(5UL)]
    [InlineData(2UL)]
    [InlineData(1UL)]
    public void WriteAt_NotNextSequence_ThrowsSequenceGapAndWritesNothing(ulong first)
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Put(B("a"), B("1"));
        store.Put(B("b"), B("2"));

        SequenceGapException e = Assert.Throws<SequenceGapException>(() => store.WriteAt(new WriteBatch().Put(B("c"), B("3")), first));

        Assert.Equal(3UL, e.Expected);
        Assert.Equal(first, e.Actual);
        Assert.IsAssignableFrom<InvalidOperationException>(e);
        Assert.Equal(2UL, store.LastSequence);
        Assert.Null(store.Get(B("c")));
        store.WriteAt(new WriteBatch().Put(B("c"), B("3")), 3);
        Assert.Equal(B("3"), store.Get(B("c")));
        Assert.Equal(3UL, store.LastSequence);
    }

    [Fact]
    public void WriteAt_EmptyBatch_ThrowsArgument()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());

        Assert.Throws<ArgumentException>(() => store.WriteAt(new WriteBatch(), 1));

        Assert.Equal(0UL, store.LastSequence);
    }

    [Fact]
    public void WriteAt_ThenReopen_RecoversWritesAndSequence()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path, new LsmOptions { WalSyncMode = WalSyncMode.Batch }))
        {
            store.WriteAt(new WriteBatch().Put(B("a"), B("1")).Put(B("b"), B("2")), 1);
            store.WriteAt(new WriteBatch().Delete(B("a")), 3);
        }

        using LsmStore reopened = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(3UL, reopened.LastSequence);
        Assert.Null(reopened.Get(B("a")));
        Assert.Equal(B("2"), reopened.Get(B("b")));
    }

    [Fact]
    public void WriteAtMany_LeaderRecords_OneSyncSameRecordsAndSequencesAsLeader()
    {
        using var leaderDir = new TempDir();
        using var followerDir = new TempDir();
        using LsmStore leader = LsmStore.Open(leaderDir.Path, NoSync());
        using LsmStore follower = LsmStore.Open(followerDir.Path, new LsmOptions { WalSyncMode = WalSyncMode.Batch });
        for (int i = 0; i < 20; i++)
        {
            leader.Write(new WriteBatch().Put(B($"k{i:D3}"), B($"v{i}")).Delete(B($"k{i / 2:D3}")));
        }

        IReadOnlyList<LogRecord> records = leader.ReadLog(1, long.MaxValue)!;
        long syncsBefore = follower.GetStats().WalSyncs;

        follower.WriteAt([.. records.Select(r => WriteBatch.FromBytes(r.Payload))], 1);

        Assert.Equal(1, follower.GetStats().WalSyncs - syncsBefore);
        Assert.Equal(leader.LastSequence, follower.LastSequence);
        Assert.Equal(Contents(leader), Contents(follower));
        Assert.Equal(records.Select(r => (r.FirstSequence, r.Count)), follower.ReadLog(1, long.MaxValue)!.Select(r => (r.FirstSequence, r.Count)));
    }

    [Fact]
    public void WriteAtMany_NotNextSequence_ThrowsSequenceGapAndWritesNothing()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Put(B("a"), B("1"));

        Assert.Throws<SequenceGapException>(() => store.WriteAt([new WriteBatch().Put(B("b"), B("2")), new WriteBatch().Put(B("c"), B("3"))], 3));

        Assert.Equal(1UL, store.LastSequence);
        Assert.Null(store.Get(B("b")));
        Assert.Null(store.Get(B("c")));
    }

    [Fact]
    public void WriteAtMany_AnEmptyBatchAmongThem_ThrowsArgumentAndWritesNothing()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());

        Assert.Throws<ArgumentException>(() => store.WriteAt([new WriteBatch().Put(B("a"), B("1")), new WriteBatch()], 1));
        Assert.Throws<ArgumentException>(() => store.WriteAt(Array.Empty<WriteBatch>(), 1));

        Assert.Equal(0UL, store.LastSequence);
        Assert.Null(store.Get(B("a")));
    }

    [Fact]
    public void WriteAtMany_ThenReopen_RecoversEveryBatch()
    {
        using var dir = new TempDir();
        using (LsmStore store = LsmStore.Open(dir.Path, new LsmOptions { WalSyncMode = WalSyncMode.Batch }))
        {
            store.WriteAt([new WriteBatch().Put(B("a"), B("1")).Put(B("b"), B("2")), new WriteBatch().Delete(B("a")), new WriteBatch().Put(B("c"), B("3"))], 1);
        }

        using LsmStore reopened = LsmStore.Open(dir.Path, NoSync());
        Assert.Equal(4UL, reopened.LastSequence);
        Assert.Null(reopened.Get(B("a")));
        Assert.Equal(B("2"), reopened.Get(B("b")));
        Assert.Equal(B("3"), reopened.Get(B("c")));
    }
}
