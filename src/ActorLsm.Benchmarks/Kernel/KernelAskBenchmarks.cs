using ActorLsm.Kernel;
using BenchmarkDotNet.Attributes;

namespace ActorLsm.Benchmarks.Kernel;

/// <summary>Ask round-trip latency: temporary reply ref, request, reply, task completion.</summary>
[MemoryDiagnoser]
public class KernelAskBenchmarks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
    private ActorSystem _system = null!;
    private IActorRef _echo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench-ask");
        _echo = _system.ActorOf(Props.Create(() => new Echo()), "echo");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark]
    public Task<int> AskRoundTrip() => _echo.Ask<int>(42, s_timeout);

    private sealed class Echo : ActorBase
    {
        protected override bool Receive(object message)
        {
            Sender.Tell(message, Self);
            return true;
        }
    }
}
