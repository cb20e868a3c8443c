using ActorLsm.Storage;

namespace ActorLsm.Shards;

/// <summary>
/// Settings of the shards of one node (hocon: actorlsm.node.* and actorlsm.storage.*; the
/// commented defaults are in this project's reference.conf, <see cref="ShardedNode.DefaultConfig"/>).
/// </summary>
public sealed class ShardedNodeOptions
{
    /// <summary>Default of <see cref="RouterName"/>.</summary>
    public const string DefaultRouterName = "actorlsm-shards";

    /// <summary>Default of <see cref="Dispatcher"/>: the dispatcher <see cref="ShardedNode.DefaultConfig"/> defines.</summary>
    public const string DefaultDispatcher = "actorlsm.io-dispatcher";

    private Replication.ShardReplicationOptions? _replication;
    private string _routerName = DefaultRouterName;

    /// <summary>Directory holding one sub-directory per shard (<c>shard-07</c>).</summary>
    public required string DataDir { get; init; }

    /// <summary>Fixed number of shards over the key space. Default 16. Changing it needs an empty data directory.</summary>
    public int ShardCount { get; init; } = 16;

    /// <summary>Options of every shard's storage engine.</summary>
    public LsmOptions Storage { get; init; } = new();

    /// <summary>Writes waiting in one shard's write queue before new ones get <see cref="OverloadedException"/>.</summary>
    public int MaxPendingWrites { get; init; } = 16_384;

    /// <summary>Key and value bytes waiting in one shard's write queue before new writes get <see cref="OverloadedException"/>.</summary>
    public long MaxPendingBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long the node waits for a shard to answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest number of entries one scan returns.</summary>
    public int MaxScanLimit { get; init; } = 10_000;

    /// <summary>
    /// How long a client session's record lives on a shard after the session's last write there
    /// (hocon <c>actorlsm.node.sessions.idle-timeout</c>, default 10 minutes). The record carries this
    /// as its expiry (absolute, by the leader's clock), so every replica forgets it at the same time.
    /// A resend older than half of it that finds no record gets <see cref="SessionExpiredException"/> (R11).
    /// </summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most writes of one client session a shard keeps outcomes for or has in flight (hocon
    /// <c>actorlsm.node.sessions.max-unacknowledged</c>, default 1024): a further write of that session
    /// gets <see cref="OverloadedException"/> (nothing written) until the client's first unacknowledged
    /// sequence moves on. Bounds a session record to about 30 bytes per write.
    /// </summary>
    public int MaxSessionUnacknowledged { get; init; } = 1024;

    /// <summary>
    /// Name of the node router actor under <c>/user</c> (hocon <c>actorlsm.node.router-name</c>, default
    /// <c>actorlsm-shards</c>); its children are <c>shard-00</c>, <c>shard-01</c>, ... Other nodes reach a
    /// shard at <see cref="ShardedNode.ShardActorPath"/>, so every node of a cluster uses the same name.
    /// One actor system holds one node per router name.
    /// </summary>
    public string RouterName
    {
        get => _routerName;
        init => _routerName = value;
    }

    /// <summary>
    /// Id (HOCON path) of the Akka dispatcher the shard actors and their flusher, compactor and
    /// replicator children run on (hocon <c>actorlsm.node.dispatcher</c>, default <c>actorlsm.io-dispatcher</c>).
    /// They block on file I/O (store open, WAL appends, snapshot installs), so it must not be the
    /// default dispatcher: the system's config must define it (merge <see cref="ShardedNode.DefaultConfig"/>),
    /// else <see cref="ShardedNode.StartAsync"/> throws.
    /// </summary>
    public string Dispatcher { get; init; } = DefaultDispatcher;

