namespace ActorLsm.Storage;

/// <summary>
/// A live value and its expiry, as <see cref="LsmStore.GetWithExpiry"/> returns it.
/// </summary>
/// <param name="Value">The user value (without the stored expiry prefix).</param>
/// <param name="ExpiresAt">
/// The absolute expiry, millisecond precision, or null when the value never expires. Once the
/// store's clock (<see cref="LsmOptions.TimeProvider"/>) reaches it, every read treats the key as deleted.
/// </param>
public readonly record struct ExpiringValue(byte[] Value, DateTimeOffset? ExpiresAt);
