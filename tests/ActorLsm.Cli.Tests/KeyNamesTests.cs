using System.Globalization;
using ActorLsm.Cli.Ycsb;

namespace ActorLsm.Cli.Tests;

public class KeyNamesTests
{
    /// <summary>FNV-1a 64 written from its definition: for each byte, xor then multiply by the prime.</summary>
    private static long ReferenceHash(long n)
    {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)((ulong)n >> (8 * i)); // least significant byte first
        }

        ulong hash = 14695981039346656037UL; // offset basis
        foreach (byte b in bytes)
        {
            hash = unchecked((hash ^ b) * 1099511628211UL); // FNV 64-bit prime
        }

        long signed = unchecked((long)hash);
        return signed < 0 ? -signed : signed;
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(42L)]
    [InlineData(999_999L)]
    [InlineData(123_456_789_012L)]
    public void FnvHash64_KnownNumbers_MatchDefinition(long n)
    {
        long hash = KeyNames.FnvHash64(n);
        Assert.Equal(ReferenceHash(n), hash);
        Assert.True(hash >= 0);
    }

    [Fact]
    public void FnvHash64_ManyNumbers_MatchDefinitionAndAreNonNegative()
    {
        for (long n = 0; n < 10_000; n += 7)
        {
            Assert.Equal(ReferenceHash(n), KeyNames.FnvHash64(n));
        }
    }

    [Fact]
    public void Build_Hashed_IsUserAndHashDigits()
    {
        Assert.Equal("user" + ReferenceHash(5).ToString(CultureInfo.InvariantCulture), KeyNames.Build(5, ordered: false, zeroPadding: 1));
    }

    [Fact]
    public void Build_HashedWithWidePadding_PadsHash()
    {
        string digits = ReferenceHash(5).ToString(CultureInfo.InvariantCulture);
        string key = KeyNames.Build(5, ordered: false, zeroPadding: 25);
        Assert.Equal("user" + new string('0', 25 - digits.Length) + digits, key);
    }

    [Theory]
    [InlineData(42L, 1, "user42")]
    [InlineData(42L, 2, "user42")]
    [InlineData(42L, 10, "user0000000042")]
    [InlineData(0L, 3, "user000")]
    [InlineData(12345L, 3, "user12345")]
    public void Build_Ordered_UsesZeroPaddedNumber(long n, int padding, string expected)
    {
        Assert.Equal(expected, KeyNames.Build(n, ordered: true, zeroPadding: padding));
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(KeyNames.BuildBytes(n, ordered: true, zeroPadding: padding)));
    }

    [Fact]
    public void Build_OrderedPadded_SortsInNumberOrder()
    {
        var keys = Enumerable.Range(0, 200).Select(i => KeyNames.Build(i, ordered: true, zeroPadding: 8)).ToList();
        Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal), keys);
    }
}
