using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.View;
using ActorLsm.Hosting.Routing;
using ActorLsm.Messages;
using ActorLsm.Protocol;
using ActorLsm.Shards;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorLsm.Hosting.Tests.Routing;

/// <summary>
/// The router of a cluster member forwards a key to its shard's leader in the member's map, except to a
/// leader that the member's membership view has unreachable, down or removed: the version manager is
/// replacing that map, and a request sent there would be lost and wait out its caller's whole timeout.
/// The member's view is a stub; the remote routers are test probes.
/// </summary>
public sealed class ActorLsmRouterActorTests : TestKit, IAsyncLifetime
{
    private static readonly NodeAddress s_self = new("127.0.0.1", 1);
    private static readonly NodeAddress s_crashed = new("127.0.0.1", 2);
    private static readonly NodeAddress s_survivor = new("127.0.0.1", 3);
    private readonly TestDirectory _dir = new();
    private ShardedNode? _node;

    public ActorLsmRouterActorTests()
        : base(ShardedNode.DefaultConfig)
    {
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task RouteKeyed_LeaderUnreachableInTheMembersView_WaitsForTheNewMapAndForwardsThere()
    {
        _node = await ShardedNode.StartAsync(Sys, new ShardedNodeOptions { DataDir = _dir.Path, ShardCount = 1, RouterName = "router-test-shards" });
        var view = new StubView(s_self)
        {
            ShardMap = Map(s_crashed, version: 1),
            Membership = Members(unreachable: s_crashed),
        };
        TestProbe crashed = CreateTestProbe();
        TestProbe survivor = CreateTestProbe();
        IActorRef router = Sys.ActorOf(ActorLsmRouterActor.Props(new RouterSettings(
            _node,
            view,
            a => a == s_crashed ? crashed.Ref : a == s_survivor ? survivor.Ref : throw new InvalidOperationException($"no router at {a}"),
            MaxScanLimit: 1000,
            Retries: 20,
            Backoff: TimeSpan.FromMilliseconds(20),
            RequestTimeout: TimeSpan.FromSeconds(10))));

        router.Tell(new Get([1, 2, 3]), TestActor);
        crashed.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // held: its leader is unreachable here

        view.ShardMap = Map(s_survivor, version: 2); // the version manager moved the leadership
        Get forwarded = survivor.ExpectMsg<Get>(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2, 3], forwarded.Key);
        Assert.Equal(TestActor, survivor.LastSender); // forwarded with the caller as the sender
        crashed.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // and not answered UNAVAILABLE meanwhile
    }

    [Fact]
    public async Task RouteKeyed_LeaderReachable_ForwardsAtOnce()
    {
        TestProbe survivor = CreateTestProbe();
        IActorRef router = Sys.ActorOf(ActorLsmRouterActor.Props(await SurvivorLeadsAsync(survivor.Ref, TimeSpan.FromMilliseconds(20))));

        router.Tell(new Get([7]), TestActor);
        Assert.Equal([7], survivor.ExpectMsg<Get>(TimeSpan.FromSeconds(5)).Key);
    }

