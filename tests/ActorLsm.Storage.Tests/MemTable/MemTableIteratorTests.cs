using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Memtables;

namespace ActorLsm.Storage.Tests.Memtables;

public class MemTableIteratorTests
{
    private sealed record Entry(byte[] Key, byte[] Value);

    private static readonly Comparer<Entry> s_order = Comparer<Entry>.Create((a, b) => InternalKey.Compare(a.Key, b.Key));

    /// <summary>Random user keys from a small alphabet (so many share a user key) with unique sequences.</summary>
    private static (MemTable Table, List<Entry> Model) Build(int seed, int count)
    {
        var random = new Random(seed);
        var table = new MemTable(1 << 20);
        var model = new List<Entry>(count);
        var sequences = Enumerable.Range(1, count).Select(i => (ulong)i).OrderBy(_ => random.Next()).ToArray();
        for (int i = 0; i < count; i++)
        {
            byte[] userKey = RandomUserKey(random);
            ValueKind kind = random.Next(5) == 0 ? ValueKind.Delete : ValueKind.Put;
            byte[] value = kind == ValueKind.Put ? RandomBytes(random, random.Next(0, 24)) : [];
            Assert.True(table.TryAdd(sequences[i], kind, userKey, value), $"seed {seed}: TryAdd {i} failed");
            model.Add(new Entry(InternalKey.Create(userKey, sequences[i], kind), value));
        }

        model.Sort(s_order);
        table.AssertInvariants();
        return (table, model);
    }

    private static byte[] RandomUserKey(Random random) => RandomBytes(random, random.Next(0, 4), alphabet: 4);

