using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;

namespace ActorLsm.Benchmarks.Actors;

/// <summary>
/// Messages per second through Akka.NET's local message path: ping-pong Tell between two actors
/// (each message waits for the previous one) and one-way bursts from one actor to another
/// (pipelined through the mailbox), on the default dispatcher and on the shards' I/O dispatcher
/// (<c>actorlsm.io-dispatcher</c> from ShardedNode.DefaultConfig). Reported time is per message
/// (OperationsPerInvoke); msgs/s = 1e9 / mean ns.
/// </summary>
[MemoryDiagnoser]
public class AkkaMessagingBenchmarks
{
    private const int RoundTrips = 20_000;
    private const int Burst = 100_000;

    private ActorSystem _system = null!;
    private IActorRef _pinger = null!;
    private IActorRef _burster = null!;

    /// <summary>Dispatcher of the four actors: Akka's default (the .NET thread pool) or the shards' dedicated one.</summary>
    [Params("akka.actor.default-dispatcher", Shards.ShardedNodeOptions.DefaultDispatcher)]
    public string Dispatcher { get; set; } = "akka.actor.default-dispatcher";

    [GlobalSetup]
    public void Setup()
    {
        Config config = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(Shards.ShardedNode.DefaultConfig);
        _system = ActorSystem.Create("bench-messaging", config);
        IActorRef ponger = _system.ActorOf(Props.Create(() => new Ponger()).WithDispatcher(Dispatcher), "ponger");
        _pinger = _system.ActorOf(Props.Create(() => new Pinger(ponger)).WithDispatcher(Dispatcher), "pinger");
        IActorRef sink = _system.ActorOf(Props.Create(() => new Sink()).WithDispatcher(Dispatcher), "sink");
        _burster = _system.ActorOf(Props.Create(() => new Burster(sink)).WithDispatcher(Dispatcher), "burster");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    /// <summary>Two messages per round trip; time is per message.</summary>
    [Benchmark(OperationsPerInvoke = RoundTrips * 2)]
    public Task PingPong()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pinger.Tell(new Start(RoundTrips, done));
        return done.Task;
    }

    /// <summary>One actor tells <see cref="Burst"/> messages to another; time is per message.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public Task OneWayBurst()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _burster.Tell(new Start(Burst, done));
        return done.Task;
    }

    private sealed record Start(int Count, TaskCompletionSource Done);

    private sealed record Expect(int Count, TaskCompletionSource Done);

    private sealed class Ponger : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }

    private sealed class Pinger(IActorRef ponger) : UntypedActor
    {
        private static readonly object s_ball = new();
        private int _left;
        private TaskCompletionSource? _done;

        protected override void OnReceive(object message)
        {
            if (message is Start start)
            {
                _left = start.Count;
                _done = start.Done;
                ponger.Tell(s_ball, Self);
            }
            else if (--_left == 0)
            {
                _done!.TrySetResult();
            }
            else
            {
                ponger.Tell(s_ball, Self);
            }
        }
    }

    private sealed class Burster(IActorRef sink) : UntypedActor
    {
        private static readonly object s_item = new();

        protected override void OnReceive(object message)
        {
            var start = (Start)message;
            sink.Tell(new Expect(start.Count, start.Done), Self);
            for (int i = 0; i < start.Count; i++)
            {
                sink.Tell(s_item, Self);
            }
        }
    }

    private sealed class Sink : UntypedActor
    {
        private int _left;
        private TaskCompletionSource? _done;

        protected override void OnReceive(object message)
        {
            if (message is Expect expect)
            {
                _left = expect.Count;
                _done = expect.Done;
            }
            else if (--_left == 0)
            {
                _done!.TrySetResult();
            }
        }
    }
}
