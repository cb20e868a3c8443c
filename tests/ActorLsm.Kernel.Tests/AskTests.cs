using ActorLsm.Kernel.Testing;

namespace ActorLsm.Kernel.Tests;

public sealed class AskTests : TestKit
{
    [Fact]
    public async Task Ask_ActorReplies_ReturnsReply()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));

        var reply = await echo.Ask<string>("ping", TimeSpan.FromSeconds(5));

        Assert.Equal("ping", reply);
    }

    [Fact]
    public async Task Ask_NoReply_ThrowsAskTimeoutException()
    {
        var hole = ActorOf(Props.Create(() => new BlackHoleActor()));

        var ex = await Assert.ThrowsAsync<AskTimeoutException>(() => hole.Ask<string>("ping", TimeSpan.FromMilliseconds(100)));

        Assert.Contains(hole.Path.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_StatusFailureReply_ThrowsCause()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => echo.Ask<string>(new Status.Failure(new InvalidOperationException("nope")), TimeSpan.FromSeconds(5)));

        Assert.Equal("nope", ex.Message);
    }

    [Fact]
    public async Task Ask_ReplyOfWrongType_ThrowsInvalidCast()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));

        await Assert.ThrowsAsync<InvalidCastException>(() => echo.Ask<int>("not an int", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Ask_Cancelled_ThrowsTaskCanceled()
    {
        var hole = ActorOf(Props.Create(() => new BlackHoleActor()));
        using var cts = new CancellationTokenSource();

        var pending = hole.Ask<string>("ping", TimeSpan.FromMinutes(1), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Ask_DefaultTimeoutOverload_ReturnsReplyWithoutDeadLetters()
    {
        var echo = ActorOf(Props.Create(() => new EchoActor()));

        Assert.Equal(1, await echo.Ask<int>(1));
        Assert.Equal(0, Sys.DeadLetterCount);
    }
}

public sealed class AskOnVirtualTimeTests() : TestKit(virtualTime: true)
{
    [Fact]
    public async Task Ask_NoReplyOnVirtualTime_TimesOutOnlyWhenAdvancedPastTimeout()
    {
        var hole = ActorOf(Props.Create(() => new BlackHoleActor()));

        var pending = hole.Ask<string>("ping", TimeSpan.FromSeconds(10));
        VirtualTime!.Advance(TimeSpan.FromSeconds(9));
        Assert.False(pending.IsCompleted);
        VirtualTime.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<AskTimeoutException>(() => pending);
    }
}
