using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class MailboxTests : TestKit
{
    [Fact]
    public async Task Tell_FullMailboxDropNewest_ExcessBecomesDeadLettersAndRestDelivered()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new GatedActor(TestActor, gate.Task)).WithMailbox(5, MailboxOverflow.DropNewest));
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));
        actor.Tell("hold");
        await ExpectMsgAsync("holding");

        for (var i = 0; i < 8; i++)
        {
            actor.Tell(i);
        }

        var dropped = await deadLetters.ReceiveNAsync(3);
        Assert.All(dropped, d => Assert.Equal(DeadLetterReason.MailboxFull, ((DeadLetter)d).Reason));
        Assert.Equal([5, 6, 7], dropped.Select(d => ((DeadLetter)d).Message));
        Assert.Equal(3, Sys.DeadLetterCount);
        gate.SetResult();
        Assert.Equal(["released", 0, 1, 2, 3, 4], await TestActor.ReceiveNAsync(6));
    }

    [Fact]
    public async Task Tell_FullMailboxFail_ThrowsMailboxFull()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new GatedActor(TestActor, gate.Task)).WithMailbox(2).WithOverflow(MailboxOverflow.Fail));
        actor.Tell("hold");
        await ExpectMsgAsync("holding");
        actor.Tell(1);
        actor.Tell(2);

        var ex = Assert.Throws<MailboxFullException>(() => actor.Tell(3));

        Assert.Contains(actor.Path.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, Sys.DeadLetterCount);
        gate.SetResult();
        Assert.Equal(["released", 1, 2], await TestActor.ReceiveNAsync(3));
    }

    [Fact]
    public async Task Stop_FullMailbox_SystemMessageBypassesQueueAndWinsOverQueuedMail()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new GatedActor(TestActor, gate.Task)).WithMailbox(3));
        actor.Tell("hold");
        await ExpectMsgAsync("holding");
        for (var i = 0; i < 3; i++)
        {
            actor.Tell(i);
        }

        Watch(actor);
        Sys.Stop(actor); // not refused although the user queue is full
        gate.SetResult();

        await ExpectMsgAsync("released");
        await ExpectTerminatedAsync(actor);
        Assert.Equal(3, Sys.DeadLetterCount); // the three queued messages were never processed
    }

    [Fact]
    public void Props_DefaultMailbox_UsesSystemDefaults()
    {
        var props = Props.Create(() => new EchoActor());

        Assert.Null(props.MailboxCapacity);
        Assert.Null(props.Overflow);
        Assert.Equal(1000, Sys.Options.DefaultMailboxCapacity);
        Assert.Equal(MailboxOverflow.DropNewest, Sys.Options.DefaultMailboxOverflow);
        Assert.Throws<ArgumentOutOfRangeException>(() => props.WithMailbox(0));
    }

    private sealed class GatedActor : ReceiveActor
    {
        public GatedActor(IActorRef probe, Task gate)
        {
            ReceiveAsync<string>(
                async _ =>
                {
                    probe.Tell("holding");
                    await gate;
                    probe.Tell("released");
                },
                s => s == "hold");
            ReceiveAny(m => probe.Tell(m));
        }
    }
}
