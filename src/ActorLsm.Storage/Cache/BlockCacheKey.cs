using System.Numerics;

namespace ActorLsm.Storage.Cache;

/// <summary>Key of a cached block: the table's file number and the block's byte offset in it.</summary>
internal readonly record struct BlockCacheKey(ulong FileNumber, long Offset)
{
    /// <summary>A well-mixed 64-bit hash; the top bits pick the shard.</summary>
    public ulong Mix()
    {
        ulong h = (FileNumber * 0x9E3779B97F4A7C15UL) ^ BitOperations.RotateLeft((ulong)Offset * 0xC2B2AE3D27D4EB4FUL, 29);
        h ^= h >> 31;
        h *= 0xD6E8FEB86659FD93UL;
        h ^= h >> 32;
        return h;
    }

    public override int GetHashCode() => (int)Mix();

    public bool Equals(BlockCacheKey other) => FileNumber == other.FileNumber && Offset == other.Offset;
}
