using System.Text.Json;
using ActorLsm.Cli.Commands;
using ActorLsm.Protocol;

namespace ActorLsm.Cli.Tests;

public class StatusFormatTests
{
    private static StatusResponse Sample()
    {
        var status = new StatusResponse { Node = "node-1", Version = "0.1", ShardCount = 2, UptimeMs = 90_000 };
        var shard0 = new ShardStatus { Id = 0, State = "running", LastSequence = 42, Flushes = 3, Compactions = 1, MemtableBytes = 4096, PendingWrites = 0, Restarts = 0 };
        shard0.LevelFiles.Add([2u, 1u]);
        shard0.LevelBytes.Add([1000ul, 5000ul]);
        var shard1 = new ShardStatus { Id = 1, State = "restarting", LastSequence = 7, Restarts = 2 };
        status.Shards.Add([shard0, shard1]);
        return status;
    }

    [Fact]
    public void WriteJson_Status_HasDocumentedShape()
    {
        var output = new StringWriter();
        StatusCommand.WriteJson(Sample(), output);

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        JsonElement root = doc.RootElement;
        Assert.Equal("node-1", root.GetProperty("node").GetString());
        Assert.Equal(2, root.GetProperty("shardCount").GetInt32());
        JsonElement shard = root.GetProperty("shards")[0];
        Assert.Equal(
            ["id", "state", "lastSequence", "levelFiles", "levelBytes", "flushes", "compactions", "memtableBytes", "pendingWrites", "restarts"],
            shard.EnumerateObject().Select(p => p.Name));
        Assert.Equal("running", shard.GetProperty("state").GetString());
        Assert.Equal(42UL, shard.GetProperty("lastSequence").GetUInt64());
        Assert.Equal([2, 1], shard.GetProperty("levelFiles").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1000L, 5000L], shard.GetProperty("levelBytes").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(2, root.GetProperty("shards")[1].GetProperty("restarts").GetInt32());
    }

    [Fact]
    public void WriteTable_Status_ListsEveryShard()
    {
        var output = new StringWriter();
        StatusCommand.WriteTable(Sample(), output);

        string text = output.ToString();
        Assert.Contains("node-1", text, StringComparison.Ordinal);
        Assert.Contains("running", text, StringComparison.Ordinal);
        Assert.Contains("restarting", text, StringComparison.Ordinal);
        Assert.Contains("5.9 KiB", text, StringComparison.Ordinal);
    }
}
