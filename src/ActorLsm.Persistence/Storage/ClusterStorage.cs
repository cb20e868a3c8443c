namespace ActorLsm.Persistence.Storage;

/// <summary>
/// <see cref="IPersistenceStorage"/> over <see cref="IActorLsm"/> (<c>mode = cluster</c>): the in-cluster
/// client of the router that WithActorLsm / WithActorLsmProxy registers. A batch whose keys share one hash
/// tag is one atomic batch on that tag's shard, acknowledged once every in-sync replica has it. Every call
/// is bounded by <c>request-timeout</c>: past it the call fails with <see cref="TimeoutException"/>.
/// </summary>
internal sealed class ClusterStorage : IPersistenceStorage
{
    private readonly IActorLsm _store;
    private readonly TimeSpan _timeout;

    public ClusterStorage(IActorLsm store, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _store = store;
        _timeout = timeout;
    }

    public string Description => "cluster";

    public bool AtomicAcrossSlots => false;

    public Task WriteAsync(IReadOnlyList<WriteOp> batch, CancellationToken cancellationToken = default) =>
        Bounded(ct => _store.BatchAsync(batch, ct), "write batch", cancellationToken);

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default) =>
        Bounded(ct => _store.GetAsync(key, ct), "get", cancellationToken);

    public Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[] start, byte[] end, int limit, bool reverse = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Bounded<IReadOnlyList<KeyValuePair<byte[], byte[]>>>(
            async ct =>
            {
                var page = new List<KeyValuePair<byte[], byte[]>>(Math.Min(limit, 1024));
                await foreach (KeyValuePair<byte[], byte[]> kv in _store.ScanAsync(start, end, limit, reverse, ct).ConfigureAwait(false))
                {
                    page.Add(kv);
                }

                return page;
            },
            "scan",
            cancellationToken);
    }

    private async Task<T> Bounded<T>(Func<CancellationToken, Task<T>> call, string what, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_timeout);
        try
        {
            return await call(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the store did not answer a {what} within request-timeout {_timeout}");
        }
    }
}
