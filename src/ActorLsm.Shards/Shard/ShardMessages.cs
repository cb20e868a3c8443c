using ActorLsm.Protocol.Replication;
using Akka.Actor;

namespace ActorLsm.Shards.Shard;

// The shard actor's protocol. Every request is answered to its Sender: the reply type named
// below, or Status.Failure carrying ArgumentException, OverloadedException or
// ShardUnavailableException. Messages are immutable once sent.

/// <summary>A request the node router delivers to the shard owning <see cref="RoutingKey"/>.</summary>
internal interface IShardKeyed
{
    byte[] RoutingKey { get; }
}

/// <summary>
/// Puts and deletes of one shard, committed atomically (one write batch, one WAL record) in
/// the shard's next group commit. Reply: the sequence number of the first operation (boxed
/// <see cref="ulong"/>); operation i has that sequence + i. With a <paramref name="Session"/> it is
/// applied at most once per (client id, sequence) (R11). REQUIRES: Ops is non-empty and every
/// key belongs to this shard.
/// </summary>
internal sealed record WriteRequest(BatchOperation[] Ops, WriteSession? Session = null) : IShardKeyed
{
    public byte[] RoutingKey => Ops[0].Key;
}

/// <summary>Reads one key. Reply: <see cref="GetReply"/>.</summary>
internal sealed record GetRequest(byte[] Key) : IShardKeyed
{
    public byte[] RoutingKey => Key;
}

/// <summary>
/// Reads several keys of this shard (a pipeline's GETs), served as one read at one point of the shard's order.
/// Reply: <see cref="MultiGetReply"/>.
/// </summary>
internal sealed record MultiGetRequest(byte[][] Keys) : IShardKeyed
{
    public byte[] RoutingKey => Keys[0];
}

/// <summary>The values of a <see cref="MultiGetRequest"/>'s keys, in request order (null when absent or expired).</summary>
internal sealed record MultiGetReply(byte[]?[] Values);

/// <summary>The value of a <see cref="GetRequest"/>'s key, or null when absent (or expired), and its expiry (null: never).</summary>
internal sealed record GetReply(byte[]? Value, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// An atomic read-modify-write of <paramref name="Keys"/> (all of this shard): the shard reads their
/// current values (its pending writes included), runs <paramref name="Updater"/> on its actor, and
/// queues the writes it returns as one write, in order with every other write of the shard.
/// Reply: <see cref="UpdateOutcome"/> once the writes are committed (for the leader: covered by the
/// high watermark; also when nothing was written, so the values read are committed too).
/// With a <paramref name="Session"/> its writes are applied at most once (R11; a resend does not run the
/// updater again and gets the first run's outcome). REQUIRES: Keys is non-empty and every key belongs to this shard.
/// </summary>
internal sealed record UpdateRequest(byte[][] Keys, KeyUpdater Updater, WriteSession? Session = null) : IShardKeyed
{
    public byte[] RoutingKey => Keys[0];
}

/// <summary>
/// Reads up to <paramref name="Limit"/> entries with start &lt;= key &lt; end (null: unbounded),
/// ascending or descending, off the shard actor's thread. Reply: <see cref="ScanReply"/>.
/// </summary>
internal sealed record ScanRequest(byte[]? Start, byte[]? End, int Limit, bool Reverse);

/// <summary>The entries of one shard, in the requested order.</summary>
internal sealed record ScanReply(List<KeyValuePair<byte[], byte[]>> Entries);

/// <summary>Asks for the shard's state. Reply: <see cref="ShardStatusInfo"/>.</summary>
internal sealed class StatusRequest
{
    public static readonly StatusRequest Instance = new();
}

/// <summary>The shard's own timer: try to open the store now (after a restart's or a failed open's backoff).</summary>
internal sealed class OpenStore
{
    public static readonly OpenStore Instance = new();
}

/// <summary>Test hook: the shard actor throws on this message, so its supervisor restarts it.</summary>
internal sealed class InjectFailure
{
    public static readonly InjectFailure Instance = new();
}

/// <summary>Test hook: asks which dispatcher the shard runs on. Reply: <see cref="DispatcherInfo"/>.</summary>
internal sealed class DispatcherQuery
{
    public static readonly DispatcherQuery Instance = new();
}

/// <summary>The dispatcher id in the shard's Props and the name of the thread that ran the query.</summary>
internal sealed record DispatcherInfo(string Dispatcher, string? ThreadName);

/// <summary>Test hook: commits started from now on wait for <paramref name="Gate"/> before writing. Reply: <see cref="Status.Success"/>.</summary>
internal sealed record HoldCommits(Task Gate);

/// <summary>To the node router: deliver <paramref name="Message"/> to shard <paramref name="ShardId"/>, keeping the sender.</summary>
internal sealed record ToShard(int ShardId, object Message);

/// <summary>From a shard to the router: the shard's store is open and it serves requests.</summary>
internal sealed record ShardStarted(int ShardId);

/// <summary>From a shard to the router: opening the store failed (the shard retries it after a backoff, keeping its mailbox).</summary>
internal sealed record ShardOpenFailed(int ShardId, Exception Error);

/// <summary>From a commit task to its shard: the group's store write ended (either way).</summary>
internal sealed record CommitDone(CommitGroup Group);

/// <summary>
/// A follower's append being written on the shard's commit thread: the leader's message, the
/// replicator to acknowledge and the write (its records appended and the WAL synced). The shard
/// defers every other follower-side message and role change until it ends.
/// </summary>
internal sealed class FollowerAppend(AppendRecords append, IActorRef replyTo)
{
    public AppendRecords Append { get; } = append;

    public IActorRef ReplyTo { get; } = replyTo;

    /// <summary>Set once when the write is queued; completes when the records are durable or the write failed.</summary>
    public Task Write { get; set; } = Task.CompletedTask;
}

/// <summary>From the commit thread to its shard: the follower append's write ended (either way).</summary>
internal sealed record AppendDone(FollowerAppend Append);

/// <summary>The failure the <see cref="InjectFailure"/> hook throws.</summary>
internal sealed class InjectedShardFailureException : Exception
{
    public InjectedShardFailureException()
    {
    }

    public InjectedShardFailureException(string message)
        : base(message)
    {
    }

    public InjectedShardFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
