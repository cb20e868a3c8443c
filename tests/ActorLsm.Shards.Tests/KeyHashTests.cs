using System.Text;
using ActorLsm.Shards.Routing;

namespace ActorLsm.Shards.Tests;

/// <summary>The key hash is part of the data layout: its values must never change.</summary>
public sealed class KeyHashTests
{
    [Fact]
    public void Hash64_KnownKeys_ArePinned()
    {
        // Values computed independently (FNV-1a 64 then fmix64); a change moves keys between shards on disk.
        Assert.Equal(0xefd01f60ba992926UL, KeyHash.Hash64([]));
        Assert.Equal(0x82a2a958a9bece5bUL, KeyHash.Hash64("a"u8));
        Assert.Equal(0x29b553522efbea1cUL, KeyHash.Hash64("user1000"u8));
        Assert.Equal(12, KeyHash.ShardOf("user1000"u8, 16));
    }

    [Fact]
    public void ShardOf_ManyKeys_SpreadEvenly()
    {
        const int Shards = 16;
        const int Keys = 64_000;
        var counts = new int[Shards];
        for (int i = 0; i < Keys; i++)
        {
            counts[KeyHash.ShardOf(Encoding.ASCII.GetBytes("user" + i), Shards)]++;
        }

        // Expected 4000 per shard; a fair hash stays well within 10%.
        Assert.All(counts, c => Assert.InRange(c, 3600, 4400));
    }

    [Fact]
    public void ShardOf_SameKey_SameShard()
    {
        byte[] key = "stable-key"u8.ToArray();
        Assert.Equal(KeyHash.ShardOf(key, 7), KeyHash.ShardOf([.. key], 7));
    }
}
