using System.Diagnostics;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Cluster.View;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;

namespace ActorLsm.Cluster.Hosting;

/// <summary>
/// One node's cluster side over an Akka.Cluster actor system: the node's
/// <see cref="ClusterMemberActor"/> (epoch acceptor, feed of the <see cref="IClusterView"/>) at
/// <see cref="MemberActorPath"/>, Akka's <c>ClusterSingletonManager</c> running the version manager
/// on the oldest member with role <c>actorlsm</c> at <see cref="SingletonManagerPath"/>, and a
/// <c>ClusterSingletonProxy</c> at <see cref="SingletonProxyPath"/> that carries reports to it.
/// Membership, failure detection, downing (split-brain resolver) and remoting are Akka's.
/// Start with <see cref="StartAsync"/> on a system built from <see cref="ComposeConfig"/>; leave
/// gracefully with <see cref="LeaveAsync"/>.
/// </summary>
public sealed class ClusterHost : IAsyncDisposable
{
    /// <summary>
    /// The actor-system name actorlsm-server gives its nodes (seed nodes are <c>akka.tcp://actorlsm@HOST:PORT</c>).
    /// The cluster side itself works in a system of any name (an application embedding the store names its own).
    /// </summary>
    public const string SystemName = "actorlsm";

    /// <summary>Where every node's ClusterSingletonManager for the version manager lives.</summary>
    public const string SingletonManagerPath = "/user/" + SingletonManagerName;

    /// <summary>Where every node's ClusterSingletonProxy to the version manager lives.</summary>
    public const string SingletonProxyPath = "/user/" + SingletonProxyName;

    /// <summary>Where every node's member actor (epoch acceptor, broadcast receiver) lives.</summary>
    public const string MemberActorPath = "/user/" + ClusterMemberActor.Name;

    private const string SingletonManagerName = "actorlsm-version-manager";
    private const string SingletonProxyName = "actorlsm-version-manager-proxy";
    private const string SingletonName = "version-manager";
    private readonly ActorSystem _system;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly ClusterView _view;
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _downed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IActorRef> _actors = [];
    private int _leaving;
    private int _disposed;

    private ClusterHost(ActorSystem system, ClusterView view, ClusterHostOptions options)
    {
        Options = options;
        _system = system;
        _cluster = Akka.Cluster.Cluster.Get(system);
        _view = view;
    }

    /// <summary>This node's incarnation (Akka.Cluster's self unique address).</summary>
    public UniqueAddress SelfAddress => _view.SelfAddress;

    /// <summary>The options this host was started with.</summary>
    public ClusterHostOptions Options { get; }

    /// <summary>The node's view of the cluster.</summary>
    public IClusterView View => _view;

    /// <summary>Akka's cluster extension of the node (for status and operator commands such as down).</summary>
    public Akka.Cluster.Cluster Cluster => _cluster;

    /// <summary>Completes when this node is Up (<c>Cluster.RegisterOnMemberUp</c>).</summary>
    public Task WhenUp => _up.Task;

    /// <summary>
    /// Completes when this node must stop serving without having left: it was marked Down (by the
    /// split-brain resolver on either side of a partition, or by an operator), or it was removed
    /// (<c>Cluster.RegisterOnMemberRemoved</c>, which also fires when the cluster extension shuts
    /// down) while no <see cref="LeaveAsync"/> was under way and the host was not disposed. A
    /// graceful leave does not complete it.
    /// </summary>
    public Task WhenDowned => _downed.Task;

