using ActorLsm.Protocol;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Sessions;

/// <summary>Exactly-once writes over the TCP protocol (R11): the ClientSession field of put, delete, expire and batch.</summary>
public sealed class SessionWireTests
{
    private static readonly ByteString s_clientId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());

    private static ClientSession Session(ulong sequence, ulong firstUnacknowledged, ulong resendAgeMs = 0) =>
        new() { ClientId = s_clientId, Sequence = sequence, FirstUnacknowledged = firstUnacknowledged, ResendAgeMs = resendAgeMs };

    private static Request Put(ulong id, string key, string value, ClientSession? session) =>
        new() { RequestId = id, Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Session = session } };

    private static async Task<Response> RoundTripAsync(RawConnection conn, Request request)
    {
        await conn.SendAsync(request);
        Response response = await conn.ReceiveAsync();
        Assert.Equal(request.RequestId, response.RequestId);
        return response;
    }

    [Fact]
    public async Task Put_ResentWithTheSameSession_SameSequenceAndAppliedOnceAlsoAfterARestart()
    {
        using var dir = new TempDir();
        ulong original;
        await using (ActorLsmServer server = await TestServers.StartAsync(dir.Path))
        {
            await using RawConnection conn = await RawConnection.ConnectAsync(server.Port);
            original = (await RoundTripAsync(conn, Put(1, "k", "first", Session(1, 1)))).Put.Sequence;
            Response again = await RoundTripAsync(conn, Put(2, "k", "resent-with-another-value", Session(1, 1, 40)));
            Assert.Equal(original, again.Put.Sequence);
        }

        await using (ActorLsmServer server = await TestServers.StartAsync(dir.Path))
        {
            await using RawConnection conn = await RawConnection.ConnectAsync(server.Port);
            Response afterRestart = await RoundTripAsync(conn, Put(3, "k", "resent-after-restart", Session(1, 1, 900)));
            Response get = await RoundTripAsync(conn, new Request { RequestId = 4, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k") } });
            var batch = new BatchRequest { Session = Session(2, 2) };
            batch.Ops.Add(new BatchOp { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("batch") });
            await RoundTripAsync(conn, new Request { RequestId = 5, Batch = batch });
            Response tooOld = await RoundTripAsync(conn, Put(6, "k", "too-old", Session(1, 1, 1000)));
            Response badId = await RoundTripAsync(conn, new Request
            {
                RequestId = 7,
                Delete = new DeleteRequest { Key = ByteString.CopyFromUtf8("k"), Session = new ClientSession { ClientId = ByteString.CopyFrom(1, 2, 3), Sequence = 1 } },
            });
            Response final = await RoundTripAsync(conn, new Request { RequestId = 8, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k") } });

            Assert.Equal(original, afterRestart.Put.Sequence);
            Assert.Equal("first", get.Get.Value.ToStringUtf8());
            Assert.Equal(ErrorCode.SessionExpired, tooOld.Error.Code); // below the session's first unacknowledged sequence 2
            Assert.Equal(ErrorCode.InvalidArgument, badId.Error.Code);
            Assert.Equal("batch", final.Get.Value.ToStringUtf8());
        }
    }

    [Fact]
    public async Task Put_WithoutSession_ResendIsAppliedAgain()
    {
        using var dir = new TempDir();
        await using ActorLsmServer server = await TestServers.StartAsync(dir.Path);
        await using RawConnection conn = await RawConnection.ConnectAsync(server.Port);
        ulong first = (await RoundTripAsync(conn, Put(1, "k", "v", null))).Put.Sequence;
        ulong second = (await RoundTripAsync(conn, Put(2, "k", "v", null))).Put.Sequence;
        Assert.True(second > first); // an old client's message: no deduplication
    }
}
