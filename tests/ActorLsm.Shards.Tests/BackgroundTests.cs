using System.Collections.Concurrent;
using ActorLsm.Storage;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class BackgroundTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    [Fact]
    public async Task Writes_OverSmallMemtables_FlusherAndCompactorChildrenFlushAndCompact()
    {
        var compacted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 2,
            Storage = SmallStorage(),
            RequestTimeout = TimeSpan.FromSeconds(20),
            OnCompactionFinished = (_, steps) =>
            {
                if (steps > 0)
                {
                    compacted.TrySetResult();
                }
            },
        });
        var flushes = new ConcurrentQueue<(int Shard, FlushCompletedInfo Info)>();
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Node.FlushCompleted += (shard, info) =>
        {
            flushes.Enqueue((shard, info));
            if (info.FileNumber != 0)
            {
                flushed.TrySetResult();
            }
        };

        // About 300 KiB over 16 KiB memtables: many flushes, and L0 reaches its trigger of 2.
        var rng = new Random(11);
        byte[] value = new byte[300];
        for (int i = 0; i < 1000; i++)
        {
            rng.NextBytes(value);
            await h.Node.PutAsync(B("key" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)), [.. value]);
        }

        await flushed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await compacted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        NodeStatus status = await h.Node.StatusAsync();
        Assert.All(flushes, f => Assert.InRange(f.Shard, 0, 1));
        Assert.Contains(flushes, f => f.Info.FileSize > 0 && f.Info.LargestSequence > 0);
        Assert.True(status.Shards.Sum(s => s.Flushes) > 0, "status counts flushes");
        Assert.True(status.Shards.Sum(s => s.Compactions) > 0, "status counts compactions");
        Assert.True(status.Shards.Sum(s => s.LevelFiles.Skip(1).Sum()) > 0, "compaction put files below L0");
        Assert.True(status.Shards.Sum(s => s.LevelBytes.Sum()) > 0, "levels hold bytes");
        for (int i = 0; i < 1000; i += 97)
        {
            Assert.NotNull(await h.Node.GetAsync(B("key" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    [Fact]
    public async Task FlushInterval_OldMemtable_IsFlushedByTheFlushersTimer()
    {
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 1,
            Storage = new LsmOptions { WalSyncMode = WalSyncMode.None, FlushInterval = TimeSpan.FromMilliseconds(200), BlockCacheSize = 0 },
            RequestTimeout = TimeSpan.FromSeconds(20),
        });
        var flushed = new TaskCompletionSource<FlushCompletedInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Node.FlushCompleted += (_, info) => flushed.TrySetResult(info);
        ulong sequence = await h.Node.PutAsync(B("aging"), B("value"));

        // The memtable is nowhere near full: only the periodic age check can flush it.
        FlushCompletedInfo info = await flushed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(info.LargestSequence >= sequence);
        NodeStatus status = await h.Node.StatusAsync();
        Assert.Equal(1, status.Shards[0].LevelFiles[0] + status.Shards[0].LevelFiles.Skip(1).Sum());
    }
}
