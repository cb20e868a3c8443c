using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class LifecycleTests : TestKit
{
    [Fact]
    public async Task Lifecycle_StartAndStop_HooksInOrder()
    {
        var worker = ActorOf(Props.Create(() => new Worker(TestActor)));
        worker.Tell("work");
        Watch(worker);

        worker.Tell(PoisonPill.Instance); // Sys.Stop would overtake "work": system messages go first.

        Assert.Equal(["ctor", "preStart", "work", "postStop"], await TestActor.ReceiveNAsync(4));
        await ExpectTerminatedAsync(worker);
    }

    [Fact]
    public async Task Lifecycle_Restart_PreRestartOnOldThenPostRestartOnNew()
    {
        var worker = ActorOf(Props.Create(() => new Worker(TestActor)));
        var boom = new Boom("again");

        worker.Tell(boom);

        var sequence = await TestActor.ReceiveNAsync(7);
        Assert.Equal("ctor", sequence[0]);
        Assert.Equal("preStart", sequence[1]);
        Assert.Equal(new PreRestarted("again", boom), sequence[2]);
        Assert.Equal("postStop", sequence[3]);
        Assert.Equal("ctor", sequence[4]);
        Assert.Equal(new PostRestarted("again"), sequence[5]);
        Assert.Equal("preStart", sequence[6]);
    }

    [Fact]
    public async Task Lifecycle_ParentStops_ChildPostStopBeforeParentPostStop()
    {
        var childProps = Props.Create(() => new Worker(TestActor));
        var parent = ActorOf(Props.Create(() => new Parent(childProps, TestActor)));
        var child = await ExpectMsgAsync<IActorRef>();
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");
        Watch(parent);

        Sys.Stop(parent);

        await ExpectMsgAsync("postStop");
        await ExpectMsgAsync("parentPostStop");
        await ExpectTerminatedAsync(parent);
        Assert.False(Sys.TryResolve(child.Path, out _));
    }

    [Fact]
    public async Task Terminate_System_StopsAllActorsAndCompletes()
    {
        ActorOf(Props.Create(() => new Worker(TestActor)));
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");

        await Sys.Terminate().WaitAsync(DefaultTimeout);

        await ExpectMsgAsync("postStop");
        Assert.True(Sys.WhenTerminated.IsCompletedSuccessfully);
        Assert.Throws<InvalidOperationException>(() => Sys.ActorOf(Props.Create(() => new EchoActor())));
    }

    [Fact]
    public void ActorBase_ConstructedDirectly_ThrowsActorInitialization()
    {
        Assert.Throws<ActorInitializationException>(() => new EchoActor());
    }
}
