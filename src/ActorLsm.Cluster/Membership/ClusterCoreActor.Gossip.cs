using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Membership;

/// <summary>Gossip exchange, view updates and publishing.</summary>
internal sealed partial class ClusterCoreActor
{
    // REQUIRES: called on the membership actor.
    private void OnGossip(GossipEnvelope msg)
    {
        UniqueAddress from = msg.From.FromWire();
        if (!_isMember || _gossip.Tombstones.Contains(from))
        {
            return;
        }

        Gossip received = msg.Gossip.FromWire();
        Update(_gossip.Merge(received), spread: false);
        if (!SameView(received, _gossip) && !_stopped)
        {
            _refFor(from).Tell(new GossipEnvelope { From = _self.ToWire(), Gossip = _gossip.ToWire() }, Self);
        }
    }

    // REQUIRES: called on the membership actor.
    private void GossipToAll(IEnumerable<UniqueAddress>? extra = null)
    {
        if (!_isMember || _stopped)
        {
            return;
        }

        var msg = new GossipEnvelope { From = _self.ToWire(), Gossip = _gossip.ToWire() };
        foreach (UniqueAddress peer in _gossip.Members.Keys.Concat(extra ?? []))
        {
            if (peer != _self)
            {
                _refFor(peer).Tell(msg, Self);
            }
        }
    }

    // REQUIRES: called on the membership actor, as a member.
    private void Update(Gossip next, bool spread, IEnumerable<UniqueAddress>? alsoTell = null)
    {
        _gossip = next.MarkSeen(_self);
        if (_gossip.Tombstones.Contains(_self) || _gossip.Member(_self)?.Status == MemberStatus.Down)
        {
            if (spread || alsoTell is not null)
            {
                GossipToAll(alsoTell);
            }

            StopServing();
        }
        else if (spread)
        {
            GossipToAll(alsoTell);
        }

        Publish();
        AssertInvariants();
    }

    // REQUIRES: called on the membership actor.
    private void Publish()
    {
        bool convergence = _gossip.HasConvergence(_self);
        List<ClusterEvent> events = ClusterEventDiff.Diff(_published, _gossip);
        if (events.Count == 0 && convergence == _publishedConvergence && _published.Digest == _gossip.Digest)
        {
            return;
        }

        _published = _gossip;
        _publishedConvergence = convergence;
        foreach (ClusterEvent e in events)
        {
            foreach (IActorRef s in _subscribers)
            {
                s.Tell(e, Self);
            }
        }

        MemberStatus? selfStatus = _gossip.Tombstones.Contains(_self) ? MemberStatus.Removed : _gossip.Member(_self)?.Status;
        _report(new ClusterCoreReport(_gossip.ToState(_self), selfStatus, events));
    }

    // REQUIRES: called on the membership actor.
    private void StopServing()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Timers.CancelAll();
    }

    // REQUIRES: called on the membership actor.
    private void DownAddress(NodeAddress address)
    {
        Gossip g = _gossip;
        foreach (Member m in _gossip.Members.Values.Where(m => m.Address == address))
        {
            g = g.WithStatus(m.UniqueAddress, MemberStatus.Down);
        }

        Update(g, spread: true);
    }

    // REQUIRES: called on the membership actor.
    private void LeaveAddress(NodeAddress address)
    {
        Gossip g = _gossip;
        foreach (Member m in _gossip.Members.Values.Where(m => m.Address == address))
        {
            g = g.WithStatus(m.UniqueAddress, MemberStatus.Leaving);
        }

        Update(g, spread: true);
    }

    private static bool SameView(Gossip a, Gossip b) =>
        a.Digest == b.Digest && a.Seen.Count == b.Seen.Count && a.Seen.All(kv => b.Seen.TryGetValue(kv.Key, out SeenEntry s) && s == kv.Value);
}
