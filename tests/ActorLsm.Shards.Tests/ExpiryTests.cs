using System.Globalization;
using ActorLsm.Storage;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class ExpiryTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    private Task<NodeHarness> StartWithClockAsync(ManualClock clock) => StartAsync(dir => new ShardedNodeOptions
    {
        DataDir = dir,
        ShardCount = 2,
        Storage = new LsmOptions { WalSyncMode = WalSyncMode.None, MemTableSize = 1024 * 1024, BlockCacheSize = 0, TimeProvider = clock },
        RequestTimeout = TimeSpan.FromSeconds(20),
    });

    [Fact]
    public async Task PutAsync_WithExpiry_GetWithExpiryReturnsItUntilTheClockPassesIt()
    {
        var clock = new ManualClock(s_start);
        await using NodeHarness h = await StartWithClockAsync(clock);
        DateTimeOffset expiry = s_start.AddSeconds(30);
        await h.Node.PutAsync(B("k"), B("v"), expiry);

        ExpiringValue? live = await h.Node.GetWithExpiryAsync(B("k"));
        Assert.Equal("v", S(live?.Value));
        Assert.Equal(expiry, live?.ExpiresAt);
        Assert.Equal("v", S(await h.Node.GetAsync(B("k"))));

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await h.Node.GetWithExpiryAsync(B("k")));
        Assert.Null(await h.Node.GetAsync(B("k")));
        Assert.Empty((await h.Node.ScanAsync(null, null, 0, false)).Entries);
    }

    [Fact]
    public async Task BatchAsync_OperationsWithExpiry_StoreEachExpiry()
    {
        var clock = new ManualClock(s_start);
        await using NodeHarness h = await StartWithClockAsync(clock);
        await h.Node.BatchAsync([new BatchOperation(B("a"), B("1"), s_start.AddSeconds(5)), new BatchOperation(B("b"), B("2"))]);
        Assert.Equal(s_start.AddSeconds(5), (await h.Node.GetWithExpiryAsync(B("a")))?.ExpiresAt);
        Assert.Null((await h.Node.GetWithExpiryAsync(B("b")))?.ExpiresAt);
        Assert.Equal("2", S((await h.Node.GetWithExpiryAsync(B("b")))?.Value));
    }

    [Fact]
    public async Task SetTimeToLiveAsync_ExistingKey_ExpiryIsShardClockPlusTtlAndValueKept()
    {
        var clock = new ManualClock(s_start);
        await using NodeHarness h = await StartWithClockAsync(clock);
        await h.Node.PutAsync(B("k"), B("v"));
        clock.Advance(TimeSpan.FromSeconds(7));

        Assert.True(await h.Node.SetTimeToLiveAsync(B("k"), TimeSpan.FromSeconds(10)));
        ExpiringValue? live = await h.Node.GetWithExpiryAsync(B("k"));
        Assert.Equal("v", S(live?.Value));
        Assert.Equal(s_start.AddSeconds(17), live?.ExpiresAt);

        Assert.False(await h.Node.SetTimeToLiveAsync(B("absent"), TimeSpan.FromSeconds(10)));
        Assert.Null(await h.Node.GetAsync(B("absent")));
    }

    [Fact]
    public async Task SetExpiryAsync_NullPersistsAndPastTimeDeletes()
    {
        var clock = new ManualClock(s_start);
        await using NodeHarness h = await StartWithClockAsync(clock);
        await h.Node.PutAsync(B("k"), B("v"), s_start.AddSeconds(1));

        Assert.True(await h.Node.SetExpiryAsync(B("k"), null));
        clock.Advance(TimeSpan.FromSeconds(5));
        ExpiringValue? persisted = await h.Node.GetWithExpiryAsync(B("k"));
        Assert.Equal("v", S(persisted?.Value));
        Assert.Null(persisted?.ExpiresAt);

        Assert.True(await h.Node.SetExpiryAsync(B("k"), s_start));
        Assert.Null(await h.Node.GetAsync(B("k")));
        Assert.False(await h.Node.SetExpiryAsync(B("k"), null));
    }

    [Fact]
    public async Task UpdateAsync_ConcurrentIncrementsOfOneKey_NoneLost()
    {
        await using NodeHarness h = await StartWithClockAsync(new ManualClock(s_start));
        byte[] key = B("counter");
        static UpdateDecision Increment(byte[] key, ExpiringValue? current)
        {
            long next = (current is { } c ? long.Parse(S(c.Value), CultureInfo.InvariantCulture) : 0) + 1;
            return UpdateDecision.Put(key, B(next.ToString(CultureInfo.InvariantCulture)), current?.ExpiresAt, next);
        }

        UpdateOutcome[] outcomes = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => h.Node.UpdateAsync(key, (current, _) => Increment(key, current))));

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), outcomes.Select(o => (long)o.Result!).Order());
        Assert.All(outcomes, o => Assert.True(o.Written));
        Assert.Equal("300", S(await h.Node.GetAsync(key)));
    }

    [Fact]
    public async Task UpdateAsync_AfterPendingPutWithExpiry_SeesThatPutAndCanKeepItsTtl()
    {
        var clock = new ManualClock(s_start);
        await using NodeHarness h = await StartWithClockAsync(clock);
        byte[] key = B("k");
        Task<ulong> put = h.Node.PutAsync(key, B("a"), s_start.AddSeconds(60));
        Task<UpdateOutcome> append = h.Node.UpdateAsync(key, (current, _) =>
            UpdateDecision.Put(key, [.. current!.Value.Value, .. B("b")], current.Value.ExpiresAt, current.Value.Value.Length + 1));
        await put;
        UpdateOutcome outcome = await append;

        Assert.Equal(2, outcome.Result);
        ExpiringValue? live = await h.Node.GetWithExpiryAsync(key);
        Assert.Equal("ab", S(live?.Value));
        Assert.Equal(s_start.AddSeconds(60), live?.ExpiresAt);
    }

    [Fact]
    public async Task UpdateAsync_MultiKeyInOneSlot_AllOrNothing()
    {
        await using NodeHarness h = await StartWithClockAsync(new ManualClock(s_start));
        byte[][] keys = [B("{tag}a"), B("{tag}b")];
        KeyUpdater setIfNoneExists = (current, _) => current.Any(c => c is not null)
            ? UpdateDecision.None(false)
            : new UpdateDecision([new BatchOperation(keys[0], B("1")), new BatchOperation(keys[1], B("2"))], true);

        Assert.Equal(true, (await h.Node.UpdateAsync(keys, setIfNoneExists)).Result);
        UpdateOutcome second = await h.Node.UpdateAsync(keys, setIfNoneExists);
        Assert.Equal(false, second.Result);
        Assert.False(second.Written);
        Assert.Equal("1", S(await h.Node.GetAsync(keys[0])));
        Assert.Equal("2", S(await h.Node.GetAsync(keys[1])));
    }

    [Fact]
    public async Task UpdateAsync_KeysOfTwoShards_ThrowsArgumentException()
    {
        await using NodeHarness h = await StartWithClockAsync(new ManualClock(s_start));
        byte[] first = B("x0");
        byte[] other = Enumerable.Range(1, 100).Select(i => B("x" + i)).First(k => h.Node.ShardOf(k) != h.Node.ShardOf(first));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.UpdateAsync([first, other], (_, _) => UpdateDecision.None()));
    }

    [Fact]
    public async Task UpdateAsync_UpdaterThrowsOrWritesForeignKey_FailsAndWritesNothing()
    {
        await using NodeHarness h = await StartWithClockAsync(new ManualClock(s_start));
        await Assert.ThrowsAsync<FormatException>(() => h.Node.UpdateAsync(B("k"), (_, _) => throw new FormatException("not an integer")));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.UpdateAsync(B("k"), (_, _) => UpdateDecision.Put(B("other"), B("v"), null)));
        Assert.Null(await h.Node.GetAsync(B("k")));
        Assert.Null(await h.Node.GetAsync(B("other")));
    }
}
