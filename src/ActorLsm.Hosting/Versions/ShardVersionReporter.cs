using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Versions;
using ActorLsm.Hosting.Ownership;
using ActorLsm.Shards;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Hosting.Versions;

/// <summary>
/// Reports, every <c>interval</c>, the progress of the shards this node leads to the version
/// manager (<see cref="IClusterView.ReportShardVersions"/>), computed by <see cref="ShardVersionTracker"/>
/// from the view's current version and the shards' last and durable sequences (seed 000's
/// VersionFlushed reports). One loop; dispose to stop it.
/// </summary>
/// <remarks>
/// The shards are read through two functions, so that both a member's <see cref="ShardedNode"/>
/// (<see cref="DurableSequences"/>) and the server's node store fit: <c>status</c> gives the
/// shards' status, <c>durable</c> the largest flushed sequence of a shard, or is null for a store
/// with no real shards (a test fake): then nothing counts as durable and no follower progress is
/// reported.
/// </remarks>
public sealed class ShardVersionReporter : IAsyncDisposable
{
    private readonly IClusterView _view;
    private readonly ShardOwnership _ownership;
    private readonly Func<CancellationToken, Task<NodeStatus>> _status;
    private readonly Func<int, ulong>? _durable;
    private readonly ILogger _logger;
    private readonly ShardVersionTracker _tracker = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>
    /// Starts reporting every <paramref name="interval"/> (positive): <paramref name="status"/> reads
    /// the shards' status, <paramref name="durable"/> a shard's largest flushed sequence (null: no
    /// real shards, see the remarks).
    /// </summary>
    public ShardVersionReporter(
        IClusterView view, ShardOwnership ownership, Func<CancellationToken, Task<NodeStatus>> status, Func<int, ulong>? durable, TimeSpan interval, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(ownership);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _view = view;
        _ownership = ownership;
        _status = status;
        _durable = durable;
        _logger = logger;
        _loop = RunAsync(interval);
    }

    /// <summary>Reports for the shards of <paramref name="node"/>, whose flushes <paramref name="durable"/> follows.</summary>
    public ShardVersionReporter(IClusterView view, ShardOwnership ownership, ShardedNode node, DurableSequences durable, TimeSpan interval, ILogger logger)
        : this(view, ownership, ct => (node ?? throw new ArgumentNullException(nameof(node))).StatusAsync(ct), (durable ?? throw new ArgumentNullException(nameof(durable))).Of, interval, logger)
    {
    }

    /// <summary>
    /// The led shards' progress from one <paramref name="status"/>; <paramref name="durable"/> gives a
    /// shard's largest flushed sequence (null: 0). Only sequences at or below each shard's high
    /// watermark count (R2).
    /// </summary>
    public static IReadOnlyList<ShardProgress> Progress(NodeStatus status, Func<int, ulong>? durable, IReadOnlyList<int> led)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(led);
        var progress = new List<ShardProgress>(led.Count);
        foreach (int id in led)
        {
            if (id >= status.Shards.Count || status.Shards[id].State != "running")
            {
                continue;
            }

            ShardStatusInfo s = status.Shards[id];
            ulong durableSequence = durable is null ? 0 : durable(id);

            // An empty memtable with no flush seen since start: everything is in SSTables (WAL replay flushed or nothing written).
            bool unflushed = s.MemTableBytes > 0 || (durableSequence > 0 && durableSequence < s.LastSequence);

            // Replicated: only what the whole in-sync set has on disk counts (the high watermark, R2).
            ulong committed = Math.Min(s.LastSequence, s.CommittedSequence);
            unflushed |= committed < s.LastSequence;
            progress.Add(new ShardProgress(id, committed, Math.Min(durableSequence, committed), unflushed));
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
                bool replicated = _durable is not null;
                NodeStatus? status = led.Count > 0 || replicated ? await _status(_stop.Token).ConfigureAwait(false) : null;
                IReadOnlyList<ShardVersionReport> reports = _tracker.Observe(current, status is null ? [] : Progress(status, _durable, led));
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