    /// <summary>
    /// When true, the task of a single-key request (<see cref="ShardedNode.GetAsync"/>,
    /// <c>ShardedNode.PutAsync</c>, <see cref="ShardedNode.DeleteAsync(byte[], CancellationToken)"/>) completes on the
    /// shard's thread that replied and runs its awaiting continuations there, instead of queueing
    /// them to the .NET thread pool: one thread hop less per request. Only for hosts whose code
    /// after the await is short and never blocks (the server's connection code builds a response
    /// frame and queues it for its writer); a continuation that blocks stalls the shard. Not a
    /// HOCON setting: the host that owns the continuations decides. Default false.
    /// </summary>
    public bool InlineReplyContinuations { get; init; }

    /// <summary>
    /// Replication of the shards (cluster mode): null keeps every shard standalone. With it, shards
    /// take roles from <see cref="ShardedNode.SetReplicaRole"/> (src/ActorLsm.Cluster/PROTOCOL.md).
    /// </summary>
    public Replication.ShardReplicationOptions? Replication
    {
        get => _replication;
        init => _replication = value;
    }

    /// <summary>A copy of these options with <see cref="Replication"/> set to <paramref name="replication"/>.</summary>
    public ShardedNodeOptions WithReplication(Replication.ShardReplicationOptions? replication)
    {
        var copy = (ShardedNodeOptions)MemberwiseClone();
        copy._replication = replication;
        return copy;
    }

    /// <summary>A copy of these options with <see cref="RouterName"/> set to <paramref name="routerName"/> (a second node in one actor system).</summary>
    public ShardedNodeOptions WithRouterName(string routerName)
    {
        var copy = (ShardedNodeOptions)MemberwiseClone();
        copy._routerName = routerName;
        return copy;
    }

    /// <summary>Test hook: runs on a shard actor before it opens its store, at start and at each restart (an exception counts as a failed open).</summary>
    internal Action<int>? BeforeShardOpen { get; init; }

    /// <summary>Test hook: runs on a shard actor when its compactor reports compaction steps that did work (shard id, steps).</summary>
    internal Action<int, int>? OnCompactionFinished { get; init; }

    /// <summary>Delay before a failed shard's first reopen in a minute (and before retrying a failed open); doubles per further one.</summary>
    internal TimeSpan RestartMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest delay before a failed shard restarts.</summary>
    internal TimeSpan RestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range (storage options included).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("ShardedNodeOptions.DataDir is required", nameof(DataDir));
        }

        static void Check(bool ok, string name, object value)
        {
            if (!ok)
            {
                throw new ArgumentException($"ShardedNodeOptions.{name} is out of range: {value}", name);
            }
        }

        Check(ShardCount is >= 1 and <= 1024, nameof(ShardCount), ShardCount);
        Check(MaxPendingWrites >= 1, nameof(MaxPendingWrites), MaxPendingWrites);
        Check(MaxPendingBytes >= 1, nameof(MaxPendingBytes), MaxPendingBytes);
        Check(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), RequestTimeout);
        Check(MaxScanLimit >= 1, nameof(MaxScanLimit), MaxScanLimit);
        Check(SessionIdleTimeout >= TimeSpan.FromSeconds(1), nameof(SessionIdleTimeout), SessionIdleTimeout);
        Check(MaxSessionUnacknowledged >= 1, nameof(MaxSessionUnacknowledged), MaxSessionUnacknowledged);
        Check(!string.IsNullOrWhiteSpace(RouterName) && Akka.Actor.ActorPath.IsValidPathElement(RouterName), nameof(RouterName), RouterName);
        Check(!string.IsNullOrWhiteSpace(Dispatcher), nameof(Dispatcher), Dispatcher);
        if (Replication is { } r)
        {
            Check(r.MaxMessageBytes >= 1024, "Replication.MaxMessageBytes", r.MaxMessageBytes);
            Check(r.SnapshotChunkSize >= 1, "Replication.SnapshotChunkSize", r.SnapshotChunkSize);
        }

        ArgumentNullException.ThrowIfNull(Storage);
        Storage.Validate();
    }
}
