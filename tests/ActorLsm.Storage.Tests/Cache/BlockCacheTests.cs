using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Tests.Cache;

public class BlockCacheTests
{
    private static Block NewBlock(int size)
    {
        var data = new byte[size];
        data[size - 4] = 0; // restart count 0: an empty but well-formed block
        return new Block(data, 0, size);
    }

    [Fact]
    public void TryGet_AfterInsert_CountsHitsAndMisses()
    {
        var cache = new BlockCache(1 << 20);
        Assert.False(cache.TryGet(1, 0, out _));
        var block = NewBlock(100);
        cache.Insert(1, 0, block);
        Assert.True(cache.TryGet(1, 0, out var got));
        Assert.Same(block, got);
        Assert.False(cache.TryGet(1, 100, out _));
        Assert.False(cache.TryGet(2, 0, out _));
        Assert.Equal(1, cache.Hits);
        Assert.Equal(3, cache.Misses);
        Assert.Equal(100 + BlockCache.EntryOverhead, cache.Usage);
    }

    [Fact]
    public void Insert_ManyBlocks_UsageStaysWithinCapacity()
    {
        const long capacity = 64 * 1024;
        var cache = new BlockCache(capacity);
        var rng = new Random(17);
        for (int i = 0; i < 5000; i++)
        {
            cache.Insert((ulong)rng.Next(10), i * 4096L, NewBlock(rng.Next(4, 3000)));
            Assert.True(cache.Usage <= capacity, $"seed 17: usage {cache.Usage} over {capacity} after insert {i}");
        }

        Assert.True(cache.Usage > capacity / 2, "the cache should be mostly full");
        cache.AssertInvariants();
    }

    [Fact]
    public void Insert_ShardFull_EvictsLeastRecentlyUsed()
    {
        var shard = new BlockCacheShard(1000);
        shard.Insert(new BlockCacheKey(1, 0), NewBlock(300), 400);
        shard.Insert(new BlockCacheKey(1, 1), NewBlock(300), 400);
        Assert.True(shard.TryGet(new BlockCacheKey(1, 0), out _)); // 0 becomes most recently used
        shard.Insert(new BlockCacheKey(1, 2), NewBlock(300), 400);  // over 1000: evicts 1
        Assert.True(shard.TryGet(new BlockCacheKey(1, 0), out _));
        Assert.False(shard.TryGet(new BlockCacheKey(1, 1), out _));
        Assert.True(shard.TryGet(new BlockCacheKey(1, 2), out _));
        Assert.Equal(800, shard.Usage);
    }

    [Fact]
    public void Insert_BlockLargerThanShard_IsNotCached()
    {
        var cache = new BlockCache(16 * 1024);
        cache.Insert(1, 0, NewBlock(2000));
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(1, 0, out _));
    }

    [Fact]
    public void EraseFile_OneFile_DropsOnlyItsBlocks()
    {
        var cache = new BlockCache(1 << 20);
        for (int i = 0; i < 50; i++)
        {
            cache.Insert(1, i * 100, NewBlock(64));
            cache.Insert(2, i * 100, NewBlock(64));
        }

        cache.EraseFile(1);
        Assert.Equal(50, cache.Count);
        Assert.False(cache.TryGet(1, 0, out _));
        Assert.True(cache.TryGet(2, 0, out _));
        Assert.Equal(50 * (64 + BlockCache.EntryOverhead), cache.Usage);
    }

    [Fact]
    public void Insert_CapacityZero_CachesNothing()
    {
        var cache = new BlockCache(0);
        cache.Insert(1, 0, NewBlock(16));
        Assert.False(cache.TryGet(1, 0, out _));
        Assert.Equal(0, cache.Usage);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void Insert_SameKeyTwice_ReplacesAndRecharges()
    {
        var cache = new BlockCache(1 << 20);
        cache.Insert(1, 0, NewBlock(100));
        var second = NewBlock(200);
        cache.Insert(1, 0, second);
        Assert.Equal(1, cache.Count);
        Assert.Equal(200 + BlockCache.EntryOverhead, cache.Usage);
        Assert.True(cache.TryGet(1, 0, out var got));
        Assert.Same(second, got);
    }

    [Fact]
    public void TryGetAndInsert_ConcurrentThreads_KeepBoundAndCounts()
    {
        const long capacity = 128 * 1024;
        var cache = new BlockCache(capacity);
        var threads = new Thread[8];
        for (int t = 0; t < threads.Length; t++)
        {
            int seed = 300 + t;
            threads[t] = new Thread(() =>
            {
                var rng = new Random(seed);
                for (int i = 0; i < 5000; i++)
                {
                    long offset = rng.Next(2000) * 4096L;
                    if (!cache.TryGet(3, offset, out _))
                    {
                        cache.Insert(3, offset, NewBlock(1024));
                    }
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(8 * 5000, cache.Hits + cache.Misses);
        Assert.True(cache.Usage <= capacity);
        cache.AssertInvariants();
    }
}
