using ActorLsm.Protocol;
using MessagePack;

namespace ActorLsm.Messages;

/// <summary>A reply from the store's router; <see cref="CorrelationId"/> is the request's.</summary>
public interface IActorLsmReply
{
    /// <summary>The <see cref="IActorLsmRequest.CorrelationId"/> of the request answered.</summary>
    long CorrelationId { get; }
}

/// <summary>A <see cref="Put"/> is durable on every in-sync replica.</summary>
/// <param name="Sequence">The write's sequence number in its shard.</param>
/// <param name="CorrelationId">The request's.</param>
[MessagePackObject]
public sealed record PutResult([property: Key(0)] ulong Sequence, [property: Key(1)] long CorrelationId = 0) : IActorLsmReply;

/// <summary>The answer to a <see cref="Get"/>.</summary>
/// <param name="Value">The value; null when the key is absent, deleted or expired.</param>
/// <param name="CorrelationId">The request's.</param>
/// <param name="ExpiresAt">When the value expires (absolute, millisecond precision), or null for never.</param>
[MessagePackObject]
public sealed record GetResult([property: Key(0)] byte[]? Value, [property: Key(1)] long CorrelationId = 0, [property: Key(2)] DateTimeOffset? ExpiresAt = null) : IActorLsmReply
{
    /// <summary>Whether the key has a value.</summary>
    [IgnoreMember]
    public bool Found => Value is not null;
}

/// <summary>The answer to an <see cref="Expire"/>, once its write (if any) is durable on every in-sync replica.</summary>
/// <param name="Existed">True when the key existed (its expiry is now the one asked for, or it was deleted by a past one).</param>
/// <param name="CorrelationId">The request's.</param>
[MessagePackObject]
public sealed record ExpireResult([property: Key(0)] bool Existed, [property: Key(1)] long CorrelationId = 0) : IActorLsmReply;

/// <summary>A <see cref="Delete"/> is durable on every in-sync replica.</summary>
/// <param name="Sequence">The tombstone's sequence number in its shard.</param>
/// <param name="CorrelationId">The request's.</param>
[MessagePackObject]
public sealed record DeleteResult([property: Key(0)] ulong Sequence, [property: Key(1)] long CorrelationId = 0) : IActorLsmReply;

/// <summary>One key and its value in a <see cref="ScanResult"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">Its value.</param>
[MessagePackObject]
public readonly record struct KeyValue([property: Key(0)] byte[] Key, [property: Key(1)] byte[] Value);

/// <summary>A page of a <see cref="Scan"/>.</summary>
/// <param name="Entries">The entries in the scan's order.</param>
/// <param name="Truncated">More entries may follow: ask again from just after the last key (before it, in reverse).</param>
/// <param name="CorrelationId">The request's.</param>
[MessagePackObject]
public sealed record ScanResult([property: Key(0)] IReadOnlyList<KeyValue> Entries, [property: Key(1)] bool Truncated, [property: Key(2)] long CorrelationId = 0) : IActorLsmReply;

/// <summary>A <see cref="WriteBatch"/> is durable on every in-sync replica of each shard it touched.</summary>
/// <param name="Shards">The number of shards the batch touched.</param>
/// <param name="CorrelationId">The request's.</param>
[MessagePackObject]
public sealed record WriteBatchResult([property: Key(0)] int Shards, [property: Key(1)] long CorrelationId = 0) : IActorLsmReply;

/// <summary>
/// The request failed: replies are messages, never serialized exceptions. <see cref="ToException"/> gives the
/// exception <see cref="IActorLsm"/> throws for the same error.
/// </summary>
/// <param name="Code">The protocol's error code (src/ActorLsm.Protocol/PROTOCOL.md): e.g. OVERLOADED, UNAVAILABLE, NOT_ENOUGH_REPLICAS, TIMEOUT.</param>
/// <param name="Message">What went wrong, for people.</param>
/// <param name="CorrelationId">The request's.</param>
[MessagePackObject]
public sealed record ActorLsmError([property: Key(0)] ErrorCode Code, [property: Key(1)] string Message, [property: Key(2)] long CorrelationId = 0) : IActorLsmReply
{
    /// <summary>The exception <see cref="IActorLsm"/> throws for this error (<see cref="ErrorMapping"/>).</summary>
    public Exception ToException() => ErrorMapping.ToException(Code, Message);
}
