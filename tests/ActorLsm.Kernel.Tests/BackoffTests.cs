using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class BackoffTests() : TestKit(virtualTime: true)
{
    private static readonly TimeSpan s_quiet = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task Restart_WithBackoff_NewInstanceWaitsExponentialDelayOnVirtualTime()
    {
        var strategy = new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, _ => Directive.Restart, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        var childProps = Props.Create(() => new Worker(TestActor));
        ActorOf(Props.Create(() => new Parent(childProps, TestActor)).WithSupervisorStrategy(strategy));
        var child = await ExpectMsgAsync<IActorRef>();
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");

        // Restarts 1, 2, 3 wait 1 s, 2 s, then 3 s (capped).
        foreach (var expected in new[] { 1000, 2000, 3000 })
        {
            child.Tell(new Boom("crash"));
            await ExpectMsgAsync<PreRestarted>();
            await ExpectMsgAsync("postStop");
            await VirtualTime!.WaitForPendingAsync(1, DefaultTimeout);
            child.Tell("queued");

            VirtualTime.Advance(TimeSpan.FromMilliseconds(expected - 1));
            await ExpectNoMsgAsync(s_quiet);
            VirtualTime.Advance(TimeSpan.FromMilliseconds(1));

            await ExpectMsgAsync("ctor");
            await ExpectMsgAsync<PostRestarted>();
            await ExpectMsgAsync("preStart");
            await ExpectMsgAsync("queued");
        }
    }

    [Fact]
    public async Task Restart_StoppedDuringBackoff_NeverRestarts()
    {
        var strategy = new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, _ => Directive.Restart, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        var childProps = Props.Create(() => new Worker(TestActor));
        ActorOf(Props.Create(() => new Parent(childProps, TestActor)).WithSupervisorStrategy(strategy));
        var child = await ExpectMsgAsync<IActorRef>();
        await ExpectMsgAsync("ctor");
        await ExpectMsgAsync("preStart");
        child.Tell(new Boom("crash"));
        await ExpectMsgAsync<PreRestarted>();
        await ExpectMsgAsync("postStop");
        Watch(child);

        Sys.Stop(child);
        await ExpectTerminatedAsync(child);
        VirtualTime!.Advance(TimeSpan.FromSeconds(10));

        await ExpectNoMsgAsync(s_quiet);
        Assert.Equal(0, VirtualTime.PendingCount);
    }
}
