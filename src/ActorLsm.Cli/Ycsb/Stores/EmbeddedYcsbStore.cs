using ActorLsm.Shards;
using Akka.Actor;
using Akka.Configuration;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// YCSB operations in-process on a <see cref="ShardedNode"/> with default options over a data
/// directory, no network: the baseline the networked numbers compare against. The node runs in its
/// own local Akka actor system configured with <see cref="ShardedNode.DefaultConfig"/> (its I/O dispatcher).
/// </summary>
internal sealed class EmbeddedYcsbStore : IYcsbStore
{
    private readonly ActorSystem _system;
    private readonly ShardedNode _node;

    private EmbeddedYcsbStore(ActorSystem system, ShardedNode node)
    {
        _system = system;
        _node = node;
    }

    private static readonly Config s_config = ConfigurationFactory.ParseString("""
        akka.actor.provider = local
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """).WithFallback(ShardedNode.DefaultConfig);

    /// <summary>Starts a local actor system and a node over <paramref name="dataDir"/> (created if missing).</summary>
    public static async Task<EmbeddedYcsbStore> OpenAsync(string dataDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDir);
        var system = ActorSystem.Create("actorlsm-ycsb", s_config);
        try
        {
            ShardedNode node = await ShardedNode.StartAsync(system, new ShardedNodeOptions { DataDir = dataDir }, cancellationToken).ConfigureAwait(false);
            return new EmbeddedYcsbStore(system, node);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken) => _node.GetAsync(key, cancellationToken);

    public Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken) => _node.PutAsync(key, value, cancellationToken);

    public async Task<int> ScanAsync(byte[] start, int count, CancellationToken cancellationToken)
    {
        (IReadOnlyList<KeyValuePair<byte[], byte[]>> entries, _) = await _node.ScanAsync(start, null, count, reverse: false, cancellationToken).ConfigureAwait(false);
        return entries.Count;
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
