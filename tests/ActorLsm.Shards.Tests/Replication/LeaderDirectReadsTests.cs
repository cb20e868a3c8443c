using System.Diagnostics;
using ActorLsm.Protocol.Replication;
using ActorLsm.Shards.Replication;
using ActorLsm.Shards.Shard;
using ActorLsm.Storage;
using Akka.TestKit;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests.Replication;

/// <summary>
/// PROTOCOL.md R13: a replicated leader serves gets on the caller's thread (ShardedNode.TryReadDirect)
/// only while its read lease holds (R10) and only at or below the high watermark it published (R7),
/// which it publishes before it acknowledges the writes the high watermark covers; it withdraws
/// them before it steps down. The follower is a TestProbe that acknowledges only when told, so the
/// high watermark and the lease are set by the test, not by timing.
/// </summary>
public sealed class LeaderDirectReadsTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private static ShardReplicationOptions Replication(bool directReads = true) => new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        ResendTimeout = TimeSpan.FromSeconds(30),
        ReadLease = TimeSpan.FromSeconds(30), // a lease granted here lasts the whole test
        LeaderDirectReads = directReads,
    };

    /// <summary>Makes node a the leader at <paramref name="epoch"/> with the probe as its in-sync follower "b", whose log ends where the leader's does.</summary>
    private static async Task LeadWithProbeFollowerAsync(NodeHarness a, TestProbe follower, long epoch)
    {
        a.Node.SetReplicaRole(0, new LeaderRole(epoch, "a", [new ReplicaPeer("b", follower.Ref)], ["a", "b"], 2));
        ReplicaProbe probe = await follower.FishForMessageAsync<ReplicaProbe>(p => p.LeaderEpoch == epoch, s_wait);
        follower.Reply(new ReplicaState { Shard = 0, LeaderEpoch = epoch, Node = "b", LastSequence = probe.LastSequence, ProbeId = probe.ProbeId });
    }

    private static ValueTask<AppendRecords> NextRecordsAsync(TestProbe follower) =>
        follower.FishForMessageAsync<AppendRecords>(m => m.Records.Count > 0, s_wait); // heartbeats carry none

    /// <summary>The follower acknowledges everything up to <paramref name="last"/>, for an append sent at <paramref name="sentTicks"/> (the lease's start, R10).</summary>
    private static void Ack(TestProbe follower, ulong last, long sentTicks) =>
        follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = last, SentTicks = sentTicks, LeaderLastSequence = last });

    /// <summary>A put the probe follower acknowledges at once with a fresh lease; returns its sequence.</summary>
    private static async Task<ulong> AcknowledgedPutAsync(NodeHarness a, TestProbe follower, string key, string value)
    {
        Task<ulong> put = a.Node.PutAsync(B(key), B(value));
        AppendRecords append = await NextRecordsAsync(follower);
        ReplicatedRecord record = append.Records[^1];
        Ack(follower, record.FirstSequence + record.Count - 1, append.SentTicks);
        return await put.WaitAsync(s_wait);
    }

    [Fact]
    public async Task TryReadDirect_ReadAfterAcknowledgedWrite_ServedOnTheCallersThreadAndSeesIt_R13()
    {
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", Replication()));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);

        for (int i = 0; i < 20; i++)
        {
            ulong sequence = await AcknowledgedPutAsync(a, follower, "k", "v" + i);

            // At once after the acknowledgement, without a message to the shard actor: the published
            // high watermark already covers the write, and the read sees it.
            Assert.True(a.Node.Shard(0).Reads.TryEnter(out LeaderReadBound? bound) is not null, "a leader holding its lease publishes its store");
            a.Node.Shard(0).Reads.Exit();
            Assert.True(bound!.HighWatermark >= sequence, $"write {sequence} acknowledged with the published high watermark at {bound.HighWatermark}");
            Assert.True(a.Node.TryReadDirect(0, B("k"), out ExpiringValue? found), "not served on the caller's thread");
            Assert.Equal("v" + i, S(found!.Value.Value));
            Assert.Equal("v" + i, S(await a.Node.GetAsync(B("k"))));
        }
    }

    [Fact]
    public async Task TryReadDirect_LeaseLapsed_NotServedAndTheActorWaitsForAFreshAcknowledgement_R13()
    {
        var replication = Replication() with { ReadLease = TimeSpan.FromSeconds(1) };
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);

        // The follower's acknowledgements are of appends sent more than a lease ago, as from a leader
        // cut off from its followers: the write is committed (R1) but the lease does not hold (R10).
        long stale = Stopwatch.GetTimestamp() - (5 * Stopwatch.Frequency);
        Task<ulong> put = a.Node.PutAsync(B("k"), B("v"));
        AppendRecords append = await NextRecordsAsync(follower);
        Ack(follower, append.Records[0].FirstSequence, stale);
        await put.WaitAsync(s_wait);

        Assert.False(a.Node.TryReadDirect(0, B("k"), out _), "a leader without its read lease served a read on the caller's thread");
        Assert.False(a.Node.TryReadDirect(0, B("never-written"), out _));
        Task<byte[]?> get = a.Node.GetAsync(B("k"));
        Assert.Equal("leader", (await a.Node.StatusAsync()).Shards[0].Role); // the shard actor has seen the get
        Assert.False(get.IsCompleted, "the get was served without the read lease");

        // A fresh acknowledgement renews the lease: the waiting get is served, and direct reads resume.
        // (The probe echoes the time now as the send time, so the renewal does not depend on how long the test took.)
        Ack(follower, append.Records[0].FirstSequence, Stopwatch.GetTimestamp());
        Assert.Equal("v", S(await get.WaitAsync(s_wait)));
        Assert.True(a.Node.TryReadDirect(0, B("k"), out ExpiringValue? found));
        Assert.Equal("v", S(found!.Value.Value));
    }

    [Fact]
    public async Task TryReadDirect_WriteShippedAndCommittedOnTheLeaderButNotAcknowledged_Invisible_R13()
    {
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", Replication()));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);
        ulong first = await AcknowledgedPutAsync(a, follower, "k", "old");
        await AcknowledgedPutAsync(a, follower, "other", "o");

        // The follower gets the new write and never acknowledges it: it is in the leader's store,
        // above the high watermark.
        Task<ulong> put = a.Node.PutAsync(B("k"), B("new"));
        AppendRecords shipped = await NextRecordsAsync(follower);
        ulong last = shipped.Records[0].FirstSequence;
        await AwaitAssertAsync(async () => Assert.Equal(last, (await a.Node.StatusAsync()).Shards[0].LastSequence), s_wait, TimeSpan.FromMilliseconds(20));
        Assert.True(first < last);

        // No direct read above the high watermark: neither the new value nor the one it overwrote (a
        // read of "old" now could follow a read of "new" from the actor after the acknowledgement);
        // keys without such a write are still served.
        Assert.False(a.Node.TryReadDirect(0, B("k"), out ExpiringValue? hidden), "a write above the high watermark was read on the caller's thread");
        Assert.Null(hidden);
        Assert.True(a.Node.TryReadDirect(0, B("other"), out ExpiringValue? other));
        Assert.Equal("o", S(other!.Value.Value));
        Task<byte[]?> get = a.Node.GetAsync(B("k"));
        Assert.Equal("leader", (await a.Node.StatusAsync()).Shards[0].Role);
        Assert.False(get.IsCompleted, "a get returned a write above the high watermark");
        Assert.False(put.IsCompleted);

        Ack(follower, last, shipped.SentTicks);
        Assert.Equal(last, await put.WaitAsync(s_wait));
        Assert.Equal("new", S(await get.WaitAsync(s_wait)));
        Assert.True(a.Node.TryReadDirect(0, B("k"), out ExpiringValue? seen));
        Assert.Equal("new", S(seen!.Value.Value));
    }

    [Fact]
    public async Task TryReadDirect_LeaderStepsDown_WithdrawnBeforeItFollows_R13()
    {
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", Replication()));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);
        await AcknowledgedPutAsync(a, follower, "k", "v");
        Assert.True(a.Node.TryReadDirect(0, B("k"), out _));

        a.Node.SetReplicaRole(0, new FollowerRole(2, "a", "b"));
        await AwaitAssertAsync(async () => Assert.Equal("follower", (await a.Node.StatusAsync()).Shards[0].Role), s_wait, TimeSpan.FromMilliseconds(20));

        Assert.False(a.Node.Shard(0).Reads.IsPublished);
        Assert.False(a.Node.TryReadDirect(0, B("k"), out _), "a follower served a read on the caller's thread");
        await Assert.ThrowsAsync<ShardUnavailableException>(() => a.Node.GetAsync(B("k")));
    }

    [Fact]
    public async Task TryReadDirect_LeaderDirectReadsOff_NeverPublished()
    {
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", Replication(directReads: false)));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);
        await AcknowledgedPutAsync(a, follower, "k", "v");

        Assert.False(a.Node.Shard(0).Reads.IsPublished);
        Assert.False(a.Node.TryReadDirect(0, B("k"), out _));
        Assert.Equal("v", S(await a.Node.GetAsync(B("k"))));
    }
}
