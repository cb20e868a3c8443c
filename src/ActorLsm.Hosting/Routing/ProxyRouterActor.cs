using ActorLsm.Messages;
using ActorLsm.Protocol;
using Akka.Actor;
using Akka.Cluster;

namespace ActorLsm.Hosting.Routing;

/// <summary>
/// The store's router on a member that holds no data (<see cref="ActorLsmHostingExtensions.WithActorLsmProxy"/>):
/// forwards every request (Tell with the original sender) to the router at the same path on an Up member
/// with the data role, which routes it on to the key's shard leader and answers the sender directly.
/// Keyed requests go to a member chosen by the key's hash (spreads load; any data member can route any
/// key), others round-robin. With no data member Up the request is retried with backoff, then answered
/// UNAVAILABLE. Membership comes from Akka.Cluster's events; the proxy needs no shard map.
/// </summary>
internal sealed class ProxyRouterActor : ReceiveActor, IWithTimers
{
    private readonly string _role;
    private readonly string _routerName;
    private readonly int _retries;
    private readonly TimeSpan _backoff;
    private readonly long _maxRequestBytes;
    private readonly SortedSet<Address> _members = new(Comparer<Address>.Create(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString())));
    private long _retryKeys;
    private int _next;

    public ProxyRouterActor(string role, string routerName, int retries, TimeSpan backoff, long maxRequestBytes)
    {
        _role = role;
        _routerName = routerName;
        _retries = retries;
        _backoff = backoff;
        _maxRequestBytes = maxRequestBytes;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            _members.Clear();
            foreach (Member m in state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(_role)))
            {
                _members.Add(m.Address);
            }
        });
        Receive<ClusterEvent.MemberUp>(e =>
        {
            if (e.Member.HasRole(_role))
            {
                _members.Add(e.Member.Address);
            }
        });
        Receive<ClusterEvent.MemberRemoved>(e => _members.Remove(e.Member.Address));
        Receive<ClusterEvent.UnreachableMember>(e => _members.Remove(e.Member.Address));
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            if (e.Member.Status == MemberStatus.Up && e.Member.HasRole(_role))
            {
                _members.Add(e.Member.Address);
            }
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e.Member.Status != MemberStatus.Up)
            {
                _members.Remove(e.Member.Address);
            }
        });
        Receive<RetryRequest>(r => Forward(r.Request, r.ReplyTo, r.Attempt));
        Receive<IActorLsmRequest>(r => Forward(r, Sender, 0));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// The proxy router's Props: forwards to routers named <paramref name="routerName"/> on members with
    /// <paramref name="role"/>; a write whose keys and values exceed <paramref name="maxRequestBytes"/>
    /// (<see cref="RemoteRequestLimit"/>) is answered INVALID_ARGUMENT instead.
    /// </summary>
    public static Props Props(string role, string routerName, int retries, TimeSpan backoff, long maxRequestBytes = long.MaxValue) =>
        Akka.Actor.Props.Create(() => new ProxyRouterActor(role, routerName, retries, backoff, maxRequestBytes));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Forward(IActorLsmRequest request, IActorRef replyTo, int attempt)
    {
        if (RemoteRequestLimit.PayloadBytes(request) is var bytes && bytes > _maxRequestBytes)
        {
            replyTo.Tell(RemoteRequestLimit.TooLarge(bytes, _maxRequestBytes, request.CorrelationId));
            return;
        }

        if (_members.Count == 0)
        {
            if (attempt >= _retries)
            {
                replyTo.Tell(new ActorLsmError(ErrorCode.Unavailable, $"no member with role '{_role}' is up (after {attempt} retries); retry later", request.CorrelationId));
                return;
            }

            Timers.StartSingleTimer(++_retryKeys, new RetryRequest(request, replyTo, attempt + 1), _backoff * Math.Pow(2, attempt));
            return;
        }

        int index = request is IKeyedRequest { Key: { } key }
            ? ActorLsm.Protocol.KeySlot.Of(key) % _members.Count
            : (int)((uint)_next++ % (uint)_members.Count);
        Address target = _members.ElementAt(index);
        ActorPath path = new RootActorPath(target) / "user" / _routerName;
        ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(path).Tell(request, replyTo);
    }
}
