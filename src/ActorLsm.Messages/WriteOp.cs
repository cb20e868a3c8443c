using MessagePack;

namespace ActorLsm;

/// <summary>One operation of a write batch: a put of <paramref name="Value"/>, or a delete when it is null.</summary>
/// <param name="Key">The key; never null.</param>
/// <param name="Value">The value to write; null deletes the key.</param>
/// <param name="ExpiresAt">For a put: when the value expires (absolute, millisecond precision), or null for never. Ignored for a delete.</param>
[MessagePackObject]
public readonly record struct WriteOp([property: Key(0)] byte[] Key, [property: Key(1)] byte[]? Value, [property: Key(2)] DateTimeOffset? ExpiresAt = null)
{
    /// <summary>A put of <paramref name="value"/> under <paramref name="key"/>.</summary>
    public static WriteOp Put(byte[] key, byte[] value) => new(key, value);

    /// <summary>A put of <paramref name="value"/> under <paramref name="key"/> that expires at <paramref name="expiresAt"/> (null: never).</summary>
    public static WriteOp Put(byte[] key, byte[] value, DateTimeOffset? expiresAt) => new(key, value, expiresAt);

    /// <summary>A delete of <paramref name="key"/>.</summary>
    public static WriteOp Delete(byte[] key) => new(key, null);
}
