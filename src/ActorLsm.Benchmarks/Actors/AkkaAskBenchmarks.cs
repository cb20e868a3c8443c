using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;

namespace ActorLsm.Benchmarks.Actors;

/// <summary>
/// Request/reply round trip from outside the actor system to an echo actor: Akka's Ask (a temporary
/// reply actor registered under /temp and a timeout timer per request) against a task-backed reply
/// address, the way ShardedNode talks to its shards (one <see cref="MinimalActorRef"/> subclass per
/// request, no registration, no timer).
/// </summary>
[MemoryDiagnoser]
public class AkkaAskBenchmarks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
    private ActorSystem _system = null!;
    private IActorRef _echo = null!;
    private IActorRefProvider _provider = null!;
    private ActorPath _replyPath = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench-ask", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        _echo = _system.ActorOf(Props.Create(() => new Echo()), "echo");
        _provider = ((ExtendedActorSystem)_system).Provider;
        _replyPath = _provider.TempContainer.Path / "bench-reply";
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    /// <summary>Akka's Ask with a timeout.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> AskRoundTrip() => _echo.Ask<int>(42, s_timeout);

    /// <summary>Tell with a task-backed reply ref as the sender (ShardedNode's request path, without its deadline sweep).</summary>
    [Benchmark]
    public Task<int> ReplyRefRoundTrip()
    {
        var reply = new TaskReplyRef(_provider, _replyPath);
        _echo.Tell(42, reply);
        return reply.Task;
    }

    private sealed class Echo : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }

    private sealed class TaskReplyRef(IActorRefProvider provider, ActorPath path) : MinimalActorRef
    {
        private readonly TaskCompletionSource<int> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<int> Task => _promise.Task;

        public override ActorPath Path => path;

        public override IActorRefProvider Provider => provider;

        protected override void TellInternal(object message, IActorRef sender) => _promise.TrySetResult((int)message);
    }
}
