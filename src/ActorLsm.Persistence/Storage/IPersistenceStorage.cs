namespace ActorLsm.Persistence.Storage;

/// <summary>
/// What the journal, snapshot store and read journal need from a store, the same in both modes
/// (<see cref="EmbeddedStorage"/>: a local LsmStore; <see cref="ClusterStorage"/>: IActorLsm to the
/// replicated shards). Thread-safe. Every method fails with an exception (never hangs past the
/// configured request timeout): <see cref="TimeoutException"/>, an <c>ActorLsmException</c> in cluster
/// mode, an <c>LsmException</c> in embedded mode.
/// </summary>
internal interface IPersistenceStorage
{
    /// <summary>"embedded DIR" or "cluster", for messages.</summary>
    string Description { get; }

    /// <summary>
    /// True when any batch is atomic, whatever its keys' hash tags (embedded: one local store); false when
    /// only a batch within one hash slot is (cluster: one batch per shard).
    /// </summary>
    bool AtomicAcrossSlots { get; }

    /// <summary>
    /// Applies <paramref name="batch"/> (puts, and deletes where the value is null). Atomic when every key
    /// carries the same hash tag (one shard); otherwise atomic per shard only. Durable when the task completes.
    /// </summary>
    Task WriteAsync(IReadOnlyList<WriteOp> batch, CancellationToken cancellationToken = default);

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> (&gt; 0) entries with <paramref name="start"/> &lt;= key &lt;
    /// <paramref name="end"/>, ascending (descending when <paramref name="reverse"/>). One page; fewer than
    /// <paramref name="limit"/> entries means the range is exhausted.
    /// </summary>
    Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[] start, byte[] end, int limit, bool reverse = false, CancellationToken cancellationToken = default);
}
