using System.Globalization;
using AkkaConfig = Akka.Configuration.Config;
using Akka.Configuration;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Tests.Support;

namespace ActorLsm.Server.Tests.Cluster;

/// <summary>
/// hocon/node1.conf, node2.conf and node3.conf (the local cluster of deploy/local-cluster.sh) agree
/// with each other and with the issue: distinct client ports 7401-7403 and remoting ports 2551-2553
/// on 127.0.0.1, the same seeds (2551 and 2552, both nodes of the cluster), the same shard count,
/// data under ./data/nodeK; each loads and binds as the server loads it; the script reads the same
/// endpoints. No processes beyond bash are started.
/// </summary>
public sealed class NodeConfigTests
{
    private const int Nodes = 3;

    private static string ConfPath(int node) => Path.Combine(RepoTools.Root, "hocon", $"node{node}.conf");

    private static AkkaConfig Load(int node) => ServerConfig.Load(ConfPath(node)).Config;

    [Fact]
    public void NodeConfs_LoadedAsTheServerLoadsThem_BindWithoutError()
    {
        for (int node = 1; node <= Nodes; node++)
        {
            ServerSettings settings = ServerConfigBinder.Bind(ServerConfig.Load(ConfPath(node)));

            Assert.Equal("127.0.0.1", settings.Server.Host);
            Assert.Equal(7400 + node, settings.Server.Port);
            Assert.Equal($"./data/node{node}", settings.Node.DataDir);
        }
    }

    [Fact]
    public void NodeConfs_Ports_AreTheDocumentedOnesAndDistinct()
    {
        var clientPorts = new List<int>();
        var remotePorts = new List<int>();
        for (int node = 1; node <= Nodes; node++)
        {
            AkkaConfig config = Load(node);
            clientPorts.Add(config.GetInt("actorlsm.server.port"));
            remotePorts.Add(config.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        }

        Assert.Equal([7401, 7402, 7403], clientPorts);
        Assert.Equal([2551, 2552, 2553], remotePorts);
        Assert.Empty(clientPorts.Intersect(remotePorts));
    }

    [Fact]
    public void NodeConfs_SeedsAndShardCountAndMinMembers_AreTheSameOnEveryNodeAndEveryNodeIsASeed()
    {
        AkkaConfig first = Load(1);
        IList<string> seeds = first.GetStringList("akka.cluster.seed-nodes");
        var remotes = Enumerable.Range(1, Nodes)
            .Select(n => Load(n))
            .Select(c => "akka.tcp://actorlsm@" + c.GetString("akka.remote.dot-netty.tcp.hostname") + ":" + c.GetInt("akka.remote.dot-netty.tcp.port").ToString(CultureInfo.InvariantCulture))
            .ToList();

        // Every node is a seed, so a restarted first seed finds any survivor (tests/ActorLsm.Jepsen.Tests README, finding 2).
        Assert.Equal(remotes, seeds);
        int minMembers = first.GetInt("akka.cluster.min-nr-of-members");
        Assert.InRange(minMembers, 1, Nodes);
        for (int node = 2; node <= Nodes; node++)
        {
            AkkaConfig config = Load(node);
            Assert.Equal(seeds, config.GetStringList("akka.cluster.seed-nodes"));
            Assert.Equal(first.GetInt("actorlsm.node.shard-count"), config.GetInt("actorlsm.node.shard-count"));
            Assert.Equal(minMembers, config.GetInt("akka.cluster.min-nr-of-members"));
        }
    }

    [Fact]
    public void NodeConfs_Text_DifferOnlyInNodeNumberPortsAndDataDir()
    {
        // Replacing node 1's own values by node K's must give node K's file exactly.
        string one = File.ReadAllText(ConfPath(1));
        for (int node = 2; node <= Nodes; node++)
        {
            string expected = one
                .Replace("740" + 1, "740" + node, StringComparison.Ordinal)
                .Replace("@127.0.0.1:2551\"", "@SEED1\"", StringComparison.Ordinal)
                .Replace("255" + 1, "255" + node, StringComparison.Ordinal)
                .Replace("@SEED1\"", "@127.0.0.1:2551\"", StringComparison.Ordinal)
                .Replace("node1", "node" + node, StringComparison.Ordinal)
                .Replace("node 1 of", $"node {node} of", StringComparison.Ordinal)
                .Replace("hocon/node1.conf", $"hocon/node{node}.conf", StringComparison.Ordinal);

            Assert.Equal(expected, File.ReadAllText(ConfPath(node)));
        }
    }

    [Fact]
    public async Task LocalClusterStatus_NothingRunning_PrintsEachNodeStoppedWithItsConfEndpoints()
    {
        using var dir = new TempDir();

        (int code, string stdout, string stderr) = await RepoTools.RunAsync(
            "bash", ["deploy/local-cluster.sh", "status"], new Dictionary<string, string> { ["ACTORLSM_CLUSTER_DIR"] = dir.Path }, TimeSpan.FromSeconds(30));

        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Nodes, lines.Length);
        for (int node = 1; node <= Nodes; node++)
        {
            AkkaConfig config = Load(node);
            string line = lines[node - 1];
            Assert.StartsWith($"node{node}  stopped", line, StringComparison.Ordinal);
            Assert.Contains($"clients 127.0.0.1:{config.GetInt("actorlsm.server.port")}", line, StringComparison.Ordinal);
            Assert.Contains($"remoting 127.0.0.1:{config.GetInt("akka.remote.dot-netty.tcp.port")}", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("start", "4")]
    [InlineData("start", "zero")]
    [InlineData("restart")]
    public async Task LocalClusterScript_BadArguments_ExitsTwoWithUsageAndStartsNothing(params string[] args)
    {
        using var dir = new TempDir();

        (int code, _, string stderr) = await RepoTools.RunAsync(
            "bash", ["deploy/local-cluster.sh", .. args], new Dictionary<string, string> { ["ACTORLSM_CLUSTER_DIR"] = dir.Path }, TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        Assert.Contains("usage:", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
