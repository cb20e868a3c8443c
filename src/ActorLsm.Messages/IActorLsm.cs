namespace ActorLsm;

/// <summary>
/// The store as application code sees it, whichever way it is reached: over TCP
/// (<c>ActorLsm.Client.ActorLsmClient</c>) or from inside the application's own Akka cluster
/// (<c>ActorLsm.Hosting</c>'s in-cluster client, registered by <c>WithActorLsm</c>). Code written against
/// this interface moves between the two unchanged. Keys and values are opaque bytes; keys are placed on
/// shards by hash, and every single-key operation is linearizable while the key's shard leader holds its
/// epoch (src/ActorLsm.Cluster/PROTOCOL.md).
/// </summary>
/// <remarks>
/// Errors, the same for every implementation: <see cref="ActorLsmException"/> with the protocol's
/// <see cref="Protocol.ErrorCode"/> (<see cref="ActorLsmOverloadedException"/> when the shard's write queue
/// is full, <see cref="ActorLsmNotEnoughReplicasException"/> when the shard has too few in-sync replicas);
/// <see cref="ArgumentException"/> for a key or value over the node's limits;
/// <see cref="OperationCanceledException"/> on cancellation.
/// </remarks>
public interface IActorLsm
{
    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="key"/>; returns the write's sequence number in
    /// its shard. When the task completes the write is in the WAL of every in-sync replica, synced per the
    /// nodes' WAL sync mode.
    /// </summary>
    Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="key"/> until <paramref name="expiresAt"/>
    /// (absolute, millisecond precision; null: never expires, the same as the overload without it);
    /// returns the write's sequence number. The expiry is stored with the value in the shard's WAL, so
    /// every replica holds the same one; from it on, every read and scan treats the key as absent and
    /// compaction removes it. An expiry in the past makes the write invisible at once.
    /// </summary>
    Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default);

    /// <summary>The value of <paramref name="key"/>, or null when it is absent, deleted or expired.</summary>
    Task<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>
    /// The value of <paramref name="key"/> and its expiry (null when it never expires), or null when the
    /// key is absent, deleted or expired by the shard leader's clock.
    /// </summary>
    Task<StoredValue?> GetWithExpiryAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically sets the expiry of an existing key, keeping its value (Redis EXPIREAT/PEXPIREAT; null
    /// removes the expiry, as PERSIST). An expiry at or before the leader's clock deletes the key.
    /// </summary>
    /// <returns>True when the key existed; false (nothing written) when it is absent or expired.</returns>
    Task<bool> ExpireAsync(ReadOnlyMemory<byte> key, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically sets the expiry of an existing key to <paramref name="timeToLive"/> from now, measured by
    /// the key's shard leader's clock, which writes the absolute time to its WAL (Redis EXPIRE/PEXPIRE,
    /// millisecond precision). Zero or less deletes the key.
    /// </summary>
    /// <returns>True when the key existed; false (nothing written) when it is absent or expired.</returns>
    Task<bool> ExpireAfterAsync(ReadOnlyMemory<byte> key, TimeSpan timeToLive, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="key"/> (writes a tombstone); returns the tombstone's sequence number.</summary>
    Task<ulong> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Entries with <paramref name="start"/> &lt;= key &lt; <paramref name="end"/> (null: unbounded) in key
    /// order, descending when <paramref name="reverse"/>; <paramref name="limit"/> 0 means all. Fetched in
    /// pages, so a long scan is not one snapshot.
    /// </summary>
    IAsyncEnumerable<KeyValuePair<byte[], byte[]>> ScanAsync(byte[]? start = null, byte[]? end = null, int limit = 0, bool reverse = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="operations"/>, atomically within each shard only (one write batch per shard);
    /// returns the number of shards touched. A failure may leave some shards' parts applied.
    /// </summary>
    Task<int> BatchAsync(IReadOnlyList<WriteOp> operations, CancellationToken cancellationToken = default);
}
