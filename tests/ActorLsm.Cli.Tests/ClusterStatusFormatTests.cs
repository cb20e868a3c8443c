using System.Text.Json;
using ActorLsm.Cli.Commands;
using ActorLsm.Protocol;

namespace ActorLsm.Cli.Tests;

/// <summary>`actorlsm status --json` against a cluster prints the shape issue 4 documents.</summary>
public sealed class ClusterStatusFormatTests
{
    [Fact]
    public void WriteClusterJson_ClusterStatus_HasDocumentedShape()
    {
        var cluster = new ClusterStatusResponse { Clustered = true, Singleton = "127.0.0.1:2551:7", Versions = new ClusterVersionsInfo { Current = 9, Completed = 8, Flushed = 6 } };
        cluster.Members.Add(new ClusterMember { Address = "127.0.0.1:2551:7", Status = "up", Reachable = true });
        var shard = new ClusterShard { Id = 0, Leader = "127.0.0.1:2551", Epoch = 3, LastSequence = 42, Available = true };
        shard.InSync.Add("127.0.0.1:2551");
        cluster.Shards.Add(shard);
        var local = new StatusResponse { Node = "n", ShardCount = 1 };
        var output = new StringWriter();

        StatusCommand.WriteClusterJson(cluster, local, output);

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        JsonElement root = doc.RootElement;
        JsonElement member = root.GetProperty("members")[0];
        Assert.Equal(["address", "status", "reachable"], member.EnumerateObject().Select(p => p.Name));
        Assert.Equal("127.0.0.1:2551:7", root.GetProperty("singleton").GetString());
        Assert.Equal((9, 8, 6), (root.GetProperty("versions").GetProperty("current").GetInt32(), root.GetProperty("versions").GetProperty("completed").GetInt32(), root.GetProperty("versions").GetProperty("flushed").GetInt32()));
        JsonElement s = root.GetProperty("shards")[0];
        Assert.Equal(["id", "slots", "leader", "followers", "inSync", "epoch", "lastSequence", "available"], s.EnumerateObject().Select(p => p.Name));
        Assert.Equal(42, s.GetProperty("lastSequence").GetInt32());
        Assert.Equal("0-16383", s.GetProperty("slots").GetString()); // one shard owns every hash slot
        Assert.Equal("127.0.0.1:2551", s.GetProperty("inSync")[0].GetString());
    }
}
