using System.Text;
using ActorLsm.Protocol;

namespace ActorLsm.Resp.Tests;

/// <summary>Pipelined GETs on a real node: read together per shard, yet each answered on its own.</summary>
public sealed class PipelinedGetTests(RespNodeFixture fixture) : IClassFixture<RespNodeFixture>
{
    private const int ShardCount = 4; // RespNode's actorlsm.node.shard-count

    [Fact]
    public async Task Pipeline_OneKeyOverTheLimitAmongKeysOfItsShard_OnlyItsGetFails()
    {
        // "{t}" puts the keys in one slot, so one shard: their GETs become one multi-get of that shard.
        string near = "pg:near{t}";
        string elsewhere = Enumerable.Range(0, 100).Select(i => $"pg:else{i}")
            .First(k => ShardHash.ShardOf(Encoding.UTF8.GetBytes(k), ShardCount) != ShardHash.ShardOf(Encoding.UTF8.GetBytes(near), ShardCount));
        string tooLong = "pg:{t}" + new string('x', 64 * 1024); // over the default max-key-size of 64 KiB
        await using RespReplies conn = await RespReplies.ConnectAsync(fixture.Node.Port);
        Assert.Equal(["+OK", "+OK"], await conn.PipelineAsync(RespReplies.Command("SET", near, "1"), RespReplies.Command("SET", elsewhere, "2")));

        // The long key's command spans reads; the GETs after it arrive with its end and are read together.
        IReadOnlyList<string> replies = await conn.PipelineAsync(
            RespReplies.Command("GET", tooLong), RespReplies.Command("GET", near), RespReplies.Command("GET", "pg:absent{t}"), RespReplies.Command("GET", elsewhere));

        Assert.StartsWith("-ERR key of ", replies[0], StringComparison.Ordinal);
        Assert.Equal(["1", "(nil)", "2"], replies.Skip(1));
    }
}
