using System.Text;
using ActorLsm.Client;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Protocol;
using ActorLsm.Shards;

namespace ActorLsm.Server.Tests.Replication;

/// <summary>
/// Follower crashes, catch-up (WAL and snapshot paths) and a partition that isolates a leader, in
/// one process, each node in its own ActorSystem on real Akka.Remote over 127.0.0.1 (partitions by
/// Akka's throttler adapter). Each test names the invariants of
/// src/ActorLsm.Cluster/PROTOCOL.md it checks.
/// </summary>
[Collection("replicated clusters")]
public sealed class FaultTests
{
    [Fact]
    public async Task FollowerCrash_InSyncSetShrinksAndWritesContinue_R3()
    {
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, minInSync: 2);
        await using ActorLsmClient client = cluster.Client();
        await PutAsync(client, "before", 50);

        await cluster.CrashAsync(2);
        ShardMap map = await cluster.WaitForAsync(
            m => m.Shards.All(s => s.Available && s.InSync.Count == 2 && !s.InSync.Contains(cluster.Address(2))),
            "in-sync sets without the crashed node");
        await PutAsync(client, "after", 50); // two in-sync replicas = min-insync-replicas: writes go on

        Assert.All(map.Shards, s => Assert.NotEqual(cluster.Address(2), s.Leader));
        Assert.Equal(100, await CountAsync(client));
    }

    [Fact]
    public async Task FollowerCrash_BelowMinInSync_NotEnoughReplicasUntilItCatchesUpThroughTheWal_R1_R3()
    {
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, minInSync: 3);
        await using ActorLsmClient client = cluster.Client(TimeSpan.FromSeconds(5));
        await PutAsync(client, "before", 40);

        await cluster.CrashAsync(2);
        await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.InSync.Count == 2), "in-sync sets of two");
        var refused = await Assert.ThrowsAsync<ActorLsmNotEnoughReplicasException>(() => client.PutAsync("refused"u8.ToArray(), "x"u8.ToArray()));
        Assert.Equal(ErrorCode.NotEnoughReplicas, refused.Code);

        // Restarted, the node catches up from the leaders' WAL and rejoins every in-sync set.
        await cluster.StartNodeAsync(2);
        await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.InSync.Count == 3), "full in-sync sets again");
        await PutAsync(client, "after", 40);

        NodeStatus restarted = await cluster.StatusAsync(2);
        Assert.All(restarted.Shards, s => Assert.Equal(0, s.SnapshotsInstalled));
        await AssertReplicasEqualAsync(cluster);
        Assert.Equal(80, await CountAsync(client) - (await client.GetAsync("refused"u8.ToArray()) is null ? 0 : 1));
    }

    [Fact]
    public async Task RestartedFollower_LeaderWalAlreadyFlushed_CatchesUpFromSnapshotAndServesAfterFailover_R1_R6()
    {
        // Tiny memtables: the leaders flush (and delete the WAL the follower would need) while it is down.
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, minInSync: 2, hocon: "actorlsm.storage.memtable-size = 64KiB");
        await using ActorLsmClient client = cluster.Client();
        await PutAsync(client, "before", 20);
        await cluster.CrashAsync(2);
        await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.InSync.Count == 2), "in-sync sets of two");
        await PutAsync(client, "while-down", 1200, valueBytes: 512);
        NodeStatus leaderSide = await cluster.StatusAsync(0);
        Assert.True(leaderSide.Shards.All(s => s.Flushes > 0), "every shard on node 0 flushed while node 2 was down: " + string.Join(", ", leaderSide.Shards.Select(s => s.Flushes)));

        await cluster.StartNodeAsync(2);
        await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.InSync.Count == 3), "full in-sync sets again");
        NodeStatus restarted = await cluster.StatusAsync(2);
        Assert.True(restarted.Shards.Sum(s => s.SnapshotsInstalled) > 0, "at least one shard caught up from a snapshot");
        await AssertReplicasEqualAsync(cluster);

        // The snapshot-built replica serves: crash another node so that node 2 leads some shards.
        await cluster.CrashAsync(0);
        await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.Leader != cluster.Address(0)), "shards led by live nodes");
        Assert.Equal(1220, await CountAsync(client));
    }

    [Fact]
    public async Task Partition_IsolatedLeader_MinorityStopsAcknowledgingAndOldLeaderTruncatesAfterHeal_R4_R5_R6()
    {
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, minInSync: 2);
        await using ActorLsmClient client = cluster.Client();
        await PutAsync(client, "before", 40);
        ShardMap before = cluster.Map!;
        int isolated = cluster.IndexOf(before[0].Leader!);
        string isolatedEndpoint = cluster.Servers[isolated]!.Endpoint;
        ulong lastBefore = (await cluster.StatusAsync(isolated)).Shards[0].LastSequence;

        await cluster.IsolateAsync(isolated);

        // Writes sent to the isolated leader reach its WAL but can never be acknowledged.
        await using var minority = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [isolatedEndpoint], RequestTimeout = TimeSpan.FromSeconds(2), ShardRouting = false });
        byte[][] orphans = [.. Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes("orphan-" + i)).Where(k => ShardHash.ShardOf(k, ReplicatedCluster.ShardCount) == 0).Take(5)];
        int acknowledged = 0;
        foreach (byte[] key in orphans)
        {
            try
            {
                await minority.PutAsync(key, key);
                acknowledged++;
            }
            catch (Exception e) when (e is ActorLsmException or TimeoutException or ActorLsmConnectionException)
            {
                // Expected: no in-sync follower can answer.
            }
        }

        Assert.Equal(0, acknowledged);
        Assert.True((await cluster.StatusAsync(isolated)).Shards[0].LastSequence > lastBefore, "the isolated leader appended the writes locally");

        // The majority elects a new leader from the in-sync set and goes on.
        ShardMap majorityMap = await WaitForMajorityAsync(cluster, isolated, m => m[0].Available && m[0].Leader != cluster.Address(isolated));
        Assert.True(majorityMap[0].LeaderEpoch > before[0].LeaderEpoch);
        await using ActorLsmClient majorityClient = new(new ActorLsmClientOptions { Endpoints = [.. Enumerable.Range(0, 3).Where(i => i != isolated).Select(i => cluster.Servers[i]!.Endpoint)], RequestTimeout = TimeSpan.FromSeconds(30) });
        await PutAsync(majorityClient, "majority", 40);

        // Heal; the minority node downed itself, so it comes back as a new incarnation and follows.
        await cluster.RejoinAsync(isolated);
        await cluster.CrashAsync(isolated);
        await cluster.StartNodeAsync(isolated);
        await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.InSync.Count == 3), "full in-sync sets after the heal");
        await AssertReplicasEqualAsync(cluster);

        foreach (byte[] key in orphans)
        {
            Assert.Null(await majorityClient.GetAsync(key)); // R5: the unacknowledged suffix is gone everywhere
        }

        Assert.Equal(80, await CountAsync(majorityClient));
    }

    [Fact]
    public async Task Partition_IsolatedLeader_StopsServingReadsWithinTheReadLease_R10()
    {
        // Without R10 the cut-off leader keeps answering reads from its own store until it notices the
        // cut (here failure detection is slowed to a 5 s pause, as for a node that a GC pause or a slow
        // network hides), while the majority may already have elected a new leader: stale reads.
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, minInSync: 2, hocon: "akka.cluster.failure-detector.acceptable-heartbeat-pause = 5s");
        await using ActorLsmClient client = cluster.Client();
        byte[] key = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes("lease-" + i)).First(k => ShardHash.ShardOf(k, ReplicatedCluster.ShardCount) == 0);
        await client.PutAsync(key, "v1"u8.ToArray());
        int isolated = cluster.IndexOf(cluster.Map![0].Leader!);
        await using var minority = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [cluster.Servers[isolated]!.Endpoint], RequestTimeout = TimeSpan.FromMilliseconds(400), ShardRouting = false });
        Assert.Equal("v1", Encoding.UTF8.GetString(await minority.GetAsync(key) ?? []));

        await cluster.IsolateAsync(isolated);
        var sinceCut = System.Diagnostics.Stopwatch.StartNew();
        var served = new List<TimeSpan>();
        var attempts = new List<TimeSpan>();
        while (sinceCut.Elapsed < TimeSpan.FromSeconds(3))
        {
            TimeSpan start = sinceCut.Elapsed;
            attempts.Add(start);
            try
            {
                await minority.GetAsync(key);
                served.Add(start);
            }
            catch (Exception e) when (e is ActorLsmException or TimeoutException or ActorLsmConnectionException)
            {
                // Expected once the lease has run out: the read waits for acknowledgements that never come.
            }
        }

        // The lease is 1 s from the send time of the last acknowledged append (heartbeats every 50 ms here).
        TimeSpan bound = TimeSpan.FromSeconds(1.3);
        Assert.Contains(attempts, t => t > TimeSpan.FromSeconds(2)); // the reads covered the window where a stale read could happen
        Assert.All(served, t => Assert.True(t < bound, $"the isolated leader served a read {t.TotalMilliseconds:F0} ms after the cut (lease 1 s)"));
    }

    internal static async Task PutAsync(ActorLsmClient client, string prefix, int count, int valueBytes = 16)
    {
        var value = new byte[valueBytes];
        for (int i = 0; i < count; i++)
        {
            Encoding.UTF8.GetBytes($"{prefix}-{i}").CopyTo(value, 0);
            await client.PutAsync(Encoding.UTF8.GetBytes($"{prefix}-{i}"), value);
        }
    }

    internal static async Task<int> CountAsync(ActorLsmClient client)
    {
        int n = 0;
        await foreach (KeyValuePair<byte[], byte[]> _ in client.ScanAsync())
        {
            n++;
        }

        return n;
    }

    /// <summary>R1/R5: once every replica is in sync and idle, all replicas of a shard end at the same sequence number.</summary>
    internal static async Task AssertReplicasEqualAsync(ReplicatedCluster cluster)
    {
        ShardMap map = cluster.Map!;
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var statuses = new Dictionary<int, NodeStatus>();
            foreach (int i in Enumerable.Range(0, cluster.Servers.Length).Where(i => cluster.Servers[i] is not null))
            {
                statuses[i] = await cluster.StatusAsync(i);
            }

            string? mismatch = null;
            foreach (ShardAssignment s in map.Shards)
            {
                ulong leader = statuses[cluster.IndexOf(s.Leader!)].Shards[s.Id].LastSequence;
                foreach (var f in s.Followers.Where(f => statuses.ContainsKey(cluster.IndexOf(f))))
                {
                    ulong follower = statuses[cluster.IndexOf(f)].Shards[s.Id].LastSequence;
                    if (follower != leader)
                    {
                        mismatch ??= $"shard {s.Id}: leader {s.Leader} at {leader}, follower {f} at {follower}";
                    }
                }
            }

            if (mismatch is null)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, mismatch);
            await Task.Delay(20);
        }
    }

    private static async Task<ShardMap> WaitForMajorityAsync(ReplicatedCluster cluster, int isolated, Func<ShardMap, bool> ok)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            ShardMap?[] maps = [.. Enumerable.Range(0, 3).Where(i => i != isolated).Select(i => cluster.Servers[i]!.Cluster!.View.ShardMap)];
            if (maps.All(m => m is not null && ok(m)))
            {
                return maps[0]!;
            }

            Assert.True(DateTime.UtcNow < deadline, "the majority did not elect a new leader: " + ReplicatedCluster.Describe(maps[0]));
            await Task.Delay(20);
        }
    }
}
