using Akka.Actor;
using ActorLsm.Hosting;
using ActorLsm.Shards;
using ActorLsm.Storage;

namespace ActorLsm.Server.Dispatch;

/// <summary>
/// The node's shards as an <see cref="INodeStore"/>: a view of the <see cref="ShardedNode"/> that the node's
/// <see cref="ActorLsmMember"/> started (WithActorLsm's code path) in the actor system Akka.Hosting runs.
/// It owns neither: coordinated shutdown closes the shards (<c>ActorLsmMember.StopAsync</c>) and the server
/// terminates the system. <see cref="DisposeAsync"/> and <see cref="KillAsync"/> close the shards only
/// (both idempotent, as the member's own close is).
/// </summary>
public sealed class ShardedNodeStore : INodeStore
{
    private readonly ActorSystem _system;
    private readonly ShardedNode _node;
    private readonly int _maxScanLimit;
    private readonly TimeSpan _requestTimeout;

    /// <summary>The shards of <paramref name="member"/>, running in <paramref name="system"/>, started with <paramref name="options"/>.</summary>
    internal ShardedNodeStore(ActorSystem system, ActorLsmMember member, ShardedNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(options);
        _system = system;
        _node = member.Node;
        _maxScanLimit = options.MaxScanLimit;
        _requestTimeout = options.RequestTimeout;
        DataDir = options.DataDir;
    }

    public int ShardCount => _node.ShardCount;

    public int MaxScanLimit => _maxScanLimit;

    /// <summary><c>actorlsm.node.request-timeout</c>: <see cref="ShardedNode"/> fails a request after it by itself.</summary>
    public TimeSpan? OwnRequestTimeout => _requestTimeout;

    /// <summary>The node's actor system (Akka.Hosting's), where the shards and the cluster side run.</summary>
    public ActorSystem System => _system;

    /// <summary>The node's data directory (<c>actorlsm.node.data-dir</c>).</summary>
    public string DataDir { get; }

    /// <summary>The shards.</summary>
    public ShardedNode Node => _node;

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

    /// <summary>Stops the shards without waiting for requests in flight (<see cref="ShardedNode.KillAsync"/>); the actor system keeps running.</summary>
    public ValueTask KillAsync() => _node.KillAsync();

    /// <summary>Closes the shards (requests they accepted are answered first); the actor system keeps running.</summary>
    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
