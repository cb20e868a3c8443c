namespace ActorLsm.Shards.Shard;

/// <summary>Byte-array keys compared by content, for dictionaries keyed by user key.</summary>
internal sealed class KeyComparer : IEqualityComparer<byte[]>
{
    public static readonly KeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var h = default(HashCode);
        h.AddBytes(obj);
        return h.ToHashCode();
    }
}
