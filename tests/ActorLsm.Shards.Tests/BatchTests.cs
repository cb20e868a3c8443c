using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class BatchTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    [Fact]
    public async Task BatchAsync_KeysOfManyShards_AppliesAllAndCountsShards()
    {
        await using NodeHarness h = await StartAsync();
        BatchOperation[] ops = [.. Enumerable.Range(0, 40).Select(i => new BatchOperation(B("b" + i), B("v" + i)))];
        int touched = await h.Node.BatchAsync(ops);
        Assert.Equal(ops.Select(o => h.Node.ShardOf(o.Key)).Distinct().Count(), touched);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal("v" + i, S(await h.Node.GetAsync(B("b" + i))));
        }

        await h.Node.BatchAsync([new BatchOperation(B("b1"), null)]);
        Assert.Null(await h.Node.GetAsync(B("b1")));
    }

    [Fact]
    public async Task BatchAsync_OneValueOverLimit_WritesNothing()
    {
        await using NodeHarness h = await StartAsync();
        BatchOperation[] ops =
        [
            new(B("ok1"), B("v")),
            new(B("ok2"), B("v")),
            new(B("bad"), new byte[h.Options.Storage.MaxValueSize + 1]),
        ];
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.BatchAsync(ops));
        Assert.Null(await h.Node.GetAsync(B("ok1")));
        Assert.Null(await h.Node.GetAsync(B("ok2")));
    }

    [Fact]
    public async Task BatchAsync_OneShard_ReadersSeeAllOrNone()
    {
        await using NodeHarness h = await StartAsync();
        // Ten keys of one shard, rewritten together; a scan (a point-in-time read of each shard)
        // must never see two versions at once.
        byte[][] keys = [.. Enumerable.Range(0, 1000).Select(i => B("atom" + i)).Where(k => h.Node.ShardOf(k) == 1).Take(10)];
        const int Rounds = 150;
        Task writer = Task.Run(async () =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                await h.Node.BatchAsync([.. keys.Select(k => new BatchOperation(k, B("r" + round)))]);
            }
        });

        int scans = 0;
        while (!writer.IsCompleted || scans == 0)
        {
            (IReadOnlyList<KeyValuePair<byte[], byte[]>> entries, _) = await h.Node.ScanAsync(B("atom"), B("atoo"), 0, reverse: false);
            string[] versions = [.. entries.Select(e => S(e.Value)).Distinct()];
            Assert.True(entries.Count is 0 or 10, $"saw {entries.Count} of 10 keys");
            Assert.True(versions.Length <= 1, "saw versions " + string.Join(",", versions));
            scans++;
        }

        await writer;
        Assert.Equal("r" + (Rounds - 1), S(await h.Node.GetAsync(keys[0])));
    }

    [Fact]
    public async Task BatchAsync_Empty_TouchesNoShard()
    {
        await using NodeHarness h = await StartAsync();
        Assert.Equal(0, await h.Node.BatchAsync([]));
    }
}
