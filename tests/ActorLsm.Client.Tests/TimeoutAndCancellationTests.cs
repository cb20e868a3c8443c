using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Tests;

public sealed class TimeoutAndCancellationTests
{
    [Fact]
    public async Task GetAsync_NodeNeverAnswers_ThrowsTimeoutAndIgnoresLateResponse()
    {
        await using var node = new FakeNode();
        // The timeout bounds the next request too: 2 s leaves it room on a loaded 2-core machine
        // (at 200 ms the answered request itself timed out at a load average of 40).
        await using ActorLsmClient client = Clients.For(node, requestTimeout: TimeSpan.FromSeconds(2));

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("slow"));
        ReceivedRequest unanswered = await node.NextRequestAsync();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => get.Bounded());

        // The late response must be dropped, and must not disturb the next request.
        await unanswered.Connection.SendAsync(new Response { RequestId = unanswered.Request.RequestId, Get = new GetResponse { Found = true, Value = ByteString.CopyFromUtf8("late") } });
        Task<byte[]?> next = client.GetAsync(Clients.Bytes("fast"));
        ReceivedRequest answered = await node.NextRequestAsync();
        await answered.Connection.SendAsync(new Response { RequestId = answered.Request.RequestId, Get = new GetResponse { Found = true, Value = ByteString.CopyFromUtf8("fresh") } });

        Assert.Contains("unknown", error.Message, StringComparison.Ordinal);
        Assert.Equal("fresh", Clients.Text(await next.Bounded()));
        Assert.Equal(1, node.AcceptedCount);
    }

    [Fact]
    public async Task GetAsync_CancelledWhilePending_ThrowsOperationCanceledAndConnectionSurvives()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node);
        using var cts = new CancellationTokenSource();

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("k"), cts.Token);
        ReceivedRequest abandoned = await node.NextRequestAsync();
        await cts.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.Bounded());

        await abandoned.Connection.SendAsync(new Response { RequestId = abandoned.Request.RequestId, Get = new GetResponse() });
        Task<ulong> put = client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v"));
        ReceivedRequest answered = await node.NextRequestAsync();
        await answered.Connection.SendAsync(new Response { RequestId = answered.Request.RequestId, Put = new PutResponse { Sequence = 9 } });

        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(9UL, await put.Bounded());
        Assert.Equal(1, node.AcceptedCount);
    }

    [Fact]
    public async Task PutAsync_TokenAlreadyCancelled_ThrowsWithoutSending()
    {
        var store = new FakeStore();
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v"), new CancellationToken(canceled: true)));

        Assert.Equal(0, store.Count);
        Assert.Equal(0, node.AcceptedCount);
    }
}
