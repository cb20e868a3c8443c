using System.Collections.Concurrent;
using ActorLsm.Shards.Shard;
using Akka.Actor;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class CrashTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    [Fact]
    public async Task InjectFailure_DuringConcurrentWrites_RestartsAndKeepsEveryAckedWrite()
    {
        const int Seed = 7;
        using var holdReopen = new ManualResetEventSlim(false);
        var reopening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int opens = 0;
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 3,
            Storage = SmallStorage(),
            RequestTimeout = TimeSpan.FromSeconds(20),
            BeforeShardOpen = id =>
            {
                // Shard 0's second open is the restart: hold it so the test can look at the node meanwhile.
                if (id == 0 && Interlocked.Increment(ref opens) == 2)
                {
                    reopening.TrySetResult();
                    holdReopen.Wait(TimeSpan.FromSeconds(20));
                }
            },
        });

        var acked = new ConcurrentDictionary<string, string>();
        var enoughAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        int unavailable = 0;
        Task[] writers = [.. Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var rng = new Random(Seed + w);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string key = $"w{w}-{i}";
                string value = "v" + rng.Next();
                try
                {
                    await h.Node.PutAsync(B(key), B(value));
                    acked[key] = value;
                    if (acked.Count >= 300)
                    {
                        enoughAcked.TrySetResult();
                    }
                }
                catch (ShardUnavailableException)
                {
                    Interlocked.Increment(ref unavailable);
                }
            }
        }))];

        // Let writes flow to every shard, then crash shard 0.
        await enoughAcked.Task.WaitAsync(TimeSpan.FromSeconds(20));

        h.Node.InjectFailure(0);
        await reopening.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Shard 0 is restarting: its requests fail fast; the other shards keep serving.
        Assert.Equal(ShardState.Restarting, h.Node.Shard(0).State);
        byte[] key0 = [.. Enumerable.Range(0, 300).Select(i => B("z" + i)).First(k => h.Node.ShardOf(k) == 0)];
        byte[] key1 = [.. Enumerable.Range(0, 300).Select(i => B("z" + i)).First(k => h.Node.ShardOf(k) == 1)];
        await Assert.ThrowsAsync<ShardUnavailableException>(() => h.Node.PutAsync(key0, B("x")));
        await h.Node.PutAsync(key1, B("served"));
        Assert.Equal("served", S(await h.Node.GetAsync(key1)));
        NodeStatus during = await h.Node.StatusAsync();
        Assert.Equal("restarting", during.Shards[0].State);
        Assert.Equal("running", during.Shards[1].State);

        holdReopen.Set();
        await StatusRunningAsync(h, 0);
        stop.Cancel();
        await Task.WhenAll(writers);

        Assert.Equal(1, h.Node.Shard(0).Restarts);
        foreach ((string key, string value) in acked)
        {
            Assert.True(value == S(await h.Node.GetAsync(B(key))), $"seed {Seed}: acknowledged {key}={value} lost after the restart");
        }
    }

    [Fact]
    public async Task InjectFailure_QueuedWrites_GetShardUnavailableNeverFalseAck()
    {
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 2,
            Storage = SmallStorage(),
            RequestTimeout = TimeSpan.FromSeconds(20),
        });
        byte[][] keys = [.. Enumerable.Range(0, 300).Select(i => B("q" + i)).Where(k => h.Node.ShardOf(k) == 0).Take(5)];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.Node.HoldCommitsAsync(0, release.Task);
        Task<ulong>[] puts = [.. keys.Select(k => h.Node.PutAsync(k, B("v")))];
        Assert.Equal(5, (await h.Node.StatusAsync()).Shards[0].PendingWrites);

        // Akka's supervisor logs the failure once; the shard is restarted (not stopped).
        await EventFilter.Exception<InjectedShardFailureException>().ExpectOneAsync(() =>
        {
            h.Node.InjectFailure(0);
            return Task.CompletedTask;
        });

        // The crash waits for the held commit (keys[0]) and answers it truthfully; release it.
        release.SetResult();
        foreach (Task<ulong> put in puts.Skip(1))
        {
            await Assert.ThrowsAsync<ShardUnavailableException>(() => put);
        }

        await puts[0]; // it was committed, so it is acknowledged
        await StatusRunningAsync(h, 0);
        Assert.Equal("v", S(await h.Node.GetAsync(keys[0])));
        foreach (byte[] k in keys.Skip(1))
        {
            Assert.Null(await h.Node.GetAsync(k));
        }
    }

    [Fact]
    public async Task StoreOpen_FailsAfterRestart_RetriesWithBackoffAndServesKeptRequests()
    {
        int opens = 0;
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 2,
            Storage = SmallStorage(),
            RequestTimeout = TimeSpan.FromSeconds(20),
            RestartMinBackoff = TimeSpan.FromMilliseconds(20),
            RestartMaxBackoff = TimeSpan.FromMilliseconds(100),
            BeforeShardOpen = id =>
            {
                // Shard 0's second and third opens (the restart and its first retry) fail.
                if (id == 0 && Interlocked.Increment(ref opens) is 2 or 3)
                {
                    throw new IOException("injected open failure");
                }
            },
        });
        byte[] key = [.. Enumerable.Range(0, 300).Select(i => B("r" + i)).First(k => h.Node.ShardOf(k) == 0)];
        await h.Node.PutAsync(key, B("kept"));

        // A request already in the mailbox when the shard fails waits (stashed) through the
        // backoff and both failed opens, and is served once the store is open.
        var probe = CreateTestProbe();
        h.Node.InjectFailure(0);
        h.Node.Shard(0).Ref.Tell(new GetRequest(key), probe.Ref);
        GetReply reply = await probe.ExpectMsgAsync<GetReply>(TimeSpan.FromSeconds(20));
        Assert.Equal("kept", S(reply.Value));

        Assert.Equal(4, Volatile.Read(ref opens));
        Assert.Equal(1, h.Node.Shard(0).Restarts);
        Assert.Equal(ShardState.Running, h.Node.Shard(0).State);
        Assert.Equal("kept", S(await h.Node.GetAsync(key)));
    }

    [Fact]
    public async Task KillAsync_ShardStillOpening_FailsKeptRequestsAsUnavailable()
    {
        var secondOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int opens = 0;
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 1,
            Storage = SmallStorage(),
            RequestTimeout = TimeSpan.FromSeconds(20),
            RestartMinBackoff = TimeSpan.FromMilliseconds(10),
            RestartMaxBackoff = TimeSpan.FromSeconds(20),
            BeforeShardOpen = _ =>
            {
                // Every open after the first fails: the restarted shard never serves again.
                if (Interlocked.Increment(ref opens) >= 2)
                {
                    secondOpen.TrySetResult();
                    throw new IOException("injected open failure");
                }
            },
        });
        var probe = CreateTestProbe();
        h.Node.InjectFailure(0);
        h.Node.Shard(0).Ref.Tell(new GetRequest(B("k")), probe.Ref); // kept through the restart (stashed)
        await secondOpen.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await h.Node.KillAsync();
        Status.Failure failure = await probe.ExpectMsgAsync<Status.Failure>(TimeSpan.FromSeconds(20));
        Assert.IsType<ShardUnavailableException>(failure.Cause);
        Assert.Equal(ShardState.Stopped, h.Node.Shard(0).State);
    }

    [Fact]
    public void Backoff_Doubles_UpToTheMaximum()
    {
        TimeSpan min = TimeSpan.FromMilliseconds(100);
        TimeSpan max = TimeSpan.FromSeconds(5);
        Assert.Equal([100, 200, 400, 800, 1600, 3200, 5000, 5000], Enumerable.Range(1, 8).Select(a => ShardHandle.Backoff(min, max, a).TotalMilliseconds));
    }

    /// <summary>Waits for the restarted shard: it reports running once its store is open again.</summary>
    private static Task StatusRunningAsync(NodeHarness h, int shard) =>
        h.Node.Shard(shard).WhenRunning.WaitAsync(TimeSpan.FromSeconds(20));
}
