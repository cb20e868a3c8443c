using System.Collections.Concurrent;
using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Tables;
using ActorLsm.Storage.Tests.Engine;
using ActorLsm.Storage.Tests.SSTable;
using Xunit.Abstractions;

namespace ActorLsm.Storage.Tests.Cache;

/// <summary>
/// Native block tests read process-wide counters (<see cref="Block.LiveNativeBlocks"/>) and switch
/// <see cref="Block.PoisonOnFree"/> on: they run alone, after the parallel collections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeBlockCollection
{
    public const string Name = "native blocks (process-wide counters)";
}

[Collection(NativeBlockCollection.Name)]
public sealed class NativeBlockTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public NativeBlockTests(ITestOutputHelper output)
    {
        _output = output;
        Block.PoisonOnFree = true;
        Settle();
    }

    public void Dispose()
    {
        Block.PoisonOnFree = false;
        _dir.Dispose();
    }

    [Fact]
    public void Unref_LastReference_FreesNativeMemory()
    {
        long blocks = Block.LiveNativeBlocks;
        long bytes = Block.LiveNativeBytes;
        var block = NativeBlock(Contents(TestData.Entries(5, 20)));
        Assert.True(block.IsNative);
        Assert.Equal(blocks + 1, Block.LiveNativeBlocks);
        Assert.Equal(bytes + block.MemoryCharge, Block.LiveNativeBytes);

        block.Ref();
        block.Unref();
        Assert.Equal(blocks + 1, Block.LiveNativeBlocks);
        block.Unref();
        Assert.Equal(blocks, Block.LiveNativeBlocks);
        Assert.Equal(bytes, Block.LiveNativeBytes);
    }

    [Fact]
    public void Evict_WhileLookupHoldsBlock_BlockStaysReadableUntilUnref()
    {
        var entries = TestData.Entries(7, 50);
        var cache = new BlockCache(1 << 20);
        long before = Block.LiveNativeBlocks;
        var block = NativeBlock(Contents(entries));
        cache.Insert(9, 0, block);
        block.Unref(); // only the cache holds it now
        Assert.Equal(1, block.RefCount);
        Assert.Equal(block.MemoryCharge + BlockCache.EntryOverhead, cache.Usage);

        Assert.True(cache.TryGet(9, 0, out var held));
        Assert.Equal(2, held.RefCount);
        cache.EraseFile(9); // eviction drops only the cache's reference
        Assert.Equal(1, held.RefCount);
        Assert.Equal(before + 1, Block.LiveNativeBlocks);
        AssertBlockMatches(held, entries, "held after erase");

        held.Unref();
        Assert.Equal(before, Block.LiveNativeBlocks);
        cache.Dispose();
    }

    [Fact]
    public void Insert_AfterDispose_CachesNothingAndTakesNoReference()
    {
        var cache = new BlockCache(1 << 20);
        long before = Block.LiveNativeBlocks;
        var block = NativeBlock(Contents(TestData.Entries(9, 10)));
        cache.Dispose();
        cache.Insert(1, 0, block);
        Assert.Equal(1, block.RefCount);
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(1, 0, out _));
        block.Unref();
        Assert.Equal(before, Block.LiveNativeBlocks);
    }

    [Fact]
    public void TableIterator_CurrentBlockEvicted_KeepsReadingCorrectEntries()
    {
        var entries = TestData.Entries(21, 3000, maxVersions: 2);
        string path = System.IO.Path.Combine(_dir.Path, "000001.sst");
        TableTests.Write(path, entries, new TableBuilderOptions { BlockSize = 512 });
        long before = Block.LiveNativeBlocks;
        using (var cache = new BlockCache(1 << 20))
        using (var reader = TableReader.Open(path, 1, cache, verifyChecksums: true))
        {
            using var it = reader.NewIterator();
            int i = 0;
            for (it.SeekToFirst(); it.Valid; it.Next(), i++)
            {
                if (i % 7 == 0)
                {
                    // Drop every cached block of the table under the iterator's feet; with
                    // poisoning on, a freed current block would show 0xA5 bytes below.
                    cache.EraseFile(1);
                    Assert.Equal(0, cache.Count);
                }

                Assert.True(it.Key.SequenceEqual(entries[i].Key), $"key {i}");
                Assert.True(it.Value.SequenceEqual(entries[i].Value), $"value {i}");
            }

            Assert.Equal(entries.Count, i);
            Assert.True(Block.LiveNativeBlocks > before, "the iterator's last block is still pinned");
        }

        Assert.Equal(before, Block.LiveNativeBlocks);
    }

    [Fact]
    public void Close_AfterGetsScansAndCompactions_FreesEveryNativeBlock()
    {
        long blocksBefore = Block.LiveNativeBlocks;
        long bytesBefore = Block.LiveNativeBytes;
        long peakBlocks = 0;
        var rng = new Random(31);
        using (LsmStore store = LsmStore.Open(_dir.Path, SmallOptions.Create()))
        {
            for (int i = 0; i < 4000; i++)
            {
                store.Put(Key(rng.Next(1000)), Value(i));
            }

            store.Flush();
            store.CompactRange(null, null);
            for (int i = 0; i < 2000; i++)
            {
                _ = store.Get(Key(rng.Next(1000)));
            }

            using (var snapshot = store.GetSnapshot())
            using (LsmIterator it = store.NewIterator(new ReadOptions { Snapshot = snapshot }))
            {
                int n = 0;
                for (it.SeekToFirst(); it.Valid; it.Next())
                {
                    n++;
                }

                Assert.True(n > 0);
                peakBlocks = Math.Max(peakBlocks, Block.LiveNativeBlocks - blocksBefore);
                Assert.Equal(Block.LiveNativeBlocks, store.GetStats().NativeBlocks);
            }

            Assert.True(store.GetStats().NativeBlockBytes > bytesBefore, "reads left blocks in the cache");
        }

        Assert.True(peakBlocks > 0, "the reads went through native blocks");
        Assert.Equal(blocksBefore, Block.LiveNativeBlocks);
        Assert.Equal(bytesBefore, Block.LiveNativeBytes);
    }

    [Fact]
    public void TryGetAndScan_ConcurrentEviction_ReadCorrectValuesAndFreeAll()
    {
        int seed = Environment.TickCount;
        _output.WriteLine($"seed {seed}");
        var entries = TestData.Entries(seed, 4000, maxVersions: 2);
        string path = System.IO.Path.Combine(_dir.Path, "000002.sst");
        TableTests.Write(path, entries, new TableBuilderOptions { BlockSize = 512 });
        long before = Block.LiveNativeBlocks;
        var failures = new ConcurrentQueue<string>();
        using (var cache = new BlockCache(32 * 1024)) // a few blocks per shard: constant eviction
        using (var reader = TableReader.Open(path, 2, cache, verifyChecksums: true))
        {
            var threads = new List<Thread>();
            int running = 4;
            for (int t = 0; t < 4; t++)
            {
                int threadSeed = seed + t;
                threads.Add(new Thread(() =>
                {
                    try
                    {
                        var rng = new Random(threadSeed);
                        for (int i = 0; i < 3000; i++)
                        {
                            var (key, value) = entries[rng.Next(entries.Count)];
                            bool found = reader.TryGet(key, out _, out var got, out ulong seq, out var pin);
                            if (!found || !got.SequenceEqual(value) || seq != InternalKey.Sequence(key))
                            {
                                failures.Enqueue($"seed {seed} thread {threadSeed}: TryGet {InternalKey.Describe(key)}");
                            }

                            pin?.Unref();
                        }

                        using var it = reader.NewIterator(fillCache: threadSeed % 2 == 0);
                        int n = 0;
                        for (it.SeekToFirst(); it.Valid; it.Next(), n++)
                        {
                            if (!it.Key.SequenceEqual(entries[n].Key) || !it.Value.SequenceEqual(entries[n].Value))
                            {
                                failures.Enqueue($"seed {seed} thread {threadSeed}: scan entry {n}");
                                break;
                            }
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref running);
                    }
                }));
            }

            // One more thread evicts everything while the readers run.
            threads.Add(new Thread(() =>
            {
                while (Volatile.Read(ref running) > 0)
                {
                    cache.EraseFile(2);
                    Thread.Yield();
                }
            }));

            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            cache.AssertInvariants();
        }

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.Equal(before, Block.LiveNativeBlocks);
    }

    private static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"key{i:D6}");

    private static byte[] Value(int i) => System.Text.Encoding.ASCII.GetBytes($"value-{i}-{new string('v', i % 50)}");

    private static byte[] Contents(List<(byte[] Key, byte[] Value)> entries)
    {
        var builder = new BlockBuilder(4);
        foreach (var (key, value) in entries)
        {
            builder.Add(key, value);
        }

        return builder.Finish().ToArray();
    }

    private static unsafe Block NativeBlock(byte[] contents)
    {
        byte* memory = Block.AllocateNative(contents.Length);
        contents.CopyTo(new Span<byte>(memory, contents.Length));
        return Block.FromNative(memory, contents.Length, contents.Length, null, -1);
    }

    private static void AssertBlockMatches(Block block, List<(byte[] Key, byte[] Value)> entries, string what)
    {
        using var it = new BlockIterator(block);
        int i = 0;
        for (it.SeekToFirst(); it.Valid; it.Next(), i++)
        {
            Assert.True(it.Key.SequenceEqual(entries[i].Key) && it.Value.SequenceEqual(entries[i].Value), $"{what}: entry {i}");
        }

        Assert.Equal(entries.Count, i);
    }

    // Lets caches dropped by earlier tests be finalized, so the counters are steady at the start.
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
