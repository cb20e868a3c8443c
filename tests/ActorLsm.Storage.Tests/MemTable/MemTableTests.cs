using System.Text;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Memtables;

namespace ActorLsm.Storage.Tests.Memtables;

public class MemTableTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    private static List<(string Key, byte[] Value)> Dump(MemTable table)
    {
        var entries = new List<(string, byte[])>();
        using IInternalIterator it = table.NewIterator();
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            entries.Add((InternalKey.Describe(it.Key), it.Value.ToArray()));
        }

        return entries;
    }

    [Fact]
    public void TryAdd_ArenaFull_ReturnsFalseAndChangesNothing()
    {
        var table = new MemTable(1024);
        byte[] value = new byte[40];
        ulong sequence = 1;
        while (table.TryAdd(sequence, ValueKind.Put, B($"key{sequence:D5}"), value))
        {
            sequence++;
        }

        Assert.True(table.Count > 5, $"only {table.Count} entries fit");
        int count = table.Count;
        long usage = table.ApproximateMemoryUsage;
        ulong largest = table.LargestSequence;
        var before = Dump(table);

        Assert.False(table.TryAdd(sequence, ValueKind.Put, B("aaa"), value));
        Assert.False(table.TryAdd(sequence, ValueKind.Put, B("zzz"), new byte[2000]));

        Assert.Equal(count, table.Count);
        Assert.Equal(usage, table.ApproximateMemoryUsage);
        Assert.Equal(largest, table.LargestSequence);
        Assert.Equal(before.Select(e => e.Key), Dump(table).Select(e => e.Key));
        Assert.Equal(MemTableGetResult.NotFound, table.Get(B("aaa"), ulong.MaxValue, out _));
        Assert.True(table.ApproximateMemoryUsage <= table.Capacity + MemTable.FixedOverhead);
        table.AssertInvariants();
    }

    [Fact]
    public void TryAdd_CapacityFromEstimateEntrySize_AcceptsThatEntry()
    {
        byte[] key = new byte[1000];
        byte[] value = new byte[100_000];
        var table = new MemTable(MemTable.EstimateEntrySize(key.Length, value.Length));

        Assert.True(table.TryAdd(7, ValueKind.Put, key, value));
        Assert.Equal(MemTableGetResult.Found, table.Get(key, 7, out ReadOnlySpan<byte> found));
        Assert.Equal(value.Length, found.Length);
    }

    [Fact]
    public void Get_SnapshotSequence_ReturnsNewestVisibleVersion()
    {
        var table = new MemTable(4096);
        Assert.True(table.TryAdd(10, ValueKind.Put, B("k"), B("v10")));
        Assert.True(table.TryAdd(20, ValueKind.Delete, B("k"), default));
        Assert.True(table.TryAdd(30, ValueKind.Put, B("k"), B("v30")));
        Assert.True(table.TryAdd(15, ValueKind.Put, B("j"), B("j15")));

        Assert.Equal(MemTableGetResult.NotFound, table.Get(B("k"), 9, out _));
        Assert.Equal(MemTableGetResult.Found, table.Get(B("k"), 10, out ReadOnlySpan<byte> v));
        Assert.Equal("v10", Encoding.ASCII.GetString(v));
        Assert.Equal(MemTableGetResult.Found, table.Get(B("k"), 19, out v));
        Assert.Equal("v10", Encoding.ASCII.GetString(v));
        Assert.Equal(MemTableGetResult.Deleted, table.Get(B("k"), 20, out v));
        Assert.True(v.IsEmpty);
        Assert.Equal(MemTableGetResult.Deleted, table.Get(B("k"), 29, out _));
        Assert.Equal(MemTableGetResult.Found, table.Get(B("k"), InternalKey.MaxSequence, out v));
        Assert.Equal("v30", Encoding.ASCII.GetString(v));
        Assert.Equal(MemTableGetResult.Found, table.Get(B("k"), ulong.MaxValue, out v));
        Assert.Equal("v30", Encoding.ASCII.GetString(v));

        // Neighbouring user keys (prefixes and extensions) never match.
        Assert.Equal(MemTableGetResult.NotFound, table.Get(B("k0"), ulong.MaxValue, out _));
        Assert.Equal(MemTableGetResult.NotFound, table.Get(B(""), ulong.MaxValue, out _));
        Assert.Equal(MemTableGetResult.NotFound, table.Get(B("j"), 14, out _));
        Assert.Equal(MemTableGetResult.Found, table.Get(B("j"), 15, out v));
        Assert.Equal("j15", Encoding.ASCII.GetString(v));
    }

    [Fact]
    public void NewIterator_DuplicateUserKeys_NewestSequenceFirst()
    {
        var table = new MemTable(4096);
        Assert.True(table.TryAdd(5, ValueKind.Put, B("b"), B("5")));
        Assert.True(table.TryAdd(9, ValueKind.Put, B("b"), B("9")));
        Assert.True(table.TryAdd(7, ValueKind.Delete, B("b"), B("ignored")));
        Assert.True(table.TryAdd(6, ValueKind.Put, B("a"), B("6")));
        Assert.True(table.TryAdd(8, ValueKind.Put, B("c"), B("8")));

        var entries = new List<(string UserKey, ulong Sequence, ValueKind Kind, string Value)>();
        using IInternalIterator it = table.NewIterator();
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            entries.Add((Encoding.ASCII.GetString(InternalKey.UserKey(it.Key)), InternalKey.Sequence(it.Key), InternalKey.Kind(it.Key), Encoding.ASCII.GetString(it.Value)));
        }

        Assert.Equal(
            [("a", 6UL, ValueKind.Put, "6"), ("b", 9UL, ValueKind.Put, "9"), ("b", 7UL, ValueKind.Delete, ""), ("b", 5UL, ValueKind.Put, "5"), ("c", 8UL, ValueKind.Put, "8")],
            entries);
    }

    [Fact]
    public void Statistics_AfterAdds_TrackCountSequencesAndUsage()
    {
        var table = new MemTable(4096);
        Assert.True(table.IsEmpty);
        Assert.Equal(0, table.Count);
        Assert.Equal(0UL, table.SmallestSequence);
        Assert.Equal(0UL, table.LargestSequence);
        Assert.Equal(4096, table.Capacity);
        long emptyUsage = table.ApproximateMemoryUsage;
        Assert.Equal(MemTable.FixedOverhead, emptyUsage);

        Assert.True(table.TryAdd(42, ValueKind.Put, B("x"), B("1")));
        Assert.True(table.TryAdd(17, ValueKind.Put, B("y"), B("2")));
        Assert.True(table.TryAdd(99, ValueKind.Delete, B("x"), default));

        Assert.False(table.IsEmpty);
        Assert.Equal(3, table.Count);
        Assert.Equal(17UL, table.SmallestSequence);
        Assert.Equal(99UL, table.LargestSequence);
        Assert.True(table.ApproximateMemoryUsage > emptyUsage);
        Assert.True(table.ApproximateMemoryUsage - emptyUsage <= 3 * MemTable.EstimateEntrySize(1, 1));
        Assert.True(table.Age >= TimeSpan.Zero);
        Assert.True(table.CreatedUtc <= DateTime.UtcNow);
        table.AssertInvariants();
    }

    [Fact]
    public void TryAdd_InvalidArguments_Throws()
    {
        var table = new MemTable(4096);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.TryAdd(InternalKey.MaxSequence + 1, ValueKind.Put, B("k"), default));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.TryAdd(1, (ValueKind)7, B("k"), default));
        Assert.True(table.IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemTable(0));
    }

    [Fact]
    public void TryAdd_EmptyUserKeyAndValue_RoundTrips()
    {
        var table = new MemTable(4096);
        Assert.True(table.TryAdd(1, ValueKind.Put, default, default));
        Assert.Equal(MemTableGetResult.Found, table.Get(default, 1, out ReadOnlySpan<byte> v));
        Assert.True(v.IsEmpty);
    }
}
