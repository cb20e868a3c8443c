using System.Text;
using ActorLsm.Shards.Replication;
using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Tests;

/// <summary>
/// A temp data directory and a node started in a test's actor system (the TestKit's, which the
/// TestKit shuts down); disposes the node and deletes the directory.
/// </summary>
public sealed class NodeHarness : IAsyncDisposable
{
    private int _restarts;

    private NodeHarness(string dataDir, ActorSystem system, ShardedNode node, ShardedNodeOptions options)
    {
        DataDir = dataDir;
        System = system;
        Node = node;
        Options = options;
    }

    public string DataDir { get; }

    public ActorSystem System { get; }

    public ShardedNode Node { get; private set; }

    public ShardedNodeOptions Options { get; private set; }

    /// <summary>Storage options small enough that a few hundred KiB of writes flush and compact.</summary>
    public static LsmOptions SmallStorage() => new()
    {
        MemTableSize = 16 * 1024,
        L0CompactionTrigger = 2,
        L0SlowdownWritesTrigger = 8,
        L0StopWritesTrigger = 12,
        TargetFileSize = 8 * 1024,
        MaxBytesForLevelBase = 32 * 1024,
        BlockSize = 1024,
        WalSyncMode = WalSyncMode.None,
        BlockCacheSize = 1024 * 1024,
    };

    /// <summary>
    /// One replicated shard under router <paramref name="router"/>: unsynced 1 MiB memtables, no block
    /// cache, a 20 s request timeout and <paramref name="replication"/>, for the leader/follower tests.
    /// </summary>
    public static ShardedNodeOptions ReplicaOptions(string dir, string router, ShardReplicationOptions replication) => new()
    {
        DataDir = dir,
        ShardCount = 1,
        RouterName = router,
        Storage = new LsmOptions { WalSyncMode = WalSyncMode.None, MemTableSize = 1024 * 1024, BlockCacheSize = 0 },
        RequestTimeout = TimeSpan.FromSeconds(20),
        Replication = replication,
    };

    public static string NewDataDir() =>
        Path.Combine(Path.GetTempPath(), "actorlsm-shards-tests", Guid.NewGuid().ToString("N"));

    public static async Task<NodeHarness> StartInAsync(ActorSystem system, Func<string, ShardedNodeOptions>? configure = null, string? dataDir = null)
    {
        dataDir ??= NewDataDir();
        ShardedNodeOptions options = configure?.Invoke(dataDir) ?? new ShardedNodeOptions
        {
            DataDir = dataDir,
            ShardCount = 4,
            Storage = new LsmOptions { WalSyncMode = WalSyncMode.None, MemTableSize = 1024 * 1024, BlockCacheSize = 1024 * 1024 },
            RequestTimeout = TimeSpan.FromSeconds(20),
        };
        ShardedNode node = await ShardedNode.StartAsync(system, options);
        return new NodeHarness(dataDir, system, node, options);
    }

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    /// <summary>
    /// Disposes the node, then starts a new node on the same directory in the same system, under a
    /// new router name (Akka frees the old name only after the old router's termination is processed).
    /// </summary>
    public async Task RestartNodeAsync()
    {
        await Node.DisposeAsync();
        Options = Options.WithRouterName(ShardedNodeOptions.DefaultRouterName + "-r" + ++_restarts);
        Node = await ShardedNode.StartAsync(System, Options);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner takes the rest.
        }
    }
}
