using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class ConcurrencyTests : TestKit
{
    [Fact]
    public async Task ManyActors_ConcurrentSenders_EveryMessageCountedOnce()
    {
        const int Actors = 200;
        const int PerActor = 100;
        var counters = Enumerable.Range(0, Actors).Select(i => ActorOf(Props.Create(() => new CounterActor()), $"counter-{i}")).ToArray();

        await Parallel.ForEachAsync(
            Enumerable.Range(0, PerActor),
            (_, _) =>
            {
                foreach (var counter in counters)
                {
                    counter.Tell("inc");
                }

                return ValueTask.CompletedTask;
            });

        var counts = await Task.WhenAll(counters.Select(c => c.Ask<int>("get", TimeSpan.FromSeconds(10))));
        Assert.All(counts, c => Assert.Equal(PerActor, c));
    }

    [Fact]
    public async Task PingPong_TwoActors_TenThousandRoundTripsComplete()
    {
        var pong = ActorOf(Props.Create(() => new EchoActor()));
        ActorOf(Props.Create(() => new PingActor(pong, 10_000, TestActor)));

        Assert.Equal(10_000, await ExpectMsgAsync<int>(TimeSpan.FromSeconds(20)));
    }

    private sealed class CounterActor : ReceiveActor
    {
        private int _count;

        public CounterActor()
        {
            Receive<string>(_ => _count++, s => s == "inc");
            Receive<string>(_ => Sender.Tell(_count, Self), s => s == "get");
        }
    }

    private sealed class PingActor : ReceiveActor
    {
        private readonly IActorRef _pong;
        private int _received;

        public PingActor(IActorRef pong, int rounds, IActorRef done)
        {
            _pong = pong;
            Receive<int>(_ =>
            {
                if (++_received == rounds)
                {
                    done.Tell(_received);
                }
                else
                {
                    _pong.Tell(_received, Self);
                }
            });
        }

        protected override void PreStart() => _pong.Tell(0, Self);
    }
}
