using System.Diagnostics;
using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Singleton;

/// <summary>
/// The version manager: the cluster singleton (child of the oldest node's singleton manager).
/// Phases: <b>Acquiring</b> proposes epoch = highest known + 1 to every Up member and waits for a
/// majority of acceptances (a rejection tells the higher epoch; a timeout retries higher);
/// <b>Recovering</b> merges the acks' persisted states (max ceiling, max flushed, newest map) and
/// persists them with a raised ceiling on a majority; <b>Acting</b> hands out versions below the
/// persisted ceiling, one per broadcast tick (tektite's version manager, seed 000), computes
/// completed and flushed as minima over all shards' reports, keeps the shard map in step with
/// membership, and broadcasts. Flushed, the ceiling and the map are published only after they
/// are persisted on a majority, so a successor recovers values &gt;= every published one.
/// <b>Idle</b>: superseded by a higher epoch; waits, then acquires again.
/// </summary>
internal sealed class VersionManagerActor : ReceiveActor
{
    private const string TickKey = "tick";
    private const string TimeoutKey = "ack-timeout";
    private const string ReacquireKey = "reacquire";
    private readonly SingletonContext _ctx;
    private readonly Dictionary<int, ShardVersionReport> _reports = [];
    private readonly Dictionary<(int Shard, NodeAddress Node), long> _progress = [];
    private readonly Dictionary<UniqueAddress, EpochAck> _epochAcks = [];
    private readonly HashSet<UniqueAddress> _rejects = [];
    private readonly HashSet<UniqueAddress> _persistAcks = [];
    private ClusterState _state;
    private Phase _phase = Phase.Idle;
    private long _epoch;
    private long _highest;
    private IReadOnlySet<UniqueAddress> _voters = new HashSet<UniqueAddress>();
    private ManagerState? _persisted;
    private ManagerState _desired = new();
    private ManagerState? _inflight;
    private long _inflightRequest;
    private long _nextRequest;
    private long _current;

    // REQUIRES: created by the singleton manager of ctx.Self while that node is the oldest Up member.
    public VersionManagerActor(SingletonContext ctx, long highestKnown, ClusterState state)
    {
        _ctx = ctx;
        _highest = highestKnown;
        _state = state;
        Receive<EpochAck>(OnEpochAck);
        Receive<PersistAck>(OnPersistAck);
        Receive<ShardVersionReports>(OnReports);
        Receive<AlterInSync>(OnAlterInSync);
        Receive<MembershipSnapshot>(OnMembership);
        Receive<EpochSuperseded>(OnSuperseded);
        Receive<Timeout>(OnTimeout);
        Receive<TickMsg>(_ => OnTick());
        Receive<Reacquire>(_ => StartAcquire());
    }

    private enum Phase
    {
        Idle,
        Acquiring,
        Recovering,
        Acting,
    }

