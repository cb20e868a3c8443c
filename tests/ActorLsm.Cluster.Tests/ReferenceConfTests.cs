using ActorLsm.Cluster.Hosting;
using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Tests;

/// <summary>reference.conf documents the defaults of the cluster settings: the two must agree.</summary>
public sealed class ReferenceConfTests
{
    private static HoconConfig Reference => HoconConfig.Parse(ClusterReferenceConfig.Text, "reference.conf")
        .WithFallback(HoconConfig.Parse("actorlsm.node.shard-count = 16"));

    [Fact]
    public void FromConfig_ReferenceConf_EqualsCodeDefaults()
    {
        ClusterHostOptions parsed = ClusterHostOptions.FromConfig(Reference, "127.0.0.1:7400", "data");
        var defaults = new ClusterHostOptions { ClientEndpoint = "127.0.0.1:7400", DataDir = "data" };
        Assert.Equal(defaults.Remoting, parsed.Remoting);
        Assert.Equal(defaults.Singleton, parsed.Singleton);
        Assert.Equal(defaults.Membership, parsed.Membership);
    }

    [Fact]
    public void MembershipSettings_SeedNodesListsWithSameElements_AreEqual()
    {
        var a = new Cluster.Membership.MembershipSettings { SeedNodes = [NodeAddress.Parse("127.0.0.1:2551")] };
        var b = new Cluster.Membership.MembershipSettings { SeedNodes = [NodeAddress.Parse("127.0.0.1:2551")] };

        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { MinNrOfMembers = 2 });
    }

    [Fact]
    public void FromConfig_BadThreshold_ThrowsNamingTheKey()
    {
        HoconConfig bad = HoconConfig.Parse("actorlsm.cluster.failure-detector.threshold = -1").WithFallback(Reference);

        var ex = Assert.Throws<ArgumentException>(() => Cluster.Membership.MembershipSettings.FromConfig(bad));
        Assert.Equal("failure-detector.threshold", ex.ParamName);
    }

    [Fact]
    public void ReferenceConf_EveryKey_HasAComment()
    {
        string[] lines = ClusterReferenceConfig.Text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string t = lines[i].TrimStart();
            if (t.Length == 0 || t.StartsWith('#') || t.StartsWith('}') || t.EndsWith('{'))
            {
                continue;
            }

            Assert.True(i > 0 && lines[i - 1].TrimStart().StartsWith('#'), $"line {i + 1} '{t}' has no comment above it");
        }
    }
}
