using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class SupervisionTests : TestKit
{
    private static readonly TimeSpan s_quiet = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task Restart_DefaultStrategyOnTopLevelActor_NewInstanceWithFreshState()
    {
        var worker = ActorOf(Props.Create(() => new Worker(TestActor)));
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");
        worker.Tell("a");
        await ExpectMsgAsync("a");

        var boom = new Boom("crash");
        worker.Tell(boom);

        var pre = await ExpectMsgAsync<PreRestarted>();
        Assert.Equal("crash", pre.Reason);
        Assert.Same(boom, pre.Message);
        await ExpectMsgAsync("postStop");
        await ExpectMsgAsync("ctor");
        Assert.Equal("crash", (await ExpectMsgAsync<PostRestarted>()).Reason);
        await ExpectMsgAsync("preStart");
        Assert.Equal(0, await worker.Ask<int>("count", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Resume_StrategyResume_KeepsStateAndInstance()
    {
        var strategy = new OneForOneStrategy(_ => Directive.Resume);
        var child = await StartChildAsync(strategy);
        child.Tell("a");
        child.Tell("b");
        child.Tell(new Boom("transient"));

        Assert.Equal(2, await child.Ask<int>("count", TimeSpan.FromSeconds(5)));
        await ExpectMsgAsync("a");
        await ExpectMsgAsync("b");
        await ExpectNoMsgAsync(s_quiet);
    }

    [Fact]
    public async Task Stop_StrategyStop_ChildTerminated()
    {
        var child = await StartChildAsync(SupervisorStrategy.StoppingStrategy);
        var watcher = CreateTestProbe();
        watcher.Watch(child);

        child.Tell(new Boom("fatal"));

        await ExpectMsgAsync("postStop");
        await watcher.ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task Escalate_StrategyEscalate_GrandparentDecidesOnSameException()
    {
        var decisions = CreateTestProbe();
        var grandparentStrategy = new OneForOneStrategy(ex =>
        {
            decisions.Tell(ex);
            return Directive.Stop;
        });
        var escalating = new OneForOneStrategy(_ => Directive.Escalate);
        var childProps = Props.Create(() => new Worker(TestActor));
        var parentProps = Props.Create(() => new Parent(childProps, TestActor)).WithSupervisorStrategy(escalating);
        var grandparent = ActorOf(Props.Create(() => new Parent(parentProps, TestActor)).WithSupervisorStrategy(grandparentStrategy));
        var parent = await ExpectMsgAsync<IActorRef>();
        var child = await ExpectMsgAsync<IActorRef>();
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");
        Watch(parent);

        var error = new InvalidOperationException("escalate me");
        child.Tell(new Boom(error));

        Assert.Same(error, await decisions.ExpectMsgAsync<InvalidOperationException>());
        await ExpectMsgAsync("postStop");
        await ExpectMsgAsync("parentPostStop");
        await ExpectTerminatedAsync(parent);
        Assert.NotNull(grandparent);
    }

    [Fact]
    public async Task Restart_MaxRetriesExceeded_ChildStopped()
    {
        var strategy = new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart);
        var child = await StartChildAsync(strategy);
        var watcher = CreateTestProbe();
        watcher.Watch(child);

        for (var i = 1; i <= 2; i++)
        {
            child.Tell(new Boom($"crash {i}"));
            await FishForMessageAsync<PostRestarted>(p => p.Reason == $"crash {i}");
        }

        child.Tell(new Boom("crash 3"));

        await watcher.ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task DefaultDecider_ConstructorThrows_ActorStopped()
    {
        var broken = ActorOf(Props.Create<BrokenActor>());

        Watch(broken);

        await ExpectTerminatedAsync(broken);
    }

    [Fact]
    public async Task Kill_DefaultDecider_ActorStopped()
    {
        var worker = ActorOf(Props.Create(() => new Worker(TestActor)));
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");
        var watcher = CreateTestProbe();
        watcher.Watch(worker);

        worker.Tell(Kill.Instance);

        await ExpectMsgAsync("postStop");
        await watcher.ExpectTerminatedAsync(worker);
    }

    [Fact]
    public async Task Restart_ParentRestarts_OldChildStoppedBeforeNewChildTakesItsName()
    {
        var childProps = Props.Create(() => new Worker(TestActor));
        var parent = ActorOf(Props.Create(() => new RestartableParent(childProps, TestActor)));
        var firstChild = await ExpectMsgAsync<IActorRef>();
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");

        parent.Tell(new Boom("parent crash"));

        await ExpectMsgAsync("postStop");
        var secondChild = await ExpectMsgAsync<IActorRef>();
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");
        Assert.Equal(firstChild.Path, secondChild.Path);
        Assert.NotSame(firstChild, secondChild);
        Assert.True(Sys.TryResolve(secondChild.Path, out var resolved));
        Assert.Same(secondChild, resolved);
    }

    private async Task<IActorRef> StartChildAsync(SupervisorStrategy strategy)
    {
        var childProps = Props.Create(() => new Worker(TestActor));
        ActorOf(Props.Create(() => new Parent(childProps, TestActor)).WithSupervisorStrategy(strategy));
        var child = await ExpectMsgAsync<IActorRef>();
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");
        return child;
    }

    private sealed class RestartableParent : ReceiveActor
    {
        private readonly Props _childProps;
        private readonly IActorRef _probe;

        public RestartableParent(Props childProps, IActorRef probe)
        {
            _childProps = childProps;
            _probe = probe;
            Receive<Boom>(b => throw b.Error);
        }

        protected override void PreStart() => _probe.Tell(Context.ActorOf(_childProps, "child"));
    }

    private sealed class BrokenActor : ActorBase
    {
        public BrokenActor() => throw new InvalidOperationException("cannot construct");

        protected override bool Receive(object message) => true;
    }
}
