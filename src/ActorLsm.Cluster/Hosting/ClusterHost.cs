using System.Diagnostics;
using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Cluster.Hosting;

/// <summary>
/// One node's cluster side: remoting, membership (gossip, failure detector, split-brain
/// resolver), the singleton manager hosting the version manager on the oldest member, and the
/// <see cref="IClusterView"/> the server reads. Start with <see cref="StartAsync"/>; leave
/// gracefully with <see cref="LeaveAsync"/>; <see cref="DisposeAsync"/> stops without leaving
/// (peers see a crash). Composition after Akka.Cluster: <c>Cluster</c> + <c>ClusterSingletonManager</c>
/// + a singleton proxy.
/// </summary>
public sealed class ClusterHost : IAsyncDisposable
{
    /// <summary>Where every node's singleton manager lives.</summary>
    public const string SingletonManagerPath = "/system/" + SingletonManagerName;

    private const string SingletonManagerName = "singleton-manager";
    private readonly ActorSystem _system;
    private readonly RemoteSystem _remote;
    private readonly ClusterMembership _membership;
    private readonly ClusterView _view;
    private readonly IActorRef _manager;
    private int _disposed;

    private ClusterHost(ActorSystem system, RemoteSystem remote, ClusterMembership membership, ClusterView view, IActorRef manager, ClusterHostOptions options)
    {
        Options = options;
        _system = system;
        _remote = remote;
        _membership = membership;
        _view = view;
        _manager = manager;
    }

    /// <summary>This node's incarnation (after the transport bound).</summary>
    public UniqueAddress SelfAddress => _remote.SelfAddress;

    /// <summary>The options this host was started with.</summary>
    public ClusterHostOptions Options { get; }

    /// <summary>
    /// A reference to the actor at <paramref name="path"/> (e.g. <c>/user/shards/shard-07</c>) on
    /// <paramref name="node"/>, whatever its incarnation; messages sent through it must be
    /// registered Protobuf types (<see cref="ClusterHostOptions.RegisterMessages"/>).
    /// </summary>
    public IActorRef RefFor(NodeAddress node, string path) => _remote.RefFor(node, path);

    /// <summary>The node's view of the cluster.</summary>
    public IClusterView View => _view;

    /// <summary>Completes when this node is Up.</summary>
    public Task WhenUp => _membership.WhenUp;

    /// <summary>
    /// Completes when this node must stop serving without having left: it downed itself (minority
    /// side of a partition) or was marked down or removed by others.
    /// </summary>
    public Task WhenDowned => _membership.WhenDowned;

    /// <summary>The membership facade (for status and operator commands such as down).</summary>
    public ClusterMembership Membership => _membership;

    /// <summary>
    /// Binds the transport (<see cref="ClusterHostOptions.Transport"/>, else TCP per
    /// <see cref="ClusterHostOptions.Remoting"/>), starts the cluster actors in <paramref name="system"/>
    /// (membership at <c>/system/cluster-core</c>, the singleton manager at
    /// <see cref="SingletonManagerPath"/>) and starts joining the seed nodes. Returns once started;
    /// await <see cref="WhenUp"/> for the join.
    /// </summary>
    public static async Task<ClusterHost> StartAsync(ActorSystem system, ClusterHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShardCount, 1);
        var registry = new MessageRegistry();
        RegisterMessages(registry);
        options.RegisterMessages?.Invoke(registry);
        ITransport transport = options.Transport ?? new TcpTransport(options.Remoting, system.LoggerFactory.CreateLogger<TcpTransport>());
        RemoteSystem remote = await RemoteSystem.StartAsync(system, transport, registry, cancellationToken).ConfigureAwait(false);
        UniqueAddress self = remote.SelfAddress;
        IActorRef Resolve(UniqueAddress node) => remote.RefFor(node, SingletonManagerPath);
        var view = new ClusterView(self, (target, reports) => Resolve(target).Tell(SingletonWire.ToMsg(self, reports)), (target, msg) => Resolve(target).Tell(msg));
        var ctx = new SingletonContext(
            self,
            options.Singleton,
            options.ShardCount,
            Math.Max(1, options.Membership.MinNrOfMembers),
            new SingletonStateStore(options.DataDir),
            view,
            Resolve,
            options.SingletonObserver,
            Math.Max(1, options.ReplicationFactor));
        IActorRef manager = system.SystemActorOf(Props.Create(() => new SingletonManagerActor(ctx)).WithMailbox(100_000), SingletonManagerName);
        ClusterMembership membership = await ClusterMembership.StartAsync(system, remote, options.Membership, options.ClientEndpoint, cancellationToken).ConfigureAwait(false);
        membership.StateChanged += state =>
        {
            view.SetMembership(state);
            manager.Tell(new MembershipSnapshot(state));
        };
        TimeSpan handOverTimeout = options.Singleton.HandOverRetryInterval * (SingletonManagerActor.MaxHandOverAttempts + 2);
        membership.RegisterLeaveHook(async ct =>
        {
            try
            {
                await manager.Ask<HandOverCompleted>(WaitForHandOver.Instance, handOverTimeout, ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                // Leave anyway: the successor's higher epoch fences this node's singleton.
            }
        });
        var host = new ClusterHost(system, remote, membership, view, manager, options);
        host.AssertInvariants();
        return host;
    }

    /// <summary>Registers the singleton's wire messages (Protos/singleton.proto) on <paramref name="registry"/>; idempotent.</summary>
    public static void RegisterMessages(MessageRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ClusterMembership.RegisterMessages(registry);
        registry.Register<HandOverToMe>().Register<HandOverInProgress>().Register<HandOverDone>().Register<TakeOverFromMe>()
            .Register<EpochPropose>().Register<EpochAck>().Register<PersistState>().Register<PersistAck>()
            .Register<VersionsBroadcast>().Register<ShardVersionReports>().Register<AlterInSync>();
    }

    /// <summary>
    /// Leaves gracefully: Leaving, singleton hand-over if this node runs it, Exiting; completes
    /// when the node may stop. Throws <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    public Task LeaveAsync(CancellationToken cancellationToken = default) => _membership.LeaveAsync(cancellationToken);

    /// <summary>Stops remoting, membership and the singleton manager without leaving (peers see a crash). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _membership.DisposeAsync().ConfigureAwait(false);
        _system.Stop(_manager);
        await _remote.DisposeAsync().ConfigureAwait(false);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_view.SelfAddress.Equals(_remote.SelfAddress), "the view and remoting name the same incarnation");
}
