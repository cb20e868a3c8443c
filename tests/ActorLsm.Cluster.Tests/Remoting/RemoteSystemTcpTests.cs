using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Tests.Remoting;

/// <summary>RemoteSystem over real TCP on 127.0.0.1: Ask both ways and disassociation when a node stops.</summary>
public sealed class RemoteSystemTcpTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Ask_OverTcpBothWays_CompletesAndStopDisassociates()
    {
        await using var systemA = ActorSystem.Create("a");
        await using var systemB = ActorSystem.Create("b");
        await using var remoteA = await RemoteSystem.StartAsync(systemA, NewTransport(), MessageRegistry.WithDiagnostics(), CancellationToken.None);
        var remoteB = await RemoteSystem.StartAsync(systemB, NewTransport(), MessageRegistry.WithDiagnostics(), CancellationToken.None);
        systemA.ActorOf(Props.Create(() => new Echo()), "echo");
        systemB.ActorOf(Props.Create(() => new Echo()), "echo");
        var gone = new TaskCompletionSource<UniqueAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        remoteA.Disassociated += p => gone.TrySetResult(p);

        Pong fromB = await remoteA.RefFor(remoteB.SelfAddress.Address, "/user/echo").Ask<Pong>(new Ping { Id = 1, Text = "to b" }, s_wait);
        Pong fromA = await remoteB.RefFor(remoteA.SelfAddress, "/user/echo").Ask<Pong>(new Ping { Id = 2, Text = "to a" }, s_wait);
        await remoteB.DisposeAsync();

        Assert.Equal("to b", fromB.Text);
        Assert.Equal("to a", fromA.Text);
        Assert.Equal(remoteB.SelfAddress, await gone.Task.WaitAsync(s_wait));
    }

    private static TcpTransport NewTransport() => new(new RemotingSettings
    {
        Port = 0,
        ReconnectMinBackoff = TimeSpan.FromMilliseconds(20),
        ReconnectMaxBackoff = TimeSpan.FromMilliseconds(200),
    });

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<Ping>(p => Sender.Tell(new Pong { Id = p.Id, Text = p.Text }, Self));
    }
}
