using static ActorLsm.Storage.Tests.Replication.ReplicationTestData;

namespace ActorLsm.Storage.Tests.Replication;

public sealed class WriteBatchBytesTests
{
    private static WriteBatch Sample() => new WriteBatch()
        .Put(B("alpha"), B("1"))
        .Delete(B("beta"))
        .Put(B("empty"), [])
        .Put(B("big"), new byte[70_000]);

    [Fact]
    public void ToBytes_FromBytes_RoundTripsRecordsAndCount()
    {
        WriteBatch original = Sample();
        byte[] bytes = original.ToBytes();

        WriteBatch parsed = WriteBatch.FromBytes(bytes);

        Assert.Equal(original.Count, parsed.Count);
        Assert.Equal(4, parsed.Count);
        Assert.Equal(bytes, parsed.ToBytes());
        using var dir = new TempDir();
        using LsmStore store = LsmStore.Open(dir.Path, NoSync());
        store.Put(B("beta"), B("old"));
        store.Write(parsed);
        Assert.Equal(B("1"), store.Get(B("alpha")));
        Assert.Null(store.Get(B("beta")));
        Assert.Equal(Array.Empty<byte>(), store.Get(B("empty")));
        Assert.Equal(70_000, store.Get(B("big"))!.Length);
    }

    [Fact]
    public void FromBytes_EmptyBatch_HasNoRecords()
    {
        WriteBatch parsed = WriteBatch.FromBytes(new WriteBatch().ToBytes());

        Assert.Equal(0, parsed.Count);
        Assert.Equal(12, parsed.ToBytes().Length);
    }

    [Theory]
    [InlineData("short-header")]
    [InlineData("count-too-high")]
    [InlineData("count-too-low")]
    [InlineData("truncated-value")]
    [InlineData("unknown-kind")]
    [InlineData("trailing-byte")]
    public void FromBytes_Malformed_ThrowsCorruption(string damage)
    {
        byte[] bytes = Sample().ToBytes();
        byte[] bad = damage switch
        {
            "short-header" => bytes[..11],
            "count-too-high" => WithCount(bytes, 5),
            "count-too-low" => WithCount(bytes, 3),
            "truncated-value" => bytes[..^1],
            "unknown-kind" => WithByte(bytes, 12, 7),
            "trailing-byte" => [.. bytes, 1],
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };

        CorruptionException e = Assert.Throws<CorruptionException>(() => WriteBatch.FromBytes(bad));
        Assert.Contains("write batch", e.Message, StringComparison.Ordinal);
    }

    private static byte[] WithCount(byte[] bytes, uint count)
    {
        byte[] copy = [.. bytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(8, 4), count);
        return copy;
    }

    private static byte[] WithByte(byte[] bytes, int index, byte value)
    {
        byte[] copy = [.. bytes];
        copy[index] = value;
        return copy;
    }
}
