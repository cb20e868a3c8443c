using ActorLsm.Protocol;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Security;

/// <summary>
/// The bounded resources of the client listener (PROTOCOL.md, "Limits"): hitting one sends its error frame
/// to the offending connection and closes it; a bystander connection keeps working.
/// </summary>
public sealed class LimitTests
{
    [Fact]
    public async Task Connect_PastMaxConnections_TooManyConnectionsThenCloseOthersServed()
    {
        var store = new InMemoryNodeStore();
        await using ActorLsmServer server = await TestServers.StartAsync(store, "actorlsm.server.max-connections = 1");
        await using RawConnection first = await RawConnection.ConnectAsync(server.Port);
        await AssertServesAsync(first, 1); // the first connection is being served

        await using RawConnection second = await RawConnection.ConnectAsync(server.Port);
        Response refused = await second.ReceiveAsync();

        Assert.Equal(ErrorCode.TooManyConnections, refused.Error.Code);
        Assert.Equal(0UL, refused.RequestId);
        Assert.True(await second.IsClosedByServerAsync());
        await AssertServesAsync(first, 2);
    }

    [Fact]
    public async Task Pipeline_PastMaxDepth_EarlierAnsweredThenPipelineTooDeepAndClose()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new InMemoryNodeStore { Gate = gate.Task };
        await using ActorLsmServer server = await TestServers.StartAsync(store, "actorlsm.server.max-pipeline-depth = 2");
        await using RawConnection bad = await RawConnection.ConnectAsync(server.Port);

        // Three requests in one write; the store holds the first two, so the third is one too many. The
        // store is released only once the first two are held and the node had time to read the third
        // (a third arrival at the store within that time would be the bug this test is about).
        await bad.SendRawAsync([.. Get(1), .. Get(2), .. Get(3)]);
        await store.ArrivalsAsync(2).WaitAsync(TimeSpan.FromSeconds(20));
        Task third = store.ArrivalsAsync(3);
        Assert.NotSame(third, await Task.WhenAny(third, Task.Delay(TimeSpan.FromSeconds(1))));
        gate.SetResult();

        var responses = new List<Response> { await bad.ReceiveAsync(), await bad.ReceiveAsync(), await bad.ReceiveAsync() };

        Assert.Equal([1UL, 2UL], responses.Where(r => r.BodyCase == Response.BodyOneofCase.Get).Select(r => r.RequestId).Order());
        Response error = Assert.Single(responses, r => r.BodyCase == Response.BodyOneofCase.Error);
        Assert.Equal(ErrorCode.PipelineTooDeep, error.Error.Code);
        Assert.Equal(3UL, error.RequestId);
        Assert.True(await bad.IsClosedByServerAsync());
        await using RawConnection other = await RawConnection.ConnectAsync(server.Port);
        await AssertServesAsync(other, 4);
    }

    [Fact]
    public async Task Idle_PastIdleTimeout_IdleTimeoutThenClose()
    {
        var store = new InMemoryNodeStore();
        await using ActorLsmServer server = await TestServers.StartAsync(store, "actorlsm.server.idle-timeout = 300ms");
        await using RawConnection idle = await RawConnection.ConnectAsync(server.Port);

        Response error = await idle.ReceiveAsync(); // sent nothing: the node gives up on it

        Assert.Equal(ErrorCode.IdleTimeout, error.Error.Code);
        Assert.True(await idle.IsClosedByServerAsync());
        await using RawConnection other = await RawConnection.ConnectAsync(server.Port);
        await AssertServesAsync(other, 1);
    }

    [Fact]
    public async Task Put_ValueOverMaxBulkLength_BulkTooLongThenCloseOthersServed()
    {
        var store = new InMemoryNodeStore();
        await using ActorLsmServer server = await TestServers.StartAsync(store, "actorlsm.server.max-bulk-length = 64");
        await using RawConnection other = await RawConnection.ConnectAsync(server.Port);
        await AssertServesAsync(other, 1);
        await using RawConnection bad = await RawConnection.ConnectAsync(server.Port);

        await bad.SendAsync(new Request { RequestId = 7, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFrom(new byte[65]) } });
        Response error = await bad.ReceiveAsync();

        Assert.Equal(ErrorCode.BulkTooLong, error.Error.Code);
        Assert.True(await bad.IsClosedByServerAsync());
        Assert.Null(await store.GetAsync("k"u8.ToArray(), default));
        await AssertServesAsync(other, 2);
    }

    private static byte[] Get(ulong id) => RawConnection.Frame(new Request { RequestId = id, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k" + id) } });

    private static async Task AssertServesAsync(RawConnection connection, ulong id)
    {
        await connection.SendAsync(new Request { RequestId = id, Get = new GetRequest { Key = ByteString.CopyFromUtf8("probe") } });
        Response response = await connection.ReceiveAsync();
        Assert.Equal(id, response.RequestId);
        Assert.Equal(Response.BodyOneofCase.Get, response.BodyCase);
    }
}
