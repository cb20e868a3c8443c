using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class MessagingTests : TestKit
{
    [Fact]
    public async Task Tell_ManyMessagesFromOneSender_ArriveInOrder()
    {
        var forwarder = ActorOf(Props.Create(() => new ForwardActor(TestActor)));

        for (var i = 0; i < 500; i++)
        {
            forwarder.Tell(i);
        }

        var received = await TestActor.ReceiveNAsync(500);
        Assert.Equal(Enumerable.Range(0, 500).Cast<object>(), received);
    }

    [Fact]
    public void Tell_NullMessage_ThrowsArgumentNull()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));

        Assert.Throws<ArgumentNullException>(() => echo.Tell(null!));
    }

    [Fact]
    public async Task Tell_WithProbeAsSender_ReplyReachesProbe()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));

        echo.Tell("hello", TestActor);

        Assert.Equal("hello", await ExpectMsgAsync("hello"));
        Assert.Same(echo, LastSender);
    }

    [Fact]
    public async Task Tell_NoSender_ReplyBecomesDeadLetter()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));

        echo.Tell("nobody", ActorRefs.NoSender);

        var dead = await ExpectMsgAsync<DeadLetter>();
        Assert.Equal("nobody", dead.Message);
        Assert.Equal(DeadLetterReason.SentToDeadLetters, dead.Reason);
    }

    [Fact]
    public async Task Tell_UnhandledMessage_PublishedAsUnhandledDeadLetter()
    {
        var guardianLike = ActorOf(Props.Create(() => new SpawnerActor()));
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));

        guardianLike.Tell(42);

        var dead = await ExpectMsgAsync<DeadLetter>();
        Assert.Equal(42, dead.Message);
        Assert.Equal(DeadLetterReason.Unhandled, dead.Reason);
        Assert.Same(guardianLike, dead.Recipient);
    }

    [Fact]
    public async Task Tell_StoppedActor_PublishedAsRecipientStoppedDeadLetter()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));
        Watch(echo);
        Sys.Stop(echo);
        await ExpectTerminatedAsync(echo);
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));

        echo.Tell("late");

        var dead = await ExpectMsgAsync<DeadLetter>();
        Assert.Equal(DeadLetterReason.RecipientStopped, dead.Reason);
        Assert.True(Sys.DeadLetterCount >= 1);
    }

    [Fact]
    public async Task EventStream_Unsubscribe_StopsDelivery()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(string));
        Sys.EventStream.Publish("one");
        await ExpectMsgAsync("one");

        Assert.True(Sys.EventStream.Unsubscribe(TestActor, typeof(string)));
        Sys.EventStream.Publish("two");

        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
