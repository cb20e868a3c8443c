using System.Diagnostics;
using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Membership;

/// <summary>
/// One node's cluster membership (Akka.Cluster's <c>Cluster</c> extension): starts the membership daemon
/// on <see cref="RemoteSystem"/>, which joins through the seed nodes, gossips, detects failures (phi
/// accrual) and downs with the keep-majority split-brain resolver. Thread-safe. <see cref="LeaveAsync"/>
/// leaves gracefully; <see cref="DisposeAsync"/> stops without leaving, so peers see a crash.
/// </summary>
public sealed class ClusterMembership : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly ActorSystem _system;
    private readonly List<Func<CancellationToken, Task>> _leaveHooks = [];
    private readonly List<(Func<ClusterState, MemberStatus?, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _downed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _removed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IActorRef _core = null!; // set by StartAsync right after construction
    private ClusterState _state = ClusterState.Empty;
    private MemberStatus? _selfStatus;
    private bool _leaving;
    private int _disposed;

    private ClusterMembership(ActorSystem system, UniqueAddress self)
    {
        _system = system;
        SelfAddress = self;
    }

    /// <summary>Raised on the membership actor's thread after every change of <see cref="State"/>; keep handlers short and non-blocking.</summary>
    public event Action<ClusterState>? StateChanged;

    /// <summary>This node's incarnation (the remoting's address and uid).</summary>
    public UniqueAddress SelfAddress { get; }

    /// <summary>The latest membership view (an immutable snapshot; <see cref="ClusterState.Empty"/> before joining).</summary>
    public ClusterState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Completes when this node is Up.</summary>
    public Task WhenUp => _up.Task;

    /// <summary>
    /// Completes when this node must stop serving without having left: it downed itself (minority side of
    /// a partition), or others marked it Down or removed it.
    /// </summary>
    public Task WhenDowned => _downed.Task;

    /// <summary>Completes when this node learns it was removed (after leaving, or after being downed).</summary>
    public Task WhenRemoved => _removed.Task;

    /// <summary>
    /// Registers the membership wire messages on <paramref name="remote"/>'s registry, starts the daemon at
    /// <c>/system/cluster-core</c> of <paramref name="system"/> and starts joining the seeds of
    /// <paramref name="settings"/> (validated; <see cref="ArgumentException"/> when out of range).
    /// <paramref name="clientEndpoint"/> is the <c>host:port</c> clients use on this node. Returns at once; await
    /// <see cref="WhenUp"/> to know the node joined.
    /// </summary>
    public static Task<ClusterMembership> StartAsync(ActorSystem system, RemoteSystem remote, MembershipSettings settings, string clientEndpoint, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clientEndpoint);
        ct.ThrowIfCancellationRequested();
        settings.Validate();
        RegisterMessages(remote.Registry);
        var membership = new ClusterMembership(system, remote.SelfAddress);
        UniqueAddress self = remote.SelfAddress;
        membership._core = system.SystemActorOf(
            Props.Create(() => new ClusterCoreActor(
                self,
                clientEndpoint,
                settings,
                peer => remote.RefFor(peer, ClusterCoreActor.Path),
                address => remote.RefFor(address, ClusterCoreActor.Path),
                membership.OnReport)).WithMailbox(100_000),
            ClusterCoreActor.PathName);
        return Task.FromResult(membership);
    }

    /// <summary>Registers the membership messages (Protos/membership.proto) on <paramref name="registry"/>; idempotent.</summary>
    public static void RegisterMessages(MessageRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<InitJoin>().Register<InitJoinAck>().Register<Join>().Register<Welcome>().Register<GossipEnvelope>()
            .Register<Leave>().Register<Down>().Register<Heartbeat>().Register<HeartbeatRsp>();
    }

    /// <summary>
    /// Delivers <see cref="ClusterEvent"/>s to <paramref name="subscriber"/>: a <see cref="CurrentClusterState"/>
    /// first, then every change (until <see cref="Unsubscribe"/> or the subscriber stops).
    /// </summary>
    public void Subscribe(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        _core.Tell(new ClusterCoreMessages.Subscribe(subscriber));
    }

    /// <summary>Stops delivering events to <paramref name="subscriber"/>.</summary>
    public void Unsubscribe(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        _core.Tell(new ClusterCoreMessages.Unsubscribe(subscriber));
    }

    /// <summary>
    /// Adds a hook <see cref="LeaveAsync"/> runs once this node is Leaving and before it lets the leader
    /// remove it (the singleton manager hands over here). Hooks run one after another in registration order.
    /// </summary>
    public void RegisterLeaveHook(Func<CancellationToken, Task> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        lock (_lock)
        {
            _leaveHooks.Add(hook);
        }
    }

    /// <summary>
    /// Leaves gracefully: marks this node Leaving, runs the leave hooks, then lets the leader move it to
    /// Exiting; completes once Exiting has been seen by every reachable member (or the node was removed or
    /// downed meanwhile). Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        List<Func<CancellationToken, Task>> hooks;
        lock (_lock)
        {
            _leaving = true;
            hooks = [.. _leaveHooks];
        }

        _core.Tell(ClusterCoreMessages.LeaveSelf.Instance);
        await WaitForAsync((_, s) => s is >= MemberStatus.Leaving, cancellationToken).ConfigureAwait(false);
        foreach (Func<CancellationToken, Task> hook in hooks)
        {
            await hook(cancellationToken).ConfigureAwait(false);
        }

        _core.Tell(ClusterCoreMessages.ConfirmExiting.Instance);
        await WaitForAsync((state, s) => s is MemberStatus.Removed or MemberStatus.Down || (s == MemberStatus.Exiting && state.HasConvergence), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks every incarnation on <paramref name="address"/> Down (Akka's <c>Cluster.Down</c>); the leader then removes it.</summary>
    public void Down(NodeAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _core.Tell(new ClusterCoreMessages.DownNode(address));
    }

    /// <summary>Stops the membership daemon without leaving: peers see this node as crashed.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _system.Stop(_core);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Waits until the reported view satisfies <paramref name="condition"/> (checked at once and after every change).</summary>
    internal async Task WaitForAsync(Func<ClusterState, MemberStatus?, bool> condition, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition(_state, _selfStatus))
            {
                return;
            }

            _waiters.Add((condition, done));
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // REQUIRES: called on the membership actor's thread.
    private void OnReport(ClusterCoreReport report)
    {
        List<TaskCompletionSource> ready = [];
        lock (_lock)
        {
            _state = report.State;
            _selfStatus = report.SelfStatus;
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(_state, _selfStatus))
                {
                    ready.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }

            AssertInvariants();
        }

        if (report.SelfStatus is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
        {
            _up.TrySetResult();
        }

        bool leaving;
        lock (_lock)
        {
            leaving = _leaving;
        }

        if (report.SelfStatus == MemberStatus.Down || (report.SelfStatus == MemberStatus.Removed && !leaving))
        {
            _downed.TrySetResult();
        }

        if (report.SelfStatus == MemberStatus.Removed)
        {
            _removed.TrySetResult();
        }

        ready.ForEach(t => t.TrySetResult());
        StateChanged?.Invoke(report.State);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_state is not null, "the state is never null");
}
