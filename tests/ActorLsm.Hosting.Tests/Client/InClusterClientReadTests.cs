using ActorLsm.Hosting.Client;
using ActorLsm.Messages;
using ActorLsm.Protocol;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorLsm.Hosting.Tests.Client;

/// <summary>
/// Reads through <see cref="ActorLsmInClusterClient"/> are idempotent and survive a lost or refused
/// attempt: a get left unanswered for a quarter of the timeout is sent again and the first answer wins;
/// one answered UNAVAILABLE (a leader change) is sent again after a short backoff. The router is a probe.
/// </summary>
public sealed class InClusterClientReadTests : TestKit
{
    [Fact]
    public async Task GetAsync_FirstAttemptLost_SentAgainAndTheSecondAnswerIsTheResult()
    {
        TestProbe router = CreateTestProbe();
        var client = new ActorLsmInClusterClient(router.Ref, TimeSpan.FromSeconds(10));

        Task<byte[]?> get = client.GetAsync(new byte[] { 1 });
        router.ExpectMsg<Get>(TimeSpan.FromSeconds(5)); // lost: never answered
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Get again = router.ExpectMsg<Get>(TimeSpan.FromSeconds(5));
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(5)); // after the 2.5 s interval, not at once
        Assert.Equal([1], again.Key);
        router.Reply(new GetResult([42], again.CorrelationId));

        Assert.Equal([42], await get.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task GetAsync_AnsweredUnavailable_SentAgainUntilAnswered()
    {
        TestProbe router = CreateTestProbe();
        var client = new ActorLsmInClusterClient(router.Ref, TimeSpan.FromSeconds(10));

        Task<byte[]?> get = client.GetAsync(new byte[] { 2 });
        for (int i = 0; i < 3; i++)
        {
            Get g = router.ExpectMsg<Get>(TimeSpan.FromSeconds(5));
            router.Reply(new ActorLsmError(ErrorCode.Unavailable, "shard 0 has no available leader", g.CorrelationId));
        }

        Get last = router.ExpectMsg<Get>(TimeSpan.FromSeconds(5));
        router.Reply(new GetResult([7], last.CorrelationId));
        Assert.Equal([7], await get.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task GetAsync_NeverAnswered_TimesOutAtTheTimeoutWithTimeoutCode()
    {
        TestProbe router = CreateTestProbe();
        var client = new ActorLsmInClusterClient(router.Ref, TimeSpan.FromSeconds(3));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        ActorLsmException e = await Assert.ThrowsAsync<ActorLsmException>(() => client.GetAsync(new byte[] { 3 }).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(ErrorCode.Timeout, e.Code);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task GetAsync_ErrorOtherThanUnavailable_IsNotRetried()
    {
        TestProbe router = CreateTestProbe();
        var client = new ActorLsmInClusterClient(router.Ref, TimeSpan.FromSeconds(10));

        Task<byte[]?> get = client.GetAsync(new byte[] { 4 });
        Get g = router.ExpectMsg<Get>(TimeSpan.FromSeconds(5));
        router.Reply(new ActorLsmError(ErrorCode.InvalidArgument, "bad key", g.CorrelationId));

        await Assert.ThrowsAnyAsync<Exception>(() => get.WaitAsync(TimeSpan.FromSeconds(5)));
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
