using MessagePack;

namespace ActorLsm.Messages;

/// <summary>
/// A request an application actor Tells the store's router (<c>IRequiredActor&lt;ActorLsmRouter&gt;</c>).
/// The router answers the sender with exactly one reply: the request's result record, or
/// <see cref="ActorLsmError"/>. Every request and reply is immutable and crosses Akka.Remote through
/// ActorLsm.Hosting's MessagePack serializer.
/// </summary>
public interface IActorLsmRequest
{
    /// <summary>Echoed in the reply so an actor with several requests in flight can match them; 0 when unused.</summary>
    long CorrelationId { get; }
}

/// <summary>A request about one key, routed to that key's shard.</summary>
public interface IKeyedRequest : IActorLsmRequest
{
    /// <summary>The key whose shard serves the request.</summary>
    byte[] Key { get; }
}

/// <summary>Writes <paramref name="Value"/> under <paramref name="Key"/>. Reply: <see cref="PutResult"/> or <see cref="ActorLsmError"/>.</summary>
/// <param name="Key">The key (at most the node's max-key-size, 64 KiB by default).</param>
/// <param name="Value">The value (at most the node's max-value-size, 16 MiB by default).</param>
/// <param name="CorrelationId">Echoed in the reply.</param>
/// <param name="ExpiresAt">When the value expires (absolute, millisecond precision), or null for never (<see cref="IActorLsm.PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, DateTimeOffset?, CancellationToken)"/>).</param>
/// <param name="Session">The write's client session (R11): applied at most once per (client id, sequence); null: no deduplication.</param>
[MessagePackObject]
public sealed record Put([property: Key(0)] byte[] Key, [property: Key(1)] byte[] Value, [property: Key(2)] long CorrelationId = 0, [property: Key(3)] DateTimeOffset? ExpiresAt = null, [property: Key(4)] WriteSessionStamp? Session = null) : IKeyedRequest;

/// <summary>Reads <paramref name="Key"/>. Reply: <see cref="GetResult"/> or <see cref="ActorLsmError"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="CorrelationId">Echoed in the reply.</param>
[MessagePackObject]
public sealed record Get([property: Key(0)] byte[] Key, [property: Key(1)] long CorrelationId = 0) : IKeyedRequest;

/// <summary>
/// Sets the expiry of an existing <paramref name="Key"/>, keeping its value, atomically on its shard
/// leader: to <paramref name="ExpiresAt"/>, or, when <paramref name="TimeToLiveMilliseconds"/> is set, to
/// that many milliseconds after the leader's clock (the leader writes the absolute time). Both null
/// removes the expiry (PERSIST). A time at or before the leader's clock deletes the key.
/// Reply: <see cref="ExpireResult"/> or <see cref="ActorLsmError"/>.
/// </summary>
/// <param name="Key">The key.</param>
/// <param name="ExpiresAt">The absolute expiry; ignored when <paramref name="TimeToLiveMilliseconds"/> is set.</param>
/// <param name="TimeToLiveMilliseconds">A relative expiry, measured by the leader's clock.</param>
/// <param name="CorrelationId">Echoed in the reply.</param>
/// <param name="Session">The write's client session (R11; a resend gets the first send's answer); null: no deduplication.</param>
[MessagePackObject]
public sealed record Expire(
    [property: Key(0)] byte[] Key,
    [property: Key(1)] DateTimeOffset? ExpiresAt,
    [property: Key(2)] long? TimeToLiveMilliseconds = null,
    [property: Key(3)] long CorrelationId = 0,
    [property: Key(4)] WriteSessionStamp? Session = null) : IKeyedRequest;

/// <summary>Deletes <paramref name="Key"/> (a tombstone). Reply: <see cref="DeleteResult"/> or <see cref="ActorLsmError"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="CorrelationId">Echoed in the reply.</param>
/// <param name="Session">The write's client session (R11); null: no deduplication.</param>
[MessagePackObject]
public sealed record Delete([property: Key(0)] byte[] Key, [property: Key(1)] long CorrelationId = 0, [property: Key(2)] WriteSessionStamp? Session = null) : IKeyedRequest;

/// <summary>
/// One page of entries with <paramref name="Start"/> &lt;= key &lt; <paramref name="End"/> (null: unbounded),
/// merged over every shard. Reply: <see cref="ScanResult"/> or <see cref="ActorLsmError"/>.
/// </summary>
/// <param name="Start">Inclusive lower bound; null for the first key.</param>
/// <param name="End">Exclusive upper bound; null for past the last key.</param>
/// <param name="Limit">Most entries returned; 0 means the node's max-scan-limit (10,000 by default).</param>
/// <param name="Reverse">Descending key order.</param>
/// <param name="CorrelationId">Echoed in the reply.</param>
[MessagePackObject]
public sealed record Scan(
    [property: Key(0)] byte[]? Start,
    [property: Key(1)] byte[]? End,
    [property: Key(2)] int Limit = 0,
    [property: Key(3)] bool Reverse = false,
    [property: Key(4)] long CorrelationId = 0) : IActorLsmRequest;

/// <summary>
/// Puts and deletes applied atomically within each shard (one write batch per shard), not across shards.
/// Reply: <see cref="WriteBatchResult"/> or <see cref="ActorLsmError"/>.
/// </summary>
/// <param name="Operations">The operations, in order; later operations on the same key win.</param>
/// <param name="CorrelationId">Echoed in the reply.</param>
/// <param name="Session">The batch's client session (R11): every shard applies its part at most once; null: no deduplication.</param>
[MessagePackObject]
public sealed record WriteBatch([property: Key(0)] IReadOnlyList<WriteOp> Operations, [property: Key(1)] long CorrelationId = 0, [property: Key(2)] WriteSessionStamp? Session = null) : IActorLsmRequest;
