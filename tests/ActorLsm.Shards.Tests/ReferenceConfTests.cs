using ActorLsm.Hocon;

namespace ActorLsm.Shards.Tests;

/// <summary>reference.conf documents the defaults of ShardedNodeOptions: the two must agree.</summary>
public sealed class ReferenceConfTests
{
    [Fact]
    public void ReferenceConf_EveryDefault_MatchesShardedNodeOptions()
    {
        HoconConfig conf = HoconConfig.Parse(NodeReferenceConfig.Text, "reference.conf").GetConfig("actorlsm.node");
        var d = new ShardedNodeOptions { DataDir = "unused" };
        Assert.False(string.IsNullOrWhiteSpace(conf.GetString("data-dir")));
        Assert.Equal(d.ShardCount, conf.GetInt("shard-count"));
        Assert.Equal(d.MaxPendingWrites, conf.GetInt("max-pending-writes"));
        Assert.Equal(d.MaxPendingBytes, conf.GetBytes("max-pending-bytes"));
        Assert.Equal(d.RequestTimeout, conf.GetDuration("request-timeout"));
        Assert.Equal(d.MaxScanLimit, conf.GetInt("max-scan-limit"));
    }

    [Fact]
    public void ReferenceConf_EveryKey_HasAComment()
    {
        string[] lines = NodeReferenceConfig.Text.Split('\n');
        foreach (string key in new[] { "data-dir", "shard-count", "max-pending-writes", "max-pending-bytes", "request-timeout", "max-scan-limit" })
        {
            int at = Array.FindIndex(lines, l => l.TrimStart().StartsWith(key + " ", StringComparison.Ordinal));
            Assert.True(at > 0, $"{key} is missing");
            Assert.StartsWith("#", lines[at - 1].TrimStart(), StringComparison.Ordinal);
        }
    }
}
