using System.Text;
using ActorLsm.Client;
using ActorLsm.Cluster;
using ActorLsm.Hosting.Ownership;
using ActorLsm.Protocol;
using ActorLsm.Server.Clustering;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Cluster;

/// <summary>Cluster mode over fake cluster views: the shard gate's answers on the wire and client routing between two nodes.</summary>
public sealed class ClusterModeTests
{
    private static readonly NodeAddress s_nodeA = new("127.0.0.1", 2551);
    private static readonly NodeAddress s_nodeB = new("127.0.0.1", 2552);

    [Fact]
    public void Check_NoShardMapYet_ReturnsUnavailable()
    {
        var ownership = new ShardOwnership(new FakeClusterView(s_nodeA.Host, s_nodeA.Port));

        Assert.Equal(ErrorCode.Unavailable, ownership.Check(0, 0)?.Code);
        Assert.Empty(ownership.ServedShards());
    }

    [Fact]
    public void Check_ShardLedElsewhere_ReturnsNotLeaderWithLeaderEndpointAndEpoch()
    {
        var view = new FakeClusterView(s_nodeA.Host, s_nodeA.Port)
        {
            ShardMap = FakeClusterView.Map(3, [(s_nodeA, "a:1"), (s_nodeB, "b:1")], [4, 7]),
        };
        var ownership = new ShardOwnership(view);

        Error? error = ownership.Check(1, 0);

        Assert.NotNull(error);
        Assert.Equal(ErrorCode.NotLeader, error.Code);
        Assert.Equal("b:1", error.LeaderEndpoint);
        Assert.Equal(7UL, error.LeaderEpoch);
        Assert.Null(ownership.Check(0, 4));
        Assert.Equal([0], ownership.ServedShards());
    }

    [Fact]
    public void Check_OlderRequestEpoch_ReturnsStaleEpoch()
    {
        var ownership = new ShardOwnership(new FakeClusterView(s_nodeA.Host, s_nodeA.Port)
        {
            ShardMap = FakeClusterView.Map(3, [(s_nodeA, "a:1")], [5]),
        });

        Assert.Equal(ErrorCode.StaleEpoch, ownership.Check(0, 4)?.Code);
        Assert.Null(ownership.Check(0, 5));
        Assert.Null(ownership.Check(0, 0));
    }

    [Fact]
    public void Check_LeaderDown_ReturnsUnavailable()
    {
        var ownership = new ShardOwnership(new FakeClusterView(s_nodeA.Host, s_nodeA.Port)
        {
            ShardMap = FakeClusterView.Map(3, [(s_nodeA, "a:1"), (s_nodeB, "b:1")], [1, 1], [false, false]),
        });

        Assert.Equal(ErrorCode.Unavailable, ownership.Check(0, 0)?.Code);
        Assert.Equal(ErrorCode.Unavailable, ownership.Check(1, 0)?.Code);
        Assert.Empty(ownership.ServedShards());
    }

    [Fact]
    public async Task Server_FakeView_AnswersNotLeaderStaleEpochUnavailableAndServesOwnShard()
    {
        var view = new FakeClusterView(s_nodeA.Host, s_nodeA.Port);
        var store = new InMemoryNodeStore { ShardCount = 3 };
        await using ActorLsmServer server = await TestServers.StartClusteredAsync(store, new FakeClusterNode(view));
        view.ShardMap = FakeClusterView.Map(2, [(s_nodeA, server.Endpoint), (s_nodeB, "127.0.0.1:9"), (s_nodeB, "127.0.0.1:9")], [3, 5, 1], [true, true, false]);
        await using RawConnection conn = await RawConnection.ConnectAsync(server.Port);

        Response own = await RoundTripAsync(conn, 1, KeyOf(0, 3), 3);
        Response notLeader = await RoundTripAsync(conn, 2, KeyOf(1, 3), 0);
        Response stale = await RoundTripAsync(conn, 3, KeyOf(0, 3), 2);
        Response unavailable = await RoundTripAsync(conn, 4, KeyOf(2, 3), 0);

        Assert.Equal(Response.BodyOneofCase.Put, own.BodyCase);
        Assert.Equal(ErrorCode.NotLeader, notLeader.Error.Code);
        Assert.Equal("127.0.0.1:9", notLeader.Error.LeaderEndpoint);
        Assert.Equal(5UL, notLeader.Error.LeaderEpoch);
        Assert.Equal(ErrorCode.StaleEpoch, stale.Error.Code);
        Assert.Equal(3UL, stale.Error.LeaderEpoch);
        Assert.Equal(ErrorCode.Unavailable, unavailable.Error.Code);

        await conn.SendAsync(new Request { RequestId = 5, ShardMap = new ShardMapRequest() });
        ShardMapResponse map = (await conn.ReceiveAsync()).ShardMap;
        Assert.True(map.Clustered);
        Assert.Equal([server.Endpoint, "127.0.0.1:9", "127.0.0.1:9"], map.Shards.Select(s => s.LeaderEndpoint));
        Assert.Equal([true, true, false], map.Shards.Select(s => s.Available));
    }

