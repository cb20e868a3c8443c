using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Membership;

/// <summary>Heartbeats, failure detection, leader actions and split-brain resolution.</summary>
internal sealed partial class ClusterCoreActor
{
    private readonly Dictionary<UniqueAddress, PhiAccrualFailureDetector> _detectors = [];
    private readonly Dictionary<UniqueAddress, TimeSpan> _monitoredSince = [];
    private readonly SplitBrainResolver _sbr;
    private long _heartbeatSequence;

    // REQUIRES: called on the membership actor.
    private void OnHeartbeat(Heartbeat msg) =>
        _refFor(msg.From.FromWire()).Tell(new HeartbeatRsp { From = _self.ToWire(), Sequence = msg.Sequence }, Self);

    // REQUIRES: called on the membership actor.
    private void OnHeartbeatRsp(HeartbeatRsp msg)
    {
        if (_detectors.TryGetValue(msg.From.FromWire(), out PhiAccrualFailureDetector? fd))
        {
            fd.Heartbeat();
        }
    }

    // REQUIRES: called on the membership actor, as a serving member.
    private void OnHeartbeatTick()
    {
        TimeSpan now = Context.System.Scheduler.Elapsed;
        var monitored = _gossip.Members.Values.Where(m => m.UniqueAddress != _self && m.Status != MemberStatus.Down).Select(m => m.UniqueAddress).ToHashSet();
        foreach (UniqueAddress gone in _detectors.Keys.Where(a => !monitored.Contains(a)).ToList())
        {
            _detectors.Remove(gone);
            _monitoredSince.Remove(gone);
        }

        var msg = new Heartbeat { From = _self.ToWire(), Sequence = ++_heartbeatSequence };
        Gossip g = _gossip;
        foreach (UniqueAddress peer in monitored)
        {
            _refFor(peer).Tell(msg, Self);
            if (!_detectors.TryGetValue(peer, out PhiAccrualFailureDetector? fd))
            {
                fd = new PhiAccrualFailureDetector(Context.System.Scheduler, _settings.FailureDetector, _settings.FailureDetector.HeartbeatInterval);
                _detectors[peer] = fd;
                _monitoredSince[peer] = now;
            }

            if (!fd.IsMonitoring && now - _monitoredSince[peer] >= _settings.FailureDetector.ExpectedResponseAfter)
            {
                fd.Heartbeat(); // Akka's expected first heartbeat: from now on silence counts
            }

            if (fd.IsMonitoring)
            {
                g = g.MarkReachability(_self, peer, unreachable: !fd.IsAvailable);
            }
        }

        if (!ReferenceEquals(g, _gossip))
        {
            Update(g, spread: true);
        }
    }

    // REQUIRES: called on the membership actor, as a serving member.
    private void OnLeaderTick()
    {
        Gossip next = _gossip.LeaderActions(_self, _settings.MinNrOfMembers, out IReadOnlyList<UniqueAddress> removed);
        if (!ReferenceEquals(next, _gossip))
        {
            Update(next, spread: true, alsoTell: removed);
        }

        if (_stopped)
        {
            return;
        }

        switch (_sbr.OnTick(_gossip, _self))
        {
            case DowningDecision.DownUnreachable when _gossip.Leader == _self:
                Gossip g = _gossip;
                foreach (UniqueAddress a in _gossip.Unreachable)
                {
                    g = g.WithStatus(a, MemberStatus.Down);
                }

                Update(g, spread: true);
                break;
            case DowningDecision.DownSelf:
                Update(_gossip.WithStatus(_self, MemberStatus.Down), spread: true);
                break;
            default:
                break;
        }
    }
}
