using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Tests;

public sealed class PipeliningTests
{
    [Fact]
    public async Task PutAsync_ResponsesOutOfOrder_EachCallGetsItsOwnResponse()
    {
        const int seed = 20240611;
        const int count = 16;
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node, connections: 1);

        // All sent before any answer: they are in flight together on one connection.
        var puts = new Task<ulong>[count];
        for (int i = 0; i < count; i++)
        {
            puts[i] = client.PutAsync(Clients.Bytes($"key-{i}"), Clients.Bytes("v"));
        }

        var received = new List<ReceivedRequest>();
        for (int i = 0; i < count; i++)
        {
            received.Add(await node.NextRequestAsync());
        }

        var random = new Random(seed);
        foreach (ReceivedRequest request in received.OrderBy(_ => random.Next()))
        {
            // The sequence names the key it answers: key-i gets 1000 + i.
            ulong index = ulong.Parse(request.Request.Put.Key.ToStringUtf8()["key-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            await request.Connection.SendAsync(new Response { RequestId = request.Request.RequestId, Put = new PutResponse { Sequence = 1000 + index } });
        }

        for (int i = 0; i < count; i++)
        {
            Assert.True(1000 + (ulong)i == await puts[i].Bounded(), $"put {i} got another's response (seed {seed})");
        }

        Assert.Equal(1, node.AcceptedCount);
        Assert.Equal(count, received.Select(r => r.Request.RequestId).Distinct().Count());
    }

    [Fact]
    public async Task PutGetDelete_RoundTrip_ReturnsStoredValuesAndSequences()
    {
        var store = new FakeStore();
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node);

        ulong first = await client.PutAsync(Clients.Bytes("a"), Clients.Bytes("alpha")).Bounded();
        ulong second = await client.PutAsync(Clients.Bytes("b"), ReadOnlyMemory<byte>.Empty).Bounded();
        byte[]? a = await client.GetAsync(Clients.Bytes("a")).Bounded();
        byte[]? b = await client.GetAsync(Clients.Bytes("b")).Bounded();
        ulong tombstone = await client.DeleteAsync(Clients.Bytes("a")).Bounded();
        byte[]? gone = await client.GetAsync(Clients.Bytes("a")).Bounded();

        Assert.Equal(1UL, first);
        Assert.Equal(2UL, second);
        Assert.Equal("alpha", Clients.Text(a));
        Assert.NotNull(b);
        Assert.Empty(b);
        Assert.Equal(3UL, tombstone);
        Assert.Null(gone);
    }

    [Fact]
    public async Task BatchAsync_PutsAndDeletes_AppliedAndShardCountReturned()
    {
        var store = new FakeStore();
        store.Add(Clients.Bytes("old"), Clients.Bytes("x"));
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node);

        int shards = await client.BatchAsync([new(Clients.Bytes("n1"), Clients.Bytes("1")), new(Clients.Bytes("old"), null)]).Bounded();

        Assert.Equal(1, shards);
        Assert.Equal("1", Clients.Text(await client.GetAsync(Clients.Bytes("n1")).Bounded()));
        Assert.Null(await client.GetAsync(Clients.Bytes("old")).Bounded());
    }

    [Fact]
    public async Task BatchAsync_NullKey_ThrowsArgumentException()
    {
        await using var node = new FakeNode(new FakeStore().Handle);
        await using ActorLsmClient client = Clients.For(node);

        await Assert.ThrowsAsync<ArgumentException>(() => client.BatchAsync([new(null!, Clients.Bytes("v"))]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.BatchAsync(null!));
    }

    [Fact]
    public async Task StatusAsync_NodeAnswers_ReturnsItsStatus()
    {
        await using var node = new FakeNode(new FakeStore().Handle);
        await using ActorLsmClient client = Clients.For(node);

        StatusResponse status = await client.StatusAsync().Bounded();

        Assert.Equal("fake", status.Node);
        Assert.Equal(1U, status.ShardCount);
    }

    [Fact]
    public async Task PutGet_EightConcurrentTasks_AllValuesReadBack()
    {
        const int tasks = 8;
        const int perTask = 250;
        var store = new FakeStore();
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node, connections: 3);

        async Task RunAsync(int task)
        {
            for (int i = 0; i < perTask; i++)
            {
                byte[] key = Clients.Bytes($"t{task}-{i}");
                await client.PutAsync(key, Clients.Bytes($"value {task} {i}"));
                byte[]? value = await client.GetAsync(key);
                Assert.Equal($"value {task} {i}", Clients.Text(value));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(() => RunAsync(t)))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(tasks * perTask, store.Count);
        Assert.InRange(node.AcceptedCount, 1, 3);
    }

    [Fact]
    public async Task PutAsync_RequestOverMaxFrameSize_ThrowsArgumentExceptionAndSendsNothing()
    {
        var store = new FakeStore();
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node, maxFrameSize: 1024);

        await Assert.ThrowsAsync<ArgumentException>(() => client.PutAsync(Clients.Bytes("big"), new byte[2048]));
        ulong sequence = await client.PutAsync(Clients.Bytes("small"), new byte[16]).Bounded();

        Assert.Equal(1UL, sequence);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task GetAsync_KeyBufferChangedAfterCall_RequestCarriesOriginalBytes()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node);
        byte[] key = Clients.Bytes("stable");
        // First call opens the connection, so the next one serializes synchronously.
        Task<byte[]?> warmup = client.GetAsync(key);
        ReceivedRequest first = await node.NextRequestAsync();
        await first.Connection.SendAsync(new Response { RequestId = first.Request.RequestId, Get = new GetResponse() });
        await warmup.Bounded();

        Task<byte[]?> get = client.GetAsync(key);
        key[0] = (byte)'X';
        ReceivedRequest second = await node.NextRequestAsync();
        await second.Connection.SendAsync(new Response { RequestId = second.Request.RequestId, Get = new GetResponse { Found = true, Value = ByteString.CopyFromUtf8("v") } });

        Assert.Equal("stable", second.Request.Get.Key.ToStringUtf8());
        Assert.Equal("v", Clients.Text(await get.Bounded()));
    }
}