    [Fact]
    public async Task ShardMap_SingleNode_EveryShardLedBySelfAtEpochZero()
    {
        await using ActorLsmServer server = await TestServers.StartAsync(new InMemoryNodeStore { ShardCount = 4 });
        await using RawConnection conn = await RawConnection.ConnectAsync(server.Port);

        await conn.SendAsync(new Request { RequestId = 1, ShardMap = new ShardMapRequest() });
        ShardMapResponse map = (await conn.ReceiveAsync()).ShardMap;
        await conn.SendAsync(new Request { RequestId = 2, ClusterStatus = new ClusterStatusRequest() });
        ClusterStatusResponse status = (await conn.ReceiveAsync()).ClusterStatus;

        Assert.False(map.Clustered);
        Assert.Equal(4, map.Shards.Count);
        Assert.All(map.Shards, s => Assert.Equal((0UL, true, ""), (s.LeaderEpoch, s.Available, s.LeaderEndpoint)));
        Assert.Equal("up", Assert.Single(status.Members).Status);
        Assert.Equal(status.Members[0].Address, Assert.Single(status.Shards).Leader); // the in-memory store reports one shard
    }

    [Fact]
    public async Task Leave_Request_AnsweredThenLeaveRequestedCompletes()
    {
        var view = new FakeClusterView(s_nodeA.Host, s_nodeA.Port);
        var cluster = new FakeClusterNode(view);
        await using ActorLsmServer server = await TestServers.StartClusteredAsync(new InMemoryNodeStore(), cluster);
        await using RawConnection conn = await RawConnection.ConnectAsync(server.Port);

        await conn.SendAsync(new Request { RequestId = 1, Leave = new LeaveRequest() });
        Response answer = await conn.ReceiveAsync();
        await server.LeaveRequested.WaitAsync(TimeSpan.FromSeconds(20));
        await server.StopAsync();

        Assert.Equal(view.SelfAddress.ToString(), answer.Leave.Node);
        Assert.Equal(1, cluster.LeaveCalls);
    }

    [Fact]
    public async Task Client_TwoServers_RoutesByMapAndRetriesAfterNotLeader()
    {
        var viewA = new FakeClusterView(s_nodeA.Host, s_nodeA.Port);
        var viewB = new FakeClusterView(s_nodeB.Host, s_nodeB.Port);
        var storeA = new InMemoryNodeStore { ShardCount = 2 };
        var storeB = new InMemoryNodeStore { ShardCount = 2 };
        await using ActorLsmServer serverA = await TestServers.StartClusteredAsync(storeA, new FakeClusterNode(viewA));
        await using ActorLsmServer serverB = await TestServers.StartClusteredAsync(storeB, new FakeClusterNode(viewB));
        var first = FakeClusterView.Map(1, [(s_nodeA, serverA.Endpoint), (s_nodeB, serverB.Endpoint)], [1, 1]);
        viewA.ShardMap = first;
        viewB.ShardMap = first;
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [serverA.Endpoint], RequestTimeout = TimeSpan.FromSeconds(20) });

        byte[] onA = KeyOf(0, 2);
        byte[] onB = KeyOf(1, 2);
        await client.PutAsync(onA, "a"u8.ToArray());
        await client.PutAsync(onB, "b"u8.ToArray());
        int batchShards = await client.BatchAsync([new WriteOp(KeyOf(0, 2, 1), "a2"u8.ToArray()), new WriteOp(KeyOf(1, 2, 1), "b2"u8.ToArray())]);

        Assert.Equal(2, batchShards);
        Assert.NotNull(await storeA.GetAsync(onA, default));
        Assert.Null(await storeA.GetAsync(onB, default));
        Assert.NotNull(await storeB.GetAsync(onB, default));
        Assert.Equal(4, await CountAsync(client));

        // Shard 1 moves to A at a new epoch; the client still routes it to B, gets NOT_LEADER, refreshes, retries on A.
        var second = FakeClusterView.Map(2, [(s_nodeA, serverA.Endpoint), (s_nodeA, serverA.Endpoint)], [1, 2]);
        viewA.ShardMap = second;
        viewB.ShardMap = second;
        byte[] moved = KeyOf(1, 2, 2);
        await client.PutAsync(moved, "m"u8.ToArray());

        Assert.Equal("m"u8.ToArray(), await storeA.GetAsync(moved, default));
        Assert.Null(await storeB.GetAsync(moved, default));
        Assert.Equal("m"u8.ToArray(), await client.GetAsync(moved));
    }

    private static async Task<int> CountAsync(ActorLsmClient client)
    {
        int n = 0;
        await foreach (KeyValuePair<byte[], byte[]> _ in client.ScanAsync())
        {
            n++;
        }

        return n;
    }

    private static async Task<Response> RoundTripAsync(RawConnection conn, ulong id, byte[] key, ulong epoch)
    {
        await conn.SendAsync(new Request { RequestId = id, Put = new PutRequest { Key = ByteString.CopyFrom(key), Value = ByteString.CopyFromUtf8("v"), LeaderEpoch = epoch } });
        return await conn.ReceiveAsync();
    }

    /// <summary>The <paramref name="nth"/> key of the form k-N that hashes to <paramref name="shard"/> of <paramref name="shardCount"/>.</summary>
    private static byte[] KeyOf(int shard, int shardCount, int nth = 0)
    {
        for (int i = 0, found = 0; ; i++)
        {
            byte[] key = Encoding.ASCII.GetBytes("k-" + i);
            if (ShardHash.ShardOf(key, shardCount) == shard && found++ == nth)
            {
                return key;
            }
        }
    }
}
