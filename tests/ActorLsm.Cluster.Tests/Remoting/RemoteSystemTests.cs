using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;
using ActorLsm.Kernel.Testing;

namespace ActorLsm.Cluster.Tests.Remoting;

/// <summary>RemoteSystem over the in-memory network: remote Tell, Sender, replies, Ask, incarnations.</summary>
public sealed class RemoteSystemTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);
    private readonly InMemoryNetwork _network = new();
    private readonly List<IAsyncDisposable> _cleanup = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task Tell_ToRemoteActor_ArrivesWithRemoteSender()
    {
        var (systemA, remoteA) = await StartNodeAsync("a");
        var (systemB, remoteB) = await StartNodeAsync("b");
        var probeB = new TestProbe(systemB, s_wait);
        systemB.ActorOf(Props.Create(() => new Forwarder(probeB.Ref)), "target");
        var probeA = new TestProbe(systemA, s_wait);

        remoteA.RefFor(remoteB.SelfAddress.Address, "/user/target").Tell(new Ping { Id = 7, Text = "hi" }, probeA.Ref);

        Ping got = await probeB.ExpectMsgAsync<Ping>();
        Assert.Equal(7UL, got.Id);
        Assert.Equal("hi", got.Text);
        var sender = Assert.IsType<RemoteActorRef>(probeB.LastSender);
        Assert.Equal(remoteA.SelfAddress.Address, sender.Address);
        Assert.Equal(remoteA.SelfAddress.Uid, sender.Uid);
        Assert.Equal(probeA.Path, sender.Path);
        Assert.Equal(1, remoteA.SentCount);
        Assert.Equal(1, remoteB.ReceivedCount);
    }

    [Fact]
    public async Task Reply_ViaRemoteSender_ReachesOriginalSender()
    {
        var (systemA, remoteA) = await StartNodeAsync("a");
        var (systemB, remoteB) = await StartNodeAsync("b");
        systemB.ActorOf(Props.Create(() => new Echo()), "echo");
        var probeA = new TestProbe(systemA, s_wait);

        remoteA.RefFor(remoteB.SelfAddress, "/user/echo").Tell(new Ping { Id = 3 }, probeA.Ref);

        Pong pong = await probeA.ExpectMsgAsync<Pong>();
        Assert.Equal(3UL, pong.Id);
        var sender = Assert.IsType<RemoteActorRef>(probeA.LastSender);
        Assert.Equal(remoteB.SelfAddress.Uid, sender.Uid);
        Assert.Equal("/user/echo", sender.Path.ToString());
    }

    [Fact]
    public async Task Ask_AcrossTwoSystems_CompletesWithReply()
    {
        var (_, remoteA) = await StartNodeAsync("a");
        var (systemB, remoteB) = await StartNodeAsync("b");
        systemB.ActorOf(Props.Create(() => new Echo()), "echo");

        Pong pong = await remoteA.RefFor(remoteB.SelfAddress.Address, "/user/echo").Ask<Pong>(new Ping { Id = 42, Text = "ask" }, s_wait);

        Assert.Equal(42UL, pong.Id);
        Assert.Equal("ask", pong.Text);
    }

    [Fact]
    public async Task Tell_ForOldIncarnation_IsDropped()
    {
        var (_, remoteA) = await StartNodeAsync("a");
        var (systemB, remoteB) = await StartNodeAsync("b");
        var probeB = new TestProbe(systemB, s_wait);
        systemB.ActorOf(Props.Create(() => new Forwarder(probeB.Ref)), "target");
        ulong staleUid = remoteB.SelfAddress.Uid ^ 0x5555;

        remoteA.RefFor(remoteB.SelfAddress.Address, "/user/target", staleUid).Tell(new Ping { Id = 1 });
        remoteA.RefFor(remoteB.SelfAddress.Address, "/user/target", remoteB.SelfAddress.Uid).Tell(new Ping { Id = 2 });

        // Per-peer FIFO: once the second arrives the first was processed (and dropped).
        Ping got = await probeB.ExpectMsgAsync<Ping>();
        Assert.Equal(2UL, got.Id);
        Assert.Equal(1, remoteB.DroppedCount);
        Assert.Equal(2, remoteB.ReceivedCount);
        Assert.False(probeB.HasMessages);
    }

    [Fact]
    public async Task Tell_UnregisteredType_ThrowsArgumentException()
    {
        var (_, remoteA) = await StartNodeAsync("a");
        var (_, remoteB) = await StartNodeAsync("b");
        IActorRef target = remoteA.RefFor(remoteB.SelfAddress.Address, "/user/x");

        Assert.Throws<ArgumentException>(() => target.Tell("not protobuf"));
        Assert.Throws<ArgumentException>(() => target.Tell(new Handshake()));
        Assert.Equal(0, remoteA.SentCount);
    }

    [Fact]
    public async Task Receive_UnknownType_IsDroppedAndCounted()
    {
        var (_, remoteA) = await StartNodeAsync("a", MessageRegistry.WithDiagnostics().Register<Handshake>());
        var (systemB, remoteB) = await StartNodeAsync("b");
        systemB.ActorOf(Props.Create(() => new Echo()), "echo");

        remoteA.RefFor(remoteB.SelfAddress.Address, "/user/echo").Tell(new Handshake());
        Pong pong = await remoteA.RefFor(remoteB.SelfAddress.Address, "/user/echo").Ask<Pong>(new Ping { Id = 5 }, s_wait);

        Assert.Equal(5UL, pong.Id);
        Assert.Equal(1, remoteB.DroppedCount);
    }

    [Fact]
    public async Task Tell_ToMissingPath_BecomesDeadLetter()
    {
        var (_, remoteA) = await StartNodeAsync("a");
        var (systemB, remoteB) = await StartNodeAsync("b");
        var watcher = new TestProbe(systemB, s_wait);
        systemB.EventStream.Subscribe(watcher.Ref, typeof(DeadLetter));

        remoteA.RefFor(remoteB.SelfAddress.Address, "/user/nobody").Tell(new Ping { Id = 9 });

        DeadLetter dl = await watcher.ExpectMsgAsync<DeadLetter>();
        Assert.Equal(9UL, Assert.IsType<Ping>(dl.Message).Id);
        Assert.Equal("/user/nobody", dl.Recipient.Path.ToString());
    }

    [Fact]
    public async Task RefFor_SameCoordinates_AreEqual()
    {
        var (_, remoteA) = await StartNodeAsync("a");
        var node = new NodeAddress("127.0.0.1", 2552);

        Assert.Equal(remoteA.RefFor(node, "/user/x", 5), remoteA.RefFor(node, "/user/x", 5));
        Assert.NotEqual(remoteA.RefFor(node, "/user/x", 5), remoteA.RefFor(node, "/user/x", 6));
        Assert.NotEqual(remoteA.RefFor(node, "/user/x"), remoteA.RefFor(node, "/user/y"));
        Assert.Equal(remoteA.RefFor(node, "/user/x").GetHashCode(), remoteA.RefFor(node, "/user/x").GetHashCode());
    }

    [Fact]
    public async Task Associated_OnFirstMessage_BothSidesLearnPeerUid()
    {
        var (_, remoteA) = await StartNodeAsync("a");
        var (systemB, remoteB) = await StartNodeAsync("b");
        var seenByA = new TaskCompletionSource<UniqueAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seenByB = new TaskCompletionSource<UniqueAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        remoteA.Associated += p => seenByA.TrySetResult(p);
        remoteB.Associated += p => seenByB.TrySetResult(p);
        systemB.ActorOf(Props.Create(() => new Echo()), "echo");

        remoteA.RefFor(remoteB.SelfAddress.Address, "/user/echo").Tell(new Ping());

        Assert.Equal(remoteB.SelfAddress, await seenByA.Task.WaitAsync(s_wait));
        Assert.Equal(remoteA.SelfAddress, await seenByB.Task.WaitAsync(s_wait));
    }

    private async Task<(ActorSystem System, RemoteSystem Remote)> StartNodeAsync(string name, MessageRegistry? registry = null)
    {
        var system = ActorSystem.Create(name);
        _cleanup.Add(system);
        var remote = await RemoteSystem.StartAsync(system, _network.CreateTransport(new NodeAddress("127.0.0.1", 0)), registry ?? MessageRegistry.WithDiagnostics(), CancellationToken.None);
        _cleanup.Add(remote);
        return (system, remote);
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<Ping>(p => Sender.Tell(new Pong { Id = p.Id, Text = p.Text }, Self));
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(m => to.Tell(m, Sender));
    }
}
