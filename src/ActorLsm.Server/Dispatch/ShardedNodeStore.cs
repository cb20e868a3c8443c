using Akka.Actor;
using ActorLsm.Shards;
using ActorLsm.Storage;

namespace ActorLsm.Server.Dispatch;

/// <summary>
/// The node's shards as an <see cref="INodeStore"/>: owns the Akka <see cref="ActorSystem"/> and the
/// <see cref="ShardedNode"/> started in it; disposing closes every store, then terminates the system.
/// </summary>
public sealed class ShardedNodeStore : INodeStore
{
    private readonly ActorSystem _system;
    private readonly ShardedNode _node;
    private readonly int _maxScanLimit;
    private readonly long[] _durable;
    private readonly TimeSpan _requestTimeout;

    private ShardedNodeStore(ActorSystem system, ShardedNode node, int maxScanLimit, string dataDir, TimeSpan requestTimeout)
    {
        _requestTimeout = requestTimeout;
        DataDir = dataDir;
        _system = system;
        _node = node;
        _maxScanLimit = maxScanLimit;
        _durable = new long[node.ShardCount];
        node.FlushCompleted += OnFlushCompleted;
    }

    /// <summary>The largest sequence number a flush of shard <paramref name="shard"/> made durable in SSTables since start (0 = none seen).</summary>
    public ulong DurableSequence(int shard) => (ulong)Volatile.Read(ref _durable[shard]);

    private void OnFlushCompleted(int shard, ActorLsm.Storage.FlushCompletedInfo info)
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

    public int ShardCount => _node.ShardCount;

    public int MaxScanLimit => _maxScanLimit;

    /// <summary><c>actorlsm.node.request-timeout</c>: <see cref="ShardedNode"/> fails a request after it by itself.</summary>
    public TimeSpan? OwnRequestTimeout => _requestTimeout;

    /// <summary>The actor system the shards run in (the cluster side starts its actors there too).</summary>
    public ActorSystem System => _system;

    /// <summary>The node's data directory (<c>actorlsm.node.data-dir</c>).</summary>
    public string DataDir { get; }

    /// <summary>The shards.</summary>
    public ShardedNode Node => _node;

    /// <summary>
    /// Starts every shard (opening or recovering its store) in <paramref name="system"/>, which this store
    /// then owns: it is terminated on dispose, and at once when the shards fail to start.
    /// </summary>
    public static async Task<ShardedNodeStore> StartAsync(ShardedNodeOptions options, ActorSystem system, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(system);
        try
        {
            ShardedNode node = await ShardedNode.StartAsync(system, options, cancellationToken).ConfigureAwait(false);
            return new ShardedNodeStore(system, node, options.MaxScanLimit, options.DataDir, options.RequestTimeout);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    public Task<ulong> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken) => _node.PutAsync(key, value, cancellationToken);

    public Task<ulong> PutAsync(byte[] key, byte[] value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) => _node.PutAsync(key, value, expiresAt, cancellationToken);

    public Task<ulong> DeleteAsync(byte[] key, CancellationToken cancellationToken) => _node.DeleteAsync(key, cancellationToken);

    public Task<ulong> PutAsync(byte[] key, byte[] value, DateTimeOffset? expiresAt, WriteSession? session, CancellationToken cancellationToken) =>
        _node.PutAsync(key, value, expiresAt, session, cancellationToken);

    public Task<ulong> DeleteAsync(byte[] key, WriteSession? session, CancellationToken cancellationToken) => _node.DeleteAsync(key, session, cancellationToken);

    public Task<bool> SetExpiryAsync(byte[] key, DateTimeOffset? expiresAt, WriteSession? session, CancellationToken cancellationToken) =>
        _node.SetExpiryAsync(key, expiresAt, session, cancellationToken);

    public Task<bool> SetTimeToLiveAsync(byte[] key, TimeSpan timeToLive, WriteSession? session, CancellationToken cancellationToken) =>
        _node.SetTimeToLiveAsync(key, timeToLive, session, cancellationToken);

    public Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, WriteSession? session, CancellationToken cancellationToken) =>
        _node.BatchAsync(operations, session, cancellationToken);

    public Task<ExpiringValue?> GetWithExpiryAsync(byte[] key, CancellationToken cancellationToken) => _node.GetWithExpiryAsync(key, cancellationToken);

    public Task<bool> SetExpiryAsync(byte[] key, DateTimeOffset? expiresAt, CancellationToken cancellationToken) => _node.SetExpiryAsync(key, expiresAt, cancellationToken);

    public Task<bool> SetTimeToLiveAsync(byte[] key, TimeSpan timeToLive, CancellationToken cancellationToken) => _node.SetTimeToLiveAsync(key, timeToLive, cancellationToken);

    public Task<UpdateOutcome> UpdateAsync(IReadOnlyList<byte[]> keys, KeyUpdater updater, CancellationToken cancellationToken) => _node.UpdateAsync(keys, updater, cancellationToken);

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken) => _node.GetAsync(key, cancellationToken);

    public Task<byte[]?[]> GetManyAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken) => _node.GetManyAsync(keys, cancellationToken);

    public Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, byte[]? end, int limit, bool reverse, CancellationToken cancellationToken) =>
        _node.ScanAsync(start, end, limit, reverse, cancellationToken);

    public Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanShardsAsync(byte[]? start, byte[]? end, int limit, bool reverse, IReadOnlyList<int>? shards, CancellationToken cancellationToken) =>
        _node.ScanAsync(start, end, limit, reverse, shards, cancellationToken);

    public Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, CancellationToken cancellationToken) => _node.BatchAsync(operations, cancellationToken);

    public Task<NodeStatus> StatusAsync(CancellationToken cancellationToken) => _node.StatusAsync(cancellationToken);

    /// <summary>Stops the shards without waiting for requests in flight (<see cref="ShardedNode.KillAsync"/>), then the actor system.</summary>
    public async ValueTask KillAsync()
    {
        try
        {
            await _node.KillAsync().ConfigureAwait(false);
        }
        finally
        {
            await _system.Terminate().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _node.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _system.Terminate().ConfigureAwait(false);
        }
    }
}
