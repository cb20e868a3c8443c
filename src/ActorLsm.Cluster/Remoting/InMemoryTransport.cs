using System.Diagnostics;
using System.Threading.Channels;
using ActorLsm.Cluster.Wire;
using Google.Protobuf;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// An in-process "network" of <see cref="InMemoryTransport"/>s, for tests and in-process multi-node runs.
/// A transport is reachable from <see cref="ITransport.StartAsync"/> until it is disposed; disposing one
/// is how a test crashes a node (its peers simply stop hearing from it). Thread-safe.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly Lock _gate = new();
    private readonly Dictionary<NodeAddress, InMemoryTransport> _nodes = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextPort = 20000;

    /// <summary>
    /// A transport for <paramref name="address"/> (port 0: a fresh port is assigned at start) with one
    /// bounded outbound queue of <paramref name="outboundQueueCapacity"/> (> 0) envelopes per peer.
    /// </summary>
    public InMemoryTransport CreateTransport(NodeAddress address, int outboundQueueCapacity = 10_000)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(outboundQueueCapacity, 1);
        return new InMemoryTransport(this, address, outboundQueueCapacity);
    }

    // REQUIRES: transport not yet registered. Throws InvalidOperationException when the address is taken.
    internal NodeAddress Register(InMemoryTransport transport, NodeAddress requested)
    {
        TaskCompletionSource changed;
        NodeAddress address;
        lock (_gate)
        {
            address = requested.Port != 0 ? requested : new NodeAddress(requested.Host, Interlocked.Increment(ref _nextPort));
            if (!_nodes.TryAdd(address, transport))
            {
                throw new InvalidOperationException($"{address} is already bound in this in-memory network");
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return address;
    }

    // REQUIRES: any thread; a no-op when transport is not the one registered at address.
    internal InMemoryTransport[] Unregister(InMemoryTransport transport, NodeAddress address)
    {
        TaskCompletionSource changed;
        InMemoryTransport[] others;
        lock (_gate)
        {
            if (_nodes.TryGetValue(address, out var current) && ReferenceEquals(current, transport))
            {
                _nodes.Remove(address);
            }

            others = [.. _nodes.Values];
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return others;
    }

    // REQUIRES: any thread. The live transport at address (or null) and a task that completes on the next change.
    internal (InMemoryTransport? Node, Task Changed) Lookup(NodeAddress address)
    {
        lock (_gate)
        {
            _nodes.TryGetValue(address, out var node);
            return (node, _changed.Task);
        }
    }
}

/// <summary>
/// An <see cref="ITransport"/> inside one process (see <see cref="InMemoryNetwork"/>). Envelopes are
/// serialized to bytes and parsed on the receiving side, so serialization bugs show as with TCP. Per
/// peer: one bounded FIFO queue and one pump; while the peer is unreachable envelopes stay queued (up
/// to the bound), as TCP keeps them while it reconnects. The first delivery to a peer incarnation
/// performs the "handshake": both sides get <see cref="ITransportListener.OnAssociated"/>.
/// </summary>
public sealed class InMemoryTransport : ITransport
{
    private readonly InMemoryNetwork _network;
    private readonly NodeAddress _requested;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<NodeAddress, Peer> _peers = [];
    private readonly CancellationTokenSource _stop = new();
    private AssociationTracker? _associations;
    private ITransportListener? _listener;
    private UniqueAddress? _self;
    private bool _disposed;

    internal InMemoryTransport(InMemoryNetwork network, NodeAddress address, int capacity)
    {
        _network = network;
        _requested = address;
        _capacity = capacity;
    }

    /// <inheritdoc/>
    public NodeAddress LocalAddress => _self?.Address ?? _requested;

    /// <summary>This transport's incarnation (valid after start).</summary>
    internal UniqueAddress Self => _self ?? throw new InvalidOperationException("not started");

    /// <inheritdoc/>
    public Task StartAsync(UniqueAddress self, ITransportListener listener, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(listener);
        cancellationToken.ThrowIfCancellationRequested();
        _listener = listener;
        _associations = new AssociationTracker(listener);
        NodeAddress bound = _network.Register(this, _requested);
        _self = new UniqueAddress(bound, self.Uid);
        AssertInvariants();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public bool TrySend(NodeAddress to, RemoteEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(envelope);
        Peer? peer = GetPeer(to);
        return peer is not null && peer.Queue.Writer.TryWrite(envelope.ToByteArray());
    }

    /// <inheritdoc/>
    public async ValueTask SendAsync(NodeAddress to, RemoteEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(envelope);
        Peer? peer = GetPeer(to);
        if (peer is not null)
        {
            try
            {
                await peer.Queue.Writer.WriteAsync(envelope.ToByteArray(), cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                // Disposed while waiting: dropped, as the interface allows.
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Peer[] peers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            peers = [.. _peers.Values];
        }

        InMemoryTransport[] others = _self is null ? [] : _network.Unregister(this, _self.Address);
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Peer p in peers)
        {
            p.Queue.Writer.TryComplete();
        }

        foreach (Peer p in peers)
        {
            await p.Pump.ConfigureAwait(false);
        }

        if (_self is not null)
        {
            foreach (Peer p in peers)
            {
                p.CloseInbound();
            }

            foreach (InMemoryTransport other in others)
            {
                other.PeerGone(_self);
            }
        }

        _stop.Dispose();
    }

    // REQUIRES: bytes is a serialized RemoteEnvelope from the handshaken incarnation `from`.
    internal bool Deliver(UniqueAddress from, byte[] bytes)
    {
        ITransportListener? listener = _listener;
        if (listener is null || _stop.IsCancellationRequested)
        {
            return false;
        }

        listener.OnEnvelope(from, RemoteEnvelope.Parser.ParseFrom(bytes));
        return true;
    }

    // REQUIRES: the sender `from` is about to deliver to this transport for the first time in this incarnation pair.
    internal void InboundLinkUp(UniqueAddress from) => _associations?.LinkUp(from);

    // REQUIRES: `from` had called InboundLinkUp and has been disposed.
    internal void InboundLinkDown(UniqueAddress from) => _associations?.LinkDown(from);

    // REQUIRES: any thread; `gone` was disposed.
    internal void PeerGone(UniqueAddress gone)
    {
        Peer? peer;
        lock (_gate)
        {
            _peers.TryGetValue(gone.Address, out peer);
        }

        peer?.PeerGone(gone);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        lock (_gate)
        {
            Debug.Assert(_self is not null || _peers.Count == 0, "no peer before start");
        }
    }

    private Peer? GetPeer(NodeAddress to)
    {
        lock (_gate)
        {
            if (_disposed || _self is null)
            {
                return null;
            }

            if (!_peers.TryGetValue(to, out Peer? peer))
            {
                peer = new Peer(this, to);
                _peers[to] = peer;
                peer.Start();
            }

            return peer;
        }
    }

    private sealed class Peer(InMemoryTransport owner, NodeAddress address)
    {
        private readonly Lock _gate = new();
        private UniqueAddress? _associated;
        private InMemoryTransport? _associatedNode;

        public Channel<byte[]> Queue { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(owner._capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        public Task Pump { get; private set; } = Task.CompletedTask;

        // REQUIRES: called once, under the owner's gate.
        public void Start() => Pump = Task.Run(RunAsync);

        // REQUIRES: any thread; `gone` was disposed.
        public void PeerGone(UniqueAddress gone)
        {
            bool down;
            lock (_gate)
            {
                down = gone.Equals(_associated);
                if (down)
                {
                    _associated = null;
                    _associatedNode = null;
                }
            }

            if (down)
            {
                owner._associations?.LinkDown(gone);
            }
        }

        // REQUIRES: the owner is disposed and this pump has ended.
        public void CloseInbound()
        {
            InMemoryTransport? node;
            lock (_gate)
            {
                node = _associatedNode;
                _associatedNode = null;
                _associated = null;
            }

            node?.InboundLinkDown(owner.Self);
        }

        private async Task RunAsync()
        {
            CancellationToken ct = owner._stop.Token;
            try
            {
                while (await Queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                {
                    InMemoryTransport target = await ReachAsync(ct).ConfigureAwait(false);
                    while (Queue.Reader.TryPeek(out byte[]? bytes))
                    {
                        if (!target.Deliver(owner.Self, bytes))
                        {
                            break; // the target is going away: keep the envelope for its next incarnation
                        }

                        Queue.Reader.TryRead(out _);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
        }

        // Waits until a live transport holds `address`; associates with it (both directions) on first reach.
        private async Task<InMemoryTransport> ReachAsync(CancellationToken ct)
        {
            while (true)
            {
                (InMemoryTransport? node, Task changed) = owner._network.Lookup(address);
                if (node is not null && !ReferenceEquals(node, owner) && node._self is not null)
                {
                    UniqueAddress? old = null;
                    bool fresh;
                    lock (_gate)
                    {
                        fresh = !ReferenceEquals(node, _associatedNode);
                        if (fresh)
                        {
                            old = _associated;
                            _associated = node._self;
                            _associatedNode = node;
                        }
                    }

                    if (fresh)
                    {
                        if (old is not null)
                        {
                            owner._associations?.LinkDown(old);
                        }

                        owner._associations?.LinkUp(node._self); // our "connection" to it, handshaken
                        node.InboundLinkUp(owner.Self);         // and its side of the same connection
                    }

                    return node;
                }

                await changed.WaitAsync(ct).ConfigureAwait(false);
            }
        }
    }
}
