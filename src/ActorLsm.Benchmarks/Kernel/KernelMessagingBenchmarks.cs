using ActorLsm.Kernel;
using BenchmarkDotNet.Attributes;

namespace ActorLsm.Benchmarks.Kernel;

/// <summary>
/// Messages per second through the actor kernel: ping-pong between two actors (each message waits for
/// the previous one), and one-way bursts from one actor to another (pipelined through the mailbox).
/// Reported time is per message (OperationsPerInvoke); msgs/s = 1e9 / mean ns.
/// </summary>
[MemoryDiagnoser]
public class KernelMessagingBenchmarks
{
    private const int RoundTrips = 20_000;
    private const int Burst = 100_000;

    private ActorSystem _system = null!;
    private IActorRef _pinger = null!;
    private IActorRef _burster = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench-messaging");
        var ponger = _system.ActorOf(Props.Create(() => new Ponger()), "ponger");
        _pinger = _system.ActorOf(Props.Create(() => new Pinger(ponger)), "pinger");
        var sink = _system.ActorOf(Props.Create(() => new Sink()).WithMailbox(Props.UnboundedMailbox), "sink");
        _burster = _system.ActorOf(Props.Create(() => new Burster(sink)), "burster");
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

    private sealed class Ponger : ActorBase
    {
        protected override bool Receive(object message)
        {
            Sender.Tell(message, Self);
            return true;
        }
    }

    private sealed class Pinger(IActorRef ponger) : ActorBase
    {
        private static readonly object s_ball = new();
        private int _left;
        private TaskCompletionSource? _done;

        protected override bool Receive(object message)
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

            return true;
        }
    }

    private sealed class Burster(IActorRef sink) : ActorBase
    {
        private static readonly object s_item = new();

        protected override bool Receive(object message)
        {
            var start = (Start)message;
            sink.Tell(new Expect(start.Count, start.Done), Self);
            for (var i = 0; i < start.Count; i++)
            {
                sink.Tell(s_item, Self);
            }

            return true;
        }
    }

    private sealed class Sink : ActorBase
    {
        private int _left;
        private TaskCompletionSource? _done;

        protected override bool Receive(object message)
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

            return true;
        }
    }
}
