using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Wire;
using Google.Protobuf;

namespace ActorLsm.Cluster.Tests.Remoting;

/// <summary>What every <see cref="ITransport"/> must do; run for the in-memory and the TCP transport.</summary>
public abstract class TransportContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<ITransport> _transports = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ITransport t in _transports)
        {
            await t.DisposeAsync();
        }
    }

    [Fact]
    public async Task TrySend_ManyEnvelopes_ArriveInOrderPerPeer()
    {
        var (a, _) = await StartAsync();
        var (b, bListener) = await StartAsync();

        for (int i = 0; i < 500; i++)
        {
            Assert.True(a.TrySend(b.LocalAddress, Envelope(i)));
        }

        IReadOnlyList<RemoteEnvelope> got = await bListener.WaitForAsync(500);
        Assert.Equal(Enumerable.Range(0, 500), got.Select(e => (int)e.RecipientUid));
    }

    [Fact]
    public async Task SendAsync_Envelope_Arrives()
    {
        var (a, _) = await StartAsync();
        var (b, bListener) = await StartAsync();

        await a.SendAsync(b.LocalAddress, Envelope(1));

        Assert.Single(await bListener.WaitForAsync(1));
    }

    [Fact]
    public async Task Handshake_FirstSend_BothSidesLearnPeerIncarnation()
    {
        var (a, aListener) = await StartAsync();
        var (b, bListener) = await StartAsync();

        Assert.True(a.TrySend(b.LocalAddress, Envelope(1)));

        IReadOnlyList<RemoteEnvelope> got = await bListener.WaitForAsync(1);
        Assert.Equal(aListener.Self, bListener.From.Single());
        Assert.Contains(bListener.Self, await aListener.WaitAssociatedAsync(bListener.Self));
        Assert.Contains(aListener.Self, await bListener.WaitAssociatedAsync(aListener.Self));
        Assert.Single(got);
    }

    [Fact]
    public async Task Restart_Peer_NewIncarnationAssociatesAndReceives()
    {
        var (a, aListener) = await StartAsync();
        var (b, bListener) = await StartAsync();
        Assert.True(a.TrySend(b.LocalAddress, Envelope(1)));
        await bListener.WaitForAsync(1);
        UniqueAddress oldB = bListener.Self;
        await aListener.WaitAssociatedAsync(oldB);

        await b.DisposeAsync();
        var (b2, b2Listener) = await StartAsync(b.LocalAddress);
        await aListener.WaitDisassociatedAsync(oldB);
        await PollAsync(() =>
        {
            a.TrySend(b2.LocalAddress, Envelope(2));
            return b2Listener.Received.Count > 0;
        });

        Assert.NotEqual(oldB.Uid, b2Listener.Self.Uid);
        Assert.Equal(oldB.Address, b2Listener.Self.Address);
        Assert.Contains(b2Listener.Self, await aListener.WaitAssociatedAsync(b2Listener.Self));
    }

    [Fact]
    public async Task TrySend_QueueFull_ReturnsFalse()
    {
        var (a, _) = await StartAsync(capacity: 8);
        NodeAddress nobody = UnusedAddress();

        bool[] results = Enumerable.Range(0, 20).Select(i => a.TrySend(nobody, Envelope(i))).ToArray();

        Assert.Contains(false, results);
        Assert.True(results.Count(r => r) <= 9, $"{results.Count(r => r)} accepted with a capacity of 8");
    }

    [Fact]
    public async Task SendAsync_QueueFull_WaitsForRoom()
    {
        var (a, _) = await StartAsync(capacity: 2);
        NodeAddress nobody = UnusedAddress();
        for (int i = 0; i < 10 && a.TrySend(nobody, Envelope(i)); i++)
        {
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await a.SendAsync(nobody, Envelope(99), cts.Token));
    }

    protected abstract ITransport Create(NodeAddress address, int capacity);

    protected static NodeAddress UnusedAddress()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new NodeAddress("127.0.0.1", ((IPEndPoint)socket.LocalEndPoint!).Port);
    }

    protected static RemoteEnvelope Envelope(int seq) => new()
    {
        RecipientPath = "/user/x",
        RecipientUid = (ulong)seq,
        Type = "actorlsm.cluster.v1.Ping",
        Payload = new Ping { Id = (ulong)seq }.ToByteString(),
    };

    protected async Task<(ITransport Transport, RecordingListener Listener)> StartAsync(NodeAddress? address = null, int capacity = 1000)
    {
        ITransport t = Create(address ?? new NodeAddress("127.0.0.1", 0), capacity);
        _transports.Add(t);
        var listener = new RecordingListener();
        var self = UniqueAddress.NewIncarnation(new NodeAddress("127.0.0.1", 0));
        await t.StartAsync(self, listener);
        listener.Self = new UniqueAddress(t.LocalAddress, self.Uid);
        return (t, listener);
    }

    protected static async Task PollAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within the deadline");
            await Task.Delay(20); // polling with a deadline
        }
    }

    /// <summary>Records what a transport delivers.</summary>
    protected sealed class RecordingListener : ITransportListener
    {
        private readonly ConcurrentQueue<RemoteEnvelope> _received = new();
        private readonly ConcurrentQueue<UniqueAddress> _from = new();
        private readonly ConcurrentQueue<UniqueAddress> _associated = new();
        private readonly ConcurrentQueue<UniqueAddress> _disassociated = new();

        public UniqueAddress Self { get; set; } = null!;

        public IReadOnlyCollection<RemoteEnvelope> Received => _received;

        public IReadOnlyCollection<UniqueAddress> From => _from.Distinct().ToList();

        public void OnEnvelope(UniqueAddress from, RemoteEnvelope envelope)
        {
            _from.Enqueue(from);
            _received.Enqueue(envelope);
        }

        public void OnAssociated(UniqueAddress peer) => _associated.Enqueue(peer);

        public void OnDisassociated(UniqueAddress peer) => _disassociated.Enqueue(peer);

        public async Task<IReadOnlyList<RemoteEnvelope>> WaitForAsync(int count)
        {
            await PollAsync(() => _received.Count >= count);
            return [.. _received];
        }

        public async Task<IReadOnlyList<UniqueAddress>> WaitAssociatedAsync(UniqueAddress peer)
        {
            await PollAsync(() => _associated.Contains(peer));
            return [.. _associated];
        }

        public async Task WaitDisassociatedAsync(UniqueAddress peer) => await PollAsync(() => _disassociated.Contains(peer));
    }
}

