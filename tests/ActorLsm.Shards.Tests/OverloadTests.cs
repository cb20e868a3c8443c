using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class OverloadTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    [Fact]
    public async Task PutAsync_QueueFull_ThrowsOverloadedAndWritesNothing()
    {
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 2,
            MaxPendingWrites = 4,
            RequestTimeout = TimeSpan.FromSeconds(20),
            Storage = SmallStorage(),
        });
        byte[][] keys = [.. Enumerable.Range(0, 200).Select(i => B("o" + i)).Where(k => h.Node.ShardOf(k) == 0).Take(6)];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.Node.HoldCommitsAsync(0, release.Task);

        // One write commits (held at the gate), three wait: four pending, the limit.
        var accepted = new List<Task<ulong>> { h.Node.PutAsync(keys[0], B("v")) };
        await AssertPendingAsync(h, 0, 1);
        for (int i = 1; i < 4; i++)
        {
            accepted.Add(h.Node.PutAsync(keys[i], B("v")));
        }

        await AssertPendingAsync(h, 0, 4);
        await Assert.ThrowsAsync<OverloadedException>(() => h.Node.PutAsync(keys[4], B("refused")));
        await Assert.ThrowsAsync<OverloadedException>(() => h.Node.BatchAsync([new BatchOperation(keys[5], B("refused"))]));

        // The other shard is not affected.
        byte[] other = [.. Enumerable.Range(0, 200).Select(i => B("x" + i)).First(k => h.Node.ShardOf(k) == 1)];
        await h.Node.PutAsync(other, B("fine"));

        release.SetResult();
        ulong[] sequences = await Task.WhenAll(accepted);
        Assert.Equal(4, sequences.Distinct().Count());
        Assert.Null(await h.Node.GetAsync(keys[4]));
        Assert.Null(await h.Node.GetAsync(keys[5]));
        Assert.Equal("v", S(await h.Node.GetAsync(keys[3])));
    }

    /// <summary>Status requests queue behind the writes in the shard's mailbox, so this observes them in order.</summary>
    private static async Task AssertPendingAsync(NodeHarness h, int shard, long pending)
    {
        NodeStatus status = await h.Node.StatusAsync();
        Assert.Equal(pending, status.Shards[shard].PendingWrites);
    }
}
