using ActorLsm.Shards;
using ActorLsm.Storage;

namespace ActorLsm.Hosting.Versions;

/// <summary>
/// The largest sequence number each shard of a <see cref="ShardedNode"/> has made durable in SSTables
/// since start, followed from the node's <see cref="ShardedNode.FlushCompleted"/> events (seed 000's
/// VersionFlushed input). Thread-safe; never goes backwards.
/// </summary>
public sealed class DurableSequences : IDisposable
{
    private readonly ShardedNode _node;
    private readonly long[] _durable;

    /// <summary>Starts following the flushes of <paramref name="node"/>.</summary>
    public DurableSequences(ShardedNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _durable = new long[node.ShardCount];
        node.FlushCompleted += OnFlushCompleted;
    }

    /// <summary>The largest sequence number a flush of shard <paramref name="shard"/> made durable since start (0 = none seen). REQUIRES: 0 &lt;= shard &lt; shard count.</summary>
    public ulong Of(int shard) => (ulong)Volatile.Read(ref _durable[shard]);

    /// <inheritdoc/>
    public void Dispose() => _node.FlushCompleted -= OnFlushCompleted;

    private void OnFlushCompleted(int shard, FlushCompletedInfo info)
    {
        long seq = (long)Math.Min(info.LargestSequence, long.MaxValue);
        long seen = Volatile.Read(ref _durable[shard]);
        while (seq > seen)
        {
            long was = Interlocked.CompareExchange(ref _durable[shard], seq, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }
    }
}
