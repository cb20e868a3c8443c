namespace ActorLsm.Hocon.Tests;

/// <summary>Duration and size formats (HOCON specification, "Duration format" and "Size in bytes format").</summary>
public class UnitTests
{
    [Theory]
    [InlineData("100ns", 1L)]
    [InlineData("1000 nanos", 10L)]
    [InlineData("5 nanoseconds", 0L)]
    [InlineData("100us", 1_000L)]
    [InlineData("3 micros", 30L)]
    [InlineData("2 microseconds", 20L)]
    [InlineData("500ms", 5_000_000L)]
    [InlineData("1 milli", 10_000L)]
    [InlineData("2 millis", 20_000L)]
    [InlineData("250 milliseconds", 2_500_000L)]
    [InlineData("750", 7_500_000L)]
    [InlineData("30s", 300_000_000L)]
    [InlineData("1 second", 10_000_000L)]
    [InlineData("1.5 seconds", 15_000_000L)]
    [InlineData("5 minutes", 3_000_000_000L)]
    [InlineData("2m", 1_200_000_000L)]
    [InlineData("1 minute", 600_000_000L)]
    [InlineData("1h", 36_000_000_000L)]
    [InlineData("3 hours", 108_000_000_000L)]
    [InlineData("2d", 1_728_000_000_000L)]
    [InlineData("1 day", 864_000_000_000L)]
    [InlineData("  -1s ", -10_000_000L)]
    public void DurationParse_EveryUnit_ReturnsTicks(string text, long ticks) =>
        Assert.Equal(TimeSpan.FromTicks(ticks), HoconDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("10 fortnights")]
    [InlineData("10S")]
    [InlineData("s10")]
    [InlineData("1.2.3s")]
    [InlineData("99999999999999 days")]
    public void DurationParse_BadInput_ThrowsHoconException(string text)
    {
        var ex = Assert.Throws<HoconException>(() => HoconDuration.Parse(text));

        Assert.Contains("invalid duration", ex.Message, StringComparison.Ordinal);
        Assert.False(HoconDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("10B", 10L)]
    [InlineData("10 b", 10L)]
    [InlineData("1 byte", 1L)]
    [InlineData("7 bytes", 7L)]
    [InlineData("4KiB", 4096L)]
    [InlineData("512k", 524_288L)]
    [InlineData("2K", 2048L)]
    [InlineData("1Ki", 1024L)]
    [InlineData("3 kibibytes", 3072L)]
    [InlineData("1kB", 1000L)]
    [InlineData("2 kilobytes", 2000L)]
    [InlineData("64MiB", 67_108_864L)]
    [InlineData("64m", 67_108_864L)]
    [InlineData("1 mebibyte", 1_048_576L)]
    [InlineData("64MB", 64_000_000L)]
    [InlineData("1 megabyte", 1_000_000L)]
    [InlineData("1GiB", 1_073_741_824L)]
    [InlineData("1g", 1_073_741_824L)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("1 gibibyte", 1_073_741_824L)]
    [InlineData("1TiB", 1_099_511_627_776L)]
    [InlineData("1TB", 1_000_000_000_000L)]
    [InlineData("1PiB", 1_125_899_906_842_624L)]
    [InlineData("1PB", 1_000_000_000_000_000L)]
    [InlineData("1EiB", 1_152_921_504_606_846_976L)]
    [InlineData("1EB", 1_000_000_000_000_000_000L)]
    [InlineData("1.5KiB", 1536L)]
    public void SizeParse_EveryUnit_ReturnsBytes(string text, long bytes) =>
        Assert.Equal(bytes, HoconSize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("64 MiBs")]
    [InlineData("-1KiB")]
    [InlineData("16EiB")]
    [InlineData("1kb")]
    public void SizeParse_BadInput_ThrowsHoconException(string text)
    {
        var ex = Assert.Throws<HoconException>(() => HoconSize.Parse(text));

        Assert.Contains("invalid size", ex.Message, StringComparison.Ordinal);
        Assert.False(HoconSize.TryParse(text, out _));
    }

    [Fact]
    public void GetDurationAndGetBytes_ConfigValues_ParseUnits()
    {
        var config = HoconConfig.Parse("""
            flush = 30s
            compaction-interval = 5 minutes
            memtable = 64MiB
            block = 4096
            """);

        Assert.Equal(TimeSpan.FromSeconds(30), config.GetDuration("flush"));
        Assert.Equal(TimeSpan.FromMinutes(5), config.GetDuration("compaction-interval"));
        Assert.Equal(64L * 1024 * 1024, config.GetBytes("memtable"));
        Assert.Equal(4096, config.GetBytes("block"));
    }
}
