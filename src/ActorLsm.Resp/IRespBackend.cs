namespace ActorLsm.Resp;

/// <summary>One put (<paramref name="Value"/> non-null) or delete (null) of a RESP write.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The new value; null deletes the key.</param>
/// <param name="KeepTtl">
/// True when the put keeps the key's expiry (INCR, APPEND, SETRANGE, INCRBYFLOAT change a value in place, as in
/// Redis); false when it drops it (SET, GETSET, MSET write a new value without expiry).
/// </param>
public readonly record struct RespWrite(byte[] Key, byte[]? Value, bool KeepTtl = false);

/// <summary>Why this node does not serve a slot: the reply a keyed command gets instead.</summary>
/// <param name="Error">The whole error reply: <c>MOVED 3999 127.0.0.1:6381</c>, <c>TRYAGAIN ...</c> or <c>CLUSTERDOWN ...</c>.</param>
/// <param name="Transient">
/// True for a state the next topology change may end (a shard changing leader, the cluster not formed yet):
/// the session waits for <see cref="IRespBackend.TopologyChanged"/> up to <see cref="RespServiceOptions.LeaderChangeWait"/>
/// and routes again before it answers <paramref name="Error"/>. False for MOVED.
/// </param>
public sealed record RespRedirect(string Error, bool Transient = false);

/// <summary>
/// What the RESP front end needs of a node (ActorLsm.Server implements it over its shards): reads, writes
/// atomic within one shard, scans of the shards this node serves, routing by Redis Cluster hash slot
/// (<see cref="ActorLsm.Protocol.KeySlot"/>), the cluster's topology and the node's figures for INFO.
/// </summary>
/// <remarks>
/// Errors: the tasks fail with <see cref="ArgumentException"/> (a key or value over the node's limits),
/// <see cref="TimeoutException"/>, or an exception <see cref="ClassifyError"/> turns into a RESP error;
/// the session maps every other exception to <c>ERR</c>.
/// </remarks>
public interface IRespBackend
{
    /// <summary>The node's shard count (shard of a slot: <see cref="ActorLsm.Protocol.ShardHash.ShardOfSlot"/>).</summary>
    int ShardCount { get; }

    /// <summary>Largest page one <see cref="ScanAsync"/> returns.</summary>
    int MaxScanLimit { get; }

    /// <summary>True when the node is a cluster member (CLUSTER commands work, SELECT is refused).</summary>
    bool ClusterEnabled { get; }

    /// <summary>Null when this node serves <paramref name="slot"/> now; else the redirect or retry to answer.</summary>
    RespRedirect? Route(int slot);

    /// <summary>
    /// A task that completes at the next change of what <see cref="Route"/> may answer (a new shard map or
    /// membership); a fresh task each time it completes. Null (the default) when routing never changes.
    /// </summary>
    Task? TopologyChanged => null;

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>
    /// The values of <paramref name="keys"/> (of any slots): one task per key, in order, each with the value or
    /// null when absent. A pipeline's GETs arrive here together (<see cref="RespSession"/> gathers the GETs of
    /// one read), so a node can read each shard's keys with one request. Each task fails on its own: a failure
    /// (a shard that cannot answer, a key over the limit) fails the tasks of the keys it concerns, and the other
    /// keys get their values, as if each GET had been sent alone. The default reads the keys one by one with
    /// <see cref="GetAsync"/>.
    /// </summary>
    IReadOnlyList<Task<byte[]?>> GetMany(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        var reads = new Task<byte[]?>[keys.Count];
        for (int i = 0; i < reads.Length; i++)
        {
            try
            {
                reads[i] = GetAsync(keys[i], cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                reads[i] = Task.FromException<byte[]?>(ex);
            }
        }

        return reads;
    }

    /// <summary>
    /// Applies <paramref name="writes"/> in order as one atomic batch, durable per the node's WAL sync mode when
    /// the task completes. REQUIRES: every key is in one slot (so one shard).
    /// </summary>
    Task WriteAsync(IReadOnlyList<RespWrite> writes, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> entries with key &gt;= <paramref name="start"/> (null: from the first) in
    /// key order, over the shards this node serves; Truncated when more follow.
    /// </summary>
    Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, int limit, CancellationToken cancellationToken);

    /// <summary>The cluster as CLUSTER SHARDS/SLOTS/NODES describe it; null in single-node mode.</summary>
    RespTopology? Topology { get; }

    /// <summary>Figures for INFO (persistence, replication, memory), as <c>name:value</c> lines per section.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> InfoAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The RESP error for a failure of this backend's tasks (<c>TRYAGAIN</c> for a shard changing leader,
    /// <c>NOREPLICAS</c>, ...), or null to let the session answer <c>ERR</c> with the message.
    /// </summary>
    string? ClassifyError(Exception error);
}

/// <summary>One shard of the cluster as the RESP cluster commands show it.</summary>
/// <param name="Shard">The shard id.</param>
/// <param name="FirstSlot">First slot (inclusive).</param>
/// <param name="LastSlot">Last slot (inclusive).</param>
/// <param name="Leader">The leader, or null while the shard has none.</param>
/// <param name="Replicas">The followers.</param>
public sealed record RespShard(int Shard, int FirstSlot, int LastSlot, RespNode? Leader, IReadOnlyList<RespNode> Replicas);

/// <summary>A node of the cluster as RESP clients see it.</summary>
/// <param name="Id">Redis-style node id: 40 lower-case hex digits, stable across restarts of the node.</param>
/// <param name="Host">The host of its RESP endpoint (empty when it publishes none).</param>
/// <param name="Port">The port of its RESP endpoint (0 when none).</param>
/// <param name="BusPort">A port to show as the cluster bus port (its Akka.Remote port).</param>
/// <param name="Connected">Whether this node's failure detector hears it.</param>
public sealed record RespNode(string Id, string Host, int Port, int BusPort, bool Connected);

/// <summary>The cluster for CLUSTER SHARDS, SLOTS, NODES, MYID and INFO.</summary>
/// <param name="Self">This node.</param>
/// <param name="Nodes">Every member (this node included).</param>
/// <param name="Shards">Every shard with its slot range, in shard order.</param>
/// <param name="Epoch">The shard map's version (shown as the cluster's current epoch).</param>
/// <param name="State">True when every shard has an available leader (<c>cluster_state:ok</c>).</param>
public sealed record RespTopology(RespNode Self, IReadOnlyList<RespNode> Nodes, IReadOnlyList<RespShard> Shards, long Epoch, bool State);
