using ActorLsm.Cluster.Sharding;
using ActorLsm.Protocol;
using ActorLsm.Server.Tests.Replication;
using ActorLsm.Server.Tests.Support;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Sessions;

/// <summary>A write of a client session survives a leader crash as exactly once (R11 with R1, R6), over the TCP protocol.</summary>
[Collection("replicated clusters")]
public sealed class SessionFailoverTests
{
    [Fact]
    public async Task Put_AcknowledgedByACrashedLeaderThenResentToTheNewOne_SameSequenceAndNoSecondWrite_R11()
    {
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, minInSync: 2);
        ByteString key = ByteString.CopyFromUtf8("session-failover");
        int shard = ShardHash.ShardOf(key.Span, ReplicatedCluster.ShardCount);
        var session = new ClientSession { ClientId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()), Sequence = 1, FirstUnacknowledged = 1 };
        ShardMap before = await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.InSync.Count == 3), "every shard fully in sync");
        int oldLeader = cluster.IndexOf(before.Shards[shard].Leader!);

        ulong original;
        await using (RawConnection conn = await RawConnection.ConnectAsync(cluster.Servers[oldLeader]!.Port))
        {
            // The client never sees this acknowledgement (say its connection broke just then).
            original = (await RoundTripAsync(conn, Put(1, key, "first", session))).Put.Sequence;
        }

        await cluster.CrashAsync(oldLeader);
        ShardMap after = await cluster.WaitForAsync(m => m.Shards[shard].Available && m.Shards[shard].Leader != cluster.Address(oldLeader), "the shard's failover");
        int newLeader = cluster.IndexOf(after.Shards[shard].Leader!);
        await using RawConnection again = await RawConnection.ConnectAsync(cluster.Servers[newLeader]!.Port);
        ulong lastBefore = (await cluster.StatusAsync(newLeader)).Shards[shard].LastSequence;

        session.ResendAgeMs = 5_000;
        Response resent = await RoundTripAsync(again, Put(2, key, "resent", session));
        Response get = await RoundTripAsync(again, new Request { RequestId = 3, Get = new GetRequest { Key = key } });

        Assert.Equal(Response.BodyOneofCase.Put, resent.BodyCase);
        Assert.Equal(original, resent.Put.Sequence);
        Assert.Equal("first", get.Get.Value.ToStringUtf8());
        Assert.Equal(lastBefore, (await cluster.StatusAsync(newLeader)).Shards[shard].LastSequence);
    }

    private static Request Put(ulong id, ByteString key, string value, ClientSession session) =>
        new() { RequestId = id, Put = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(value), Session = session } };

    private static async Task<Response> RoundTripAsync(RawConnection conn, Request request)
    {
        await conn.SendAsync(request);
        Response response = await conn.ReceiveAsync();
        Assert.Equal(request.RequestId, response.RequestId);
        return response;
    }
}
