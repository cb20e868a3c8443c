using System.Text;
using ActorLsm.Protocol;
using ActorLsm.Shards.Routing;

namespace ActorLsm.Shards.Tests;

/// <summary>
/// The placement rule is part of the data layout: Redis Cluster's key slots. The vectors are the
/// Redis Cluster specification's published examples.
/// </summary>
public sealed class KeyHashTests
{
    [Fact]
    public void Crc16_SpecificationCheckValue_Is31C3()
    {
        // The Redis Cluster specification: the CRC16 of "123456789" is 0x31C3 (XMODEM).
        Assert.Equal(0x31C3, KeySlot.Crc16("123456789"u8));
    }

    [Theory]
    [InlineData("{user1000}.following", "user1000")]
    [InlineData("{user1000}.followers", "user1000")]
    [InlineData("foo{}{bar}", "foo{}{bar}")]
    [InlineData("foo{{bar}}zap", "{bar")]
    [InlineData("foo{bar}{zap}", "bar")]
    [InlineData("plain", "plain")]
    [InlineData("open{only", "open{only")]
    public void HashTag_SpecificationExamples_HashTheTaggedText(string key, string hashed)
    {
        Assert.Equal(hashed, Encoding.UTF8.GetString(KeySlot.HashTag(Encoding.UTF8.GetBytes(key))));
    }

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("somekey", 11058)]
    [InlineData("hello", 866)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("foo{{bar}}zap", 4015)]
    [InlineData("", 0)]
    public void Of_KnownKeys_MatchRedisClusterKeyslot(string key, int slot)
    {
        // Figures as redis-server 7 prints them for CLUSTER KEYSLOT (the spec's "foo", "somekey" examples included).
        Assert.Equal(slot, KeySlot.Of(Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void Of_TaggedKeys_ShareSlotAndShard()
    {
        byte[] following = "{user1000}.following"u8.ToArray();
        byte[] followers = "{user1000}.followers"u8.ToArray();
        Assert.Equal(KeySlot.Of("user1000"u8), KeySlot.Of(following));
        Assert.Equal(KeySlot.Of(following), KeySlot.Of(followers));
        for (int shards = 1; shards <= 64; shards++)
        {
            Assert.Equal(KeyHash.ShardOf(following, shards), KeyHash.ShardOf(followers, shards));
        }
    }

    [Fact]
    public void Of_Slot_IsCrc16Mod16384()
    {
        for (int i = 0; i < 1000; i++)
        {
            byte[] key = Encoding.ASCII.GetBytes("k" + i);
            Assert.Equal(KeySlot.Crc16(key) % 16384, KeySlot.Of(key));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(100)]
    public void SlotRange_EveryShard_CoversAllSlotsOnceAndAgreesWithShardOfSlot(int shardCount)
    {
        int next = 0;
        for (int shard = 0; shard < shardCount; shard++)
        {
            (int first, int end) = ShardHash.SlotRange(shard, shardCount);
            Assert.Equal(next, first);
            Assert.True(end > first, $"shard {shard} of {shardCount} owns no slot");
            Assert.Equal(shard, ShardHash.ShardOfSlot(first, shardCount));
            Assert.Equal(shard, ShardHash.ShardOfSlot(end - 1, shardCount));
            next = end;
        }

        Assert.Equal(KeySlot.SlotCount, next);
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

        // Expected 4000 per shard; CRC16 over these keys stays well within 10%.
        Assert.All(counts, c => Assert.InRange(c, 3600, 4400));
    }

    [Fact]
    public void ShardOf_SameKey_SameShard()
    {
        byte[] key = "stable-key"u8.ToArray();
        Assert.Equal(KeyHash.ShardOf(key, 7), KeyHash.ShardOf([.. key], 7));
    }
}
