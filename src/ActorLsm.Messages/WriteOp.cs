using MessagePack;

namespace ActorLsm;

/// <summary>One operation of a write batch: a put of <paramref name="Value"/>, or a delete when it is null.</summary>
/// <param name="Key">The key; never null.</param>
/// <param name="Value">The value to write; null deletes the key.</param>
[MessagePackObject]
public readonly record struct WriteOp([property: Key(0)] byte[] Key, [property: Key(1)] byte[]? Value)
{
    /// <summary>A put of <paramref name="value"/> under <paramref name="key"/>.</summary>
    public static WriteOp Put(byte[] key, byte[] value) => new(key, value);

    /// <summary>A delete of <paramref name="key"/>.</summary>
    public static WriteOp Delete(byte[] key) => new(key, null);
}
