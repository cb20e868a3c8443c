using ActorLsm.Protocol;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Protocol;

/// <summary>PROTOCOL.md's closing errors, over raw sockets: the offender gets its error frame and a closed connection; others carry on.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private static long s_nextId = 1000;
    private readonly InMemoryNodeStore _store = new();
    private ActorLsmServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServers.StartAsync(_store, "actorlsm.server.max-frame-size = 1KiB");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Connection_MalformedBody_GetsMalformedFrameThenClose()
    {
        await using RawConnection other = await ConnectedBystanderAsync();
        await using RawConnection bad = await RawConnection.ConnectAsync(_server.Port);

        // Field 1 with wire type 7 does not exist: the body cannot parse.
        await bad.SendRawAsync(RawConnection.Frame([0x0F, 0x01, 0x02]));

        Response error = await bad.ReceiveAsync();
        Assert.Equal(ErrorCode.MalformedFrame, error.Error.Code);
        Assert.Equal(0UL, error.RequestId);
        Assert.True(await bad.IsClosedByServerAsync());
        await AssertStillServesAsync(other);
    }

    [Fact]
    public async Task Connection_OversizeLength_GetsFrameTooLargeThenClose()
    {
        await using RawConnection other = await ConnectedBystanderAsync();
        await using RawConnection bad = await RawConnection.ConnectAsync(_server.Port);

        // Announce 1 KiB + 1 and send only the header: the node must not wait for the body.
        await bad.SendRawAsync([0x00, 0x00, 0x04, 0x01]);

        Response error = await bad.ReceiveAsync();
        Assert.Equal(ErrorCode.FrameTooLarge, error.Error.Code);
        Assert.Equal(0UL, error.RequestId);
        Assert.True(await bad.IsClosedByServerAsync());
        await AssertStillServesAsync(other);
    }

    [Fact]
    public async Task Connection_RequestWithoutBody_GetsUnknownMessageThenClose()
    {
        await using RawConnection other = await ConnectedBystanderAsync();
        await using RawConnection bad = await RawConnection.ConnectAsync(_server.Port);

        // request_id 42 and a field number (99) this node does not know.
        byte[] body = [.. new Request { RequestId = 42 }.ToByteArray(), 0x98, 0x06, 0x01];
        await bad.SendRawAsync(RawConnection.Frame(body));

        Response error = await bad.ReceiveAsync();
        Assert.Equal(ErrorCode.UnknownMessage, error.Error.Code);
        Assert.Equal(42UL, error.RequestId);
        Assert.True(await bad.IsClosedByServerAsync());
        await AssertStillServesAsync(other);
    }

    [Fact]
    public async Task Connection_GoodRequestsBeforeBadFrame_AreAnsweredFirst()
    {
        await using RawConnection conn = await RawConnection.ConnectAsync(_server.Port);
        byte[] good = RawConnection.Frame(Put(1, "k", "v"));

        await conn.SendRawAsync([.. good, .. RawConnection.Frame([0xFF])]);

        Response first = await conn.ReceiveAsync();
        Response second = await conn.ReceiveAsync();
        Assert.Equal(1UL, first.RequestId);
        Assert.Equal(Response.BodyOneofCase.Put, first.BodyCase);
        Assert.Equal(ErrorCode.MalformedFrame, second.Error.Code);
        Assert.True(await conn.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Connection_ClientClosesMidFrame_OtherConnectionsUnaffected()
    {
        await using RawConnection other = await ConnectedBystanderAsync();
        RawConnection quitter = await RawConnection.ConnectAsync(_server.Port);

        await quitter.SendRawAsync([0x00, 0x00, 0x00, 0x10, 0x08]);
        await quitter.DisposeAsync();

        await AssertStillServesAsync(other);
    }

    private static Request Put(ulong id, string key, string value) =>
        new() { RequestId = id, Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) } };

    private async Task<RawConnection> ConnectedBystanderAsync()
    {
        RawConnection other = await RawConnection.ConnectAsync(_server.Port);
        await AssertStillServesAsync(other);
        return other;
    }

    private static async Task AssertStillServesAsync(RawConnection conn)
    {
        ulong id = (ulong)Interlocked.Add(ref s_nextId, 2);
        await conn.SendAsync(Put(id, "bystander", "ok"));
        Response put = await conn.ReceiveAsync();
        Assert.Equal(id, put.RequestId);
        Assert.Equal(Response.BodyOneofCase.Put, put.BodyCase);

        await conn.SendAsync(new Request { RequestId = id + 1, Get = new GetRequest { Key = ByteString.CopyFromUtf8("bystander") } });
        Response get = await conn.ReceiveAsync();
        Assert.True(get.Get.Found);
        Assert.Equal("ok", get.Get.Value.ToStringUtf8());
    }
}
