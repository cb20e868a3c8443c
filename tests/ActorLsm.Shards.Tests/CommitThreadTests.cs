using ActorLsm.Shards.Shard;

namespace ActorLsm.Shards.Tests;

public sealed class CommitThreadTests
{
    [Fact]
    public async Task Run_Work_RunsInOrderOnTheNamedThread()
    {
        var thread = new CommitThread("test-commit");
        var order = new List<int>();
        Task<string?>[] runs = [.. Enumerable.Range(0, 10).Select(i => thread.Run(() =>
        {
            order.Add(i); // one thread: no lock needed
            return Thread.CurrentThread.Name;
        }))];
        string?[] names = await Task.WhenAll(runs);
        Assert.All(names, n => Assert.Equal("test-commit", n));
        Assert.Equal(Enumerable.Range(0, 10), order);
        thread.Complete();
    }

    [Fact]
    public async Task Run_Throws_FaultsOnlyItsTask()
    {
        var thread = new CommitThread("test-commit");
        Task<int> bad = thread.Run<int>(() => throw new IOException("disk"));
        Task<int> good = thread.Run(() => 7);
        await Assert.ThrowsAsync<IOException>(() => bad);
        Assert.Equal(7, await good);
        thread.Complete();
    }

    [Fact]
    public async Task Run_AfterComplete_FailsWithoutRunning()
    {
        var thread = new CommitThread("test-commit");
        thread.Complete();
        bool ran = false;
        await Assert.ThrowsAsync<ObjectDisposedException>(() => thread.Run(() => ran = true));
        Assert.False(ran);
    }

    [Fact]
    public async Task Complete_WorkQueuedBehindARunningItem_AllRunsBeforeTheThreadEnds()
    {
        var thread = new CommitThread("test-commit");
        using var release = new ManualResetEventSlim();
        using var running = new ManualResetEventSlim();
        Task<int> first = thread.Run(() =>
        {
            running.Set();
            release.Wait(TimeSpan.FromSeconds(20));
            return 1;
        });
        Assert.True(running.Wait(TimeSpan.FromSeconds(20)), "the first item never started");
        Task<int> second = thread.Run(() => 2); // queued while the thread works: taken without a wait
        Task<int> third = thread.Run(() => 3);
        thread.Complete();
        release.Set();

        int[] results = await Task.WhenAll(first, second, third);
        Assert.Equal(new[] { 1, 2, 3 }, results);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => thread.Run(() => 4));
    }
}
