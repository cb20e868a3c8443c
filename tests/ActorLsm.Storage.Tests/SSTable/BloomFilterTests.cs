using System.Text;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Tests.SSTable;

public class BloomFilterTests
{
    [Fact]
    public void MayContain_TenBitsPerKey_NoFalseNegativesAndFalsePositiveRateInRange()
    {
        const int keys = 100_000;
        var builder = new BloomFilterBuilder(10);
        for (int i = 0; i < keys; i++)
        {
            builder.AddKey(Encoding.ASCII.GetBytes($"present-{i}"));
        }

        Assert.Equal(keys, builder.KeyCount);
        var filter = builder.Finish();
        Assert.Equal(7, filter[^1]);
        for (int i = 0; i < keys; i++)
        {
            Assert.True(BloomFilter.MayContain(filter, Encoding.ASCII.GetBytes($"present-{i}")), $"false negative for key {i}");
        }

        int falsePositives = 0;
        for (int i = 0; i < keys; i++)
        {
            if (BloomFilter.MayContain(filter, Encoding.ASCII.GetBytes($"absent-{i}")))
            {
                falsePositives++;
            }
        }

        double rate = falsePositives / (double)keys;
        Assert.InRange(rate, 0.002, 0.02);
    }

    [Fact]
    public void AddKey_ConsecutiveDuplicates_CountedOnce()
    {
        var builder = new BloomFilterBuilder(10);
        builder.AddKey("a"u8);
        builder.AddKey("a"u8);
        builder.AddKey("b"u8);
        Assert.Equal(2, builder.KeyCount);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 7)]
    [InlineData(20, 14)]
    [InlineData(64, 30)]
    public void ProbeCount_BitsPerKey_IsRoundedLn2Clamped(int bits, int expected) =>
        Assert.Equal(expected, BloomFilter.ProbeCount(bits));

    [Fact]
    public void MayContain_EmptyOrReservedFilter_ReturnsTrue()
    {
        Assert.True(BloomFilter.MayContain([], "x"u8));
        var reserved = new byte[9];
        reserved[8] = 31;
        Assert.True(BloomFilter.MayContain(reserved, "x"u8));
    }

    [Fact]
    public void Hash64_DifferentInputs_DifferAndAreStable()
    {
        Assert.Equal(BloomFilter.Hash64("hello"u8), BloomFilter.Hash64("hello"u8));
        Assert.NotEqual(BloomFilter.Hash64("hello"u8), BloomFilter.Hash64("hellp"u8));
        Assert.NotEqual(BloomFilter.Hash64([]), BloomFilter.Hash64([0]));
        Assert.NotEqual(BloomFilter.Hash64(new byte[8]), BloomFilter.Hash64(new byte[9]));
    }
}
