using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Versions;
using ActorLsm.Server.Dispatch;
using ActorLsm.Shards;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Clustering;

/// <summary>
/// Reports, every <c>interval</c>, the progress of the shards this node leads to the version
/// manager (<see cref="IClusterView.ReportShardVersions"/>), computed by <see cref="ShardVersionTracker"/>
/// from the view's current version and the shards' last and durable sequences (seed 000's
/// VersionFlushed reports). One loop; dispose to stop it.
/// </summary>
public sealed class ShardVersionReporter : IAsyncDisposable
{
    private readonly IClusterView _view;
    private readonly ShardOwnership _ownership;
    private readonly INodeStore _store;
    private readonly ILogger _logger;
    private readonly ShardVersionTracker _tracker = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts reporting every <paramref name="interval"/> (positive).</summary>
    public ShardVersionReporter(IClusterView view, ShardOwnership ownership, INodeStore store, TimeSpan interval, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(ownership);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _view = view;
        _ownership = ownership;
        _store = store;
        _logger = logger;
        _loop = RunAsync(interval);
    }

    /// <summary>Reads the led shards' progress: last sequence from status, durable sequence from the store's flushes.</summary>
    public static async Task<IReadOnlyList<ShardProgress>> ReadProgressAsync(INodeStore store, IReadOnlyList<int> led, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(led);
        return led.Count == 0 ? [] : Progress(await store.StatusAsync(cancellationToken).ConfigureAwait(false), store, led);
    }

    /// <summary>The led shards' progress from one <paramref name="status"/> of <paramref name="store"/>; only sequences at or below each shard's high watermark count (R2).</summary>
    public static IReadOnlyList<ShardProgress> Progress(NodeStatus status, INodeStore store, IReadOnlyList<int> led)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(led);
        var progress = new List<ShardProgress>(led.Count);
        foreach (int id in led)
        {
            if (id >= status.Shards.Count || status.Shards[id].State != "running")
            {
                continue;
            }

            ShardStatusInfo s = status.Shards[id];
            ulong durable = store is ShardedNodeStore real ? real.DurableSequence(id) : 0;

            // An empty memtable with no flush seen since start: everything is in SSTables (WAL replay flushed or nothing written).
            bool unflushed = s.MemTableBytes > 0 || (durable > 0 && durable < s.LastSequence);

            // Replicated: only what the whole in-sync set has on disk counts (the high watermark, R2).
            ulong committed = Math.Min(s.LastSequence, s.CommittedSequence);
            unflushed |= committed < s.LastSequence;
            progress.Add(new ShardProgress(id, committed, Math.Min(durable, committed), unflushed));
        }

        return progress;
    }

    /// <summary>The last sequence of every shard this node follows, from one <paramref name="status"/> (for the version manager's leader election, R6).</summary>
    public static IReadOnlyList<ReplicaProgress> FollowerProgress(NodeStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return [.. status.Shards.Where(s => s.Role == "follower").Select(s => new ReplicaProgress(s.Id, (long)s.LastSequence))];
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            try
            {
                long current = _view.Versions.Current;
                IReadOnlyList<int> led = _ownership.ServedShards();
                bool replicated = _store is ShardedNodeStore;
                NodeStatus? status = led.Count > 0 || replicated ? await _store.StatusAsync(_stop.Token).ConfigureAwait(false) : null;
                IReadOnlyList<ShardVersionReport> reports = _tracker.Observe(current, status is null ? [] : Progress(status, _store, led));
                if (reports.Count > 0)
                {
                    _view.ReportShardVersions(reports);
                }

                IReadOnlyList<ReplicaProgress> followed = status is null || !replicated ? [] : FollowerProgress(status);
                if (followed.Count > 0)
                {
                    _view.ReportReplicaProgress(followed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "shard version report failed: {Message}", ex.Message);
            }
        }
    }
}
