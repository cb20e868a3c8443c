using System.Text;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Memtables;

namespace ActorLsm.Storage.Tests.Memtables;

public class ArenaPoolTests
{
    private const int Capacity = 64 * 1024;

    [Fact]
    public void Unref_LastReference_ReturnsArenaForReuse()
    {
        var pool = new ArenaPool(Capacity + MemTable.FixedOverhead, maxPooled: 2);
        var first = new MemTable(Capacity, pool);
        first.Ref(); // a reader
        first.Unref(); // the creator
        Assert.Equal(0, pool.PooledCount);
        first.Unref(); // the reader
        Assert.Equal(1, pool.PooledCount);
        _ = new MemTable(Capacity, pool);
        Assert.Equal(0, pool.PooledCount);
    }

    [Fact]
    public void Return_OtherSizeOrPoolFull_IsNotKept()
    {
        var pool = new ArenaPool(Capacity + MemTable.FixedOverhead, maxPooled: 1);
        new MemTable(Capacity * 2, pool).Unref();
        Assert.Equal(0, pool.PooledCount);
        var a = new MemTable(Capacity, pool);
        var b = new MemTable(Capacity, pool);
        a.Unref();
        b.Unref();
        Assert.Equal(1, pool.PooledCount);
    }

    [Fact]
    public void RecycledArena_FullOfOldBytes_BehavesLikeFreshMemTable()
    {
        var pool = new ArenaPool(Capacity + MemTable.FixedOverhead, maxPooled: 1);
        var dirty = new MemTable(Capacity, pool);
        var rng = new Random(11);
        for (int i = 0; dirty.TryAdd((ulong)i + 1, ValueKind.Put, Key(rng.Next(5000)), new byte[rng.Next(40)]); i++)
        {
        }

        dirty.Unref(); // its arena, full of old nodes, goes back to the pool
        var mem = new MemTable(Capacity, pool);
        var model = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        for (ulong seq = 1; seq <= 500; seq++)
        {
            string key = $"k{rng.Next(300):D4}";
            Assert.True(mem.TryAdd(seq, ValueKind.Put, Encoding.ASCII.GetBytes(key), BitConverter.GetBytes(seq)), "seed 11: recycled arena refused an entry");
            model[key] = seq;
        }

        using IInternalIterator it = mem.NewIterator();
        var seen = new List<string>();
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            string key = Encoding.ASCII.GetString(InternalKey.UserKey(it.Key));
            if (seen.Count == 0 || seen[^1] != key)
            {
                seen.Add(key);
            }
        }

        Assert.Equal(model.Keys, seen);
        foreach ((string key, ulong seq) in model)
        {
            Assert.Equal(MemTableGetResult.Found, mem.Get(Encoding.ASCII.GetBytes(key), ulong.MaxValue, out ReadOnlySpan<byte> value));
            Assert.Equal(seq, BitConverter.ToUInt64(value));
        }
    }

    private static byte[] Key(int n) => Encoding.ASCII.GetBytes($"old{n:D6}");
}
