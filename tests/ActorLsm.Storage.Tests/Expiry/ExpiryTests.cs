using System.Text;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Tests.Engine;

namespace ActorLsm.Storage.Tests.Expiry;

public sealed class ExpiryTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static LsmOptions Options(ManualClock clock)
    {
        LsmOptions options = SmallOptions.Create();
        options.TimeProvider = clock;
        return options;
    }

    [Fact]
    public void GetWithExpiry_BeforeAndAfterExpiry_ReturnsValueThenNull()
    {
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        using LsmStore store = LsmStore.Open(dir.Path, Options(clock));
        DateTimeOffset expiry = s_start.AddSeconds(10);
        store.Put(B("k"), B("v"), expiry);

        ExpiringValue? live = store.GetWithExpiry(B("k"));
        Assert.NotNull(live);
        Assert.Equal(B("v"), live.Value.Value);
        Assert.Equal(expiry, live.Value.ExpiresAt);

        clock.Advance(TimeSpan.FromMilliseconds(9_999));
        Assert.Equal(B("v"), store.Get(B("k")));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(store.Get(B("k")));
        Assert.Null(store.GetWithExpiry(B("k")));
    }

    [Fact]
    public void Get_PlainPut_HasNoExpiry()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, Options(new ManualClock(s_start)));
        store.Put(B("k"), B("v"));
        Assert.Equal(new ExpiringValue(B("v"), null).ExpiresAt, store.GetWithExpiry(B("k"))!.Value.ExpiresAt);
        Assert.Equal(B("v"), store.GetWithExpiry(B("k"))!.Value.Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Get_ExpiredOverOlderPlainVersion_HidesOlderVersion(bool flush)
    {
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        using LsmStore store = LsmStore.Open(dir.Path, Options(clock));
        store.Put(B("k"), B("old"));
        if (flush)
        {
            store.Flush();
        }

        store.Put(B("k"), B("new"), s_start.AddSeconds(1));
        if (flush)
        {
            store.Flush();
        }

        Assert.Equal(B("new"), store.Get(B("k")));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(store.Get(B("k")));
        Assert.Empty(store.Scan(null, null));
        Assert.Empty(store.Scan(null, null, reverse: true));
    }

    [Fact]
    public void Scan_ExpiredKeysAmongLive_SkipsExpiredBothDirections()
    {
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        using LsmStore store = LsmStore.Open(dir.Path, Options(clock));
        store.Put(B("a"), B("A"));
        store.Put(B("b"), B("old-b"));
        store.Put(B("b"), B("B"), s_start.AddSeconds(5));
        store.Put(B("c"), B("C"), s_start.AddSeconds(60));
        store.Put(B("d"), B("D"), s_start.AddSeconds(5));
        store.Put(B("e"), B("E"));

        clock.Advance(TimeSpan.FromSeconds(5));
        string[] forward = [.. store.Scan(null, null).Select(e => Encoding.UTF8.GetString(e.Key) + "=" + Encoding.UTF8.GetString(e.Value))];
        string[] reverse = [.. store.Scan(null, null, reverse: true).Select(e => Encoding.UTF8.GetString(e.Key) + "=" + Encoding.UTF8.GetString(e.Value))];
        Assert.Equal(["a=A", "c=C", "e=E"], forward);
        Assert.Equal(["e=E", "c=C", "a=A"], reverse);

        using LsmIterator it = store.NewIterator();
        it.Seek(B("c"));
        Assert.True(it.Valid);
        Assert.Equal(s_start.AddSeconds(60), it.ExpiresAt);
        it.Prev();
        Assert.Equal(B("a"), it.Key.ToArray());
        Assert.Null(it.ExpiresAt);
        it.Next();
        Assert.Equal(B("C"), it.Value.ToArray());
        Assert.Equal(s_start.AddSeconds(60), it.ExpiresAt);
    }

    [Fact]
    public void Snapshot_TakenBeforeExpiry_ReadsExpiredAsAbsentAfterIt()
    {
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        using LsmStore store = LsmStore.Open(dir.Path, Options(clock));
        store.Put(B("k"), B("v"), s_start.AddSeconds(1));
        using LsmSnapshot snapshot = store.GetSnapshot();
        Assert.Equal(B("v"), store.Get(B("k"), snapshot));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(store.Get(B("k"), snapshot));
        Assert.Empty(store.Scan(null, null, snapshot: snapshot));
    }

    [Fact]
    public void CompactRange_ExpiredOverVersionASnapshotSees_KeepsTombstoneSoOlderValueStaysHidden()
    {
        // A compaction that dropped the expired value naively would let "old" (kept for the
        // snapshot) reappear at the latest sequence.
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        using LsmStore store = LsmStore.Open(dir.Path, Options(clock));
        store.Put(B("k"), B("old"));
        using LsmSnapshot snapshot = store.GetSnapshot();
        store.Put(B("k"), B("new"), s_start.AddSeconds(1));
        store.Flush();
        clock.Advance(TimeSpan.FromSeconds(2));

        store.CompactRange(null, null);

        Assert.Null(store.Get(B("k")));
        Assert.Empty(store.Scan(null, null));
        Assert.Equal(B("old"), store.Get(B("k"), snapshot));

        // Turning the clock back shows what compaction wrote: a tombstone, not the value.
        clock.Now = s_start;
        Assert.Null(store.Get(B("k")));
    }

    [Fact]
    public void CompactRange_ExpiredAtBottomWithoutSnapshots_DropsEverythingOfTheKey()
    {
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        using LsmStore store = LsmStore.Open(dir.Path, Options(clock));
        store.Put(B("k"), B("old"));
        store.Put(B("k"), B("new"), s_start.AddSeconds(1));
        store.Put(B("live"), B("L"), s_start.AddSeconds(100));
        store.Flush();
        clock.Advance(TimeSpan.FromSeconds(2));

        store.CompactRange(null, null);

        // With the clock turned back, only what compaction kept is visible: "k" is gone for good.
        clock.Now = s_start;
        Assert.Null(store.Get(B("k")));
        Assert.Equal(B("L"), store.Get(B("live")));
        Assert.Equal(["live"], store.Scan(null, null).Select(e => Encoding.UTF8.GetString(e.Key)));
    }

    [Fact]
    public void CompactRange_ExpiredOverOlderVersionInDeeperLevel_DoesNotResurrectIt()
    {
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        using LsmStore store = LsmStore.Open(dir.Path, Options(clock));

        // "old" goes to L1 by a first compaction.
        store.Put(B("k"), B("old"));
        store.CompactRange(null, null);
        Assert.True(store.GetStats().Levels[1].Files > 0);

        store.Put(B("k"), B("new"), s_start.AddSeconds(1));
        store.Flush();
        clock.Advance(TimeSpan.FromSeconds(2));
        store.CompactRange(null, null);

        Assert.Null(store.Get(B("k")));
        clock.Now = s_start;
        Assert.Null(store.Get(B("k")));
    }

    [Fact]
    public void Reopen_WalWithExpiringValues_RecoversValueAndExpiry()
    {
        using var dir = new TempDir();
        var clock = new ManualClock(s_start);
        DateTimeOffset expiry = s_start.AddMinutes(5);
        using (LsmStore store = LsmStore.Open(dir.Path, Options(clock)))
        {
            store.Put(B("plain"), B("P"));
            store.Put(B("ttl"), B("T"), expiry);
        }

        using (LsmStore store = LsmStore.Open(dir.Path, Options(clock)))
        {
            Assert.Equal(new ExpiringValue(B("P"), null).ExpiresAt, store.GetWithExpiry(B("plain"))!.Value.ExpiresAt);
            ExpiringValue ttl = store.GetWithExpiry(B("ttl"))!.Value;
            Assert.Equal(B("T"), ttl.Value);
            Assert.Equal(expiry, ttl.ExpiresAt);
            clock.Advance(TimeSpan.FromMinutes(5));
            Assert.Null(store.Get(B("ttl")));
            Assert.Equal(B("P"), store.Get(B("plain")));
        }
    }

    [Fact]
    public void WriteBatch_ExpiringPut_EncodesKindTwoWithExpiryPrefixAndRoundTrips()
    {
        var batch = new WriteBatch();
        batch.Put(B("k"), B("vv"), DateTimeOffset.FromUnixTimeMilliseconds(0x0102030405));
        batch.Put(B("p"), B("x"));
        byte[] bytes = batch.ToBytes();

        // header(12) | kind 2 | key_len 1 | 'k' | value_len 10 | fixed64 expiry | "vv" | kind 1 ...
        Assert.Equal((byte)ValueKind.PutWithExpiry, bytes[12]);
        Assert.Equal(10, bytes[15]);
        Assert.Equal(0x0102030405L, BitConverter.ToInt64(bytes, 16));
        Assert.Equal((byte)ValueKind.Put, bytes[26]);

        WriteBatch copy = WriteBatch.FromBytes(bytes);
        Assert.Equal(bytes, copy.ToBytes());
        Assert.Equal(2, copy.Count);
    }

    [Fact]
    public void WriteBatch_ExpiringValueShorterThanPrefix_IsCorruption()
    {
        byte[] bytes = new WriteBatch().Put(B("k"), B("v")).ToBytes();
        bytes[12] = (byte)ValueKind.PutWithExpiry; // a 1-byte value cannot hold an 8-byte expiry
        Assert.Throws<CorruptionException>(() => WriteBatch.FromBytes(bytes));
    }

    [Fact]
    public void Put_ExpiringValueAtSizeLimit_AcceptedWithoutCountingThePrefix()
    {
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, new LsmOptions { MaxValueSize = 100, TimeProvider = new ManualClock(s_start) });
        store.Write(new WriteBatch().Put(B("k"), new byte[100], s_start.AddDays(1)));
        Assert.Equal(100, store.Get(B("k"))!.Length);
        Assert.Throws<ArgumentException>(() => store.Put(B("k"), new byte[101], s_start.AddDays(1)));
    }
}
