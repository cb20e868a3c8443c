using System.Collections.Concurrent;
using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;

namespace ActorLsm.Client.Tests;

/// <summary>The client's write session (R11): every write is numbered once, and every send of it carries that number.</summary>
public sealed class SessionTests
{
    private static Response ShardMap() => new()
    {
        ShardMap = new ShardMapResponse
        {
            ShardCount = 1,
            Version = 1,
            Clustered = true,
            Shards = { new ShardLeader { Id = 0, LeaderEpoch = 1, Available = true } }, // leader: the node that answered
        },
    };

    [Fact]
    public async Task PutAsync_FirstSendUnavailable_ResendCarriesTheSameClientIdAndSequence()
    {
        var sessions = new ConcurrentQueue<ClientSession>();
        int puts = 0;
        await using var node = new FakeNode(request => request.BodyCase switch
        {
            Request.BodyOneofCase.ShardMap => ShardMap(),
            Request.BodyOneofCase.Put => Put(request),
            _ => null,
        });

        Response Put(Request request)
        {
            sessions.Enqueue(request.Put.Session);
            return Interlocked.Increment(ref puts) == 1
                ? new Response { Error = new Error { Code = ErrorCode.Unavailable, Message = "leader changed; may or may not be applied" } }
                : new Response { Put = new PutResponse { Sequence = 42 } };
        }

        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [node.Endpoint], RequestTimeout = FakeNode.WaitLimit });
        ulong first = await client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v")).Bounded();
        ulong second = await client.PutAsync(Clients.Bytes("k"), Clients.Bytes("w")).Bounded();

        ClientSession[] seen = [.. sessions];
        Assert.Equal(42UL, first);
        Assert.Equal(42UL, second);
        Assert.Equal(3, seen.Length);
        Assert.All(seen, s => Assert.Equal(client.ClientId!.Value.ToByteArray(), s.ClientId.ToByteArray()));
        Assert.Equal([1UL, 1UL, 2UL], seen.Select(s => s.Sequence));
        Assert.Equal([1UL, 1UL, 2UL], seen.Select(s => s.FirstUnacknowledged)); // write 1 was answered before write 2
        Assert.True(seen[1].ResendAgeMs >= seen[0].ResendAgeMs);
    }

    [Fact]
    public async Task PutAsync_ExactlyOnceWritesOff_SendsNoSession()
    {
        var sessions = new ConcurrentQueue<ClientSession?>();
        await using var node = new FakeNode(request =>
        {
            sessions.Enqueue(request.Put?.Session);
            return new Response { Put = new PutResponse { Sequence = 1 } };
        });
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [node.Endpoint], ShardRouting = false, ExactlyOnceWrites = false });

        await client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v")).Bounded();

        Assert.Null(client.ClientId);
        Assert.Null(Assert.Single(sessions));
    }

    [Fact]
    public void ActorLsmClient_AssignedClientId_IsTheSessionId()
    {
        var id = Guid.NewGuid();
        var client = new ActorLsmClient(new ActorLsmClientOptions { ClientId = id });
        Assert.Equal(id, client.ClientId);
        Assert.Throws<ArgumentException>(() => new ActorLsmClient(new ActorLsmClientOptions { ClientId = Guid.Empty }));
    }
}
