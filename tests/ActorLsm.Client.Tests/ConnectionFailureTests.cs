using System.Net;
using System.Net.Sockets;
using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;

namespace ActorLsm.Client.Tests;

public sealed class ConnectionFailureTests
{
    [Fact]
    public async Task GetAsync_NodeClosesConnection_PendingFailAndNextRequestReconnects()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node, connections: 1);

        Task<byte[]?>[] gets = [client.GetAsync(Clients.Bytes("a")), client.GetAsync(Clients.Bytes("b")), client.GetAsync(Clients.Bytes("c"))];
        ReceivedRequest first = await node.NextRequestAsync();
        await node.NextRequestAsync();
        await node.NextRequestAsync();
        first.Connection.Abort();

        foreach (Task<byte[]?> get in gets)
        {
            var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => get.Bounded());
            Assert.Contains("outcome of a write is unknown", error.Message, StringComparison.Ordinal);
        }

        node.Handler = new FakeStore().Handle;
        ulong sequence = await client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v")).Bounded();

        Assert.Equal(1UL, sequence);
        Assert.Equal(2, node.AcceptedCount);
    }

    [Fact]
    public async Task GetAsync_ResponseFrameOverMaxFrameSize_ClosesConnectionWithTypedError()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node, maxFrameSize: 1024);

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("k"));
        ReceivedRequest received = await node.NextRequestAsync();
        await received.Connection.SendHeaderAsync(1025);

        var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => get.Bounded());
        Assert.IsType<FrameTooLargeException>(error.InnerException);

        node.Handler = new FakeStore().Handle;
        Assert.Null(await client.GetAsync(Clients.Bytes("k")).Bounded());
        Assert.Equal(2, node.AcceptedCount);
    }

    [Fact]
    public async Task GetAsync_UnparseableResponseFrame_ClosesConnectionWithTypedError()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node);

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("k"));
        ReceivedRequest received = await node.NextRequestAsync();
        // Field 1 announced as 16 length-delimited bytes, none present.
        await received.Connection.SendRawAsync(new byte[] { 0, 0, 0, 2, 0x0A, 0x10 });

        var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => get.Bounded());

        Assert.Contains("exceeds", Assert.IsType<MalformedFrameException>(error.InnerException).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ResponseWithNestedLengthNearIntMax_ClosesConnectionWithTypedError()
    {
        // Found by fuzzing (deploy/fuzz.sh, frame target): Google.Protobuf throws ArgumentOutOfRangeException
        // for it, which escaped the read loop and left the request waiting.
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node);

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("k"));
        ReceivedRequest received = await node.NextRequestAsync();
        await received.Connection.SendRawAsync(new byte[]
        {
            0x00, 0x00, 0x00, 0x1E, 0x08, 0x06, 0x7A, 0x1A, 0x0A, 0x02, 0x6E, 0x31, 0x12, 0x01, 0x31, 0x18, 0x02, 0x22,
            0xFE, 0xFF, 0xFF, 0xFF, 0x07, 0x72, 0x75, 0x6E, 0x6E, 0x69, 0x6E, 0x67, 0x22, 0x02, 0x01, 0x02,
        });

        var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => get.Bounded());

        Assert.IsType<MalformedFrameException>(error.InnerException);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PutAsync_NothingListening_ThrowsConnectionException(bool inlineCompletions)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [$"127.0.0.1:{port}"], ConnectTimeout = FakeNode.WaitLimit, InlineCompletions = inlineCompletions });

        var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v")).Bounded());

        Assert.Contains("cannot connect", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PutAsync_ConnectNeverCompletes_FailsAfterConnectTimeout(bool inlineCompletions)
    {
        // A listener that never accepts: once its accept queue is full the kernel drops further
        // SYNs, so a connect hangs until the client gives up (the blocking connect of inline
        // completions is ended by closing its socket).
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var fillers = new List<Socket>();
        try
        {
            // Connects until one hangs. poll(2) sees the kernel's handshake whatever the thread pool
            // is doing, so a slow machine cannot pass for a full queue.
            while (fillers.Count < 64)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                fillers.Add(filler);
                try
                {
                    filler.Connect(IPAddress.Loopback, port);
                }
                catch (SocketException started) when (started.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    if (!filler.Poll(1_000_000, SelectMode.SelectWrite))
                    {
                        break; // this connect hangs: the queue is full
                    }
                }
            }

            Assert.True(fillers.Count < 64, "the accept queue never filled");

            await using var client = new ActorLsmClient(new ActorLsmClientOptions
            {
                Endpoints = [$"127.0.0.1:{port}"],
                ConnectTimeout = TimeSpan.FromMilliseconds(500),
                InlineCompletions = inlineCompletions,
            });

            var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v")).Bounded());

            Assert.Contains("did not complete within", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (Socket filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task DisposeAsync_RequestsPending_FailsThemAndLaterCallsThrowObjectDisposed()
    {
        await using var node = new FakeNode();
        ActorLsmClient client = Clients.For(node);

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("k"));
        await node.NextRequestAsync();
        await client.DisposeAsync().AsTask().Bounded();
        await client.DisposeAsync().AsTask().Bounded();

        await Assert.ThrowsAsync<ActorLsmConnectionException>(() => get.Bounded());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetAsync(Clients.Bytes("k")));
        Assert.Throws<ObjectDisposedException>(() => client.ScanAsync());
    }
}