    /// <inheritdoc/>
    protected override void PreStart() => StartAcquire();

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Everything this incarnation published is already persisted on a majority.
        if (_phase == Phase.Acting)
        {
            _ctx.Observer?.OnStoppedActing(_ctx.Self, _epoch);
        }
    }

    private void StartAcquire()
    {
        StopActing();
        _phase = Phase.Acquiring;
        _highest = Math.Max(_highest, Math.Max(_epoch, _ctx.Store.AcceptedEpoch));
        _epoch = _highest + 1;
        _highest = _epoch;
        _epochAcks.Clear();
        _rejects.Clear();
        _voters = Quorum.UpVoters(_state);
        var propose = new EpochPropose { From = _ctx.Self.ToMsg(), Epoch = _epoch };
        foreach (UniqueAddress v in _voters)
        {
            _ctx.Resolve(v).Tell(propose);
        }

        Timers.StartSingleTimer(TimeoutKey, new Timeout(Phase.Acquiring, _epoch, 0), _ctx.Settings.EpochAckTimeout);
        AssertInvariants();
    }

    private void OnEpochAck(EpochAck ack)
    {
        if (_phase != Phase.Acquiring || ack.Epoch != _epoch)
        {
            return;
        }

        _highest = Math.Max(_highest, ack.Highest);
        UniqueAddress from = ack.From.FromMsg();
        if (ack.Accepted)
        {
            _epochAcks[from] = ack;
        }
        else
        {
            _rejects.Add(from);
        }

        if (Quorum.IsMajority(_voters, _epochAcks.Keys))
        {
            Recover();
        }
        else if (Quorum.IsLost(_voters, _rejects))
        {
            StartAcquire();
        }
    }

    private void Recover()
    {
        ManagerState recovered = Quorum.Recover(_epochAcks.Values.Select(a => a.State));
        _phase = Phase.Recovering;
        _current = Math.Max(recovered.Ceiling, 1);
        _persisted = null;
        _desired = recovered.Clone();
        _desired.Epoch = _epoch;
        _desired.Seq = 1;
        _desired.Ceiling = _current + _ctx.Settings.CeilingJump;
        _desired.ShardMap = NextMap(_desired.ShardMap)?.ToMsg() ?? _desired.ShardMap;
        Timers.Cancel(TimeoutKey);
        StartPersist();
        AssertInvariants();
    }

    private ShardMap? NextMap(ShardMapMsg? map) => map is null
        ? ShardMapAllocator.Create(_ctx.ShardCount, _state, _epoch, _ctx.MinNrOfMembers, _ctx.ReplicationFactor)
        : ShardMapAllocator.Update(map.FromMsg(), _state, _epoch, _ctx.ReplicationFactor, _progress) is var next && next.Version != map.Version ? next : null;

    // R3: an in-sync set change is persisted on a majority (Mutate -> StartPersist) and only then
    // broadcast; the leader uses a smaller set only once it sees it in a broadcast map.
    private void OnAlterInSync(AlterInSync msg)
    {
        if (_phase is not (Phase.Acting or Phase.Recovering) || _desired.ShardMap is null)
        {
            return;
        }

        ShardMap? next = ShardMapAllocator.WithInSync(
            _desired.ShardMap.FromMsg(), msg.ShardId, msg.From.FromMsg().Address, msg.LeaderEpoch, msg.InSync.Select(a => a.FromMsg()).ToArray(), _epoch);
        if (next is not null && next.Version != _desired.ShardMap.Version)
        {
            // A member proposed while its node was dying is not kept: membership decides liveness (R3).
            ShardMap checkedMap = ShardMapAllocator.Update(next, _state, _epoch, _ctx.ReplicationFactor, _progress);
            Mutate(s => s.ShardMap = checkedMap.ToMsg());
        }
    }

    private void StartPersist()
    {
        if (_inflight is not null || (_persisted is not null && _persisted.Equals(_desired)))
        {
            return;
        }

        _inflight = _desired.Clone();
        _inflightRequest = ++_nextRequest;
        _persistAcks.Clear();
        _rejects.Clear();
        _voters = Quorum.UpVoters(_state);
        var msg = new PersistState { From = _ctx.Self.ToMsg(), Epoch = _epoch, RequestId = _inflightRequest, State = _inflight };
        foreach (UniqueAddress v in _voters)
        {
            _ctx.Resolve(v).Tell(msg);
        }

        Timers.StartSingleTimer(TimeoutKey, new Timeout(_phase, _epoch, _inflightRequest), _ctx.Settings.EpochAckTimeout);
    }

    private void OnPersistAck(PersistAck ack)
    {
        if (_inflight is null || ack.Epoch != _epoch || ack.RequestId != _inflightRequest)
        {
            return;
        }

        _highest = Math.Max(_highest, ack.Highest);
        UniqueAddress from = ack.From.FromMsg();
        if (ack.Accepted)
        {
            _persistAcks.Add(from);
        }
        else
        {
            _rejects.Add(from);
        }

        if (Quorum.IsMajority(_voters, _persistAcks))
        {
            _persisted = _inflight;
            _inflight = null;
            Timers.Cancel(TimeoutKey);
            if (_phase == Phase.Recovering)
            {
                _phase = Phase.Acting;
                _ctx.Observer?.OnActing(_ctx.Self, _epoch);
                Timers.StartPeriodicTimer(TickKey, TickMsg.Instance, _ctx.Settings.BroadcastInterval);
            }

            Broadcast();
            StartPersist();
        }
        else if (Quorum.IsLost(_voters, _rejects))
        {
            // A newer epoch was accepted by a majority: this incarnation must not act any more.
            BackOff();
        }

        AssertInvariants();
    }

    private void OnTimeout(Timeout t)
    {
        if (t.Epoch != _epoch)
        {
            return;
        }

        if (_phase == Phase.Acquiring && t.Phase == Phase.Acquiring)
        {
            StartAcquire();
        }
        else if (_inflight is not null && t.Request == _inflightRequest)
        {
            _inflight = null;
            StartPersist();
        }
    }

    private void OnSuperseded(EpochSuperseded s)
    {
        if (s.Epoch > _epoch)
        {
            _highest = Math.Max(_highest, s.Epoch);
            BackOff();
        }
    }

    private void BackOff()
    {
        StopActing();
        _phase = Phase.Idle;
        _inflight = null;
        Timers.Cancel(TimeoutKey);
        Timers.StartSingleTimer(ReacquireKey, Reacquire.Instance, _ctx.Settings.EpochAckTimeout);
    }

    private void StopActing()
    {
        if (_phase == Phase.Acting)
        {
            _ctx.Observer?.OnStoppedActing(_ctx.Self, _epoch);
        }

        Timers.Cancel(TickKey);
        _phase = Phase.Idle;
    }

    private void OnTick()
    {
        if (_phase != Phase.Acting || _persisted is null)
        {
            return;
        }

        if (_current + 1 < _persisted.Ceiling)
        {
            _current++;
        }

        if (_current + Math.Max(1, _ctx.Settings.CeilingJump / 2) >= _desired.Ceiling)
        {
            Mutate(s => s.Ceiling += _ctx.Settings.CeilingJump);
        }

        // Leaders drift onto the survivors of failovers: move one shard per tick back toward balance.
        if (_inflight is null && _desired.ShardMap is { } current && _ctx.ReplicationFactor > 1)
        {
            ShardMap balanced = ShardMapAllocator.Rebalance(current.FromMsg(), _state, _epoch);
            if (balanced.Version != current.Version)
            {
                Mutate(s => s.ShardMap = balanced.ToMsg());
            }
        }

        Broadcast();
        AssertInvariants();
    }

    private void OnReports(ShardVersionReports msg)
    {
        NodeAddress reporter = msg.From.FromMsg().Address;
        foreach (ReplicaProgressMsg r in msg.Replicas)
        {
            _progress[(r.ShardId, reporter)] = r.LastSequence;
        }

        foreach (ShardVersionReportMsg r in msg.Reports)
        {
            if (r.ShardId < 0 || r.ShardId >= _ctx.ShardCount)
            {
                continue;
            }

            _reports[r.ShardId] = _reports.TryGetValue(r.ShardId, out ShardVersionReport? old)
                ? new ShardVersionReport(r.ShardId, Math.Max(old.Completed, r.Completed), Math.Max(old.Flushed, r.Flushed), Math.Max(old.LastSequence, r.LastSequence))
                : new ShardVersionReport(r.ShardId, r.Completed, r.Flushed, r.LastSequence);
        }

        if (_phase is not (Phase.Acting or Phase.Recovering) || _reports.Count < _ctx.ShardCount)
        {
            return;
        }

        // Completed and flushed are published only once a majority persisted them (see Broadcast), so
        // a later incarnation recovers values at least as high: neither goes backwards across failover.
        long completed = Math.Max(_desired.Completed, Math.Min(_reports.Values.Min(r => r.Completed), _current - 1));
        long flushed = Math.Max(_desired.Flushed, Math.Min(_reports.Values.Min(r => r.Flushed), completed));
        if (completed > _desired.Completed || flushed > _desired.Flushed)
        {
            Mutate(s =>
            {
                s.Completed = completed;
                s.Flushed = flushed;
            });
        }

        AssertInvariants();
    }

    private void OnMembership(MembershipSnapshot snapshot)
    {
        _state = snapshot.State;
        if (_phase is Phase.Acting or Phase.Recovering)
        {
            ShardMap? next = NextMap(_desired.ShardMap);
            if (next is not null)
            {
                Mutate(s => s.ShardMap = next.ToMsg());
            }
        }
    }

    private void Mutate(Action<ManagerState> change)
    {
        ManagerState next = _desired.Clone();
        change(next);
        next.Seq = _desired.Seq + 1;
        _desired = next;
        StartPersist();
    }

    private void Broadcast()
    {
        if (_phase != Phase.Acting || _persisted is null)
        {
            return;
        }

        var msg = new VersionsBroadcast
        {
            From = _ctx.Self.ToMsg(),
            Epoch = _epoch,
            Current = _current,
            Completed = _persisted.Completed,
            Flushed = _persisted.Flushed,
        };
        if (_persisted.ShardMap is not null)
        {
            msg.ShardMap = ShardMapAllocator.WithLastSequences(_persisted.ShardMap.FromMsg(), _reports.ToDictionary(r => r.Key, r => r.Value.LastSequence)).ToMsg();
        }

        foreach (Member m in _state.Members)
        {
            if (m.Status is not (MemberStatus.Down or MemberStatus.Removed))
            {
                _ctx.Resolve(m.UniqueAddress).Tell(msg);
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_epoch <= _highest, "the own epoch is never above the highest known");
        Debug.Assert(_phase != Phase.Acting || _persisted is not null, "acting only on a persisted state");
        Debug.Assert(_phase != Phase.Acting || (_persisted!.Flushed <= _persisted.Completed && _persisted.Completed < _current && _current < _persisted.Ceiling), "flushed <= completed < current < ceiling");
    }

    private sealed record Timeout(Phase Phase, long Epoch, long Request);

    private sealed record TickMsg
    {
        public static TickMsg Instance { get; } = new();
    }

    private sealed record Reacquire
    {
        public static Reacquire Instance { get; } = new();
    }
}
