using System.Diagnostics;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Wire;
using Akka.Actor;
using Akka.Cluster;
using Member = ActorLsm.Cluster.View.Member;
using MemberStatus = ActorLsm.Cluster.View.MemberStatus;

namespace ActorLsm.Cluster.Singleton;

/// <summary>
/// The version manager: the cluster singleton, run by Akka's <c>ClusterSingletonManager</c> on the
/// oldest member with the role <c>actorlsm</c> (hand-over on graceful leave is Akka's). Akka's
/// singleton can run twice during a partition, so it acts only under an epoch a majority of
/// members promised (PROTOCOL.md R8). It talks to each member's <see cref="ClusterMemberActor"/>
/// (replies come back to it as the sender) and gets its membership from Akka.Cluster's events.
/// Phases: <b>Idle</b> until the first membership snapshot; <b>Acquiring</b> proposes epoch =
/// highest known + 1 to every Up member and waits for a majority of acceptances (a rejection tells
/// the higher epoch; a timeout retries higher);
/// <b>Recovering</b> merges the acks' persisted states (max ceiling, max flushed, newest map) and
/// persists them with a raised ceiling on a majority; <b>Acting</b> hands out versions below the
/// persisted ceiling, one per broadcast tick (tektite's version manager, seed 000), computes
/// completed and flushed as minima over all shards' reports, keeps the shard map in step with
/// membership, and broadcasts. Completed, flushed, the ceiling and the map are published only
/// after they are persisted on a majority, so a successor recovers values &gt;= every published
/// one (R9).
/// <b>Idle</b> again when superseded by a higher epoch; waits, then acquires again.
/// </summary>
internal sealed class VersionManagerActor : ReceiveActor, IWithTimers
{
    private const string TickKey = "tick";
    private const string TimeoutKey = "ack-timeout";
    private const string ReacquireKey = "reacquire";
    private readonly VersionManagerContext _ctx;
    private readonly ClusterView _view;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly UniqueAddress _self;
    private readonly ClusterStateTracker _tracker = new();
    private readonly Dictionary<NodeAddress, IActorRef> _members = [];
    private readonly Dictionary<int, ShardVersionReport> _reports = [];
    private readonly Dictionary<(int Shard, NodeAddress Node), long> _progress = [];
    private readonly Dictionary<UniqueAddress, EpochAck> _epochAcks = [];
    private readonly HashSet<UniqueAddress> _rejects = [];
    private readonly HashSet<UniqueAddress> _persistAcks = [];
    private ClusterState _state = ClusterState.Empty;
    private bool _started;
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

    // REQUIRES: created by the ClusterSingletonManager of a node whose ClusterMemberActor runs
    // (it feeds `view`).
    public VersionManagerActor(VersionManagerContext ctx, ClusterView view)
    {
        _ctx = ctx;
        _view = view;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _self = UniqueAddress.FromAkka(_cluster.SelfUniqueAddress);
        _highest = view.HighestEpoch;
        Receive<EpochAck>(OnEpochAck);
        Receive<PersistAck>(OnPersistAck);
        Receive<ShardVersionReports>(OnReports);
        Receive<AlterInSync>(OnAlterInSync);
        Receive<ClusterEvent.CurrentClusterState>(OnClusterEvent);
        Receive<ClusterEvent.IClusterDomainEvent>(OnClusterEvent);
        Receive<EpochSuperseded>(OnSuperseded);
        Receive<Timeout>(OnTimeout);
        Receive<TickMsg>(_ => OnTick());
        Receive<Reacquire>(_ => StartAcquire());
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    private enum Phase
    {
        Idle,
        Acquiring,
        Recovering,
        Acting,
    }

    /// <summary>Props of the version manager (the singleton Props given to ClusterSingletonManager).</summary>
    public static Props Props(VersionManagerContext ctx, ClusterView view) =>
        Akka.Actor.Props.Create(() => new VersionManagerActor(ctx, view));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        MemberActor(_self.Address).Tell(new VersionManagerStarted(Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, ClusterStateTracker.Subscriptions);
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);

        // Everything this incarnation published is already persisted on a majority.
        if (_phase == Phase.Acting)
        {
            _ctx.Observer?.OnStoppedActing(_self, _epoch);
        }
    }

    // The member actor of a node: resolved once per node address (no round-trip; Tell only).
    private IActorRef MemberActor(NodeAddress node)
    {
        if (!_members.TryGetValue(node, out IActorRef? actor))
        {
            Address self = _cluster.SelfAddress;
            ActorPath path = new RootActorPath(node.ToAkka(self.Protocol, self.System)) / "user" / ClusterMemberActor.Name;
            actor = ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(path);
            _members[node] = actor;
        }

        return actor;
    }

    private void StartAcquire()
    {
        StopActing();
        _phase = Phase.Acquiring;
        _epochAcks.Clear();
        _rejects.Clear();

        // Above every epoch this incarnation or this node's member actor has seen (R8).
        _highest = Math.Max(Math.Max(_highest, _epoch), _view.HighestEpoch);
        _epoch = _highest + 1;
        _highest = _epoch;
        _voters = Quorum.UpVoters(_state);
        var propose = new EpochPropose { From = _self.ToMsg(), Epoch = _epoch };
        foreach (UniqueAddress v in _voters)
        {
            MemberActor(v.Address).Tell(propose);
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

        NodeAddress from = msg.From.FromMsg().Address;
        NodeAddress[] proposed = msg.InSync.Select(a => a.FromMsg()).ToArray();
        ShardMap? next = proposed.Contains(from)
            ? ShardMapAllocator.WithInSync(_desired.ShardMap.FromMsg(), msg.ShardId, from, msg.LeaderEpoch, proposed, _epoch)
            : ShardMapAllocator.Resign(_desired.ShardMap.FromMsg(), msg.ShardId, from, msg.LeaderEpoch, _state, _epoch, _progress); // R12
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
        var msg = new PersistState { From = _self.ToMsg(), Epoch = _epoch, RequestId = _inflightRequest, State = _inflight };
        foreach (UniqueAddress v in _voters)
        {
            MemberActor(v.Address).Tell(msg);
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
                _ctx.Observer?.OnActing(_self, _epoch);
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
            _ctx.Observer?.OnStoppedActing(_self, _epoch);
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

    private void OnClusterEvent(object e)
    {
        if (!_tracker.Apply(e))
        {
            return;
        }

        _state = _tracker.State;
        if (!_started)
        {
            _started = true;
            StartAcquire();
            return;
        }

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
            From = _self.ToMsg(),
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
                MemberActor(m.Address).Tell(msg);
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
