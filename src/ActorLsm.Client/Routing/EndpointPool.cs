using ActorLsm.Client.Connections;

namespace ActorLsm.Client.Routing;

/// <summary>
/// The connection slots of one node endpoint, used round-robin, except on a connection's reader
/// (<see cref="ActorLsmClientOptions.InlineCompletions"/>): a continuation running there sends on
/// that same connection, so a read's responses lead to one write of the next requests and the
/// requests of one caller stay on one connection, with no flush handed to another thread.
/// </summary>
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
        if (ConnectionSlot.ReaderAmong(_slots) is { } reader)
        {
            return new ValueTask<ClientConnection>(reader);
        }

        uint index = (uint)Interlocked.Increment(ref _next);
        return _slots[index % (uint)_slots.Length].GetAsync(cancellationToken);
    }

    public override string ToString() => Endpoint.Text;
}
