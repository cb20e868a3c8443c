using System.Diagnostics;
using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Singleton;

/// <summary>
/// One per node (Akka's <c>ClusterSingletonManager</c>): runs the <see cref="VersionManagerActor"/>
/// while this node is the oldest Up member, and is every node's acceptor of singleton epochs and
/// persisted manager state, and the receiver of versions broadcasts.
/// <para>Hand-over: when the previous oldest is Leaving or Exiting, the new oldest repeats
/// <c>HandOverToMe</c> every hand-over-retry-interval until <c>HandOverDone</c> (or until it is
/// gone or down, or after <see cref="MaxHandOverAttempts"/>: the epoch keeps that safe), then
/// starts. A crashed (Down) or removed previous oldest means an immediate start. The leaving oldest
/// sends <c>TakeOverFromMe</c> so the new oldest asks at once.</para>
/// <para>Acceptor: an <c>EpochPropose</c> is accepted iff its epoch is above the accepted one;
/// <c>PersistState</c> iff its epoch is at least the accepted one; both are written durably
/// (<see cref="SingletonStateStore"/>) before the answer. A broadcast older than the accepted
/// epoch is rejected by the <see cref="Hosting.ClusterView"/>.</para>
/// </summary>
internal sealed class SingletonManagerActor : ReceiveActor
{
    /// <summary>HandOverToMe retries before the new oldest starts without a HandOverDone.</summary>
    public const int MaxHandOverAttempts = 10;

    private const string HandOverKey = "hand-over";
    private readonly SingletonContext _ctx;
    private readonly List<UniqueAddress> _handOverRequesters = [];
    private readonly List<IActorRef> _leaveWaiters = [];
    private ClusterState _state = ClusterState.Empty;
    private IActorRef? _singleton;
    private bool _stopping;
    private bool _leaving;
    private int _incarnation;
    private UniqueAddress? _handOverFrom;
    private int _handOverAttempts;
    private long _highestSeen;

    // REQUIRES: one per node, created by the ClusterHost (or a test) with this node's context.
    public SingletonManagerActor(SingletonContext ctx)
    {
        _ctx = ctx;
        _highestSeen = ctx.Store.AcceptedEpoch;
        ctx.View.ObserveEpoch(_highestSeen);
        Receive<MembershipSnapshot>(OnMembership);
        Receive<EpochPropose>(OnPropose);
        Receive<PersistState>(OnPersist);
        Receive<EpochAck>(a => _singleton?.Tell(a));
        Receive<PersistAck>(a => _singleton?.Tell(a));
        Receive<ShardVersionReports>(r => _singleton?.Tell(r));
        Receive<AlterInSync>(r => _singleton?.Tell(r));
        Receive<VersionsBroadcast>(OnBroadcast);
        Receive<HandOverToMe>(OnHandOverToMe);
        Receive<HandOverInProgress>(_ => { });
        Receive<HandOverDone>(OnHandOverDone);
        Receive<TakeOverFromMe>(OnTakeOverFromMe);
        Receive<WaitForHandOver>(_ => OnWaitForHandOver());
        Receive<HandOverTick>(_ => OnHandOverTick());
        Receive<Terminated>(OnTerminated);
    }

    private void OnMembership(MembershipSnapshot snapshot)
    {
        _state = snapshot.State;
        _singleton?.Tell(snapshot);
        Evaluate();
    }

    private Member? SelfMember => _state.Members.FirstOrDefault(m => m.UniqueAddress.Equals(_ctx.Self));

    private static Member? Oldest(IEnumerable<Member> members)
    {
        Member? oldest = null;
        foreach (Member m in members)
        {
            if (oldest is null || m.IsOlderThan(oldest))
            {
                oldest = m;
            }
        }

        return oldest;
    }

    private void Evaluate()
    {
        Member? self = SelfMember;
        if (self is null || self.Status is MemberStatus.Down or MemberStatus.Removed or MemberStatus.Exiting)
        {
            CancelHandOver();
            StopSingleton();
            return;
        }

        Member? oldest = Oldest(_state.Members.Where(m => m.Status == MemberStatus.Up));
        bool selfOldest = !_leaving && self.Status == MemberStatus.Up && oldest is not null && oldest.UniqueAddress.Equals(_ctx.Self);
        if (!selfOldest)
        {
            CancelHandOver();
            if (self.Status == MemberStatus.Up && !_leaving && _singleton is not null)
            {
                StopSingleton(); // an older Up member exists: it runs the singleton
            }
            else if ((_leaving || self.Status != MemberStatus.Up) && _singleton is not null && !OtherUpMembers().Any())
            {
                StopSingleton(); // leaving with nobody to hand over to
            }

            return;
        }

        if (_singleton is not null || _stopping)
        {
            return;
        }

        Member? previous = Oldest(_state.Members.Where(m => m.Status is MemberStatus.Leaving or MemberStatus.Exiting && m.IsOlderThan(self)));
        if (previous is null)
        {
            StartSingleton();
        }
        else if (!previous.UniqueAddress.Equals(_handOverFrom))
        {
            _handOverFrom = previous.UniqueAddress;
            _handOverAttempts = 0;
            SendHandOverToMe();
            Timers.StartPeriodicTimer(HandOverKey, HandOverTick.Instance, _ctx.Settings.HandOverRetryInterval);
        }
    }

    private IEnumerable<Member> OtherUpMembers() =>
        _state.Members.Where(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(_ctx.Self));

    private void SendHandOverToMe()
    {
        if (_handOverFrom is not null)
        {
            _ctx.Resolve(_handOverFrom).Tell(new HandOverToMe { From = _ctx.Self.ToMsg() });
        }
    }

