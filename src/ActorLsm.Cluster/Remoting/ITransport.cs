using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// Moves <see cref="RemoteEnvelope"/>s between nodes. Implementations: TCP (production), and for
/// tests an in-memory network and a fault-injecting decorator. A transport owns connections,
/// the handshake (exchanging <see cref="UniqueAddress"/>), reconnection with backoff and one
/// bounded outbound queue per peer. Thread-safe.
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>The bound address (a configured port 0 is resolved here). Valid after <see cref="StartAsync"/>.</summary>
    NodeAddress LocalAddress { get; }

    /// <summary>Binds and starts accepting; inbound envelopes and association changes go to <paramref name="listener"/>.</summary>
    Task StartAsync(UniqueAddress self, ITransportListener listener, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues <paramref name="envelope"/> for <paramref name="to"/> and returns at once: false (and the
    /// envelope dropped) when that peer's outbound queue is full. Delivery is at most once, in order
    /// per peer while a connection lasts.
    /// </summary>
    bool TrySend(NodeAddress to, RemoteEnvelope envelope);

    /// <summary>Like <see cref="TrySend"/> but waits for room in the peer's outbound queue (backpressure).</summary>
    ValueTask SendAsync(NodeAddress to, RemoteEnvelope envelope, CancellationToken cancellationToken = default);
}

/// <summary>Receives what a transport delivers. Called on transport threads; must not block.</summary>
public interface ITransportListener
{
    /// <summary>An envelope arrived from <paramref name="from"/> (the handshaken incarnation of the connection).</summary>
    void OnEnvelope(UniqueAddress from, RemoteEnvelope envelope);

    /// <summary>A connection to <paramref name="peer"/> completed its handshake.</summary>
    void OnAssociated(UniqueAddress peer);

    /// <summary>The connection to <paramref name="peer"/> closed (it may reconnect later).</summary>
    void OnDisassociated(UniqueAddress peer);
}
