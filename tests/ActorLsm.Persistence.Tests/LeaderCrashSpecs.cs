using ActorLsm.Cluster;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Persistence.Layout;
using ActorLsm.Protocol;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorLsm.Persistence.Tests;

/// <summary>
/// Cluster mode survives the crash of the member leading the persistence id's shard: every event
/// acknowledged before the crash is replayed by a new incarnation of the actor once the shard has a new leader.
/// Its own three-node cluster (the shared one must keep its members); in the cluster collection so that it
/// never runs beside the other cluster specs.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LeaderCrashSpecs : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private readonly TestDirectory _dir = new();
    private readonly ClusterHost?[] _hosts = new ClusterHost?[3];

    public LeaderCrashSpecs(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        int[] ports = [TestDirectory.FreePort(), TestDirectory.FreePort(), TestDirectory.FreePort()];
        ClusterHost[] started = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => ClusterHost.StartAsync(Path.Combine(_dir.Path, "m" + i), ports[i], ports)));
        started.CopyTo(_hosts, 0);
        await ClusterFixture.WaitFullyReplicatedAsync(started);
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_hosts.Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));
        _dir.Dispose();
    }

    [Fact]
    public async Task Replay_AfterCrashOfTheShardLeader_ReturnsEveryAcknowledgedEvent()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        string pid = "crash-" + Guid.NewGuid().ToString("N")[..8];
        int shard = ShardHash.ShardOf(new PersistenceKeys("akka").PidBase(pid), ClusterHost.Shards);
        ShardMap map = _hosts[0]!.Member.View!.ShardMap!;
        NodeAddress leader = map[shard].Leader!;
        int leaderIndex = Array.FindIndex(_hosts, h => h!.Member.View!.SelfAddress.Address == leader);
        int writerIndex = (leaderIndex + 1) % 3;
        ClusterHost writer = _hosts[writerIndex]!;
        _output.WriteLine($"{pid}: shard {shard} led by host {leaderIndex}; persisting on host {writerIndex}");

        using var kit = new TestKit(writer.System);
        TestProbe probe = kit.CreateTestProbe();
        IActorRef ledger = writer.System.ActorOf(LedgerActor.Props(pid, probe.Ref));
        probe.ExpectMsg<Recovered>(TimeSpan.FromSeconds(20));
        var expected = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            ledger.Tell($"single-{i}");
            probe.ExpectMsg<Appended>(TimeSpan.FromSeconds(20));
            expected.Add($"single-{i}");
        }

        string[] batch = [.. Enumerable.Range(0, 20).Select(i => $"batch-{i}")];
        ledger.Tell(new AppendAll(batch));
        probe.ReceiveN(batch.Length, TimeSpan.FromSeconds(20));
        expected.AddRange(batch);
        probe.Watch(ledger);
        ledger.Tell(PoisonPill.Instance);
        probe.ExpectTerminated(ledger, TimeSpan.FromSeconds(10));
        _output.WriteLine($"{expected.Count} events acknowledged after {watch.ElapsedMilliseconds} ms; crashing host {leaderIndex}");

        await _hosts[leaderIndex]!.CrashAsync();
        ClusterHost[] survivors = [.. _hosts.Where((h, i) => i != leaderIndex).Select(h => h!)];
        HashSet<NodeAddress> alive = [.. survivors.Select(h => h.Member.View!.SelfAddress.Address)];
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (writer.Member.View!.ShardMap is not { } m || !m[shard].Available || m[shard].Leader is not { } l || !alive.Contains(l))
            {
                await Task.Delay(100, deadline.Token);
            }
        }

        _output.WriteLine($"shard {shard} led by a survivor after {watch.ElapsedMilliseconds} ms");
        writer.System.ActorOf(LedgerActor.Props(pid, probe.Ref));
        Recovered recovered = probe.ExpectMsg<Recovered>(TimeSpan.FromSeconds(30));
        Assert.Equal(expected, recovered.Entries);
        Assert.Equal(expected.Count, recovered.LastSequenceNr);
        _output.WriteLine($"replayed {recovered.Entries.Count} events after {watch.ElapsedMilliseconds} ms");
    }
}
