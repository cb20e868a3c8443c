using ActorLsm.Kernel;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class LifecycleTests
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

            await using var system = ActorSystem.Create("mismatch");
            var options = new ShardedNodeOptions { DataDir = dir, ShardCount = 8 };
            ShardCountMismatchException e = await Assert.ThrowsAsync<ShardCountMismatchException>(() => ShardedNode.StartAsync(system, options));
            Assert.Contains("4 shards", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartAsync_DataDirLockedByAnotherNode_FailsWithStoreLocked()
    {
        await using NodeHarness h = await StartAsync();
        await using var system = ActorSystem.Create("second");
        await Assert.ThrowsAsync<Storage.StoreLockedException>(() => ShardedNode.StartAsync(system, h.Options));
    }

    [Fact]
    public async Task StartAsync_ShardPaths_AreUnderUserShards()
    {
        await using NodeHarness h = await StartAsync();
        Assert.Equal("/user/shards", h.Node.Router.Path.ToString());
        Assert.Equal("/user/shards/shard-03", h.Node.Shard(3).Ref.Path.ToString());
        Assert.True(h.System.TryResolve("/user/shards/shard-00/flusher", out _));
        Assert.True(h.System.TryResolve("/user/shards/shard-00/compactor", out _));
        Assert.True(Directory.Exists(Path.Combine(h.DataDir, "shard-03")));
        Assert.Contains("shard-count = 4", File.ReadAllText(Path.Combine(h.DataDir, "NODE")), StringComparison.Ordinal);
    }
}
