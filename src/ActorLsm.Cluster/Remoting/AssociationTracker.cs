using System.Diagnostics;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// Counts live handshaken connections per peer incarnation so the listener hears one
/// <see cref="ITransportListener.OnAssociated"/> when the first connection to an incarnation is up and
/// one <see cref="ITransportListener.OnDisassociated"/> when its last one closes (a node has up to two
/// connections to a peer: the one it dialled and the one the peer dialled). Thread-safe.
/// </summary>
internal sealed class AssociationTracker(ITransportListener listener)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<UniqueAddress, int> _links = [];

    // REQUIRES: called once per connection whose handshake completed.
    public void LinkUp(UniqueAddress peer)
    {
        bool first;
        lock (_gate)
        {
            _links.TryGetValue(peer, out int n);
            _links[peer] = n + 1;
            first = n == 0;
            AssertInvariants();
        }

        if (first)
        {
            listener.OnAssociated(peer);
        }
    }

    // REQUIRES: called once per connection for which LinkUp was called, when it closes.
    public void LinkDown(UniqueAddress peer)
    {
        bool last = false;
        lock (_gate)
        {
            if (_links.TryGetValue(peer, out int n))
            {
                last = n == 1;
                if (last)
                {
                    _links.Remove(peer);
                }
                else
                {
                    _links[peer] = n - 1;
                }
            }

            AssertInvariants();
        }

        if (last)
        {
            listener.OnDisassociated(peer);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_links.Values.All(n => n > 0), "only live links are counted");
    }
}
