using ActorLsm.Storage.Tests.Engine;
using static ActorLsm.Storage.Tests.Replication.ReplicationTestData;

namespace ActorLsm.Storage.Tests.Replication;

public sealed class CheckpointTests
{
    [Fact]
    public void CreateCheckpoint_ThenOpen_HasSameDataAndLastSequence()
    {
        using var dir = new TempDir();
        using var target = new TempDir();
        string checkpoint = System.IO.Path.Combine(target.Path, "cp");
        using LsmStore store = LsmStore.Open(dir.Path, SmallOptions.Create());
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 400; i++)
            {
                store.Put(B($"k{i:D4}"), B($"r{round}-{i}"));
            }

            store.Delete(B($"k{round:D4}"));
        }

        List<(string, string)> expected = Contents(store);
        ulong expectedLast = store.LastSequence;

        ulong last = store.CreateCheckpoint(checkpoint);
        store.Put(B("after"), B("x"));
        store.Put(B("k0100"), B("changed"));

        Assert.Equal(expectedLast, last);
        Assert.Empty(Directory.GetFiles(checkpoint, "*.log"));
        using LsmStore copy = LsmStore.Open(checkpoint, SmallOptions.Create());
        Assert.Equal(last, copy.LastSequence);
        Assert.Equal(expected, Contents(copy));
        Assert.Null(copy.Get(B("after")));
        Assert.Equal(B("r3-100"), copy.Get(B("k0100")));
        Assert.Equal(B("changed"), store.Get(B("k0100")));
    }

    [Fact]
    public void CreateCheckpoint_ThenFollowerCatchesUp_MatchesLeader()
    {
        using var leaderDir = new TempDir();
        using var target = new TempDir();
        string followerDir = System.IO.Path.Combine(target.Path, "follower");
        using LsmStore leader = LsmStore.Open(leaderDir.Path, NoSync());
        for (int i = 0; i < 100; i++)
        {
            leader.Put(B($"a{i:D3}"), B($"{i}"));
        }

        leader.CreateCheckpoint(followerDir);
        for (int i = 0; i < 100; i++)
        {
            leader.Put(B($"b{i:D3}"), B($"{i}"));
        }

        using LsmStore follower = LsmStore.Open(followerDir, NoSync());
        Assert.Equal(100UL, follower.LastSequence);
        int applied = CatchUp(leader, follower);

        Assert.Equal(100, applied);
        Assert.Equal(leader.LastSequence, follower.LastSequence);
        Assert.Equal(Contents(leader), Contents(follower));
    }

    [Fact]
    public void CreateCheckpoint_EmptyStore_OpensEmpty()
    {
        using var dir = new TempDir();
        using var target = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());

        ulong last = store.CreateCheckpoint(target.Path);

        Assert.Equal(0UL, last);
        using LsmStore copy = LsmStore.Open(target.Path, NoSync());
        Assert.Equal(0UL, copy.LastSequence);
        Assert.Empty(Contents(copy));
    }

    [Fact]
    public void CreateCheckpoint_NonEmptyDirectory_ThrowsIOException()
    {
        using var dir = new TempDir();
        using var target = new TempDir();
        File.WriteAllText(System.IO.Path.Combine(target.Path, "junk"), "x");
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Put(B("a"), B("1"));

        Assert.Throws<IOException>(() => store.CreateCheckpoint(target.Path));

        Assert.Single(Directory.GetFiles(target.Path));
    }

    [Fact]
    public void CreateCheckpoint_OwnDirectory_ThrowsArgument()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Put(B("a"), B("1"));

        Assert.Throws<ArgumentException>(() => store.CreateCheckpoint(dir.Path));

        Assert.Equal(B("1"), store.Get(B("a")));
    }
}
