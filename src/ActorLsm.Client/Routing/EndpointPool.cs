using ActorLsm.Client.Connections;

namespace ActorLsm.Client.Routing;

/// <summary>The connection slots of one node endpoint, used round-robin.</summary>
internal sealed class EndpointPool
{
    private readonly ConnectionSlot[] _slots;
    private int _next = -1;

    public EndpointPool(NodeEndpoint endpoint, ConnectionSlot[] slots)
    {
        Endpoint = endpoint;
        _slots = slots;
    }

    public NodeEndpoint Endpoint { get; }

    public IReadOnlyList<ConnectionSlot> Slots => _slots;

    /// <summary>The next slot's connection, opened if needed (ConnectionSlot.GetAsync's errors).</summary>
    public ValueTask<ClientConnection> NextAsync(CancellationToken cancellationToken)
    {
        uint index = (uint)Interlocked.Increment(ref _next);
        return _slots[index % (uint)_slots.Length].GetAsync(cancellationToken);
    }

    public override string ToString() => Endpoint.Text;
}
