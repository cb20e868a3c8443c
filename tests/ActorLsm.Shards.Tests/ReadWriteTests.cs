using ActorLsm.Shards.Shard;
using Akka.Actor;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class ReadWriteTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    [Fact]
    public async Task PutGetDelete_ThroughNode_ReadsOwnWrites()
    {
        await using NodeHarness h = await StartAsync();
        ulong s1 = await h.Node.PutAsync(B("alpha"), B("1"));
        ulong s2 = await h.Node.PutAsync(B("alpha"), B("2"));
        Assert.Equal("2", S(await h.Node.GetAsync(B("alpha"))));
        Assert.True(s2 > s1, $"sequence numbers grow within a shard: {s1} then {s2}");

        await h.Node.DeleteAsync(B("alpha"));
        Assert.Null(await h.Node.GetAsync(B("alpha")));
        Assert.Null(await h.Node.GetAsync(B("never-written")));
    }

    [Fact]
    public async Task PutAsync_KeyOverLimit_ThrowsArgumentExceptionAndWritesNothing()
    {
        await using NodeHarness h = await StartAsync();
        byte[] big = new byte[h.Options.Storage.MaxKeySize + 1];
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.PutAsync(big, B("v")));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.PutAsync(B("k"), new byte[h.Options.Storage.MaxValueSize + 1]));
        Assert.Null(await h.Node.GetAsync(B("k")));
    }

    [Fact]
    public async Task ConcurrentPuts_SameShard_GetDistinctSequenceNumbers()
    {
        await using NodeHarness h = await StartAsync();
        byte[][] keys = [.. Enumerable.Range(0, 2000).Select(i => B("k" + i)).Where(k => h.Node.ShardOf(k) == 0).Take(200)];
        ulong[] sequences = await Task.WhenAll(keys.Select(k => h.Node.PutAsync(k, k)));
        Assert.Equal(sequences.Length, sequences.Distinct().Count());
        foreach (byte[] k in keys)
        {
            Assert.Equal(S(k), S(await h.Node.GetAsync(k)));
        }
    }

    [Fact]
    public async Task GetManyAsync_KeysOfOneShard_ValuesInRequestOrderAbsentAndDeletedAsNull()
    {
        await using NodeHarness h = await StartAsync();
        byte[][] keys = [.. Enumerable.Range(0, 2000).Select(i => B("m" + i)).Where(k => h.Node.ShardOf(k) == 1).Take(6)];
        await h.Node.PutAsync(keys[0], B("v0"));
        await h.Node.PutAsync(keys[2], B("gone"));
        await h.Node.DeleteAsync(keys[2]);
        await h.Node.PutAsync(keys[3], B("v3")); // acknowledged before the read: it must see it (a write still in flight may or may not be seen)

        byte[]?[] values = await h.Node.GetManyAsync([keys[0], keys[1], keys[2], keys[3], keys[0]]);

        Assert.Equal(["v0", null, null, "v3", "v0"], values.Select(v => v is null ? null : S(v)));
        byte[] other = Enumerable.Range(0, 2000).Select(i => B("o" + i)).First(k => h.Node.ShardOf(k) != 1);
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.GetManyAsync([keys[0], other]));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.GetManyAsync([]));
    }

    [Fact]
    public async Task Router_KeyedMessages_ReachOwningShardAndReplyToSender()
    {
        await using NodeHarness h = await StartAsync();
        var probe = CreateTestProbe();
        byte[] key = B("routed");

        await WithinAsync(TimeSpan.FromSeconds(20), async () =>
        {
            h.Node.Router.Tell(new WriteRequest([new BatchOperation(key, B("v1"))]), probe.Ref);
            await probe.ExpectMsgAsync<ulong>();
            h.Node.Router.Tell(new GetRequest(key), probe.Ref);
            GetReply reply = await probe.ExpectMsgAsync<GetReply>();
            Assert.Equal("v1", S(reply.Value));

            // The write went to the shard the hash names: asking that shard directly finds it.
            h.Node.Router.Tell(new ToShard(h.Node.ShardOf(key), new GetRequest(key)), probe.Ref);
            Assert.Equal("v1", S((await probe.ExpectMsgAsync<GetReply>()).Value));
        });
        Assert.Equal("v1", S(await h.Node.GetAsync(key)));
    }

    [Fact]
    public async Task Router_AkkaAsk_Works()
    {
        await using NodeHarness h = await StartAsync();
        await h.Node.PutAsync(B("asked"), B("yes"));
        GetReply reply = await h.Node.Router.Ask<GetReply>(new GetRequest(B("asked")), TimeSpan.FromSeconds(10));
        Assert.Equal("yes", S(reply.Value));
    }

    [Fact]
    public async Task ShardActor_BadWrite_AnswersFailureWithoutCrashing()
    {
        await using NodeHarness h = await StartAsync();
        var probe = CreateTestProbe();
        byte[] key = new byte[h.Options.Storage.MaxKeySize + 1];
        h.Node.Shard(0).Ref.Tell(new WriteRequest([new BatchOperation(key, B("v"))]), probe.Ref);
        Status.Failure failure = await probe.ExpectMsgAsync<Status.Failure>(TimeSpan.FromSeconds(10));
        Assert.IsType<ArgumentException>(failure.Cause);
        Assert.Equal(0, h.Node.Shard(0).Restarts);
    }
}
