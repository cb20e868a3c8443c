using System.Collections.Concurrent;
using ActorLsm.Protocol.Replication;
using ActorLsm.Shards.Replication;
using ActorLsm.Shards.Shard;
using ActorLsm.Storage;
using ActorLsm.Storage.FileSystem;
using Akka.TestKit;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests.Replication;

/// <summary>
/// PROTOCOL.md R12: a leader ships a commit group to its followers when the commit starts, while its
/// own WAL write and sync run; the high watermark still waits for the leader's own sync (R2); a leader
/// whose WAL write or sync fails steps down and never writes at that epoch again. The leader's WAL
/// sync is held or failed through the storage's fault-injection file system (FAULTS.md); the follower
/// is a TestProbe that answers as a follower shard would.
/// </summary>
public sealed class ShipAtCommitStartTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private static bool IsWal(string path) => path.EndsWith(".log", StringComparison.Ordinal);

    private static ShardedNodeOptions Options(string dir, FaultInjectionFileSystem fs, ShardReplicationOptions replication) => new()
    {
        DataDir = dir,
        ShardCount = 1,
        RouterName = "node-a",
        Storage = new LsmOptions { WalSyncMode = WalSyncMode.Batch, FileSystem = fs, MemTableSize = 1024 * 1024, BlockCacheSize = 0 },
        RequestTimeout = TimeSpan.FromSeconds(20),
        Replication = replication,
    };

    /// <summary>
    /// Makes <paramref name="a"/> the leader at <paramref name="epoch"/> with the probe as its in-sync follower "b", and
    /// answers the replicator's probe as a follower whose log (after any truncation, R5) ends where the leader's does.
    /// </summary>
    private static async Task<ReplicaProbe> LeadWithProbeFollowerAsync(NodeHarness a, TestProbe follower, long epoch)
    {
        a.Node.SetReplicaRole(0, new LeaderRole(epoch, "a", [new ReplicaPeer("b", follower.Ref)], ["a", "b"], 2));
        ReplicaProbe probe = await follower.FishForMessageAsync<ReplicaProbe>(p => p.LeaderEpoch == epoch, s_wait);
        follower.Reply(new ReplicaState { Shard = 0, LeaderEpoch = epoch, Node = "b", LastSequence = probe.LastSequence, ProbeId = probe.ProbeId });
        return probe;
    }

    /// <summary>
    /// The next append with records (heartbeats carry none) of leader <paramref name="epoch"/>, answering as the follower
    /// "b" whose log ends at <paramref name="followerLast"/> every probe of that epoch that comes first: a follower answers
    /// each probe (PROTOCOL.md, messages), and a replicator starts with one, so one that restarted (Akka restarts a child
    /// that threw) probes again and sends nothing until it is answered. Times out saying what the follower got instead.
    /// </summary>
    private static async Task<AppendRecords> NextRecordsAsync(TestProbe follower, long epoch, ulong followerLast)
    {
        var got = new List<string>();
        int heartbeats = 0;
        DateTime end = DateTime.UtcNow + s_wait;
        while (true)
        {
            TimeSpan left = end - DateTime.UtcNow;
            switch (left > TimeSpan.Zero ? await follower.ReceiveOneAsync(left) : null)
            {
                case null:
                    throw new TimeoutException($"no append with records of epoch {epoch} reached the follower in {s_wait.TotalSeconds} s; it got {heartbeats} heartbeats of that epoch and [{string.Join(", ", got)}]");
                case AppendRecords append when append.LeaderEpoch == epoch && append.Records.Count > 0:
                    return append;
                case AppendRecords append when append.LeaderEpoch == epoch:
                    heartbeats++;
                    break;
                case ReplicaProbe probe when probe.LeaderEpoch == epoch:
                    got.Add($"probe {probe.ProbeId} (answered)");
                    follower.Reply(new ReplicaState { Shard = 0, LeaderEpoch = epoch, Node = "b", LastSequence = Math.Min(probe.LastSequence, followerLast), ProbeId = probe.ProbeId });
                    break;
                case object other:
                    got.Add(other is AppendRecords stale ? $"append of epoch {stale.LeaderEpoch}" : other.GetType().Name);
                    break;
            }
        }
    }

    [Fact]
    public async Task Leader_SyncHeld_FollowerGetsTheGroupAndItsAckDoesNotMoveTheHighWatermarkPastTheLeadersDurableEnd_R12()
    {
        var fs = new FaultInjectionFileSystem();
        using var syncing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int hold = 0;
        fs.FaultInjector = (op, path) =>
        {
            if (op == FaultOperation.Sync && IsWal(path) && Volatile.Read(ref hold) == 1)
            {
                syncing.Set();
                release.Wait(s_wait); // the commit thread is inside the leader's WAL sync until released
            }

            return null;
        };
        // R10: the gets below ride on the one acknowledgement the probe follower sends (a lease that long, however slow the machine).
        var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100), ResendTimeout = TimeSpan.FromSeconds(30), ReadLease = TimeSpan.FromSeconds(30) };
        await using NodeHarness a = await StartInAsync(Sys, dir => Options(dir, fs, replication));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);

        Volatile.Write(ref hold, 1);
        Task<ulong> put = a.Node.PutAsync(B("k"), B("v"));
        AppendRecords append = await NextRecordsAsync(follower, 1, 0);

        // (a) The group reached the follower while the leader's own WAL sync had not finished.
        Assert.False(release.IsSet);
        Assert.False(put.IsCompleted, "the write was acknowledged before the leader's WAL sync ended");
        Assert.True(syncing.Wait(s_wait), "the leader's WAL sync never started");
        ReplicatedRecord record = Assert.Single(append.Records);
        ulong last = record.FirstSequence + record.Count - 1;
        Assert.Equal(1UL, record.FirstSequence);
        Assert.Equal(1L, record.Epoch);
        Assert.Equal(last, append.LeaderLastSequence);

        // (b) The follower has it durably and says so; the leader has not synced it: no acknowledgement.
        follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = last, SentTicks = append.SentTicks, LeaderLastSequence = last });

        // A read waits for the read lease (R10), which only this acknowledgement grants: once it is
        // answered, the leader has processed the acknowledgement.
        Assert.Null(await a.Node.GetAsync(B("other")));
        ShardStatusInfo during = (await a.Node.StatusAsync()).Shards[0];
        Assert.Equal("leader", during.Role);
        Assert.True(during.CommittedSequence < last, $"high watermark {during.CommittedSequence} passed the leader's durable end while its sync of {last} was held");
        Assert.False(put.IsCompleted, "acknowledged before the leader's WAL sync ended");

        release.Set();
        Assert.Equal(last, await put.WaitAsync(s_wait));
        Assert.Equal(last, (await a.Node.StatusAsync()).Shards[0].CommittedSequence);
        Assert.Equal("v", S(await a.Node.GetAsync(B("k"))));
    }

    [Fact]
    public async Task Leader_FollowerAckedOnlyPartOfWhatTheLeaderSynced_HighWatermarkIsTheMinimum_R2()
    {
        var fs = new FaultInjectionFileSystem();
        var replication = new ShardReplicationOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100), ResendTimeout = TimeSpan.FromSeconds(30) };
        await using NodeHarness a = await StartInAsync(Sys, dir => Options(dir, fs, replication));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);

        Task<ulong> first = a.Node.PutAsync(B("k1"), B("v1"));
        AppendRecords append1 = await NextRecordsAsync(follower, 1, 0);
        follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = 1, SentTicks = append1.SentTicks, LeaderLastSequence = 1 });
        Assert.Equal(1UL, await first.WaitAsync(s_wait));

        // The second group is synced on the leader, the follower has not acknowledged it: not acknowledged.
        Task<ulong> second = a.Node.PutAsync(B("k2"), B("v2"));
        AppendRecords append2 = await NextRecordsAsync(follower, 1, 1);
        Assert.Equal(2UL, append2.Records[0].FirstSequence);
        await AwaitAssertAsync(async () => Assert.Equal(2UL, (await a.Node.StatusAsync()).Shards[0].LastSequence), s_wait, TimeSpan.FromMilliseconds(20));
        Assert.Equal(1UL, (await a.Node.StatusAsync()).Shards[0].CommittedSequence);
        Assert.False(second.IsCompleted);

        follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = 2, SentTicks = append2.SentTicks, LeaderLastSequence = 2 });
        Assert.Equal(2UL, await second.WaitAsync(s_wait));
    }

    [Fact]
    public async Task Leader_WalSyncFails_WriteNotAcknowledgedLeaderStepsDownAndResignsAndLeadsOnlyANewerEpoch_R12()
    {
        var fs = new FaultInjectionFileSystem();
        int fail = 0;
        fs.FaultInjector = (op, path) => op == FaultOperation.Sync && IsWal(path) && Volatile.Read(ref fail) == 1
            ? new IOException("EIO: injected failure of the leader's WAL fsync")
            : null;
        var proposals = new ConcurrentQueue<(long Epoch, IReadOnlyList<string> Set)>();
        var replication = new ShardReplicationOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            ResendTimeout = TimeSpan.FromSeconds(30),
            ReadLease = TimeSpan.FromSeconds(30), // R10: the final get rides on the one acknowledgement the probe follower sends, however slow the machine
            ProposeInSync = (_, epoch, set) => proposals.Enqueue((epoch, set)),
        };
        await using NodeHarness a = await StartInAsync(Sys, dir => Options(dir, fs, replication));
        var follower = CreateTestProbe();
        await LeadWithProbeFollowerAsync(a, follower, 1);
        Task<ulong> acknowledged = a.Node.PutAsync(B("k0"), B("v0"));
        AppendRecords first = await NextRecordsAsync(follower, 1, 0);
        follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = 1, SentTicks = first.SentTicks, LeaderLastSequence = 1 });
        Assert.Equal(1UL, await acknowledged.WaitAsync(s_wait));

        Volatile.Write(ref fail, 1);
        Task<ulong> put = a.Node.PutAsync(B("k"), B("lost"));
        AppendRecords shipped = await NextRecordsAsync(follower, 1, 1); // shipped at commit start, before the sync failed
        Assert.Equal(2UL, shipped.Records[0].FirstSequence);
        follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 1, Node = "b", Ok = true, LastSequence = 2, SentTicks = shipped.SentTicks, LeaderLastSequence = 2 });

        ShardUnavailableException refused = await Assert.ThrowsAsync<ShardUnavailableException>(() => put.WaitAsync(s_wait));
        Assert.Contains("not acknowledged", refused.Message, StringComparison.Ordinal);
        Volatile.Write(ref fail, 0); // the disk "recovers"; the shard reopens its store

        // It asked the version manager for a newer leader (an in-sync proposal without itself)...
        await AwaitAssertAsync(() => Assert.Contains(proposals, p => p.Epoch == 1 && !p.Set.Contains("a")), s_wait, TimeSpan.FromMilliseconds(20));

        // ...and does not lead epoch 1 again, even after its restart took back the role.
        await AwaitAssertAsync(async () => Assert.Equal("running", (await a.Node.StatusAsync()).Shards[0].State), s_wait, TimeSpan.FromMilliseconds(50));
        ShardStatusInfo after = (await a.Node.StatusAsync()).Shards[0];
        Assert.Equal("offline", after.Role);
        Assert.Equal(1, after.LeaderEpoch);
        await Assert.ThrowsAsync<ShardUnavailableException>(() => a.Node.PutAsync(B("x"), B("y")));
        a.Node.SetReplicaRole(0, new LeaderRole(1, "a", [new ReplicaPeer("b", follower.Ref)], ["a", "b"], 2)); // the map repeats itself
        Assert.Equal("offline", (await a.Node.StatusAsync()).Shards[0].Role);

        // A newer epoch: it leads, and its probe carries its own log end and epochs, so a follower
        // holding the shipped record of epoch 1 beyond that end truncates it (R5) before anything new is written.
        ReplicaProbe probe = await LeadWithProbeFollowerAsync(a, follower, 2);
        Assert.Equal([1L, 2L], probe.Epochs.Select(e => e.Epoch));
        ulong reopenedLast = probe.LastSequence;
        Assert.Equal(reopenedLast + 1, probe.Epochs[^1].StartSequence);
        Task<ulong> next = a.Node.PutAsync(B("k"), B("new"));
        AppendRecords append;
        try
        {
            append = await NextRecordsAsync(follower, 2, reopenedLast);
        }
        catch (TimeoutException e)
        {
            // Seen once in a full CI run under load (a 20 s timeout here): say what became of the put
            // (the timeout says what the follower got instead).
            ShardStatusInfo status = (await a.Node.StatusAsync()).Shards[0];
            throw new InvalidOperationException(
                $"no append of the epoch-2 put reached the follower; put {next.Status} {next.Exception?.GetBaseException().Message}; "
                + $"shard role {status.Role} epoch {status.LeaderEpoch} last {status.LastSequence} committed {status.CommittedSequence}", e);
        }

        Assert.Equal(reopenedLast + 1, append.Records[0].FirstSequence);
        Assert.Equal(2L, append.Records[0].Epoch);
        follower.Reply(new AppendAck { Shard = 0, LeaderEpoch = 2, Node = "b", Ok = true, LastSequence = reopenedLast + 1, SentTicks = append.SentTicks, LeaderLastSequence = reopenedLast + 1 });
        Assert.Equal(reopenedLast + 1, await next.WaitAsync(s_wait));
        Assert.Equal("new", S(await a.Node.GetAsync(B("k"))));
    }
}