    /// <summary>
    /// The configuration to build a node's actor system from (name it <see cref="SystemName"/>):
    /// <paramref name="config"/> (hostname, port, <c>akka.cluster.seed-nodes</c>, overrides of
    /// <c>actorlsm.cluster.*</c>) over <see cref="ClusterReferenceConfig.Default"/>, with
    /// <c>akka.cluster.roles</c> = the roles of <paramref name="config"/> plus <c>actorlsm</c> and
    /// <c>actorlsm-endpoint:</c><paramref name="clientEndpoint"/> (any other endpoint role is
    /// dropped; an empty endpoint adds none: a member embedded in an application has no client
    /// endpoint). Throws <see cref="FormatException"/> when a non-empty endpoint is not <c>host:port</c>.
    /// </summary>
    public static Config ComposeConfig(Config config, string clientEndpoint)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(clientEndpoint);
        Config full = config.WithFallback(ClusterReferenceConfig.Default);
        IEnumerable<string> roles = full.GetStringList("akka.cluster.roles", [])
            .Where(r => !r.StartsWith(ClusterRoles.EndpointPrefix, StringComparison.Ordinal))
            .Append(ClusterRoles.Member)
            .Concat(clientEndpoint.Length == 0 ? [] : [ClusterRoles.EndpointRole(clientEndpoint)])
            .Distinct(StringComparer.Ordinal);
        string list = string.Join(", ", roles.Select(r => "\"" + r.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
        return ConfigurationFactory.ParseString("akka.cluster.roles = [" + list + "]").WithFallback(full);
    }

    /// <summary>
    /// Starts the node's cluster actors in <paramref name="system"/>, which must run
    /// <c>akka.actor.provider = cluster</c> with the roles of <see cref="ComposeConfig"/> for
    /// <see cref="ClusterHostOptions.ClientEndpoint"/> (else <see cref="ArgumentException"/>; an empty
    /// endpoint needs only the role <c>actorlsm</c>). The system may have any name: paths to other
    /// members (<see cref="RefFor"/>) use the running system's name.
    /// Joining is Akka's: through <c>akka.cluster.seed-nodes</c>, or the caller's <c>Cluster.Join</c>.
    /// Returns once the actors are started; await <see cref="WhenUp"/> for the join.
    /// </summary>
    public static Task<ClusterHost> StartAsync(ActorSystem system, ClusterHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShardCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (((ExtendedActorSystem)system).Provider is not IClusterActorRefProvider)
        {
            throw new ArgumentException("the actor system must run akka.actor.provider = cluster (build it from ClusterHost.ComposeConfig)", nameof(system));
        }

        Akka.Cluster.Cluster cluster = Akka.Cluster.Cluster.Get(system);
        string? endpointRole = options.ClientEndpoint.Length == 0 ? null : ClusterRoles.EndpointRole(options.ClientEndpoint);
        if (!cluster.SelfRoles.Contains(ClusterRoles.Member) || (endpointRole is not null && !cluster.SelfRoles.Contains(endpointRole)))
        {
            throw new ArgumentException(
                $"the actor system's akka.cluster.roles must contain '{ClusterRoles.Member}'{(endpointRole is null ? string.Empty : $" and '{endpointRole}'")} (build it from ClusterHost.ComposeConfig); it has [{string.Join(", ", cluster.SelfRoles)}]",
                nameof(system));
        }

        system.Settings.InjectTopLevelFallback(ClusterSingleton.DefaultConfig());
        IActorRef proxy = system.ActorOf(
            ClusterSingletonProxy.Props(SingletonManagerPath, ClusterSingletonProxySettings.Create(system).WithRole(ClusterRoles.Member).WithSingletonName(SingletonName)),
            SingletonProxyName);
        var view = new ClusterView(UniqueAddress.FromAkka(cluster.SelfUniqueAddress), msg => proxy.Tell(msg, ActorRefs.NoSender));
        var host = new ClusterHost(system, view, options);
        host._actors.Add(proxy);
        var store = new SingletonStateStore(options.DataDir);
        host._actors.Add(system.ActorOf(ClusterMemberActor.Props(store, view, options.SingletonObserver, host.OnSelfDowned), ClusterMemberActor.Name));
        var ctx = new VersionManagerContext(
            options.Singleton,
            options.ShardCount,
            Math.Max(1, options.MinNrOfMembers),
            Math.Max(1, options.ReplicationFactor),
            options.SingletonObserver);
        // Akka's default removal margin is the split-brain resolver's stable-after: the next oldest would
        // wait that long again after the crashed member is removed. R8 makes a short one safe.
        ClusterSingletonManagerSettings managerSettings = ClusterSingletonManagerSettings.Create(system).WithRole(ClusterRoles.Member).WithSingletonName(SingletonName);
        if (options.Singleton.RemovalMargin > TimeSpan.Zero)
        {
            managerSettings = managerSettings.WithRemovalMargin(options.Singleton.RemovalMargin);
        }

        host._actors.Add(system.ActorOf(
            ClusterSingletonManager.Props(VersionManagerActor.Props(ctx, view), PoisonPill.Instance, managerSettings),
            SingletonManagerName));
        cluster.RegisterOnMemberUp(() => host._up.TrySetResult());
        cluster.RegisterOnMemberRemoved(host.OnRemoved);
        host.AssertInvariants();
        return Task.FromResult(host);
    }

    /// <summary>
    /// An <see cref="IActorRef"/> for the actor at <paramref name="path"/> (e.g.
    /// <c>/user/shards/shard-07</c>) on <paramref name="node"/>, whatever its incarnation. Resolved
    /// locally by the actor-ref provider (<c>ResolveActorRef(RootActorPath / ...)</c>): no round-trip
    /// as with <c>ActorSelection</c> + <c>Identify</c>, and Tell through it is plain Akka.Remote
    /// delivery (at most once; dead letters on the receiving node when no actor is at the path).
    /// Messages sent through it must have a serializer binding (Protobuf types are bound by
    /// Akka.Remote's <c>Google.Protobuf.IMessage</c> binding).
    /// </summary>
    public IActorRef RefFor(NodeAddress node, string path)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(path);
        Address self = _cluster.SelfAddress;
        ActorPath actorPath = new RootActorPath(node.ToAkka(self.Protocol, self.System));
        foreach (string element in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            actorPath /= element;
        }

        return ((ExtendedActorSystem)_system).Provider.ResolveActorRef(actorPath);
    }

