using Akka.Actor;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class LifecycleTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    [Fact]
    public async Task DisposeAsync_ThenReopen_DataPresent()
    {
        await using NodeHarness h = await StartAsync();
        for (int i = 0; i < 200; i++)
        {
            await h.Node.PutAsync(B("p" + i), B("v" + i));
        }

        await h.Node.DeleteAsync(B("p7"));
        await h.RestartNodeAsync();

        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(i == 7 ? "<null>" : "v" + i, S(await h.Node.GetAsync(B("p" + i))));
        }
    }

    [Fact]
    public async Task DisposeAsync_WithWritesInFlight_AcksThemAndRefusesNewOnes()
    {
        await using NodeHarness h = await StartAsync();
        Task<ulong>[] inFlight = [.. Enumerable.Range(0, 500).Select(i => h.Node.PutAsync(B("f" + i), B("v")))];
        ValueTask disposing = h.Node.DisposeAsync();
        await Assert.ThrowsAsync<ShardUnavailableException>(() => h.Node.PutAsync(B("late"), B("v")));
        await disposing;
        await Task.WhenAll(inFlight); // every accepted write was committed and acknowledged

        await h.RestartNodeAsync();
        for (int i = 0; i < 500; i += 50)
        {
            Assert.Equal("v", S(await h.Node.GetAsync(B("f" + i))));
        }
    }

    [Fact]
    public async Task StartAsync_DifferentShardCount_IsRefused()
    {
        string dir;
        await using (NodeHarness h = await StartAsync())
        {
            dir = h.DataDir;
            await h.Node.PutAsync(B("k"), B("v"));
            await h.Node.DisposeAsync();

            var options = new ShardedNodeOptions { DataDir = dir, ShardCount = 8, RouterName = "mismatch" };
            ShardCountMismatchException e = await Assert.ThrowsAsync<ShardCountMismatchException>(() => ShardedNode.StartAsync(Sys, options));
            Assert.Contains("4 shards", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartAsync_DataDirWithFnvPlacement_IsRefused()
    {
        string dir = NewDataDir();
        Directory.CreateDirectory(Path.Combine(dir, "shard-00"));
        File.WriteAllText(Path.Combine(dir, "NODE"), "shard-count = 4\nhash = fnv1a64-fmix64\n");

        var options = new ShardedNodeOptions { DataDir = dir, ShardCount = 4, RouterName = "fnv" };
        ShardCountMismatchException e = await Assert.ThrowsAsync<ShardCountMismatchException>(() => ShardedNode.StartAsync(Sys, options));
        Assert.Contains("old FNV key placement", e.Message, StringComparison.Ordinal);
        Assert.Equal("shard-count = 4\nhash = fnv1a64-fmix64\n", File.ReadAllText(Path.Combine(dir, "NODE"))); // not rewritten
    }

    [Fact]
    public async Task StartAsync_ShardDirectoriesWithoutNodeFile_IsRefused()
    {
        string dir = NewDataDir();
        Directory.CreateDirectory(Path.Combine(dir, "shard-00"));

        var options = new ShardedNodeOptions { DataDir = dir, ShardCount = 1, RouterName = "pre-node-file" };
        ShardCountMismatchException e = await Assert.ThrowsAsync<ShardCountMismatchException>(() => ShardedNode.StartAsync(Sys, options));
        Assert.Contains("FNV", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "NODE")));
    }

    [Fact]
    public async Task StartAsync_DataDirLockedByAnotherNode_FailsWithStoreLocked()
    {
        await using NodeHarness h = await StartAsync();
        await Assert.ThrowsAsync<Storage.StoreLockedException>(() => ShardedNode.StartAsync(Sys, h.Options.WithRouterName("second")));

        // The refused node stopped its own router; the first node still serves.
        await h.Node.PutAsync(B("still"), B("served"));
        Assert.Equal("served", S(await h.Node.GetAsync(B("still"))));
    }

    [Fact]
    public async Task StartAsync_SystemWithoutIoDispatcher_IsRefused()
    {
        using var plain = ActorSystem.Create("no-io-dispatcher");
        try
        {
            var options = new ShardedNodeOptions { DataDir = NewDataDir(), ShardCount = 1 };
            InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => ShardedNode.StartAsync(plain, options));
            Assert.Contains("actorlsm.io-dispatcher", e.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(options.DataDir), "nothing was written");
        }
        finally
        {
            await plain.Terminate();
        }
    }

    [Fact]
    public async Task ShardActor_Started_RunsOnTheIoDispatcher()
    {
        await using NodeHarness h = await StartAsync();
        for (int shard = 0; shard < 4; shard++)
        {
            Shard.DispatcherInfo info = await h.Node.DispatcherOfAsync(shard);
            Assert.Equal(ShardedNodeOptions.DefaultDispatcher, info.Dispatcher);

            // Akka names the threads of a fork-join-executor after the dispatcher's id.
            Assert.Contains(ShardedNodeOptions.DefaultDispatcher, info.ThreadName ?? "<unnamed>", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartAsync_ShardPaths_AreUnderTheRouterName()
    {
        await using NodeHarness h = await StartAsync();
        Assert.Equal("/user/actorlsm-shards", h.Node.Router.Path.ToStringWithoutAddress());
        Assert.Equal("/user/actorlsm-shards", h.Node.RouterPath);
        Assert.Equal("/user/actorlsm-shards/shard-03", h.Node.Shard(3).Ref.Path.ToStringWithoutAddress());
        Assert.Equal("/user/actorlsm-shards/shard-03", ShardedNode.ShardActorPath(3, "actorlsm-shards"));
        Assert.Equal("/user/other/shard-12", ShardedNode.ShardActorPath(12, "other"));
        IActorRef shard = await Sys.ActorSelection(ShardedNode.ShardActorPath(3)).ResolveOne(TimeSpan.FromSeconds(10));
        Assert.Equal(h.Node.Shard(3).Ref, shard);
        await Sys.ActorSelection("/user/actorlsm-shards/shard-00/flusher").ResolveOne(TimeSpan.FromSeconds(10));
        await Sys.ActorSelection("/user/actorlsm-shards/shard-00/compactor").ResolveOne(TimeSpan.FromSeconds(10));
        Assert.True(Directory.Exists(Path.Combine(h.DataDir, "shard-03")));
        Assert.Contains("shard-count = 4", File.ReadAllText(Path.Combine(h.DataDir, "NODE")), StringComparison.Ordinal);
    }
}
