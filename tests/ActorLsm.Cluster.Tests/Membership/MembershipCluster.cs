using System.Collections.Concurrent;
using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Remoting;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Tests.Membership;

/// <summary>
/// Several in-process nodes (own ActorSystem, RemoteSystem and ClusterMembership each) over one
/// transport factory, with shortened protocol timings; disposes everything it started.
/// </summary>
internal sealed class MembershipCluster : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly Func<NodeAddress, ITransport> _transports;
    private readonly List<IAsyncDisposable> _cleanup = [];

    public MembershipCluster(Func<NodeAddress, ITransport> transports, int seedCount = 2)
    {
        _transports = transports;
        Settings = new MembershipSettings
        {
            SeedNodes = Enumerable.Range(0, seedCount).Select(Address).ToArray(),
            SeedNodeTimeout = TimeSpan.FromMilliseconds(500),
            RetryUnsuccessfulJoinAfter = TimeSpan.FromSeconds(3),
            GossipInterval = TimeSpan.FromMilliseconds(100),
            LeaderActionsInterval = TimeSpan.FromMilliseconds(100),
            FailureDetector = new FailureDetectorSettings
            {
                HeartbeatInterval = TimeSpan.FromMilliseconds(100),
                AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1000),
                ExpectedResponseAfter = TimeSpan.FromMilliseconds(300),
            },
            SplitBrainResolver = new SplitBrainResolverSettings { StableAfter = TimeSpan.FromSeconds(1) },
        };
    }

    public MembershipSettings Settings { get; }

    /// <summary>The remoting address of node <paramref name="index"/> (0-based): 127.0.0.1:2551+index.</summary>
    public static NodeAddress Address(int index) => new("127.0.0.1", 2551 + index);

    public async Task<Node> StartNodeAsync(int index)
    {
        var system = ActorSystem.Create("node" + index);
        var remote = await RemoteSystem.StartAsync(system, _transports(Address(index)), new MessageRegistry());
        ClusterMembership membership = await ClusterMembership.StartAsync(system, remote, Settings, "127.0.0.1:" + (7401 + index));
        var node = new Node(system, remote, membership);
        _cleanup.Add(node);
        var recorder = system.ActorOf(Props.Create(() => new EventRecorder(node.Events)), "events");
        membership.Subscribe(recorder);
        return node;
    }

    public async Task<List<Node>> StartNodesAsync(int count)
    {
        var nodes = new List<Node>();
        for (int i = 0; i < count; i++)
        {
            nodes.Add(await StartNodeAsync(i));
        }

        return nodes;
    }

    /// <summary>Waits until every node in <paramref name="nodes"/> sees exactly them, all Up, with convergence.</summary>
    public static Task AllUpAsync(IReadOnlyList<Node> nodes) =>
        WaitUntilAsync(
            () => nodes.All(n =>
            {
                ClusterState s = n.Membership.State;
                return s.HasConvergence && s.Members.Count == nodes.Count && s.Members.All(m => m.Status == MemberStatus.Up)
                    && nodes.All(o => s.Members.Any(m => m.UniqueAddress == o.Self));
            }),
            () => "all up: " + string.Join(" | ", nodes.Select(n => Describe(n.Membership.State))));

    public static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        DateTime deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("timed out waiting for " + describe());
            }

            await Task.Delay(20);
        }
    }

    public static string Describe(ClusterState s) =>
        string.Join(",", s.Members.Select(m => $"{m.Address.Port}/{m.UniqueAddress.Uid % 1000}:{m.Status}{(s.Unreachable.Contains(m.UniqueAddress) ? "!" : "")}"))
        + (s.HasConvergence ? " conv" : " noconv") + " leader=" + s.Leader?.Address.Port;

    public async ValueTask DisposeAsync()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i].DisposeAsync();
        }
    }

    internal sealed class Node(ActorSystem system, RemoteSystem remote, ClusterMembership membership) : IAsyncDisposable
    {
        private int _disposed;

        public ActorSystem System => system;

        public RemoteSystem Remote => remote;

        public ClusterMembership Membership => membership;

        public UniqueAddress Self => membership.SelfAddress;

        public ConcurrentQueue<ClusterEvent> Events { get; } = new();

        /// <summary>True when this node recorded an event of type <typeparamref name="T"/> about <paramref name="who"/>.</summary>
        public bool Saw<T>(UniqueAddress who)
            where T : MemberEvent => Events.OfType<T>().Any(e => e.Member.UniqueAddress == who);

        /// <summary>Stops without leaving: membership, remoting, actor system (a crash, as peers see it).</summary>
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await membership.DisposeAsync();
                await remote.DisposeAsync();
                await system.DisposeAsync();
            }
        }
    }

    private sealed class EventRecorder : ReceiveActor
    {
        public EventRecorder(ConcurrentQueue<ClusterEvent> events) => Receive<ClusterEvent>(events.Enqueue);
    }
}
