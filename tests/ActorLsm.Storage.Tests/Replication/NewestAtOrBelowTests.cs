using static ActorLsm.Storage.Tests.Replication.ReplicationTestData;

namespace ActorLsm.Storage.Tests.Replication;

/// <summary>
/// <see cref="LsmStore.TryGetNewestAtOrBelow"/>: the read a replicated leader makes at its high watermark
/// on a caller's thread (src/ActorLsm.Cluster/PROTOCOL.md, R13): a key's value only when its newest
/// version is at or below the bound, wherever that version lives (memtable, L0, deeper levels).
/// </summary>
public sealed class NewestAtOrBelowTests
{
    [Fact]
    public void TryGetNewestAtOrBelow_NewestVersionAboveTheBound_FalseAndNoValue()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        ulong first = Write(store, s => s.Put(B("k"), B("v1")));
        ulong second = Write(store, s => s.Put(B("k"), B("v2")));

        Assert.False(store.TryGetNewestAtOrBelow(B("k"), first, out ExpiringValue? below));
        Assert.Null(below);
        Assert.True(store.TryGetNewestAtOrBelow(B("k"), second, out ExpiringValue? at));
        Assert.Equal("v2", S(at!.Value.Value));
    }

    [Fact]
    public void TryGetNewestAtOrBelow_AfterFlushAndCompaction_UsesTheSequenceOfEachLevel()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        ulong old = Write(store, s => s.Put(B("deep"), B("d")));
        ulong deleted = Write(store, s => s.Delete(B("gone")));
        store.Flush();
        store.CompactRange(null, null); // "deep" and the tombstone now below L0
        ulong flushed = Write(store, s => s.Put(B("l0"), B("x")));
        store.Flush();
        ulong inMemory = Write(store, s => s.Put(B("mem"), B("m")));

        Assert.True(store.TryGetNewestAtOrBelow(B("deep"), old, out ExpiringValue? deep));
        Assert.Equal("d", S(deep!.Value.Value));
        Assert.False(store.TryGetNewestAtOrBelow(B("l0"), flushed - 1, out _));
        Assert.True(store.TryGetNewestAtOrBelow(B("l0"), flushed, out ExpiringValue? l0));
        Assert.Equal("x", S(l0!.Value.Value));
        Assert.False(store.TryGetNewestAtOrBelow(B("mem"), inMemory - 1, out _));

        // A tombstone is a version too; a key never written reads as absent at any bound.
        Assert.True(store.TryGetNewestAtOrBelow(B("gone"), Math.Max(deleted, old), out ExpiringValue? gone));
        Assert.Null(gone);
        Assert.True(store.TryGetNewestAtOrBelow(B("never"), 0, out ExpiringValue? never));
        Assert.Null(never);
    }

    [Fact]
    public void TryGetNewestAtOrBelow_DeleteAboveTheBound_False()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        ulong put = Write(store, s => s.Put(B("k"), B("v")));
        store.Delete(B("k"));

        Assert.False(store.TryGetNewestAtOrBelow(B("k"), put, out ExpiringValue? value));
        Assert.Null(value);
    }

    /// <summary>Runs one write and returns its sequence number.</summary>
    private static ulong Write(LsmStore store, Action<LsmStore> write)
    {
        write(store);
        return store.LastSequence;
    }

    private static string S(byte[] b) => System.Text.Encoding.UTF8.GetString(b);
}
