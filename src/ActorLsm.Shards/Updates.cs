using ActorLsm.Storage;

namespace ActorLsm.Shards;

/// <summary>
/// Decides an atomic read-modify-write on one shard (<see cref="ShardedNode.UpdateAsync(IReadOnlyList{byte[]}, KeyUpdater, CancellationToken)"/>):
/// given the current value and expiry of each requested key (null when absent, deleted or expired)
/// and the shard's clock, returns the writes to make and a result for the caller.
/// </summary>
/// <remarks>
/// Runs on the shard actor, between the shard's other writes: no other write of the shard comes
/// between the read it is given and the writes it returns (Redis's per-key atomicity for INCR,
/// APPEND, GETSET, SET NX/XX/GET/KEEPTTL, EXPIRE, PERSIST, MSETNX...). It must be quick, must not
/// block or await, and must not keep the arrays it is given. An exception it throws fails the
/// request with that exception and writes nothing (the RESP front end can throw its own error type
/// for WRONGTYPE or "value is not an integer").
/// </remarks>
/// <param name="current">Per requested key, in request order: its value and expiry, or null.</param>
/// <param name="now">
/// Now by the shard's store clock (LsmOptions.TimeProvider) on the leader: add a relative TTL to
/// it, so the absolute expiry written to the WAL is the leader's, and every replica agrees.
/// </param>
public delegate UpdateDecision KeyUpdater(IReadOnlyList<ExpiringValue?> current, DateTimeOffset now);

/// <summary>
/// What a <see cref="KeyUpdater"/> decided: <paramref name="Writes"/> (puts with optional expiry,
/// and deletes, of the requested keys only), committed atomically in one WAL record, and
/// <paramref name="Result"/>, handed back unchanged in <see cref="UpdateOutcome.Result"/>.
/// </summary>
/// <param name="Writes">Operations on keys of the request; empty writes nothing.</param>
/// <param name="Result">Anything for the caller (e.g. the new counter value), or null.</param>
public sealed record UpdateDecision(IReadOnlyList<BatchOperation> Writes, object? Result)
{
    /// <summary>Write nothing; answer <paramref name="result"/>.</summary>
    public static UpdateDecision None(object? result = null) => new([], result);

    /// <summary>Put <paramref name="value"/> under <paramref name="key"/> until <paramref name="expiresAt"/> (null: never).</summary>
    public static UpdateDecision Put(byte[] key, byte[] value, DateTimeOffset? expiresAt, object? result = null) =>
        new([new BatchOperation(key, value, expiresAt)], result);

    /// <summary>Delete <paramref name="key"/>.</summary>
    public static UpdateDecision Delete(byte[] key, object? result = null) => new([new BatchOperation(key, null)], result);
}

/// <summary>The answer to an update, once its writes (if any) are durable on every in-sync replica.</summary>
/// <param name="Sequence">Sequence number of the first write in the shard; null when the updater wrote nothing.</param>
/// <param name="Result">The <see cref="UpdateDecision.Result"/> the updater returned.</param>
public sealed record UpdateOutcome(ulong? Sequence, object? Result)
{
    /// <summary>True when the updater wrote something.</summary>
    public bool Written => Sequence is not null;
}