    /// <summary>Marks <paramref name="node"/> Down (Akka's <c>Cluster.Down</c>; operator command).</summary>
    public void Down(NodeAddress node)
    {
        ArgumentNullException.ThrowIfNull(node);
        Address self = _cluster.SelfAddress;
        _cluster.Down(node.ToAkka(self.Protocol, self.System));
    }

    /// <summary>
    /// Leaves gracefully (Akka's <c>Cluster.LeaveAsync</c>): Leaving, hand-over of the version
    /// manager by Akka's singleton manager if this node runs it, Exiting, Removed; completes when
    /// this node is removed and may stop. Does not complete <see cref="WhenDowned"/>. Throws
    /// <see cref="OperationCanceledException"/> on cancellation (the leave goes on).
    /// </summary>
    public Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _leaving, 1);
        return _cluster.LeaveAsync(cancellationToken);
    }

    /// <summary>
    /// Stops this host's actors (member actor, singleton manager, proxy) without leaving. The node
    /// stays a cluster member until the caller terminates the actor system (peers then see a crash
    /// and the split-brain resolver downs it), so call it just before terminating the system, or
    /// after <see cref="LeaveAsync"/>. Idempotent.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (IActorRef actor in _actors)
            {
                _system.Stop(actor);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void OnSelfDowned() => _downed.TrySetResult();

    private void OnRemoved()
    {
        if (Volatile.Read(ref _leaving) == 0 && Volatile.Read(ref _disposed) == 0)
        {
            _downed.TrySetResult();
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_view.SelfAddress.Equals(UniqueAddress.FromAkka(_cluster.SelfUniqueAddress)), "the view and Akka name the same incarnation");
}
