using ActorLsm.Shards.Sessions;
using ActorLsm.Storage;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests.Sessions;

/// <summary>Exactly-once writes on one node (R11): a write of a client session is applied at most once per (client id, sequence).</summary>
public sealed class SessionTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    private Task<NodeHarness> StartOneShardAsync(TimeProvider? clock = null, int maxUnacknowledged = 1024) => StartAsync(dir => new ShardedNodeOptions
    {
        DataDir = dir,
        ShardCount = 1,
        Storage = new LsmOptions { WalSyncMode = WalSyncMode.None, MemTableSize = 1024 * 1024, BlockCacheSize = 0, TimeProvider = clock ?? TimeProvider.System },
        RequestTimeout = TimeSpan.FromSeconds(20),
        SessionIdleTimeout = TimeSpan.FromMinutes(10),
        MaxSessionUnacknowledged = maxUnacknowledged,
    });

    private static async Task<ulong> LastSequenceAsync(NodeHarness h) => (await h.Node.StatusAsync()).Shards[0].LastSequence;

    [Fact]
    public async Task PutAsync_SameClientAndSequenceTwice_AppliedOnceWithTheOriginalSequence()
    {
        await using NodeHarness h = await StartOneShardAsync();
        var client = Guid.NewGuid();
        ulong first = await h.Node.PutAsync(B("k"), B("v1"), null, new WriteSession(client, 1, 1));
        ulong last = await LastSequenceAsync(h);

        // The resend carries another value on purpose: were it applied, the key would show it.
        ulong again = await h.Node.PutAsync(B("k"), B("v2"), null, new WriteSession(client, 1, 1, ResendAgeMs: 50));

        Assert.Equal(first, again);
        Assert.Equal(last, await LastSequenceAsync(h));
        Assert.Equal("v1", S(await h.Node.GetAsync(B("k"))));

        // The next sequence is a new write; another client's sequence 1 too.
        ulong next = await h.Node.PutAsync(B("k"), B("v3"), null, new WriteSession(client, 2, 2));
        Assert.True(next > first);
        await h.Node.PutAsync(B("other"), B("x"), null, new WriteSession(Guid.NewGuid(), 1, 1));
        Assert.Equal("v3", S(await h.Node.GetAsync(B("k"))));
    }

    [Fact]
    public async Task PutAsync_ResendWhileTheOriginalCommits_BothGetTheSameSequenceAndOneWrite()
    {
        await using NodeHarness h = await StartOneShardAsync();
        var session = new WriteSession(Guid.NewGuid(), 7, 7);
        ulong before = await LastSequenceAsync(h);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.Node.HoldCommitsAsync(0, release.Task);

        Task<ulong> original = h.Node.PutAsync(B("k"), B("v"), null, session);
        Task<ulong> resend = h.Node.PutAsync(B("k"), B("v"), null, session with { ResendAgeMs = 10 });
        Assert.Equal(1, (await h.Node.StatusAsync()).Shards[0].PendingWrites); // the resend joined, it did not queue
        Assert.False(resend.IsCompleted);
        release.SetResult();

        Assert.Equal(await original, await resend);
        Assert.Equal(before + 2, await LastSequenceAsync(h)); // the put and its session record
    }

    [Fact]
    public async Task BatchAsync_ResentAfterRestart_AppliedOnce()
    {
        await using NodeHarness h = await StartOneShardAsync();
        var session = new WriteSession(Guid.NewGuid(), 3, 1);
        BatchOperation[] ops = [new BatchOperation(B("a"), B("1")), new BatchOperation(B("b"), B("2"))];
        await h.Node.BatchAsync(ops, session);
        await h.Node.PutAsync(B("a"), B("changed")); // another writer after the batch
        ulong last = await LastSequenceAsync(h);

        await h.RestartNodeAsync(); // the session record recovers from the WAL with the data
        await h.Node.BatchAsync(ops, session with { ResendAgeMs = 1000 });

        Assert.Equal(last, await LastSequenceAsync(h));
        Assert.Equal("changed", S(await h.Node.GetAsync(B("a"))));
    }

    [Fact]
    public async Task UpdateAsync_Resent_UpdaterRunsOnceAndTheResendGetsItsResult()
    {
        await using NodeHarness h = await StartOneShardAsync();
        var session = new WriteSession(Guid.NewGuid(), 1, 1);
        int runs = 0;
        KeyUpdater increment = (current, _) =>
        {
            runs++;
            long next = (current[0] is { } v ? long.Parse(S(v.Value), System.Globalization.CultureInfo.InvariantCulture) : 0) + 1;
            return UpdateDecision.Put(B("counter"), B(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), null, next);
        };

        UpdateOutcome first = await h.Node.UpdateAsync([B("counter")], increment, session);
        await h.RestartNodeAsync();
        UpdateOutcome again = await h.Node.UpdateAsync([B("counter")], increment, session with { ResendAgeMs = 5 });

        Assert.Equal(1, runs);
        Assert.Equal(first, again);
        Assert.Equal(1L, again.Result);
        Assert.Equal("1", S(await h.Node.GetAsync(B("counter"))));
        Assert.True(await h.Node.SetTimeToLiveAsync(B("counter"), TimeSpan.FromMinutes(1), session with { Sequence = 2 }));
        Assert.True(await h.Node.SetTimeToLiveAsync(B("counter"), TimeSpan.FromMinutes(1), session with { Sequence = 2 }));
    }

    [Fact]
    public async Task PutAsync_BelowTheFirstUnacknowledgedSequence_SessionExpiredAndNothingWritten()
    {
        await using NodeHarness h = await StartOneShardAsync();
        var client = Guid.NewGuid();
        await h.Node.PutAsync(B("k"), B("1"), null, new WriteSession(client, 1, 1));
        await h.Node.PutAsync(B("k"), B("2"), null, new WriteSession(client, 2, 2)); // the client had the answer to 1
        ulong last = await LastSequenceAsync(h);

        await Assert.ThrowsAsync<SessionExpiredException>(() => h.Node.PutAsync(B("k"), B("1"), null, new WriteSession(client, 1, 1, 100)));

        Assert.Equal(last, await LastSequenceAsync(h));
        Assert.Equal("2", S(await h.Node.GetAsync(B("k"))));
    }

    [Fact]
    public async Task PutAsync_ResendAfterTheSessionIdledOut_SessionExpiredNeverASecondApply()
    {
        var clock = new ManualClock(s_start);
        await using NodeHarness h = await StartOneShardAsync(clock);
        var client = Guid.NewGuid();
        await h.Node.PutAsync(B("k"), B("v"), null, new WriteSession(client, 1, 1));
        ulong last = await LastSequenceAsync(h);

        clock.Advance(TimeSpan.FromMinutes(10)); // the record's expiry: the shard forgets the session
        await Assert.ThrowsAsync<SessionExpiredException>(() =>
            h.Node.PutAsync(B("k"), B("v"), null, new WriteSession(client, 1, 1, (long)TimeSpan.FromMinutes(10).TotalMilliseconds)));
        Assert.Equal(last, await LastSequenceAsync(h));

        // A new write of the idle client (first send) starts the session again.
        await h.Node.PutAsync(B("k"), B("w"), null, new WriteSession(client, 2, 2));
        Assert.Equal("w", S(await h.Node.GetAsync(B("k"))));
    }

    [Fact]
    public async Task PutAsync_MoreUnacknowledgedWritesThanTheBound_OverloadedUntilTheClientMovesOn()
    {
        await using NodeHarness h = await StartOneShardAsync(maxUnacknowledged: 2);
        var client = Guid.NewGuid();
        await h.Node.PutAsync(B("a"), B("1"), null, new WriteSession(client, 1, 1));
        await h.Node.PutAsync(B("b"), B("2"), null, new WriteSession(client, 2, 1));

        await Assert.ThrowsAsync<OverloadedException>(() => h.Node.PutAsync(B("c"), B("3"), null, new WriteSession(client, 3, 1)));
        Assert.Null(await h.Node.GetAsync(B("c")));

        await h.Node.PutAsync(B("c"), B("3"), null, new WriteSession(client, 3, 3));
        Assert.Equal("3", S(await h.Node.GetAsync(B("c"))));
    }

    [Fact]
    public async Task SessionRecords_ReservedRange_NeitherWritableNorReadableNorScanned()
    {
        await using NodeHarness h = await StartOneShardAsync();
        var client = Guid.NewGuid();
        await h.Node.PutAsync(B("a"), B("1"), null, new WriteSession(client, 1, 1));
        byte[] high = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        await h.Node.PutAsync(high, B("2"));
        byte[] sessionKey = SessionKeys.Of(client);

        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.PutAsync(sessionKey, B("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Node.UpdateAsync([sessionKey], static (_, _) => UpdateDecision.None()));
        Assert.Null(await h.Node.GetAsync(sessionKey));
        var forward = (await h.Node.ScanAsync(null, null, 0, false)).Entries;
        var backward = (await h.Node.ScanAsync(null, null, 0, true)).Entries;

        Assert.Equal(2, forward.Count);
        Assert.Equal(high, forward[1].Key);
        Assert.Equal(2, backward.Count);
        Assert.Equal(high, backward[0].Key);
        Assert.Equal(B("a"), backward[1].Key);
    }

    [Fact]
    public void SessionRecord_EncodeThenDecode_KeepsFloorAndEveryOutcome()
    {
        var outcomes = new SortedDictionary<ulong, SessionOutcome>
        {
            [5] = new(100, false, null),
            [6] = new(101, true, true),
            [9] = new(140, true, -3L),
            [12] = new(150, true, "s"),
            [13] = new(151, true, new byte[] { 1, 2 }),
            [14] = new(152, true, null),
        };
        byte[] bytes = SessionRecord.Encode(5, outcomes);
        (ulong floor, SortedDictionary<ulong, SessionOutcome> back) = SessionRecord.Decode(bytes);

        Assert.Equal(5UL, floor);
        Assert.Equal(outcomes.Keys, back.Keys);
        Assert.Equal(-3L, back[9].Result);
        Assert.Equal("s", back[12].Result);
        Assert.Equal(new byte[] { 1, 2 }, (byte[])back[13].Result!);
        Assert.Equal(101UL, back[6].Sequence);
        Assert.False(back[5].HasResult);
        Assert.Throws<InvalidDataException>(() => SessionRecord.Decode(bytes[..^1]));
    }
}
