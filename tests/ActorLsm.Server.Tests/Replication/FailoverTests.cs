using System.Text;
using ActorLsm.Client;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Server.Tests.Linearizability;

namespace ActorLsm.Server.Tests.Replication;

/// <summary>
/// Repeated leader crashes under a set workload and a register workload: no acknowledged write is
/// lost (R1, R6) and the single-key histories are linearizable (R7), checked with the Wing-Gong
/// search (LinearizabilityChecker), with the clients resending writes of unknown outcome (R11).
/// </summary>
[Collection("replicated clusters")]
public sealed class FailoverTests
{
    private const int RequiredFailovers = 20;

    [Fact]
    public async Task RepeatedLeaderCrashes_TwentyFailovers_NoAcknowledgedWriteLostAndHistoriesWithResendsLinearizable_R1_R6_R7_R11()
    {
        await using ReplicatedCluster cluster = await ReplicatedCluster.StartAsync(3, minInSync: 2);
        await using ActorLsmClient setClient = cluster.Client();
        var workload = new SetWorkload();
        var history = new HistoryRecorder();
        using var stop = new CancellationTokenSource();
        Task set = workload.RunAsync(setClient, 2, "failover", stop.Token);
        Task registers = RunRegistersAsync(cluster, history, clients: 3, keys: 4, stop.Token);

        int failovers = 0;
        int crashes = 0;
        while (failovers < RequiredFailovers)
        {
            Assert.True(crashes < 3 * RequiredFailovers, $"only {failovers} failovers after {crashes} crashes");
            ShardMap before = await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.InSync.Count == 3), "every shard fully in sync");
            int victim = PickVictim(cluster, before);
            int led = before.Shards.Count(s => s.Leader == cluster.Address(victim));
            int acked = workload.Acked.Count;
            await cluster.CrashAsync(victim);
            crashes++;
            await cluster.WaitForAsync(m => m.Shards.All(s => s.Available && s.Leader != cluster.Address(victim)), $"failover #{crashes}");
            failovers += led;
            await workload.WaitForAckedAsync(acked + 20); // writes are acknowledged again after the failover
            await cluster.StartNodeAsync(victim);
        }

        await stop.CancelAsync();
        await Task.WhenAll(set, registers);

        List<string> lost = await workload.FindLostAsync(setClient);
        if (lost.Count > 0)
        {
            var why = new StringBuilder();
            foreach (string key in lost.Take(3))
            {
                int shard = ActorLsm.Protocol.ShardHash.ShardOf(Encoding.UTF8.GetBytes(key), ReplicatedCluster.ShardCount);
                why.Append($"\n{key}: shard {shard}, acknowledged at sequence {workload.Sequences[key]}; ");
                foreach (int i in Enumerable.Range(0, 3).Where(i => cluster.Servers[i] is not null))
                {
                    var st = (await cluster.StatusAsync(i)).Shards[shard];
                    why.Append($"node{i} {st.Role} e{st.LeaderEpoch} last {st.LastSequence} committed {st.CommittedSequence} snapshots {st.SnapshotsInstalled} truncations {st.Truncations}; ");
                }
            }

            why.Append("\nmap: ").Append(ReplicatedCluster.Describe(cluster.Map));
            Assert.Fail($"{lost.Count} of {workload.Acked.Count} acknowledged writes lost after {failovers} failovers: {why}");
        }
        IReadOnlyList<Operation> ops = history.Snapshot();
        CheckResult result = LinearizabilityChecker.Check(ops, TimeSpan.FromSeconds(60));
        Assert.True(result.Outcome == CheckOutcome.Ok, $"{ops.Count} register operations: {result}");
        Assert.True(ops.Count(o => o.Outcome == OperationOutcome.Ok) > 100, "the register workload made progress");
    }

    /// <summary>The node leading the most shards, preferring one that does not run the version manager (faster failover).</summary>
    private static int PickVictim(ReplicatedCluster cluster, ShardMap map)
    {
        var singleton = cluster.Running.First().Cluster!.View.Singleton?.Address;
        return Enumerable.Range(0, cluster.Servers.Length)
            .OrderByDescending(i => map.Shards.Count(s => s.Leader == cluster.Address(i)))
            .ThenBy(i => cluster.Address(i) == singleton ? 1 : 0)
            .First();
    }

    private static Task RunRegistersAsync(ReplicatedCluster cluster, HistoryRecorder history, int clients, int keys, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            // Writes whose outcome is unknown are resent (the default): each carries the client's
            // session sequence, so a resend is applied at most once (R11) and the history stays linearizable.
            await using ActorLsmClient client = cluster.Client(TimeSpan.FromSeconds(10));
            Assert.True(client.Options.RetryIndeterminateWrites && client.Options.ExactlyOnceWrites);
            var random = new Random(c);
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                string key = "reg-" + random.Next(keys);
                bool write = random.Next(2) == 0;
                string value = $"c{c}-{n}";
                long id = history.Invoke(c, write ? OperationKind.Put : OperationKind.Get, key, write ? value : null);
                try
                {
                    if (write)
                    {
                        await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
                        history.Complete(id);
                    }
                    else
                    {
                        byte[]? got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
                        history.Complete(id, got is null ? null : Encoding.UTF8.GetString(got));
                    }
                }
                catch (ArgumentException)
                {
                    history.Fail(id);
                }
                catch (Exception e) when (e is ActorLsmException or ActorLsmConnectionException or TimeoutException or OperationCanceledException)
                {
                    history.Indeterminate(id); // a failed write may or may not have been applied
                }
            }
        })));
}
