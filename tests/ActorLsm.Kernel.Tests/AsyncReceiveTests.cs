using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class AsyncReceiveTests : TestKit
{
    [Fact]
    public async Task ReceiveAsync_SlowHandlers_OneMessageAtATime()
    {
        var actor = ActorOf(Props.Create(() => new SlowActor(TestActor)));
        await ExpectMsgAsync("preStart");

        for (var i = 0; i < 5; i++)
        {
            actor.Tell(i);
        }

        var expected = Enumerable.Range(0, 5).SelectMany(i => new object[] { $"start {i}", $"end {i}" });
        Assert.Equal(expected, await TestActor.ReceiveNAsync(10));
    }

    [Fact]
    public async Task ReceiveAsync_AfterAwait_SenderStillOriginal()
    {
        var actor = ActorOf(Props.Create(() => new SlowActor(TestActor)));

        var reply = await actor.Ask<string>("reply", TimeSpan.FromSeconds(5));

        Assert.Equal("done", reply);
    }

    [Fact]
    public async Task ReceiveAsync_TaskFaults_ActorRestarted()
    {
        var actor = ActorOf(Props.Create(() => new SlowActor(TestActor)));
        await ExpectMsgAsync("preStart");

        actor.Tell(new Boom("async failure"));

        await ExpectMsgAsync("preStart");
        Assert.Equal("done", await actor.Ask<string>("reply", TimeSpan.FromSeconds(5)));
    }

    private sealed class SlowActor : ReceiveActor
    {
        private readonly IActorRef _probe;

        public SlowActor(IActorRef probe)
        {
            _probe = probe;
            ReceiveAsync<int>(async i =>
            {
                probe.Tell($"start {i}");
                await Task.Yield();
                await Task.Delay(5);
                probe.Tell($"end {i}");
            });
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                await Task.Delay(5);
                Sender.Tell("done", Self);
            });
            ReceiveAsync<Boom>(async b =>
            {
                await Task.Yield();
                throw b.Error;
            });
        }

        protected override void PreStart() => _probe.Tell("preStart");
    }
}
