using ActorLsm.Kernel;

namespace ActorLsm.Shards;

/// <summary>
/// The shards of one node behind one façade: a fixed number of <c>ShardActor</c>s under
/// <c>/user/shards</c>, each owning one storage engine in <c>DataDir/shard-NN</c>, with keys
/// spread over them by a stable hash. The server and the embedded YCSB runner both use it.
/// Every method is thread-safe and answers through the shard actors' messages.
/// </summary>
/// <remarks>
/// Errors: <see cref="ArgumentException"/> for keys or values over the storage limits (nothing
/// written); <see cref="OverloadedException"/> when a shard's write queue is full (nothing
/// written); <see cref="ShardUnavailableException"/> while a shard restarts or after stop;
/// <see cref="TimeoutException"/> after <see cref="ShardedNodeOptions.RequestTimeout"/>.
/// </remarks>
public sealed class ShardedNode : IAsyncDisposable
{
    private ShardedNode()
    {
    }

    /// <summary>Number of shards.</summary>
    public int ShardCount => throw new NotImplementedException();

    /// <summary>Starts the shard actors in <paramref name="system"/> and waits until every shard has opened its store.</summary>
    public static Task<ShardedNode> StartAsync(ActorSystem system, ShardedNodeOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The shard that owns <paramref name="key"/>: a stable 64-bit hash of the key modulo <see cref="ShardCount"/>.</summary>
    public int ShardOf(ReadOnlySpan<byte> key) => throw new NotImplementedException();

    /// <summary>Writes a value; returns the write's sequence number in its shard once durable per the WAL sync mode.</summary>
    public Task<ulong> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Deletes a key (writes a tombstone); returns its sequence number.</summary>
    public Task<ulong> DeleteAsync(byte[] key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The value of a key, or null.</summary>
    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>
    /// Entries with start &lt;= key &lt; end (null = unbounded), ascending or descending, at most
    /// <paramref name="limit"/> (capped by <see cref="ShardedNodeOptions.MaxScanLimit"/>), merged
    /// from every shard. <c>Truncated</c> is true when more entries remain.
    /// </summary>
    public Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, byte[]? end, int limit, bool reverse, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Applies the operations, atomically per shard (not across shards); returns the number of shards touched.</summary>
    public Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Status of every shard.</summary>
    public Task<NodeStatus> StatusAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Stops accepting requests, lets in-flight writes finish, and closes every store cleanly.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