    private void OnHandOverTick()
    {
        if (_handOverFrom is null)
        {
            Timers.Cancel(HandOverKey);
            return;
        }

        if (++_handOverAttempts >= MaxHandOverAttempts)
        {
            CancelHandOver();
            StartSingleton();
            return;
        }

        SendHandOverToMe();
    }

    private void CancelHandOver()
    {
        _handOverFrom = null;
        Timers.Cancel(HandOverKey);
    }

    private void OnHandOverDone(HandOverDone done)
    {
        if (_handOverFrom is not null && _handOverFrom.Equals(done.From.FromMsg()))
        {
            CancelHandOver();
            StartSingleton();
        }
    }

    private void OnTakeOverFromMe(TakeOverFromMe msg)
    {
        // The leaving oldest invites us: ask it at once (Evaluate decides whether we are next).
        if (_handOverFrom is not null && _handOverFrom.Equals(msg.From.FromMsg()))
        {
            SendHandOverToMe();
        }
    }

    private void OnHandOverToMe(HandOverToMe msg)
    {
        UniqueAddress from = msg.From.FromMsg();
        Member? self = SelfMember;
        bool handingOver = _leaving || self is null || self.Status != MemberStatus.Up;
        if (_singleton is null)
        {
            _ctx.Resolve(from).Tell(new HandOverDone { From = _ctx.Self.ToMsg() });
            return;
        }

        if (handingOver)
        {
            _handOverRequesters.Add(from);
            StopSingleton();
        }

        _ctx.Resolve(from).Tell(new HandOverInProgress { From = _ctx.Self.ToMsg() });
    }

    private void OnWaitForHandOver()
    {
        _leaving = true;
        CancelHandOver();
        if (_singleton is null)
        {
            Sender.Tell(HandOverCompleted.Instance);
            return;
        }

        _leaveWaiters.Add(Sender);
        Member? next = Oldest(OtherUpMembers());
        if (next is null)
        {
            StopSingleton();
        }
        else
        {
            _ctx.Resolve(next.UniqueAddress).Tell(new TakeOverFromMe { From = _ctx.Self.ToMsg() });
        }
    }

    private void StartSingleton()
    {
        Debug.Assert(_singleton is null, "one version manager per node");
        _incarnation++;
        _singleton = Context.ActorOf(
            Props.Create(() => new VersionManagerActor(_ctx, _highestSeen, _state)),
            "version-manager-" + _incarnation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Context.Watch(_singleton);
        AssertInvariants();
    }

    private void StopSingleton()
    {
        if (_singleton is not null && !_stopping)
        {
            _stopping = true;
            Context.Stop(_singleton);
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (_singleton is null || !t.ActorRef.Equals(_singleton))
        {
            return;
        }

        _singleton = null;
        _stopping = false;
        foreach (UniqueAddress r in _handOverRequesters)
        {
            _ctx.Resolve(r).Tell(new HandOverDone { From = _ctx.Self.ToMsg() });
        }

        _handOverRequesters.Clear();
        foreach (IActorRef w in _leaveWaiters)
        {
            w.Tell(HandOverCompleted.Instance);
        }

        _leaveWaiters.Clear();
        Evaluate();
    }

    private void OnPropose(EpochPropose p)
    {
        long accepted = _ctx.Store.AcceptedEpoch;
        bool ok = p.Epoch > accepted;
        if (ok)
        {
            _ctx.Store.Accept(p.Epoch);
            AcceptedHigher(p.Epoch);
        }

        _ctx.Resolve(p.From.FromMsg()).Tell(new EpochAck
        {
            From = _ctx.Self.ToMsg(),
            Epoch = p.Epoch,
            Accepted = ok,
            Highest = _ctx.Store.AcceptedEpoch,
            State = _ctx.Store.State,
        });
    }

    private void OnPersist(PersistState p)
    {
        long accepted = _ctx.Store.AcceptedEpoch;
        bool ok = p.Epoch >= accepted;
        if (ok)
        {
            ManagerState stored = _ctx.Store.State;
            bool stale = stored.Epoch == p.Epoch && stored.Seq > p.State.Seq;
            if (!stale)
            {
                _ctx.Store.Persist(p.Epoch, p.State);
            }

            if (p.Epoch > accepted)
            {
                AcceptedHigher(p.Epoch);
            }
        }

        _ctx.Resolve(p.From.FromMsg()).Tell(new PersistAck
        {
            From = _ctx.Self.ToMsg(),
            Epoch = p.Epoch,
            RequestId = p.RequestId,
            Accepted = ok,
            Highest = _ctx.Store.AcceptedEpoch,
        });
    }

    private void AcceptedHigher(long epoch)
    {
        _highestSeen = Math.Max(_highestSeen, epoch);
        _ctx.View.ObserveEpoch(epoch);
        _ctx.Observer?.OnEpochAccepted(_ctx.Self, epoch);
        _singleton?.Tell(new EpochSuperseded(epoch));
    }

    private void OnBroadcast(VersionsBroadcast b)
    {
        _highestSeen = Math.Max(_highestSeen, b.Epoch);
        if (!_ctx.View.TryApply(b))
        {
            _ctx.Observer?.OnBroadcastRejected(_ctx.Self, b.Epoch);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_highestSeen >= _ctx.Store.AcceptedEpoch, "the highest epoch seen covers the accepted one");

    private sealed record HandOverTick
    {
        public static HandOverTick Instance { get; } = new();
    }
}
