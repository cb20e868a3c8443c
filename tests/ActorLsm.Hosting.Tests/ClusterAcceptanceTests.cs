using System.Text;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Messages;
using Akka.TestKit;
using Xunit.Abstractions;

namespace ActorLsm.Hosting.Tests;

/// <summary>
/// Three Akka.Hosting hosts (system "shop", Akka.Remote on 127.0.0.1) form one cluster with WithActorLsm;
/// writes through IActorLsm on one host are read through the router's messages on another and through a
/// fourth, proxy member (WithActorLsmProxy), and still read after one host stops.
/// </summary>
public sealed class ClusterAcceptanceTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const int Shards = 4;
    private readonly ITestOutputHelper _output;
    private readonly TestDirectory _dir = new();
    private readonly HostedStore?[] _hosts = new HostedStore?[3];
    private HostedStore? _proxy;

    public ClusterAcceptanceTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        int[] ports = [TestDirectory.FreePort(), TestDirectory.FreePort(), TestDirectory.FreePort()];
        Task<HostedStore>[] starts = [.. Enumerable.Range(0, 3).Select(i => HostedStore.StartMemberAsync(Path.Combine(_dir.Path, "m" + i), ports[i], ports, Shards))];
        int proxyPort = TestDirectory.FreePort();
        Task<HostedStore> proxy = HostedStore.StartMemberAsync(Path.Combine(_dir.Path, "proxy"), proxyPort, ports, Shards, proxy: true);
        HostedStore[] started = await Task.WhenAll(starts);
        started.CopyTo(_hosts, 0);
        _proxy = await proxy;
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        foreach (HostedStore? host in _hosts)
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        _dir.Dispose();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task ThreeHosts_WriteOnOneReadOnAnotherThenStopOne_EveryAcknowledgedKeyIsRead()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (HostedStore host in _hosts.Select(h => h!))
        {
            await AwaitAssertAsync(() => AssertFullyReplicated(host.Member.View!.ShardMap, 3), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        }

        _output.WriteLine($"cluster formed, every shard led with 3 in-sync replicas after {watch.ElapsedMilliseconds} ms");

        IActorLsm writer = _hosts[0]!.Store;
        var acknowledged = new Dictionary<string, string>();
        for (int i = 0; i < 40; i++)
        {
            await writer.PutAsync(B($"cart:{i}"), B($"items-{i}"));
            acknowledged[$"cart:{i}"] = $"items-{i}";
        }

        Assert.InRange(await writer.BatchAsync([WriteOp.Put(B("cart:a"), B("A")), WriteOp.Put(B("cart:b"), B("B")), WriteOp.Delete(B("cart:0"))]), 1, 3);
        acknowledged.Remove("cart:0");
        acknowledged["cart:a"] = "A";
        acknowledged["cart:b"] = "B";

        // Read on host 1 through the router's messages.
        TestProbe probe = CreateTestProbe(_hosts[1]!.System);
        long id = 0;
        foreach ((string key, string value) in acknowledged)
        {
            _hosts[1]!.Router.Tell(new Messages.Get(B(key), ++id), probe.Ref);
            GetResult got = probe.ExpectMsg<GetResult>(TimeSpan.FromSeconds(10));
            Assert.Equal((id, value), (got.CorrelationId, Encoding.UTF8.GetString(got.Value ?? [])));
        }

        _hosts[1]!.Router.Tell(new Messages.Get(B("cart:0"), ++id), probe.Ref);
        Assert.Null(probe.ExpectMsg<GetResult>(TimeSpan.FromSeconds(10)).Value);

        // The scan scatters over the three members and merges.
        _hosts[1]!.Router.Tell(new Scan(B("cart:"), B("cart;"), 0, false, ++id), probe.Ref);
        ScanResult scan = probe.ExpectMsg<ScanResult>(TimeSpan.FromSeconds(10));
        Assert.Equal(acknowledged.Keys.Order(StringComparer.Ordinal), scan.Entries.Select(e => Encoding.UTF8.GetString(e.Key)));
        _output.WriteLine($"written and read across members after {watch.ElapsedMilliseconds} ms");

        // A proxy member (no data, role "web") reads the same through IActorLsm and its router.
        IActorLsm viaProxy = _proxy!.Store;
        Assert.Equal("items-7", Encoding.UTF8.GetString(await viaProxy.GetAsync(B("cart:7")) ?? []));
        await viaProxy.PutAsync(B("cart:proxy"), B("P"));
        acknowledged["cart:proxy"] = "P";
        TestProbe proxyProbe = CreateTestProbe(_proxy.System);
        _proxy.Router.Tell(new Scan(B("cart:"), B("cart;"), 0, false, 99), proxyProbe.Ref);
        Assert.Equal(acknowledged.Count, proxyProbe.ExpectMsg<ScanResult>(TimeSpan.FromSeconds(10)).Entries.Count);

        // Stop host 2 (graceful: it leaves, its shards move to the survivors).
        await _hosts[2]!.DisposeAsync();
        _hosts[2] = null;
        foreach (HostedStore host in _hosts.Take(2).Select(h => h!))
        {
            await AwaitAssertAsync(() => AssertLedBySurvivors(host.Member.View!.ShardMap), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        }

        _output.WriteLine($"host 2 stopped; every shard led again after {watch.ElapsedMilliseconds} ms");
        IActorLsm reader = _hosts[1]!.Store;
        foreach ((string key, string value) in acknowledged)
        {
            Assert.Equal(value, Encoding.UTF8.GetString(await reader.GetAsync(B(key)) ?? []));
        }

        _output.WriteLine($"every acknowledged key read after the stop, {watch.ElapsedMilliseconds} ms in all");
    }

    private static void AssertFullyReplicated(ShardMap? map, int replicas)
    {
        Assert.NotNull(map);
        Assert.Equal(Shards, map.ShardCount);
        foreach (ShardAssignment a in map.Shards)
        {
            Assert.True(a.Available && a.Leader is not null, $"shard {a.Id} has no available leader");
            Assert.Equal(replicas, a.InSync.Count);
        }
    }

    private void AssertLedBySurvivors(ShardMap? map)
    {
        Assert.NotNull(map);
        HashSet<NodeAddress> alive = [.. _hosts.Take(2).Select(h => h!.Member.View!.SelfAddress.Address)];
        foreach (ShardAssignment a in map.Shards)
        {
            Assert.True(a.Available && a.Leader is not null && alive.Contains(a.Leader), $"shard {a.Id} is not led by a surviving member ({a.Leader})");
        }
    }
}
