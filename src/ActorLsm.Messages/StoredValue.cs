using MessagePack;

namespace ActorLsm;

/// <summary>A key's value and its expiry, as <see cref="IActorLsm.GetWithExpiryAsync"/> returns it.</summary>
/// <param name="Value">The value.</param>
/// <param name="ExpiresAt">When the value expires (absolute, millisecond precision, decided by the shard leader), or null for never.</param>
[MessagePackObject]
public readonly record struct StoredValue([property: Key(0)] byte[] Value, [property: Key(1)] DateTimeOffset? ExpiresAt);
