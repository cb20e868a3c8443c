using ActorLsm.Shards.Replication;
using ActorLsm.Shards.Shard;
using ActorLsm.Storage;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

/// <summary>
/// Gets on the caller's thread (<see cref="DirectReads"/>): only unreplicated shards publish their
/// store, a withdrawal waits for the reads inside, and no get ever touches a closed store while
/// shards restart under it.
/// </summary>
public sealed class DirectReadsTests : ShardsTestKit
{
    private readonly ITestOutputHelper _output;

    public DirectReadsTests(ITestOutputHelper output)
        : base(output)
    {
        _output = output;
    }

    [Fact]
    public async Task TryEnter_UnreplicatedNode_PublishedWhileRunningWithdrawnAfterDispose()
    {
        NodeHarness h = await StartAsync();
        ShardHandle handle = h.Node.Shard(0);
        LsmStore? store = handle.Reads.TryEnter();
        Assert.NotNull(store);
        handle.Reads.Exit();

        await h.DisposeAsync();

        Assert.Null(handle.Reads.TryEnter());
        await Assert.ThrowsAsync<ShardUnavailableException>(() => h.Node.GetAsync(B("after-stop")));
    }

    [Fact]
    public async Task TryEnter_ReplicatedNodeWithoutLeadership_NotPublished()
    {
        await using NodeHarness h = await StartInAsync(Sys, dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 2,
            Storage = new LsmOptions { WalSyncMode = WalSyncMode.None, MemTableSize = 1024 * 1024, BlockCacheSize = 0 },
            RequestTimeout = TimeSpan.FromSeconds(20),
            Replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50) },
        });
        await h.Node.Shard(0).WhenRunning;
        await h.Node.Shard(1).WhenRunning;

        // R13: a replicated shard publishes its store only while it leads (with its high watermark and lease).
        Assert.Null(h.Node.Shard(0).Reads.TryEnter());
        Assert.Null(h.Node.Shard(1).Reads.TryEnter());
    }

    [Fact]
    public async Task Withdraw_ReadInside_WaitsUntilItExits()
    {
        string dir = NewDataDir();
        using LsmStore store = LsmStore.Open(dir, new LsmOptions { WalSyncMode = WalSyncMode.None });
        var reads = new DirectReads();
        reads.Publish(store);
        Assert.Same(store, reads.TryEnter());

        Task withdraw = Task.Run(reads.Withdraw);

        // The withdrawal cannot finish while the read is inside (whatever the timing), ...
        Task first = await Task.WhenAny(withdraw, Task.Delay(TimeSpan.FromMilliseconds(200)));
        Assert.NotSame(withdraw, first);
        // ... and reads arriving once it began find nothing published (one that raced ahead of it leaves again).
        Assert.True(SpinWait.SpinUntil(() => Unpublished(reads), TimeSpan.FromSeconds(20)), "the store stayed published");
        Assert.False(withdraw.IsCompleted, "Withdraw returned while a read was inside");
        reads.Exit();
        await withdraw.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Null(reads.TryEnter());
        Directory.Delete(dir, recursive: true);

        static bool Unpublished(DirectReads r)
        {
            if (r.TryEnter() is null)
            {
                return true;
            }

            r.Exit();
            return false;
        }
    }

    [Fact]
    public async Task GetAsync_ShardRestartingUnderConcurrentReads_ValueOrUnavailableNeverAnotherFailure()
    {
        await using NodeHarness h = await StartAsync();
        byte[][] keys = [.. Enumerable.Range(0, 400).Select(i => B("r" + i)).Where(k => h.Node.ShardOf(k) == 0).Take(20)];
        foreach (byte[] k in keys)
        {
            await h.Node.PutAsync(k, k);
        }

        using var stop = new CancellationTokenSource();
        int served = 0;
        int unavailable = 0;
        Task[] readers = [.. Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                byte[] k = keys[(i + r) % keys.Length];
                try
                {
                    Assert.Equal(S(k), S(await h.Node.GetAsync(k)));
                    Interlocked.Increment(ref served);
                }
                catch (ShardUnavailableException)
                {
                    Interlocked.Increment(ref unavailable);
                }

                await Task.Yield(); // gets complete on this thread: leave the CPU to the shard and the other tests
            }
        }))];

        // Each restart closes the store the readers use (withdrawn first) and opens it again.
        for (int restart = 0; restart < 3; restart++)
        {
            int before = Volatile.Read(ref served);
            h.Node.InjectFailure(0);
            await WaitRunningAgainAsync(h, restart + 1);
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (Volatile.Read(ref served) <= before + 10 && !readers.Any(t => t.IsFaulted))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no gets served after restart {restart + 1}");
                await Task.Delay(5);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers); // rethrows a wrong value or any failure other than ShardUnavailableException
        _output.WriteLine($"served {served}, unavailable {unavailable}");
        Assert.True(served > 50, $"only {served} gets were served");
    }

    private static async Task WaitRunningAgainAsync(NodeHarness h, long restarts)
    {
        ShardHandle handle = h.Node.Shard(0);
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (handle.Restarts < restarts || handle.State != ShardState.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, $"shard 0 not running again after restart {restarts}");
            await handle.WhenRunning.WaitAsync(TimeSpan.FromSeconds(20));
            await Task.Delay(5);
        }
    }
}