    private static byte[] RandomBytes(Random random, int length, int alphabet = 256)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)('a' + random.Next(alphabet));
        }

        return bytes;
    }

    private static byte[] RandomProbe(Random random) =>
        InternalKey.Create(RandomUserKey(random), (ulong)random.Next(0, 700), random.Next(2) == 0 ? ValueKind.Put : ValueKind.Delete);

    private static void AssertAt(IInternalIterator it, List<Entry> model, int index, string context)
    {
        if (index < 0 || index >= model.Count)
        {
            Assert.False(it.Valid, $"{context}: expected end, got {(it.Valid ? InternalKey.Describe(it.Key) : "")}");
            return;
        }

        Assert.True(it.Valid, $"{context}: expected {InternalKey.Describe(model[index].Key)}, got end");
        Assert.True(it.Key.SequenceEqual(model[index].Key), $"{context}: expected {InternalKey.Describe(model[index].Key)}, got {InternalKey.Describe(it.Key)}");
        Assert.True(it.Value.SequenceEqual(model[index].Value), $"{context}: value differs at {InternalKey.Describe(model[index].Key)}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NextAndPrev_RandomInserts_MatchSortedModel(int seed)
    {
        var (table, model) = Build(seed, 600);
        using IInternalIterator it = table.NewIterator();

        int i = 0;
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            AssertAt(it, model, i, $"seed {seed}: forward {i}");
            i++;
        }

        Assert.True(i == model.Count, $"seed {seed}: forward scan saw {i} of {model.Count}");

        i = model.Count - 1;
        for (it.SeekToLast(); it.Valid; it.Prev())
        {
            AssertAt(it, model, i, $"seed {seed}: backward {i}");
            i--;
        }

        Assert.True(i == -1, $"seed {seed}: backward scan stopped at {i}");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void SeekAndSeekForPrev_RandomProbes_MatchSortedModel(int seed)
    {
        var (table, model) = Build(seed, 600);
        var random = new Random(seed * 7919);
        using IInternalIterator it = table.NewIterator();
        for (int probeNo = 0; probeNo < 400; probeNo++)
        {
            // Half the probes are existing keys, half are arbitrary.
            byte[] probe = probeNo % 2 == 0 ? model[random.Next(model.Count)].Key : RandomProbe(random);
            int lowerBound = model.FindIndex(e => InternalKey.Compare(e.Key, probe) >= 0);
            int seekIndex = lowerBound < 0 ? model.Count : lowerBound;
            int seekForPrevIndex = model.FindLastIndex(e => InternalKey.Compare(e.Key, probe) <= 0);
            string context = $"seed {seed}: probe {InternalKey.Describe(probe)}";

            it.Seek(probe);
            AssertAt(it, model, seekIndex, context + " Seek");
            if (it.Valid)
            {
                it.Prev();
                AssertAt(it, model, seekIndex - 1, context + " Seek+Prev");
            }

            it.SeekForPrev(probe);
            AssertAt(it, model, seekForPrevIndex, context + " SeekForPrev");
            if (it.Valid)
            {
                it.Next();
                AssertAt(it, model, seekForPrevIndex + 1, context + " SeekForPrev+Next");
            }
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Get_RandomSnapshots_MatchSortedModel(int seed)
    {
        var (table, model) = Build(seed, 600);
        var random = new Random(seed * 31);
        for (int probeNo = 0; probeNo < 500; probeNo++)
        {
            byte[] userKey = RandomUserKey(random);
            ulong snapshot = (ulong)random.Next(0, 700);
            Entry? newest = model.Find(e => InternalKey.UserKey(e.Key).SequenceEqual(userKey) && InternalKey.Sequence(e.Key) <= snapshot);
            MemTableGetResult expected = newest is null ? MemTableGetResult.NotFound
                : InternalKey.Kind(newest.Key) == ValueKind.Put ? MemTableGetResult.Found : MemTableGetResult.Deleted;

            MemTableGetResult actual = table.Get(userKey, snapshot, out ReadOnlySpan<byte> value);
            string context = $"seed {seed}: Get '{Convert.ToHexString(userKey)}' @ {snapshot}";
            Assert.True(expected == actual, $"{context}: expected {expected}, got {actual}");
            if (expected == MemTableGetResult.Found)
            {
                Assert.True(value.SequenceEqual(newest!.Value), $"{context}: value differs");
            }
        }
    }

    [Fact]
    public void Positioning_EmptyMemTable_IsNotValid()
    {
        var table = new MemTable(1024);
        using IInternalIterator it = table.NewIterator();
        Assert.False(it.Valid);
        it.SeekToFirst();
        Assert.False(it.Valid);
        it.SeekToLast();
        Assert.False(it.Valid);
        it.Seek(InternalKey.Create("k"u8, 1, ValueKind.Put));
        Assert.False(it.Valid);
        it.SeekForPrev(InternalKey.Create("k"u8, 1, ValueKind.Put));
        Assert.False(it.Valid);
    }

    [Fact]
    public void SeekForPrev_BeforeFirstAndAfterLast_HitsEnds()
    {
        var table = new MemTable(4096);
        Assert.True(table.TryAdd(3, ValueKind.Put, "b"u8, "1"u8));
        Assert.True(table.TryAdd(4, ValueKind.Put, "d"u8, "2"u8));
        using IInternalIterator it = table.NewIterator();

        it.SeekForPrev(InternalKey.Create("a"u8, 100, ValueKind.Put));
        Assert.False(it.Valid);
        it.SeekForPrev(InternalKey.Create("b"u8, 2, ValueKind.Put));
        Assert.True(it.Valid && InternalKey.UserKey(it.Key).SequenceEqual("b"u8));
        it.Seek(InternalKey.Create("e"u8, 100, ValueKind.Put));
        Assert.False(it.Valid);
        it.SeekForPrev(InternalKey.Create("e"u8, 100, ValueKind.Put));
        Assert.True(it.Valid && InternalKey.UserKey(it.Key).SequenceEqual("d"u8));
        it.Prev();
        Assert.True(it.Valid && InternalKey.UserKey(it.Key).SequenceEqual("b"u8));
        it.Prev();
        Assert.False(it.Valid);
    }
}
