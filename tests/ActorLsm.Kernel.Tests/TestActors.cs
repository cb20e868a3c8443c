using ActorLsm.Kernel;

namespace ActorLsm.Kernel.Tests;

/// <summary>Makes the receiving <see cref="Worker"/> throw <see cref="Error"/>.</summary>
internal sealed record Boom(Exception Error)
{
    public Boom(string message)
        : this(new InvalidOperationException(message))
    {
    }
}

internal sealed record PreRestarted(string Reason, object? Message);

internal sealed record PostRestarted(string Reason);

internal sealed record Spawn(string Name, Props Props);

/// <summary>Replies with whatever it receives.</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(m => Sender.Tell(m, Self));
}

/// <summary>Swallows everything.</summary>
internal sealed class BlackHoleActor : ActorBase
{
    protected override bool Receive(object message) => true;
}

/// <summary>Forwards everything to a target, keeping the sender.</summary>
internal sealed class ForwardActor(IActorRef target) : ActorBase
{
    protected override bool Receive(object message)
    {
        target.Tell(message, Sender);
        return true;
    }
}

/// <summary>Creates children on request and replies with their refs.</summary>
internal sealed class SpawnerActor : ReceiveActor
{
    public SpawnerActor() => Receive<Spawn>(s => Sender.Tell(Context.ActorOf(s.Props, s.Name), Self));
}

/// <summary>
/// Counts strings (echoing them to the probe), answers "count" with the count, throws on <see cref="Boom"/>,
/// and reports its lifecycle: "ctor", "preStart", "postStop", <see cref="PreRestarted"/>, <see cref="PostRestarted"/>.
/// </summary>
internal sealed class Worker : ReceiveActor
{
    private readonly IActorRef _probe;
    private int _count;

    public Worker(IActorRef probe)
    {
        _probe = probe;
        probe.Tell("ctor");
        Receive<Boom>(b => throw b.Error);
        Receive<string>(_ => Sender.Tell(_count, Self), s => s == "count");
        Receive<string>(s =>
        {
            _count++;
            _probe.Tell(s);
        });
    }

    protected override void PreStart() => _probe.Tell("preStart");

    protected override void PostStop() => _probe.Tell("postStop");

    protected override void PreRestart(Exception reason, object? message)
    {
        _probe.Tell(new PreRestarted(reason.Message, message));
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        _probe.Tell(new PostRestarted(reason.Message));
        base.PostRestart(reason);
    }
}

/// <summary>Creates one child named "child" from the given props and tells the probe its ref.</summary>
internal sealed class Parent(Props childProps, IActorRef probe) : ActorBase
{
    protected override void PreStart() => probe.Tell(Context.ActorOf(childProps, "child"));

    protected override void PostStop() => probe.Tell("parentPostStop");

    protected override bool Receive(object message) => false;
}
