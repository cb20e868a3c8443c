using System.Text;
using ActorLsm.Client;
using ActorLsm.Hosting;
using ActorLsm.Messages;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorLsm.Server.Tests.EndToEnd;

/// <summary>
/// The node is an Akka.Hosting application (issue 10): its services are Akka.Hosting's, with the store's
/// router in the ActorRegistry and IActorLsm in DI as in an application that calls WithActorLsm, and they
/// reach the same shards the TCP listener serves.
/// </summary>
public sealed class AkkaHostedNodeTests
{
    [Fact]
    public async Task StartAsync_SingleNode_ServicesAreAkkaHostingsWithTheRouterRegistered()
    {
        using var dir = new TempDir();
        await using ActorLsmServer server = await TestServers.StartAsync(dir.Path);

        Assert.Single(server.Services.GetServices<IHostedService>().OfType<AkkaHostedService>());
        ActorSystem system = server.Services.GetRequiredService<ActorSystem>();
        Assert.Equal("actorlsm", system.Name);
        Assert.Same(system, ((ShardedNodeStore)server.Store).System);
        Assert.True(server.Services.GetRequiredService<ActorRegistry>().TryGet<ActorLsmRouter>(out IActorRef router));
        Assert.Equal(router, server.Services.GetRequiredService<IRequiredActor<ActorLsmRouter>>().ActorRef);
        ActorLsmMember member = ActorLsmMember.For(system) ?? throw new InvalidOperationException("no member in the node's actor system");
        Assert.Equal(router, member.Router);
        Assert.Same(member.Node, ((ShardedNodeStore)server.Store).Node);
    }

    [Fact]
    public async Task IActorLsm_FromTheNodesServices_WritesWhatTheTcpClientReadsAndBack()
    {
        using var dir = new TempDir();
        await using ActorLsmServer server = await TestServers.StartAsync(dir.Path);
        await using ActorLsmClient tcp = ActorLsmClient.Create(server.Endpoint);
        IActorLsm inProcess = server.Services.GetRequiredService<IActorLsm>();

        await inProcess.PutAsync(B("from-di"), B("1"));
        await tcp.PutAsync(B("from-tcp"), B("2"));

        Assert.Equal("1", S(await tcp.GetAsync(B("from-di"))));
        Assert.Equal("2", S(await inProcess.GetAsync(B("from-tcp"))));
        IActorRef router = server.Services.GetRequiredService<IRequiredActor<ActorLsmRouter>>().ActorRef;
        IActorLsmReply reply = await router.Ask<IActorLsmReply>(new Get(B("from-tcp"), CorrelationId: 7), TimeSpan.FromSeconds(30));
        GetResult got = Assert.IsType<GetResult>(reply);
        Assert.Equal("2", S(got.Value));
        Assert.Equal(7, got.CorrelationId);
    }

    [Fact]
    public async Task StartAsync_DataDirOfARunningNode_ThrowsStoreLockedAndTheRunningNodeStillServes()
    {
        using var dir = new TempDir();
        await using ActorLsmServer first = await TestServers.StartAsync(dir.Path);

        // The second node's member fails to open the locked stores inside Akka.Hosting's start; the server
        // fails its own start with that error (typed, not Akka.Hosting's wrapper), before its listener binds.
        await Assert.ThrowsAsync<StoreLockedException>(() => TestServers.StartAsync(dir.Path));

        await using ActorLsmClient tcp = ActorLsmClient.Create(first.Endpoint);
        await tcp.PutAsync(B("still"), B("served"));
        Assert.Equal("served", S(await tcp.GetAsync(B("still"))));
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string? S(byte[]? b) => b is null ? null : Encoding.UTF8.GetString(b);
}
