using ActorLsm.Kernel;
using ActorLsm.Shards;

namespace ActorLsm.Server.Dispatch;

/// <summary>
/// The node's shards as an <see cref="INodeStore"/>: owns the <see cref="ActorSystem"/> and the
/// <see cref="ShardedNode"/> started in it; disposing closes every store, then stops the actors.
/// </summary>
public sealed class ShardedNodeStore : INodeStore
{
    private readonly ActorSystem _system;
    private readonly ShardedNode _node;
    private readonly int _maxScanLimit;

    private ShardedNodeStore(ActorSystem system, ShardedNode node, int maxScanLimit)
    {
        _system = system;
        _node = node;
        _maxScanLimit = maxScanLimit;
    }

    public int ShardCount => _node.ShardCount;

    public int MaxScanLimit => _maxScanLimit;

    /// <summary>Creates the actor system and starts every shard (opening or recovering its store).</summary>
    public static async Task<ShardedNodeStore> StartAsync(ShardedNodeOptions options, ActorSystemOptions kernel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var system = ActorSystem.Create("actorlsm", kernel);
        try
        {
            ShardedNode node = await ShardedNode.StartAsync(system, options, cancellationToken).ConfigureAwait(false);
            return new ShardedNodeStore(system, node, options.MaxScanLimit);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    public Task<ulong> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken) => _node.PutAsync(key, value, cancellationToken);

    public Task<ulong> DeleteAsync(byte[] key, CancellationToken cancellationToken) => _node.DeleteAsync(key, cancellationToken);

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken) => _node.GetAsync(key, cancellationToken);

    public Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, byte[]? end, int limit, bool reverse, CancellationToken cancellationToken) =>
        _node.ScanAsync(start, end, limit, reverse, cancellationToken);

    public Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, CancellationToken cancellationToken) => _node.BatchAsync(operations, cancellationToken);

    public Task<NodeStatus> StatusAsync(CancellationToken cancellationToken) => _node.StatusAsync(cancellationToken);

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
