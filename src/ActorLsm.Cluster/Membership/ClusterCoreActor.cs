using System.Diagnostics;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Membership;

/// <summary>
/// One node's membership daemon (Akka.Cluster's <c>ClusterCoreDaemon</c> with its heartbeat sender and
/// downing provider folded in): joins through the seeds, gossips the view, heartbeats the other members
/// and turns phi-accrual suspicions into reachability, runs the leader's actions and the keep-majority
/// split-brain resolver, and reports every change to the facade. Lives at <see cref="PathName"/> under
/// <c>/system</c> on every node so peers address it by path. Once this node is Down or Removed it stops
/// serving: it ignores everything and sends nothing.
/// </summary>
internal sealed partial class ClusterCoreActor : ReceiveActor
{
    /// <summary>The actor's name under <c>/system</c>.</summary>
    public const string PathName = "cluster-core";

    /// <summary>The actor's absolute path on every node.</summary>
    public const string Path = "/system/" + PathName;

    private readonly UniqueAddress _self;
    private readonly string _clientEndpoint;
    private readonly MembershipSettings _settings;
    private readonly Func<UniqueAddress, IActorRef> _refFor;
    private readonly Func<NodeAddress, IActorRef> _refForAny;
    private readonly Action<ClusterCoreReport> _report;
    private readonly HashSet<IActorRef> _subscribers = [];
    private Gossip _gossip = Gossip.Empty;
    private Gossip _published = Gossip.Empty;
    private bool _publishedConvergence;
    private bool _isMember;
    private bool _stopped;
    private UniqueAddress? _joinTarget;

    /// <summary>
    /// A daemon for <paramref name="self"/>; <paramref name="refFor"/> and <paramref name="refForAny"/> give
    /// the daemon of a peer incarnation / of whatever runs on an address; <paramref name="report"/> is
    /// called on this actor's thread after every change.
    /// </summary>
    public ClusterCoreActor(
        UniqueAddress self,
        string clientEndpoint,
        MembershipSettings settings,
        Func<UniqueAddress, IActorRef> refFor,
        Func<NodeAddress, IActorRef> refForAny,
        Action<ClusterCoreReport> report)
    {
        _self = self;
        _clientEndpoint = clientEndpoint;
        _settings = settings;
        _refFor = refFor;
        _refForAny = refForAny;
        _report = report;
        _sbr = new SplitBrainResolver(Context.System.Scheduler, settings.SplitBrainResolver.StableAfter);

        Receive<ClusterCoreMessages.Subscribe>(OnSubscribe);
        Receive<ClusterCoreMessages.Unsubscribe>(m => _subscribers.Remove(m.Subscriber));
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Receive<object>(_ => { }, _ => _stopped); // a downed or removed node serves nothing
        Receive<ClusterCoreMessages.JoinTick>(_ => OnJoinTick());
        Receive<ClusterCoreMessages.SeedTimeout>(_ => OnSeedTimeout());
        Receive<ClusterCoreMessages.JoinRetry>(_ => OnJoinRetry());
        Receive<InitJoin>(OnInitJoin);
        Receive<InitJoinAck>(OnInitJoinAck);
        Receive<Join>(OnJoin);
        Receive<Welcome>(OnWelcome);
        Receive<GossipEnvelope>(OnGossip);
        Receive<ClusterCoreMessages.GossipTick>(_ => GossipToAll());
        Receive<Heartbeat>(OnHeartbeat);
        Receive<HeartbeatRsp>(OnHeartbeatRsp);
        Receive<ClusterCoreMessages.HeartbeatTick>(_ => OnHeartbeatTick());
        Receive<ClusterCoreMessages.LeaderTick>(_ => OnLeaderTick());
        Receive<ClusterCoreMessages.LeaveSelf>(_ => Update(_gossip.WithStatus(_self, MemberStatus.Leaving), spread: true));
        Receive<ClusterCoreMessages.ConfirmExiting>(_ => Update(_gossip.ConfirmExiting(_self), spread: true));
        Receive<ClusterCoreMessages.DownNode>(m => DownAddress(m.Address));
        Receive<Down>(m => DownAddress(new NodeAddress(m.Host, (int)m.Port)));
        Receive<Leave>(m => LeaveAddress(new NodeAddress(m.Host, (int)m.Port)));
    }

    /// <inheritdoc/>
    protected override void PreStart()
    {
        IReadOnlyList<NodeAddress> seeds = _settings.SeedNodes;
        if (seeds.Count == 0 || (seeds.Count == 1 && seeds[0] == _self.Address))
        {
            JoinSelf();
            return;
        }

        StartJoining();
    }

    /// <inheritdoc/>
    protected override void PostStop() => Timers.CancelAll();

