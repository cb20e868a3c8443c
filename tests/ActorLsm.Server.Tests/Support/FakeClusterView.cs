using System.Collections.Concurrent;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using ActorLsm.Server.Clustering;

namespace ActorLsm.Server.Tests.Support;

/// <summary>A cluster view the test sets by hand; records the shard version reports it receives.</summary>
internal sealed class FakeClusterView : IClusterView
{
    private volatile ShardMap? _map;

    public FakeClusterView(string host, int port)
    {
        SelfAddress = new UniqueAddress(new NodeAddress(host, port), 42);
    }

    public event Action? Changed;

    public UniqueAddress SelfAddress { get; }

    public ClusterState Membership { get; set; } = ClusterState.Empty;

    public UniqueAddress? Singleton { get; set; }

    public ClusterVersions Versions { get; set; } = ClusterVersions.None;

    public ShardMap? ShardMap
    {
        get => _map;
        set
        {
            _map = value;
            Changed?.Invoke();
        }
    }

    public ConcurrentQueue<ShardVersionReport> Reports { get; } = new();

    public void ReportShardVersions(IReadOnlyList<ShardVersionReport> reports)
    {
        foreach (ShardVersionReport r in reports)
        {
            Reports.Enqueue(r);
        }
    }

    /// <summary>A map of <paramref name="leaders"/>.Length shards; shard i led by leaders[i] (address, client endpoint) at epochs[i].</summary>
    public static ShardMap Map(long version, (NodeAddress Node, string Endpoint)[] leaders, long[] epochs, bool[]? available = null) =>
        new(version, 1, leaders.Length, [.. leaders.Select((l, i) => new ShardAssignment(i, l.Node, l.Endpoint, [], [l.Node], epochs[i], available?[i] ?? true, 0))]);
}

/// <summary>A cluster side without remoting: up at once, downed or left on demand.</summary>
internal sealed class FakeClusterNode : IClusterNode
{
    public FakeClusterNode(IClusterView view)
    {
        View = view;
    }

    public IClusterView View { get; }

    public Task WhenUp => Task.CompletedTask;

    public TaskCompletionSource Downed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WhenDowned => Downed.Task;

    public int LeaveCalls;

    public Task LeaveAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref LeaveCalls);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
