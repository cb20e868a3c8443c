using System.Diagnostics;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Wire;
using Akka.Actor;
using Akka.Cluster;

namespace ActorLsm.Cluster.Singleton;

/// <summary>
/// One per node, at <c>/user/actorlsm-cluster-member</c> (<see cref="Name"/>): the node's side of
/// the version manager's epoch fencing, and the feed of its <see cref="ClusterView"/>.
/// <list type="bullet">
/// <item>Acceptor: an <see cref="EpochPropose"/> is accepted iff its epoch is above the accepted
/// one; a <see cref="PersistState"/> iff its epoch is at least the accepted one. Both are written
/// durably (<see cref="SingletonStateStore"/>, fsync) before the reply (<see cref="EpochAck"/>,
/// <see cref="PersistAck"/>) goes back to the sender. Runs on <c>actorlsm.cluster.member-dispatcher</c>
/// (a thread of its own) because of the fsync.</item>
/// <item>Broadcasts: a <see cref="VersionsBroadcast"/> older than the accepted epoch is rejected by
/// the view (<see cref="ClusterView.TryApply"/>).</item>
/// <item>Membership: subscribes to Akka.Cluster's member and reachability events and gives the view
/// each new <see cref="ClusterState"/>; reports when this node itself is marked Down.</item>
/// <item>When this node's version manager started (<see cref="VersionManagerStarted"/>) and this
/// node accepts a higher epoch, tells it <see cref="EpochSuperseded"/>.</item>
/// </list>
/// </summary>
internal sealed class ClusterMemberActor : ReceiveActor
{
    /// <summary>The actor's name under <c>/user</c>.</summary>
    public const string Name = "actorlsm-cluster-member";

    /// <summary>The dispatcher it runs on (a pinned thread: it fsyncs).</summary>
    public const string Dispatcher = "actorlsm.cluster.member-dispatcher";

    private readonly SingletonStateStore _store;
    private readonly ClusterView _view;
    private readonly ISingletonObserver? _observer;
    private readonly Action _onSelfDowned;
    private readonly ClusterStateTracker _tracker = new();
    private readonly Akka.Cluster.Cluster _cluster;
    private IActorRef? _versionManager;

    // REQUIRES: one per node, started by ClusterHost before the singleton manager.
    public ClusterMemberActor(SingletonStateStore store, ClusterView view, ISingletonObserver? observer, Action onSelfDowned)
    {
        _store = store;
        _view = view;
        _observer = observer;
        _onSelfDowned = onSelfDowned;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        view.ObserveEpoch(store.AcceptedEpoch);
        Receive<EpochPropose>(OnPropose);
        Receive<PersistState>(OnPersist);
        Receive<VersionsBroadcast>(OnBroadcast);
        Receive<VersionManagerStarted>(OnVersionManagerStarted);
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_versionManager))
            {
                _versionManager = null;
            }
        });
        Receive<ClusterEvent.IClusterDomainEvent>(OnClusterEvent);
        Receive<ClusterEvent.CurrentClusterState>(OnClusterEvent);
    }

    /// <summary>Props of the member actor of a node.</summary>
    public static Props Props(SingletonStateStore store, ClusterView view, ISingletonObserver? observer, Action onSelfDowned) =>
        Akka.Actor.Props.Create(() => new ClusterMemberActor(store, view, observer, onSelfDowned)).WithDispatcher(Dispatcher);

    /// <inheritdoc/>
    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, ClusterStateTracker.Subscriptions);

    /// <inheritdoc/>
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void OnClusterEvent(object e)
    {
        if (e is ClusterEvent.MemberDowned d && d.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress))
        {
            _onSelfDowned();
        }

        if (_tracker.Apply(e))
        {
            _view.SetMembership(_tracker.State);
        }
    }

    private void OnVersionManagerStarted(VersionManagerStarted started)
    {
        _versionManager = started.VersionManager;
        Context.Watch(_versionManager);
    }

    private void OnPropose(EpochPropose p)
    {
        long accepted = _store.AcceptedEpoch;
        bool ok = p.Epoch > accepted;
        if (ok)
        {
            _store.Accept(p.Epoch);
            AcceptedHigher(p.Epoch);
        }

        Sender.Tell(new EpochAck
        {
            From = _view.SelfAddress.ToMsg(),
            Epoch = p.Epoch,
            Accepted = ok,
            Highest = _store.AcceptedEpoch,
            State = _store.State,
        });
        AssertInvariants();
    }

    private void OnPersist(PersistState p)
    {
        long accepted = _store.AcceptedEpoch;
        bool ok = p.Epoch >= accepted;
        if (ok)
        {
            ManagerState stored = _store.State;
            bool stale = stored.Epoch == p.Epoch && stored.Seq > p.State.Seq;
            if (!stale)
            {
                _store.Persist(p.Epoch, p.State);
            }

            if (p.Epoch > accepted)
            {
                AcceptedHigher(p.Epoch);
            }
        }

        Sender.Tell(new PersistAck
        {
            From = _view.SelfAddress.ToMsg(),
            Epoch = p.Epoch,
            RequestId = p.RequestId,
            Accepted = ok,
            Highest = _store.AcceptedEpoch,
        });
        AssertInvariants();
    }

    private void AcceptedHigher(long epoch)
    {
        _view.ObserveEpoch(epoch);
        _observer?.OnEpochAccepted(_view.SelfAddress, epoch);
        _versionManager?.Tell(new EpochSuperseded(epoch));
    }

    private void OnBroadcast(VersionsBroadcast b)
    {
        if (!_view.TryApply(b))
        {
            _observer?.OnBroadcastRejected(_view.SelfAddress, b.Epoch);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_view.HighestEpoch >= _store.AcceptedEpoch, "the view fences every epoch this node accepted");
}
