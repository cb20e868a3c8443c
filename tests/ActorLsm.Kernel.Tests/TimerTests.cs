using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class TimerTests() : TestKit(virtualTime: true)
{
    private static readonly TimeSpan s_quiet = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task StartPeriodicTimer_AdvanceTenIntervals_FiresTenTimes()
    {
        ActorOf(Props.Create(() => new TimerActor(TestActor, periodic: true)));
        await ExpectMsgAsync("ready");

        VirtualTime!.Advance(TimeSpan.FromSeconds(1));

        var ticks = await TestActor.ReceiveNAsync(10);
        Assert.All(ticks, t => Assert.Equal("tick", t));
        await ExpectNoMsgAsync(s_quiet);
    }

    [Fact]
    public async Task StartSingleTimer_Advance_FiresOnceThenInactive()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor, periodic: false)));
        await ExpectMsgAsync("ready");
        Assert.True(await actor.Ask<bool>("active?", TimeSpan.FromSeconds(5)));

        VirtualTime!.Advance(TimeSpan.FromSeconds(5));

        await ExpectMsgAsync("tick");
        Assert.False(await actor.Ask<bool>("active?", TimeSpan.FromSeconds(5)));
        await ExpectNoMsgAsync(s_quiet);
    }

    [Fact]
    public async Task Cancel_BeforeDue_NeverFires()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor, periodic: true)));
        await ExpectMsgAsync("ready");

        Assert.False(await actor.Ask<bool>("cancel", TimeSpan.FromSeconds(5)));
        VirtualTime!.Advance(TimeSpan.FromSeconds(1));

        await ExpectNoMsgAsync(s_quiet);
        Assert.Equal(0, VirtualTime.PendingCount);
    }

    [Fact]
    public async Task Cancel_TickAlreadyQueued_TickDropped()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor, periodic: true, gate.Task)));
        await ExpectMsgAsync("ready");
        actor.Tell("hold"); // The actor awaits the gate; its mailbox queues behind it.
        await ExpectMsgAsync("holding");

        VirtualTime!.Advance(TimeSpan.FromMilliseconds(100)); // one tick queued behind the hold
        gate.SetResult(); // the hold handler then cancels the timer before the tick is dequeued

        await ExpectMsgAsync("released");
        await ExpectNoMsgAsync(s_quiet);
    }

    [Fact]
    public async Task Timers_ActorStops_AllCancelled()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor, periodic: true)));
        await ExpectMsgAsync("ready");
        Assert.Equal(1, VirtualTime!.PendingCount);
        Watch(actor);

        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);

        Assert.Equal(0, VirtualTime.PendingCount);
    }

    private sealed class TimerActor : ReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly bool _periodic;

        public TimerActor(IActorRef probe, bool periodic, Task? gate = null)
        {
            _probe = probe;
            _periodic = periodic;
            Receive<string>(_ => _probe.Tell("tick"), s => s == "tick");
            Receive<string>(_ => Sender.Tell(Timers.IsTimerActive("t"), Self), s => s == "active?");
            Receive<string>(
                _ =>
                {
                    Timers.Cancel("t");
                    Sender.Tell(Timers.IsTimerActive("t"), Self);
                },
                s => s == "cancel");
            ReceiveAsync<string>(
                async _ =>
                {
                    _probe.Tell("holding");
                    await gate!;
                    Timers.Cancel("t");
                    _probe.Tell("released");
                },
                s => s == "hold");
        }

        protected override void PreStart()
        {
            if (_periodic)
            {
                Timers.StartPeriodicTimer("t", "tick", TimeSpan.FromMilliseconds(100));
            }
            else
            {
                Timers.StartSingleTimer("t", "tick", TimeSpan.FromSeconds(5));
            }

            _probe.Tell("ready");
        }
    }
}
