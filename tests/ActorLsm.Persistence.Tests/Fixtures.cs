using ActorLsm.Cluster.Sharding;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;

namespace ActorLsm.Persistence.Tests;

/// <summary>An actor system whose default journal and snapshot store are the ActorLsm plugins, in one mode.</summary>
public interface IPersistenceFixture
{
    /// <summary>"embedded" or "cluster".</summary>
    string Mode { get; }

    /// <summary>A test kit on the system under test (probes are created from it).</summary>
    TestKit Kit { get; }

    /// <summary>How long a probe waits for one reply.</summary>
    TimeSpan Timeout { get; }
}

/// <summary>mode = embedded: one local ActorSystem on a fresh data directory (snapshot chunks of 1 KiB).</summary>
public sealed class EmbeddedFixture : IPersistenceFixture, IDisposable
{
    private readonly TestDirectory _dir = new();

    public EmbeddedFixture()
    {
        Config config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.actorlsm"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.actorlsm"
            akka.persistence.journal.actorlsm.data-dir = "{{_dir.Path.Replace("\\", "/", StringComparison.Ordinal)}}"
            akka.persistence.snapshot-store.actorlsm.data-dir = "{{_dir.Path.Replace("\\", "/", StringComparison.Ordinal)}}"
            akka.persistence.snapshot-store.actorlsm.chunk-size = 1KiB
            """).WithFallback(ActorLsmPersistence.DefaultConfig);
        Kit = new TestKit(config);
    }

    public string Mode => "embedded";

    public TestKit Kit { get; }

    public TimeSpan Timeout => TimeSpan.FromSeconds(10);

    public string DataDir => _dir.Path;

    public void Dispose()
    {
        Kit.Sys.Terminate().Wait(TimeSpan.FromSeconds(20));
        _dir.Dispose();
    }
}

/// <summary>
/// mode = cluster: three Akka.Hosting hosts on 127.0.0.1 free ports form one cluster (WithActorLsm, 4 shards,
/// RF 3) and run the plugins in cluster mode; the specs drive host 0's plugins. Ready when every shard has a
/// leader and three in-sync replicas.
/// </summary>
public sealed class ClusterFixture : IPersistenceFixture, IAsyncLifetime
{
    private readonly TestDirectory _dir = new();
    private TestKit? _kit;

    internal ClusterHost?[] Hosts { get; } = new ClusterHost?[3];

    public string Mode => "cluster";

    public TestKit Kit => _kit ?? throw new InvalidOperationException("not started");

    public TimeSpan Timeout => TimeSpan.FromSeconds(20);

    public async Task InitializeAsync()
    {
        int[] ports = [TestDirectory.FreePort(), TestDirectory.FreePort(), TestDirectory.FreePort()];
        ClusterHost[] started = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => ClusterHost.StartAsync(Path.Combine(_dir.Path, "m" + i), ports[i], ports)));
        started.CopyTo(Hosts, 0);
        await WaitFullyReplicatedAsync(started);
        _kit = new TestKit(started[0].System);
    }

    /// <summary>Waits (on the shard maps, polled) until every shard of every host's view is led with <paramref name="hosts"/>.Length in-sync replicas.</summary>
    internal static async Task WaitFullyReplicatedAsync(IReadOnlyList<ClusterHost> hosts)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (ClusterHost host in hosts)
        {
            while (!FullyReplicated(host.Member.View?.ShardMap, hosts.Count))
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    private static bool FullyReplicated(ShardMap? map, int replicas) =>
        map is not null && map.Shards.All(a => a.Available && a.Leader is not null && a.InSync.Count == replicas);

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Hosts.Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));

        _dir.Dispose();
    }
}
