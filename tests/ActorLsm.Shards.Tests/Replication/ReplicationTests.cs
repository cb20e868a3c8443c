using ActorLsm.Protocol.Replication;
using ActorLsm.Shards.Replication;
using ActorLsm.Shards.Shard;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.TestKit;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests.Replication;

/// <summary>
/// Replication between shard actors through Akka refs (local refs here; the server uses remote ones):
/// a leader and a follower node in one actor system, and a leader streaming to a TestProbe that plays
/// the follower to check how messages are split (ShardReplicationOptions.MaxMessageBytes).
/// </summary>
public sealed class ReplicationTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    /// <summary>Sets the role through the router, then asks the shard's status through it too (same order), so the role is in place.</summary>
    private async Task<ShardStatusInfo> SetRoleAsync(NodeHarness h, ReplicaRole role)
    {
        h.Node.SetReplicaRole(0, role);
        var probe = CreateTestProbe();
        h.Node.Router.Tell(new ToShard(0, StatusRequest.Instance), probe.Ref);
        return await probe.ExpectMsgAsync<ShardStatusInfo>(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Leader_InSyncFollower_AcksOnlyWritesTheFollowerHas()
    {
        var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50) };
        await using NodeHarness b = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-b", replication));
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        Assert.Equal("follower", (await SetRoleAsync(b, new FollowerRole(1, "b", "a"))).Role);
        ShardStatusInfo leader = await SetRoleAsync(a, new LeaderRole(1, "a", [new ReplicaPeer("b", b.Node.Shard(0).Ref)], ["a", "b"], 2));
        Assert.Equal("leader", leader.Role);

        ulong last = 0;
        for (int i = 0; i < 50; i++)
        {
            last = await a.Node.PutAsync(B("k" + i), B("v" + i));
        }

        // R1: acknowledged only once every in-sync replica has it, so the follower's log reaches it.
        ShardStatusInfo follower = (await b.Node.StatusAsync()).Shards[0];
        Assert.Equal("follower", follower.Role);
        Assert.True(follower.LastSequence >= last, $"follower at {follower.LastSequence}, leader acknowledged {last}");
        Assert.Equal(["a", "b"], (await a.Node.StatusAsync()).Shards[0].InSync);

        // A follower serves no client requests.
        await Assert.ThrowsAsync<ShardUnavailableException>(() => b.Node.PutAsync(B("x"), B("y")));
        Assert.Equal("v49", S(await a.Node.GetAsync(B("k49"))));
    }

    [Fact]
    public async Task Follower_PromotedAfterWritesWithExpiry_ServesTheLeadersAbsoluteExpiries()
    {
        var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50) };
        var start = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        var leaderClock = new ManualClock(start.AddHours(1)); // the clocks disagree: the leader's decides
        var followerClock = new ManualClock(start);
        await using NodeHarness b = await StartInAsync(Sys, dir => WithClock(ReplicaOptions(dir, "node-b", replication), followerClock));
        await using NodeHarness a = await StartInAsync(Sys, dir => WithClock(ReplicaOptions(dir, "node-a", replication), leaderClock));
        await SetRoleAsync(b, new FollowerRole(1, "b", "a"));
        await SetRoleAsync(a, new LeaderRole(1, "a", [new ReplicaPeer("b", b.Node.Shard(0).Ref)], ["a", "b"], 2));

        await a.Node.PutAsync(B("absolute"), B("1"), start.AddHours(2));
        await a.Node.PutAsync(B("relative"), B("2"));
        Assert.True(await a.Node.SetTimeToLiveAsync(B("relative"), TimeSpan.FromMinutes(5)));
        await a.Node.PutAsync(B("plain"), B("3"));

        await a.Node.KillAsync();
        await SetRoleAsync(b, new LeaderRole(2, "b", [], ["b"], 1));
        // R10: b acknowledged leader a moments ago, so it leads only once 1.1 x the read lease has passed.
        await AwaitAssertAsync(async () => Assert.Equal("leader", (await b.Node.StatusAsync()).Shards[0].Role), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        Assert.Equal(start.AddHours(2), (await b.Node.GetWithExpiryAsync(B("absolute")))?.ExpiresAt);
        ExpiringValue? relative = await b.Node.GetWithExpiryAsync(B("relative"));
        Assert.Equal("2", S(relative?.Value));
        Assert.Equal(start.AddHours(1).AddMinutes(5), relative?.ExpiresAt);
        Assert.Null((await b.Node.GetWithExpiryAsync(B("plain")))?.ExpiresAt);

        followerClock.Advance(TimeSpan.FromHours(1).Add(TimeSpan.FromMinutes(5)));
        Assert.Null(await b.Node.GetAsync(B("relative")));
        Assert.Equal("1", S(await b.Node.GetAsync(B("absolute"))));
    }

    [Fact]
    public async Task Follower_PromotedAfterASessionWrite_ResendGetsTheOriginalSequenceAndWritesNothing_R11()
    {
        var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50) };
        await using NodeHarness b = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-b", replication));
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        await SetRoleAsync(b, new FollowerRole(1, "b", "a"));
        await SetRoleAsync(a, new LeaderRole(1, "a", [new ReplicaPeer("b", b.Node.Shard(0).Ref)], ["a", "b"], 2));

        var session = new WriteSession(Guid.NewGuid(), 1, 1);
        ulong original = await a.Node.PutAsync(B("k"), B("v1"), null, session); // the client never saw this answer
        await a.Node.PutAsync(B("k"), B("v2")); // a later writer
        ulong leaderLast = (await a.Node.StatusAsync()).Shards[0].LastSequence;

        await a.Node.KillAsync();
        await SetRoleAsync(b, new LeaderRole(2, "b", [], ["b"], 1));
        await AwaitAssertAsync(async () => Assert.Equal("leader", (await b.Node.StatusAsync()).Shards[0].Role), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));

        // The resend reaches the new leader: the session record came with the data (R1), so it is not applied again.
        ulong resent = await b.Node.PutAsync(B("k"), B("v1"), null, session with { ResendAgeMs = 2000 });

        Assert.Equal(original, resent);
        Assert.Equal("v2", S(await b.Node.GetAsync(B("k"))));
        Assert.Equal(leaderLast, (await b.Node.StatusAsync()).Shards[0].LastSequence);
        ulong next = await b.Node.PutAsync(B("k"), B("v3"), null, session with { Sequence = 2, FirstUnacknowledged = 2 });
        Assert.True(next > leaderLast);
        Assert.Equal("v3", S(await b.Node.GetAsync(B("k"))));
    }

    [Fact]
    public async Task Follower_PromotedWithinTheReadLeaseOfItsLastAcknowledgement_HoldsClientsUntilANewerRoleRefusesThem_R10()
    {
        // A 30 s lease: b acknowledged leader a just now, so until 33 s later a may still serve reads on
        // that acknowledgement, and b must neither lead epoch 2 nor acknowledge its writes.
        var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50), ReadLease = TimeSpan.FromSeconds(30) };
        await using NodeHarness b = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-b", replication));
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        await SetRoleAsync(b, new FollowerRole(1, "b", "a"));
        await SetRoleAsync(a, new LeaderRole(1, "a", [new ReplicaPeer("b", b.Node.Shard(0).Ref)], ["a", "b"], 2));
        await a.Node.PutAsync(B("k"), B("v")); // acknowledged: b has acknowledged a's append

        ShardStatusInfo promoted = await SetRoleAsync(b, new LeaderRole(2, "b", [], ["b"], 1));
        Task<byte[]?> get = b.Node.GetAsync(B("k"));
        Task<ulong> put = b.Node.PutAsync(B("k"), B("newer"));
        ShardStatusInfo during = (await b.Node.StatusAsync()).Shards[0]; // answered after both requests reached the shard

        Assert.Equal("offline", promoted.Role);
        Assert.Equal("offline", during.Role);
        Assert.False(get.IsCompleted, "a read was answered by a replica still inside its support fence");
        Assert.False(put.IsCompleted, "a write was answered by a replica still inside its support fence");

        // The map moves on before the fence passed: the held requests are refused, nothing was written.
        await SetRoleAsync(b, new FollowerRole(3, "b", "c"));
        await Assert.ThrowsAsync<ShardUnavailableException>(() => get);
        await Assert.ThrowsAsync<ShardUnavailableException>(() => put);
        Assert.Equal(during.LastSequence, (await b.Node.StatusAsync()).Shards[0].LastSequence);
    }

    [Fact]
    public async Task Follower_PromotedWithinTheReadLeaseOfItsLastAcknowledgement_ServesHeldRequestsOnceItLeads_R10()
    {
        // The shard map names b the leader at once; requests reaching b inside its fence (2.2 s here)
        // wait and are served when b takes the leadership, instead of failing UNAVAILABLE.
        var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50), ReadLease = TimeSpan.FromSeconds(2) };
        await using NodeHarness b = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-b", replication));
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        await SetRoleAsync(b, new FollowerRole(1, "b", "a"));
        await SetRoleAsync(a, new LeaderRole(1, "a", [new ReplicaPeer("b", b.Node.Shard(0).Ref)], ["a", "b"], 2));
        await a.Node.PutAsync(B("k"), B("v"));
        await a.Node.KillAsync();

        ShardStatusInfo promoted = await SetRoleAsync(b, new LeaderRole(2, "b", [], ["b"], 1));
        Task<byte[]?> before = b.Node.GetAsync(B("k"));
        ulong written = await b.Node.PutAsync(B("k"), B("newer"));

        Assert.Equal("offline", promoted.Role);
        Assert.Equal("v", S(await before));
        ShardStatusInfo status = (await b.Node.StatusAsync()).Shards[0];
        Assert.Equal("leader", status.Role);
        Assert.Equal(2, status.LeaderEpoch);
        Assert.True(written > promoted.LastSequence, $"write at {written}, log was at {promoted.LastSequence}");
        Assert.Equal("newer", S(await b.Node.GetAsync(B("k"))));
    }

    private static ShardedNodeOptions WithClock(ShardedNodeOptions options, TimeProvider clock)
    {
        options.Storage.TimeProvider = clock;
        return options;
    }

    [Fact]
    public async Task Replicator_SmallMaxMessageBytes_SplitsAppendsAtRecordBoundaries()
    {
        const int Max = 1024;
        var replication = new ShardReplicationOptions { MaxMessageBytes = Max, HeartbeatInterval = TimeSpan.FromMilliseconds(100), ResendTimeout = TimeSpan.FromSeconds(30) };
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        ulong last = 0;
        for (int i = 0; i < 20; i++)
        {
            last = await a.Node.PutAsync(B("k" + i), new byte[300]); // about 320 payload bytes: three per message
        }

        last = await a.Node.PutAsync(B("big"), new byte[5000]); // one record over the limit travels in pieces (R14)
        var follower = CreateTestProbe();
        await SetRoleAsync(a, new LeaderRole(1, "a", [new ReplicaPeer("b", follower.Ref)], ["a"], 1));

        ReplicaProbe probe = await follower.ExpectMsgAsync<ReplicaProbe>(TimeSpan.FromSeconds(20));
        follower.Reply(new ReplicaState { Shard = 0, LeaderEpoch = 1, Node = "b", LastSequence = 0, ProbeId = probe.ProbeId });
        ulong received = 0;
        int batched = 0;
        int pieces = 0;
        while (received < last)
        {
            var append = await follower.ExpectMsgAsync<AppendRecords>(TimeSpan.FromSeconds(20));
            if (append.Fragment is { } piece)
            {
                Assert.Equal(received, append.PrevSequence);
                Assert.InRange(piece.Data.Length, 1, Max);
                pieces++;
                uint have = piece.Offset + (uint)piece.Data.Length;
                if (have < piece.TotalLength)
                {
                    follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = received, FragmentSequence = piece.FirstSequence, FragmentReceived = have });
                    continue;
                }

                received = piece.FirstSequence + piece.Count - 1;
                follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = received, SentTicks = append.SentTicks, LeaderLastSequence = append.LeaderLastSequence });
                continue;
            }

            if (append.Records.Count == 0)
            {
                continue; // a heartbeat
            }

            Assert.Equal(received, append.PrevSequence);
            long bytes = append.Records.Sum(r => (long)r.Batch.Length);
            Assert.True(bytes <= Max, $"{append.Records.Count} records of {bytes} bytes in one message, limit {Max}");
            batched += append.Records.Count > 1 ? 1 : 0;
            ReplicatedRecord lastRecord = append.Records[^1];
            received = lastRecord.FirstSequence + lastRecord.Count - 1;
            follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = received, SentTicks = append.SentTicks, LeaderLastSequence = append.LeaderLastSequence });
        }

        Assert.True(batched > 0, "records under the limit still share messages");
        Assert.True(pieces >= 5, $"the 5,000-byte record came in {pieces} pieces");
    }

    [Fact]
    public async Task Replicator_SnapshotTransfer_ChunksOfAtMostMaxMessageBytes()
    {
        const int Max = 1024;
        var replication = new ShardReplicationOptions { MaxMessageBytes = Max, SnapshotChunkSize = 64 * 1024, ResendTimeout = TimeSpan.FromSeconds(30) };
        await using NodeHarness a = await StartInAsync(Sys, dir => ReplicaOptions(dir, "node-a", replication));
        for (int i = 0; i < 20; i++)
        {
            await a.Node.PutAsync(B("k" + i), new byte[300]);
        }

        var follower = CreateTestProbe();
        await SetRoleAsync(a, new LeaderRole(1, "a", [new ReplicaPeer("b", follower.Ref)], ["a"], 1));
        ReplicaProbe probe = await follower.ExpectMsgAsync<ReplicaProbe>(TimeSpan.FromSeconds(20));
        follower.Reply(new ReplicaState { Shard = 0, LeaderEpoch = 1, Node = "b", LastSequence = 0, NeedsSnapshot = true, ProbeId = probe.ProbeId });

        SnapshotBegin begin = await follower.ExpectMsgAsync<SnapshotBegin>(TimeSpan.FromSeconds(20));
        var sizes = begin.Files.ToDictionary(f => f.Name, f => 0UL);
        int chunks = 0;
        while (true)
        {
            object message = await follower.ReceiveOneAsync(TimeSpan.FromSeconds(20));
            if (message is SnapshotEnd end)
            {
                Assert.Equal(begin.SnapshotId, end.SnapshotId);
                break;
            }

            var chunk = Assert.IsType<SnapshotChunk>(message);
            Assert.True(chunk.Data.Length <= Max, $"a snapshot chunk of {chunk.Data.Length} bytes, limit {Max}");
            Assert.Equal(sizes[chunk.File], chunk.Offset);
            sizes[chunk.File] += (ulong)chunk.Data.Length;
            chunks++;
            follower.Reply(new SnapshotChunkAck { Shard = 0, LeaderEpoch = 1, SnapshotId = chunk.SnapshotId, Node = "b", Ok = true });
        }

        Assert.All(begin.Files, f => Assert.Equal(f.Size, sizes[f.Name]));
        Assert.True(begin.Files.Sum(f => (long)f.Size) > Max, "the snapshot needs several chunks");
        Assert.True(chunks > 1);
    }
}
