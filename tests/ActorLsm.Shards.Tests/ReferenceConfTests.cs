using ActorLsm.Shards.Replication;
using Akka.Configuration;

namespace ActorLsm.Shards.Tests;

/// <summary>reference.conf (ShardedNode.DefaultConfig) documents the defaults of ShardedNodeOptions: the two must agree.</summary>
public sealed class ReferenceConfTests
{
    [Fact]
    public void DefaultConfig_EveryDefault_MatchesShardedNodeOptions()
    {
        Config conf = ConfigurationFactory.ParseString(NodeReferenceConfig.Text).GetConfig("actorlsm.node");
        var d = new ShardedNodeOptions { DataDir = "unused" };
        Assert.False(string.IsNullOrWhiteSpace(conf.GetString("data-dir")));
        Assert.Equal(d.ShardCount, conf.GetInt("shard-count"));
        Assert.Equal(d.MaxPendingWrites, conf.GetInt("max-pending-writes"));
        Assert.Equal(d.MaxPendingBytes, conf.GetByteSize("max-pending-bytes"));
        Assert.Equal(d.RequestTimeout, conf.GetTimeSpan("request-timeout"));
        Assert.Equal(d.MaxScanLimit, conf.GetInt("max-scan-limit"));
        Assert.Equal(d.SessionIdleTimeout, conf.GetTimeSpan("sessions.idle-timeout"));
        Assert.Equal(d.MaxSessionUnacknowledged, conf.GetInt("sessions.max-unacknowledged"));
        Assert.Equal(d.RouterName, conf.GetString("router-name"));
        Assert.Equal(d.Dispatcher, conf.GetString("dispatcher"));
    }

    [Fact]
    public void DefaultConfig_IoDispatcher_IsADedicatedThreadPool()
    {
        Config conf = ShardedNode.DefaultConfig.GetConfig(ShardedNodeOptions.DefaultDispatcher);
        Assert.NotNull(conf);
        Assert.Equal("Dispatcher", conf.GetString("type"));
        Assert.Equal("fork-join-executor", conf.GetString("executor"));
        Assert.True(conf.GetInt("fork-join-executor.parallelism-min") >= 1);
        Assert.True(conf.GetInt("fork-join-executor.parallelism-max") >= conf.GetInt("fork-join-executor.parallelism-min"));
    }

    [Fact]
    public void DefaultConfig_EveryKey_HasAComment()
    {
        string[] lines = NodeReferenceConfig.Text.Split('\n');
        int keys = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#') || !line.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            keys++;
            Assert.True(i > 0 && lines[i - 1].TrimStart().StartsWith('#'), $"line {i + 1} ({line}) has no comment above it");
        }

        Assert.True(keys >= 14, $"found only {keys} keys");
    }
}
