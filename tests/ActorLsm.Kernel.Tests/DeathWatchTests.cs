using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class DeathWatchTests : TestKit
{
    [Fact]
    public async Task Watch_TargetStops_WatcherActorReceivesTerminated()
    {
        var target = ActorOf(Props.Create(() => new BlackHoleActor()));
        ActorOf(Props.Create(() => new WatcherActor(target, TestActor)));
        await ExpectMsgAsync("watching");

        Sys.Stop(target);

        var terminated = await ExpectMsgAsync<Terminated>();
        Assert.Same(target, terminated.ActorRef);
        Assert.Same(target, LastSender);
    }

    [Fact]
    public async Task Watch_TargetAlreadyStopped_TerminatedDeliveredAtOnce()
    {
        var target = ActorOf(Props.Create(() => new BlackHoleActor()));
        Watch(target);
        target.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(target);

        ActorOf(Props.Create(() => new WatcherActor(target, TestActor)));

        await ExpectMsgAsync("watching");
        Assert.Same(target, (await ExpectMsgAsync<Terminated>()).ActorRef);
    }

    [Fact]
    public async Task Unwatch_BeforeTargetStops_NoTerminated()
    {
        var target = ActorOf(Props.Create(() => new BlackHoleActor()));
        var watcher = ActorOf(Props.Create(() => new WatcherActor(target, TestActor)));
        await ExpectMsgAsync("watching");
        watcher.Tell("unwatch");
        await ExpectMsgAsync("unwatched");
        Watch(target);

        Sys.Stop(target);

        await ExpectTerminatedAsync(target); // the probe's own watch fires, the actor's does not
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public async Task PoisonPill_AfterEarlierMessages_ProcessedInOrderThenStops()
    {
        var forwarder = ActorOf(Props.Create(() => new ForwardActor(TestActor)));
        Watch(forwarder);

        forwarder.Tell("first");
        forwarder.Tell(PoisonPill.Instance);
        forwarder.Tell("never");

        await ExpectMsgAsync("first");
        await ExpectTerminatedAsync(forwarder);
    }

    [Fact]
    public async Task Watch_ActorWatchesProbe_ProbeStopDeliversTerminated()
    {
        var probe = CreateTestProbe();
        ActorOf(Props.Create(() => new WatcherActor(probe.Ref, TestActor)));
        await ExpectMsgAsync("watching");

        probe.Ref.AsInternal()!.SendSystem(Terminate.Instance);

        Assert.Same(probe.Ref, (await ExpectMsgAsync<Terminated>()).ActorRef);
    }

    private sealed class WatcherActor : ReceiveActor
    {
        private readonly IActorRef _target;
        private readonly IActorRef _probe;

        public WatcherActor(IActorRef target, IActorRef probe)
        {
            _target = target;
            _probe = probe;
            Receive<Terminated>(t => _probe.Tell(t, Sender));
            Receive<string>(_ =>
            {
                Context.Unwatch(_target);
                _probe.Tell("unwatched");
            });
        }

        protected override void PreStart()
        {
            Context.Watch(_target);
            _probe.Tell("watching");
        }
    }
}
