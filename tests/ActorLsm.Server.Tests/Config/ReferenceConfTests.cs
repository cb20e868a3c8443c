using ActorLsm.Cluster;
using ActorLsm.Server.Configuration;
using ActorLsm.Shards;
using ActorLsm.Storage;
using AkkaConfig = Akka.Configuration.Config;
using Akka.Configuration;

namespace ActorLsm.Server.Tests.Config;

/// <summary>hocon/reference.conf repeats each module's reference.conf: same keys, same defaults.</summary>
public sealed class ReferenceConfTests
{
    public static TheoryData<string> Modules() => new(ModuleFiles());

    [Theory]
    [MemberData(nameof(Modules))]
    public void ReferenceConf_EveryModuleKey_AppearsWithTheSameDefault(string module)
    {
        string text = module switch
        {
            "storage.conf" => LsmReferenceConfig.Text,
            "shards.conf" => NodeReferenceConfig.Text,
            "cluster.conf" => ClusterReferenceConfig.Text,
            _ => throw new ArgumentOutOfRangeException(nameof(module)),
        };
        Dictionary<string, string> moduleKeys = Flatten(ConfigurationFactory.ParseString(text));
        Dictionary<string, string> serverKeys = Flatten(ConfigurationFactory.ParseString(ServerConfig.ReferenceText));

        Assert.NotEmpty(moduleKeys);
        foreach ((string key, string value) in moduleKeys)
        {
            Assert.True(serverKeys.TryGetValue(key, out string? ours), $"hocon/reference.conf lacks {key} (from {module})");
            Assert.True(value == ours, $"{key}: {module} says {value}, hocon/reference.conf says {ours}");
        }
    }

    [Fact]
    public void ReferenceConf_EveryKey_HasACommentAbove()
    {
        string[] lines = ServerConfig.ReferenceText.Split('\n');

        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Contains('=', StringComparison.Ordinal) && !line.StartsWith('#'))
            {
                Assert.True(lines[i - 1].Trim().StartsWith('#'), $"reference.conf line {i + 1} ({line}) has no comment above it");
            }
        }
    }

    [Fact]
    public void SingleNodeConf_LayeredOverReference_SetsDataDirAndPort()
    {
        NodeConfig defaults = ServerConfig.Defaults();

        Assert.Equal("./data", defaults.Config.GetString("actorlsm.node.data-dir"));
        Assert.Equal(7400, defaults.Config.GetInt("actorlsm.server.port"));
        Assert.Equal("single-node.conf", defaults.LayerOf("actorlsm.server.port")!.Name);
        Assert.Equal("reference.conf", defaults.LayerOf("actorlsm.storage.block-size")!.Name);
    }

    private static IEnumerable<string> ModuleFiles()
    {
        yield return "storage.conf";
        yield return "shards.conf";
        yield return "cluster.conf";
    }

    // Every leaf key with its value as text; the serialization bindings (generated from code, one line
    // per message type) are left out of the agreement.
    private static Dictionary<string, string> Flatten(AkkaConfig config)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in ConfigValidator.LeafPaths(config))
        {
            if (path.StartsWith("akka.actor.serialization-bindings", StringComparison.Ordinal))
            {
                continue;
            }

            Akka.Configuration.Hocon.HoconValue value = config.GetValue(path);
            result[path] = value.IsArray() ? "[" + string.Join(",", value.GetArray().Select(v => v.GetString())) + "]" : value.GetString();
        }

        return result;
    }
}