    // REQUIRES: called on the membership actor, not yet a member.
    private void StartJoining()
    {
        _joinTarget = null;
        TimeSpan resend = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, Math.Max(_settings.SeedNodeTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks)));
        Timers.StartPeriodicTimer(ClusterCoreMessages.JoinTick.Instance, ClusterCoreMessages.JoinTick.Instance, TimeSpan.Zero, resend);
        if (_settings.SeedNodes[0] == _self.Address)
        {
            Timers.StartSingleTimer(ClusterCoreMessages.SeedTimeout.Instance, ClusterCoreMessages.SeedTimeout.Instance, _settings.SeedNodeTimeout);
        }

        Timers.StartSingleTimer(ClusterCoreMessages.JoinRetry.Instance, ClusterCoreMessages.JoinRetry.Instance, _settings.RetryUnsuccessfulJoinAfter);
    }

    // REQUIRES: called on the membership actor.
    private void OnJoinTick()
    {
        if (_isMember || _joinTarget is not null)
        {
            return;
        }

        var msg = new InitJoin { From = _self.ToWire() };
        foreach (NodeAddress seed in _settings.SeedNodes)
        {
            if (seed != _self.Address)
            {
                _refForAny(seed).Tell(msg, Self);
            }
        }
    }

    // REQUIRES: called on the membership actor.
    private void OnSeedTimeout()
    {
        if (!_isMember && _joinTarget is null)
        {
            JoinSelf();
        }
    }

    // REQUIRES: called on the membership actor.
    private void OnJoinRetry()
    {
        if (!_isMember)
        {
            StartJoining();
        }
    }

    // REQUIRES: called on the membership actor.
    private void OnInitJoin(InitJoin msg)
    {
        if (_isMember && _gossip.Member(_self)?.Status is MemberStatus.Joining or MemberStatus.Up)
        {
            _refFor(msg.From.FromWire()).Tell(new InitJoinAck { From = _self.ToWire() }, Self);
        }
    }

    // REQUIRES: called on the membership actor.
    private void OnInitJoinAck(InitJoinAck msg)
    {
        if (_isMember || _joinTarget is not null)
        {
            return;
        }

        _joinTarget = msg.From.FromWire();
        Timers.Cancel(ClusterCoreMessages.SeedTimeout.Instance);
        _refFor(_joinTarget).Tell(new Join { From = _self.ToWire(), ClientEndpoint = _clientEndpoint }, Self);
        Timers.StartSingleTimer(ClusterCoreMessages.JoinRetry.Instance, ClusterCoreMessages.JoinRetry.Instance, _settings.RetryUnsuccessfulJoinAfter);
    }

    // REQUIRES: called on the membership actor.
    private void OnJoin(Join msg)
    {
        UniqueAddress joiner = msg.From.FromWire();
        if (!_isMember || _gossip.Tombstones.Contains(joiner))
        {
            return;
        }

        Update(_gossip.AddJoining(joiner, msg.ClientEndpoint), spread: true);
        _refFor(joiner).Tell(new Welcome { From = _self.ToWire(), Gossip = _gossip.ToWire() }, Self);
    }

    // REQUIRES: called on the membership actor.
    private void OnWelcome(Welcome msg)
    {
        if (_isMember)
        {
            return;
        }

        Gossip welcomed = msg.Gossip.FromWire();
        if (!welcomed.Members.ContainsKey(_self))
        {
            return;
        }

        BecomeMember();
        Update(_gossip.Merge(welcomed), spread: true);
    }

    // REQUIRES: called on the membership actor, not yet a member.
    private void JoinSelf()
    {
        BecomeMember();
        Update(Gossip.Empty.AddJoining(_self, _clientEndpoint), spread: false);
    }

    // REQUIRES: called on the membership actor.
    private void BecomeMember()
    {
        _isMember = true;
        Timers.Cancel(ClusterCoreMessages.JoinTick.Instance);
        Timers.Cancel(ClusterCoreMessages.SeedTimeout.Instance);
        Timers.Cancel(ClusterCoreMessages.JoinRetry.Instance);
        Timers.StartPeriodicTimer(ClusterCoreMessages.GossipTick.Instance, ClusterCoreMessages.GossipTick.Instance, _settings.GossipInterval);
        Timers.StartPeriodicTimer(ClusterCoreMessages.HeartbeatTick.Instance, ClusterCoreMessages.HeartbeatTick.Instance, _settings.FailureDetector.HeartbeatInterval);
        Timers.StartPeriodicTimer(ClusterCoreMessages.LeaderTick.Instance, ClusterCoreMessages.LeaderTick.Instance, _settings.LeaderActionsInterval);
    }

    // REQUIRES: called on the membership actor.
    private void OnSubscribe(ClusterCoreMessages.Subscribe msg)
    {
        if (_subscribers.Add(msg.Subscriber))
        {
            Context.Watch(msg.Subscriber);
        }

        msg.Subscriber.Tell(new CurrentClusterState(_gossip.ToState(_self)), Self);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(!_isMember || _gossip.Knows(_self), "a member's view contains itself (or its tombstone)");
        Debug.Assert(!_stopped || _isMember, "only a member can be stopped by downing or removal");
    }
}
