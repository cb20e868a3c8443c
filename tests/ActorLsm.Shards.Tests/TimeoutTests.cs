using ActorLsm.Shards.Shard;
using Akka.Actor;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class TimeoutTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    [Fact]
    public async Task PutAsync_ShardNeverAnswers_ThrowsTimeoutException()
    {
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 1,
            Storage = SmallStorage(),
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });
        var never = new TaskCompletionSource();

        // Set the hook with Akka's Ask and a long timeout: the node's own 300 ms is for the put.
        await h.Node.Shard(0).Ref.Ask<Status.Success>(new HoldCommits(never.Task), TimeSpan.FromSeconds(20));
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(() => h.Node.PutAsync(B("stuck"), B("v")));
        Assert.Contains("shard 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using NodeHarness h = await StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.Node.HoldCommitsAsync(0, release.Task);
        byte[] key = [.. Enumerable.Range(0, 100).Select(i => B("c" + i)).First(k => h.Node.ShardOf(k) == 0)];
        using var cts = new CancellationTokenSource();
        Task<ulong> put = h.Node.PutAsync(key, B("v"), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put);
        release.SetResult();

        // Cancelling abandons the caller's wait only: the shard keeps serving writes to the key.
        await h.Node.PutAsync(key, B("later"));
        Assert.Equal("later", S(await h.Node.GetAsync(key)));
    }
}