/// <summary>The transport contract over <see cref="InMemoryTransport"/>.</summary>
public sealed class InMemoryTransportContractTests : TransportContractTests
{
    private readonly InMemoryNetwork _network = new();

    protected override ITransport Create(NodeAddress address, int capacity) => _network.CreateTransport(address, capacity);
}

/// <summary>The transport contract over <see cref="TcpTransport"/> on 127.0.0.1.</summary>
public sealed class TcpTransportContractTests : TransportContractTests
{
    protected override ITransport Create(NodeAddress address, int capacity) => new TcpTransport(new RemotingSettings
    {
        Hostname = address.Host,
        Port = address.Port,
        OutboundQueueCapacity = capacity,
        ReconnectMinBackoff = TimeSpan.FromMilliseconds(20),
        ReconnectMaxBackoff = TimeSpan.FromMilliseconds(200),
        HandshakeTimeout = TimeSpan.FromSeconds(5),
    });

    [Fact]
    public async Task Handshake_WrongTargetAddress_ConnectionClosed()
    {
        var (b, bListener) = await StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, b.LocalAddress.Port);
        var hello = new Handshake { From = new UniqueAddressMsg { Host = "127.0.0.1", Port = 1, Uid = 9 }, ToHost = "10.0.0.1", ToPort = 1 };
        byte[] body = hello.ToByteArray();
        byte[] frame = new byte[4 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await socket.SendAsync(frame);

        byte[] buffer = new byte[16];
        using var cts = new CancellationTokenSource(Wait);
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);

        Assert.Equal(0, n); // closed without a handshake answer
        Assert.Empty(bListener.Received);
    }
}
