using ActorLsm.Shards.Replication;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Configuration;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests.Replication;

/// <summary>
/// A leader and a follower in two actor systems joined by Akka.Remote on 127.0.0.1 (random ports):
/// the follower's shard is resolved from <see cref="ShardedNode.ShardActorPath"/>, the Protobuf
/// replication messages cross the wire through Akka's Protobuf serializer, and appends bounded by
/// MaxMessageBytes fit a frame size far below the data written.
/// </summary>
public sealed class RemoteReplicationTests(ITestOutputHelper output)
{
    private static ActorSystem RemoteSystem(string name) => ActorSystem.Create(name, ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.loglevel = INFO
        akka.remote.dot-netty.tcp {
          hostname = 127.0.0.1
          port = 0
          maximum-frame-size = 2MiB
        }
        """).WithFallback(ShardedNode.DefaultConfig));

    [Fact]
    public async Task Leader_FollowerInAnotherSystem_ReplicatesOverAkkaRemote()
    {
        ActorSystem leaderSystem = RemoteSystem("leader");
        ActorSystem followerSystem = RemoteSystem("follower");
        try
        {
            var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50), MaxMessageBytes = 1024 * 1024 };
            ShardedNodeOptions Options(string dir) => new()
            {
                DataDir = dir,
                ShardCount = 1,
                Storage = new LsmOptions { WalSyncMode = WalSyncMode.None, BlockCacheSize = 0 },
                RequestTimeout = TimeSpan.FromSeconds(30),
                Replication = replication,
            };
            await using NodeHarness follower = await StartInAsync(followerSystem, Options);
            await using NodeHarness leader = await StartInAsync(leaderSystem, Options);

            Address followerAddress = ((ExtendedActorSystem)followerSystem).Provider.DefaultAddress;
            string path = followerAddress + ShardedNode.ShardActorPath(0, ShardedNodeOptions.DefaultRouterName);
            output.WriteLine("follower shard at " + path);
            IActorRef remoteShard = ((ExtendedActorSystem)leaderSystem).Provider.ResolveActorRef(path);
            Assert.False(remoteShard.IsNobody());

            string leaderName = ((ExtendedActorSystem)leaderSystem).Provider.DefaultAddress.HostPort();
            string followerName = followerAddress.HostPort();
            follower.Node.SetReplicaRole(0, new FollowerRole(1, followerName, leaderName));
            leader.Node.SetReplicaRole(0, new LeaderRole(1, leaderName, [new ReplicaPeer(followerName, remoteShard)], [leaderName, followerName], 2));

            // A status request sent through the router after the role is served after it.
            var timeout = TimeSpan.FromSeconds(20);
            Assert.Equal("follower", (await follower.Node.Router.Ask<ShardStatusInfo>(new Shard.ToShard(0, Shard.StatusRequest.Instance), timeout)).Role);
            Assert.Equal("leader", (await leader.Node.Router.Ask<ShardStatusInfo>(new Shard.ToShard(0, Shard.StatusRequest.Instance), timeout)).Role);

            // 3 MiB in 100 KiB values: more than a frame (2 MiB) in total, but every append carries at most 1 MiB.
            byte[] value = new byte[100 * 1024];
            ulong last = 0;
            for (int i = 0; i < 30; i++)
            {
                value[0] = (byte)i;
                last = await leader.Node.PutAsync(B("k" + i), value);
            }

            // R1: acknowledged only once the follower (in the in-sync set) has it on disk.
            ShardStatusInfo status = (await follower.Node.StatusAsync()).Shards[0];
            Assert.Equal("follower", status.Role);
            Assert.True(status.LastSequence >= last, $"follower at {status.LastSequence}, leader acknowledged {last}");
            Assert.Equal(new[] { leaderName, followerName }.Order(StringComparer.Ordinal), (await leader.Node.StatusAsync()).Shards[0].InSync);
        }
        finally
        {
            await Task.WhenAll(leaderSystem.Terminate(), followerSystem.Terminate());
        }
    }
}
