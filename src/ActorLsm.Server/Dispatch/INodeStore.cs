using ActorLsm.Shards;
using ActorLsm.Storage;

namespace ActorLsm.Server.Dispatch;

/// <summary>
/// What the client endpoint needs of the node's shards: the operations of <see cref="ShardedNode"/>
/// with its error contract (ArgumentException, OverloadedException, ShardUnavailableException,
/// TimeoutException). <see cref="ShardedNodeStore"/> is the real one; tests may substitute another.
/// </summary>
public interface INodeStore : IAsyncDisposable
{
    /// <summary>Number of shards.</summary>
    int ShardCount { get; }

    /// <summary>Largest number of entries one scan returns (a scan limit of 0 asks for this many).</summary>
    int MaxScanLimit { get; }

    /// <summary>
    /// The time after which a put, get or delete fails with <see cref="TimeoutException"/> by itself
    /// (<see cref="ShardedNode"/>'s one sweep), or null when the store has no such bound. When it is
    /// within the server's own request timeout the dispatcher arms no timer per request.
    /// </summary>
    TimeSpan? OwnRequestTimeout => null;

    Task<ulong> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken);

    /// <summary>As <see cref="ShardedNode.PutAsync(byte[], byte[], DateTimeOffset?, CancellationToken)"/>: a put that expires at <paramref name="expiresAt"/> (null: never).</summary>
    Task<ulong> PutAsync(byte[] key, byte[] value, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    Task<ulong> DeleteAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ShardedNode.PutAsync(byte[], byte[], DateTimeOffset?, WriteSession?, CancellationToken)"/>: applied at
    /// most once per write of <paramref name="session"/> (R11). The default ignores the session (a test store without deduplication).
    /// </summary>
    Task<ulong> PutAsync(byte[] key, byte[] value, DateTimeOffset? expiresAt, WriteSession? session, CancellationToken cancellationToken) =>
        PutAsync(key, value, expiresAt, cancellationToken);

    /// <summary>As <see cref="ShardedNode.DeleteAsync(byte[], WriteSession?, CancellationToken)"/>; the default ignores the session.</summary>
    Task<ulong> DeleteAsync(byte[] key, WriteSession? session, CancellationToken cancellationToken) => DeleteAsync(key, cancellationToken);

    /// <summary>As <see cref="ShardedNode.SetExpiryAsync(byte[], DateTimeOffset?, WriteSession?, CancellationToken)"/>; the default ignores the session.</summary>
    Task<bool> SetExpiryAsync(byte[] key, DateTimeOffset? expiresAt, WriteSession? session, CancellationToken cancellationToken) =>
        SetExpiryAsync(key, expiresAt, cancellationToken);

    /// <summary>As <see cref="ShardedNode.SetTimeToLiveAsync(byte[], TimeSpan, WriteSession?, CancellationToken)"/>; the default ignores the session.</summary>
    Task<bool> SetTimeToLiveAsync(byte[] key, TimeSpan timeToLive, WriteSession? session, CancellationToken cancellationToken) =>
        SetTimeToLiveAsync(key, timeToLive, cancellationToken);

    /// <summary>As <see cref="ShardedNode.BatchAsync(IReadOnlyList{BatchOperation}, WriteSession?, CancellationToken)"/>; the default ignores the session.</summary>
    Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, WriteSession? session, CancellationToken cancellationToken) =>
        BatchAsync(operations, cancellationToken);

    /// <summary>As <see cref="ShardedNode.GetWithExpiryAsync"/>: the value and its expiry, or null when absent or expired.</summary>
    Task<ExpiringValue?> GetWithExpiryAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>As <see cref="ShardedNode.SetExpiryAsync(byte[], DateTimeOffset?, CancellationToken)"/> (EXPIREAT, PERSIST with null); true when the key existed.</summary>
    Task<bool> SetExpiryAsync(byte[] key, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>As <see cref="ShardedNode.SetTimeToLiveAsync(byte[], TimeSpan, CancellationToken)"/> (EXPIRE: relative, by the shard's clock); true when the key existed.</summary>
    Task<bool> SetTimeToLiveAsync(byte[] key, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ShardedNode.UpdateAsync(IReadOnlyList{byte[]}, KeyUpdater, CancellationToken)"/>: an atomic
    /// read-modify-write of keys of one shard (INCR, APPEND, SET NX/XX/GET, MSETNX...).
    /// </summary>
    Task<UpdateOutcome> UpdateAsync(IReadOnlyList<byte[]> keys, KeyUpdater updater, CancellationToken cancellationToken);

    Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ShardedNode.GetManyAsync"/>: the values of keys of one shard, in order, in one request to it.
    /// REQUIRES: every key is of one shard. The default reads them one by one.
    /// </summary>
    async Task<byte[]?[]> GetManyAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken) =>
        await Task.WhenAll(keys.Select(k => GetAsync(k, cancellationToken))).ConfigureAwait(false);

    Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, byte[]? end, int limit, bool reverse, CancellationToken cancellationToken);

    /// <summary>As <see cref="ScanAsync(byte[], byte[], int, bool, CancellationToken)"/> over only <paramref name="shards"/> (null = every shard).</summary>
    Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanShardsAsync(byte[]? start, byte[]? end, int limit, bool reverse, IReadOnlyList<int>? shards, CancellationToken cancellationToken);

    Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, CancellationToken cancellationToken);

    Task<NodeStatus> StatusAsync(CancellationToken cancellationToken);
}
