using System.Diagnostics;
using System.Globalization;
using ActorLsm.Protocol;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Replication;

namespace ActorLsm.Server.Tests.Resp;

/// <summary>
/// The RESP front end in cluster mode: three real nodes (Akka.Cluster over Akka.Remote, replicated shards),
/// each with a RESP listener; redis-cli -c follows MOVED from one node to the leaders of other shards.
/// </summary>
public sealed class RespClusterTests
{
    private static readonly string? s_redisCli = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
        .Select(dir => Path.Combine(dir, "redis-cli")).FirstOrDefault(File.Exists);

    private static async Task<string> CliAsync(int port, params string[] args)
    {
        var start = new ProcessStartInfo(s_redisCli!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. args])
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return ((await output) + (await error)).Trim();
    }

    [SkippableFact]
    public async Task RedisCliCluster_KeysOfEveryShard_FollowsMovedToTheLeaders()
    {
        Skip.If(s_redisCli is null, "redis-cli is not installed (apt-get install redis-tools)");
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, hocon: "actorlsm.resp.port = 0");
        ActorLsmServer entry = cluster.Servers[0]!;
        int port = entry.RespPort!.Value;

        // One key per shard: some are led by node 0, the others answer MOVED to their leader's RESP endpoint.
        var keys = new Dictionary<int, string>();
        for (int i = 0; keys.Count < ReplicatedCluster.ShardCount; i++)
        {
            string key = "user:" + i.ToString(CultureInfo.InvariantCulture);
            keys.TryAdd(ShardHash.ShardOf(System.Text.Encoding.UTF8.GetBytes(key), ReplicatedCluster.ShardCount), key);
        }

        var redirected = new List<string>();
        foreach (string key in keys.Values)
        {
            string direct = await CliAsync(port, "get", key);
            if (direct.StartsWith("MOVED", StringComparison.Ordinal))
            {
                string[] parts = direct.Split(' ');
                Assert.Equal(KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key)).ToString(CultureInfo.InvariantCulture), parts[1]);
                Assert.Contains(cluster.Running, s => s.RespEndpoint == parts[2]);
                redirected.Add(key);
            }
            else
            {
                Assert.Equal(string.Empty, direct);
            }
        }

        foreach (string key in keys.Values)
        {
            Assert.Equal("OK", await CliAsync(port, "-c", "set", key, "v-" + key));
        }

        foreach (string key in keys.Values)
        {
            Assert.Equal("v-" + key, await CliAsync(port, "-c", "get", key));
            Assert.Equal("1", await CliAsync(port, "-c", "incr", key + ":n"));
        }

        Assert.NotEmpty(redirected);
        string info = await CliAsync(port, "cluster", "info");
        string nodes = await CliAsync(port, "cluster", "nodes");
        Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
        Assert.Equal(3, nodes.Split('\n').Length);
        Assert.Contains("myself,master", nodes, StringComparison.Ordinal);
        Assert.Contains("CROSSSLOT", await CliAsync(port, "mset", "a", "1", "b", "2"), StringComparison.Ordinal);
    }
}
