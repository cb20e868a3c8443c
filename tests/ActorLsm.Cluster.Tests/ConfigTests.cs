using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Cluster.View;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace ActorLsm.Cluster.Tests;

/// <summary>The shipped reference configuration, the settings read from it, config composition and serializer bindings.</summary>
public sealed class ConfigTests
{
    [Fact]
    public void FromConfig_ReferenceConfig_EqualsCodeDefaults()
    {
        ClusterHostOptions parsed = ClusterHostOptions.FromConfig(ClusterReferenceConfig.Default, "127.0.0.1:7400", "data");
        var defaults = new ClusterHostOptions { ClientEndpoint = "127.0.0.1:7400", DataDir = "data" };

        Assert.Equal(defaults.Singleton, parsed.Singleton);
        Assert.Equal(defaults.Replication, parsed.Replication);
        Assert.Equal(defaults.ShardCount, parsed.ShardCount);
    }

    [Fact]
    public void ReferenceConfig_AkkaOverrides_ClusterProviderSbrKeepMajorityRoleAnd32MiBFrames()
    {
        Config c = ClusterReferenceConfig.Default;

        Assert.Equal("cluster", c.GetString("akka.actor.provider"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", c.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-majority", c.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal([ClusterRoles.Member], c.GetStringList("akka.cluster.roles"));
        Assert.Equal(32L * 1024 * 1024, c.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
    }

    [Fact]
    public void FromConfig_OutOfRangeValue_ThrowsNamingTheKey()
    {
        Config bad = ConfigurationFactory.ParseString("actorlsm.cluster.replication.factor = 0").WithFallback(ClusterReferenceConfig.Default);

        var e = Assert.Throws<ArgumentException>(() => ClusterHostOptions.FromConfig(bad, "127.0.0.1:7400", "data"));
        Assert.Contains("actorlsm.cluster.replication.factor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComposeConfig_UserRolesAndOldEndpoint_KeepsUserRolesAddsActorLsmAndEndpoint()
    {
        Config user = ConfigurationFactory.ParseString("""akka.cluster.roles = [ops, "actorlsm-endpoint:10.0.0.1:1"]""");

        Config composed = ClusterHost.ComposeConfig(user, "127.0.0.1:7400");

        Assert.Equal(["ops", "actorlsm", "actorlsm-endpoint:127.0.0.1:7400"], composed.GetStringList("akka.cluster.roles"));
        Assert.Equal("127.0.0.1:7400", ClusterRoles.EndpointOf(composed.GetStringList("akka.cluster.roles")));
        Assert.Equal("cluster", composed.GetString("akka.actor.provider"));
    }

    [Fact]
    public async Task StartAsync_SystemWithoutEndpointRole_ThrowsArgumentException()
    {
        Config config = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }").WithFallback(ClusterReferenceConfig.Default);
        using var system = ActorSystem.Create(ClusterHost.SystemName, config);

        await Assert.ThrowsAsync<ArgumentException>(() => ClusterHost.StartAsync(system, new ClusterHostOptions { ClientEndpoint = "127.0.0.1:7400", DataDir = "unused" }));
        await system.Terminate();
    }

    [Fact]
    public async Task FindSerializerForType_EveryCrossNodeMessage_ProtobufNotJson()
    {
        Config config = ClusterHost.ComposeConfig(ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }"), "127.0.0.1:7400");
        using var system = ActorSystem.Create(ClusterHost.SystemName, config);

        Assert.NotEmpty(ClusterWireMessages.Types);
        foreach (Type t in ClusterWireMessages.Types)
        {
            Serializer s = system.Serialization.FindSerializerForType(t);
            Assert.IsNotType<NewtonSoftJsonSerializer>(s);
            Assert.Equal("Akka.Remote.Serialization.ProtobufSerializer", s.GetType().FullName);
            Assert.Contains($"\"{t.FullName}, ActorLsm.Cluster\" = proto", ClusterReferenceConfig.Text, StringComparison.Ordinal);
        }

        await system.Terminate();
    }

    [Fact]
    public void SingletonSettings_FromReferenceConfig_ReadsBroadcastIntervalAndCeilingJump()
    {
        SingletonSettings s = SingletonSettings.FromConfig(ConfigurationFactory.ParseString("actorlsm.cluster.versions.ceiling-jump = 50").WithFallback(ClusterReferenceConfig.Default));

        Assert.Equal(50, s.CeilingJump);
        Assert.Equal(TimeSpan.FromMilliseconds(500), s.BroadcastInterval);
        Assert.Equal(ReplicationSettings.FromConfig(ClusterReferenceConfig.Default), new ReplicationSettings());
    }

    [Fact]
    public void SingletonSettings_RemovalMargin_DefaultsTo100MsAndTakesZeroForAkkasDefault()
    {
        Config reference = ClusterReferenceConfig.Default;

        Assert.Equal(TimeSpan.FromMilliseconds(100), SingletonSettings.FromConfig(reference).RemovalMargin);
        Assert.Equal(TimeSpan.FromMilliseconds(100), new SingletonSettings().RemovalMargin);
        Assert.Equal(TimeSpan.Zero, SingletonSettings.FromConfig(ConfigurationFactory.ParseString("actorlsm.cluster.singleton.removal-margin = 0s").WithFallback(reference)).RemovalMargin);
    }

    [Fact]
    public void EndpointRole_RoundTripsThroughEndpointOf_AndRejectsMalformedEndpoints()
    {
        string role = ClusterRoles.EndpointRole("10.1.2.3:7400");

        Assert.Equal("actorlsm-endpoint:10.1.2.3:7400", role);
        Assert.Equal("10.1.2.3:7400", ClusterRoles.EndpointOf(["actorlsm", role]));
        Assert.Equal(string.Empty, ClusterRoles.EndpointOf(["actorlsm"]));
        Assert.Throws<FormatException>(() => ClusterRoles.EndpointRole("no-port"));
    }
}