    [Fact]
    public async Task RouteKeyed_ForwardedByAMemberItsMapNamesAsLeader_WaitsTwoBackoffsThenAnswersUnavailableSoTheCallerRoutesAgain()
    {
        TestProbe survivorRouter = CreateTestProbe();
        TestProbe caller = CreateTestProbe();
        IActorRef router = Sys.ActorOf(ActorLsmRouterActor.Props(await SurvivorLeadsAsync(survivorRouter.Ref, TimeSpan.FromMilliseconds(50))));

        // The survivor's router forwarded its caller's get here (its map names this member); this member's map names the survivor.
        router.Tell(new Get([5], CorrelationId: 9), new RemoteCaller(caller.Ref, s_survivor));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ActorLsmError error = caller.ExpectMsg<ActorLsmError>(TimeSpan.FromSeconds(5));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Equal(9, error.CorrelationId);
        Assert.Contains("disagree", error.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3)); // 50 + 100 ms of waiting for a newer map first, not the 20 retries
        survivorRouter.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // never sent back to the member it came from
    }

    [Fact]
    public async Task RouteKeyed_PutOverTheRemoteFrameForARemoteLeader_InvalidArgumentAndNothingSent()
    {
        // Akka.Remote would drop the message (over maximum-frame-size) and the caller would wait out its timeout.
        TestProbe survivor = CreateTestProbe();
        RouterSettings settings = await SurvivorLeadsAsync(survivor.Ref, TimeSpan.FromMilliseconds(20));
        IActorRef router = Sys.ActorOf(ActorLsmRouterActor.Props(settings with { MaxRemoteRequestBytes = 1000 }));

        router.Tell(new Put([1], new byte[1000], CorrelationId: 4), TestActor);
        ActorLsmError error = ExpectMsg<ActorLsmError>(TimeSpan.FromSeconds(5));
        router.Tell(new WriteBatch([new WriteOp([1], new byte[600]), new WriteOp([2], new byte[600])], CorrelationId: 5), TestActor);
        ActorLsmError batchError = ExpectMsg<ActorLsmError>(TimeSpan.FromSeconds(5));
        router.Tell(new Put([1], new byte[999], CorrelationId: 6), TestActor); // 1 + 999 bytes: at the limit, sent

        Assert.Equal((ErrorCode.InvalidArgument, 4L), (error.Code, error.CorrelationId));
        Assert.Contains("1001 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", error.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorCode.InvalidArgument, 5L), (batchError.Code, batchError.CorrelationId));
        Assert.Equal(6, survivor.ExpectMsg<Put>(TimeSpan.FromSeconds(5)).CorrelationId); // the first two never left
    }

    /// <summary>
    /// Starts this member's one-shard node and returns router settings for a view whose map names the
    /// survivor as the leader (the crashed member unreachable); <paramref name="survivorRouter"/> plays
    /// the survivor's router.
    /// </summary>
    private async Task<RouterSettings> SurvivorLeadsAsync(IActorRef survivorRouter, TimeSpan backoff)
    {
        _node = await ShardedNode.StartAsync(Sys, new ShardedNodeOptions { DataDir = _dir.Path, ShardCount = 1, RouterName = "router-test-shards" });
        var view = new StubView(s_self) { ShardMap = Map(s_survivor, version: 1), Membership = Members(unreachable: s_crashed) };
        return new RouterSettings(_node, view, _ => survivorRouter, MaxScanLimit: 1000, Retries: 20, Backoff: backoff, RequestTimeout: TimeSpan.FromSeconds(10));
    }

    private static ShardMap Map(NodeAddress leader, long version) =>
        new(version, 1, 1, [new ShardAssignment(0, leader, null, [s_self, s_crashed, s_survivor], [s_self, s_crashed, s_survivor], version, true, 0)]);

    private static ClusterState Members(NodeAddress unreachable)
    {
        Member[] members = [.. new[] { s_self, s_crashed, s_survivor }.Select((a, i) => new Member(new UniqueAddress(a, (ulong)(i + 1)), MemberStatus.Up, i + 1, string.Empty))];
        return new ClusterState(members, new HashSet<UniqueAddress>(members.Where(m => m.Address == unreachable).Select(m => m.UniqueAddress)), members[0].UniqueAddress, true);
    }

    /// <summary>The reply-to of a request forwarded by another member's router: an actor at that member's address, played by a probe.</summary>
    private sealed class RemoteCaller(IActorRef probe, NodeAddress member) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka.tcp", "test", member.Host, member.Port)) / "temp" / "ask";

        public override IActorRefProvider Provider => throw new NotSupportedException();

        protected override void TellInternal(object message, IActorRef sender) => probe.Tell(message, sender);
    }

    private sealed class StubView(NodeAddress self) : IClusterView
    {
        public UniqueAddress SelfAddress { get; } = new(self, 1);

        public ClusterState Membership { get; set; } = ClusterState.Empty;

        public UniqueAddress? Singleton => null;

        public ClusterVersions Versions => throw new NotSupportedException();

        public ShardMap? ShardMap { get; set; }

        public event Action? Changed
        {
            add { }
            remove { }
        }

        public void ReportShardVersions(IReadOnlyList<ShardVersionReport> reports)
        {
        }
    }
}
