using ActorLsm.Hocon;
using ActorLsm.Hocon.Model;
using ActorLsm.Server.Configuration;
using ActorLsm.Shards;
using ActorLsm.Storage;

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
            _ => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "modules", module)),
        };
        Dictionary<string, string> moduleKeys = Flatten(HoconConfig.Parse(text, module).Root);
        Dictionary<string, string> serverKeys = Flatten(HoconConfig.Parse(ServerConfig.ReferenceText, "reference.conf").Root);

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
        HoconConfig defaults = ServerConfig.Defaults();

        Assert.Equal("./data", defaults.GetString("actorlsm.node.data-dir"));
        Assert.Equal(7400, defaults.GetInt("actorlsm.server.port"));
        Assert.Equal("single-node.conf", defaults.GetValue("actorlsm.server.port")!.Origin.FileName);
        Assert.Equal("reference.conf", defaults.GetValue("actorlsm.storage.block-size")!.Origin.FileName);
    }

    private static IEnumerable<string> ModuleFiles()
    {
        yield return "storage.conf";
        yield return "kernel.conf";
        yield return "shards.conf";
    }

    private static Dictionary<string, string> Flatten(HoconObject root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(HoconObject obj, string prefix)
        {
            foreach ((string key, HoconValue value) in obj.Fields)
            {
                string path = prefix.Length == 0 ? key : prefix + "." + key;
                switch (value)
                {
                    case HoconObject child:
                        Walk(child, path);
                        break;
                    case HoconScalar scalar:
                        result[path] = scalar.Text;
                        break;
                    default:
                        result[path] = value.Describe();
                        break;
                }
            }
        }

        Walk(root, "");
        return result;
    }
}
