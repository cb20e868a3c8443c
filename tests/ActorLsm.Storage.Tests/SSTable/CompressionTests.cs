using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Tests.SSTable;

public sealed class CompressionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<(byte[] Key, byte[] Value)> Compressible(int seed, int count)
    {
        var entries = TestData.Entries(seed, count, maxVersions: 2);
        for (int i = 0; i < entries.Count; i++)
        {
            if (InternalKey.Kind(entries[i].Key) == ValueKind.Put)
            {
                entries[i] = (entries[i].Key, System.Text.Encoding.ASCII.GetBytes($"value-{i % 7}-" + new string('z', 60)));
            }
        }

        return entries;
    }

    [Theory]
    [InlineData(BlockCompression.Deflate)]
    [InlineData(BlockCompression.Brotli)]
    public void RoundTrip_CompressibleValues_SmallerFileSameEntries(BlockCompression codec)
    {
        const int seed = 101;
        var entries = Compressible(seed, 3000);
        string plain = _dir.File($"plain-{codec}.sst");
        string packed = _dir.File($"packed-{codec}.sst");
        TableTests.Write(plain, entries);
        var props = TableTests.Write(packed, entries, new TableBuilderOptions { Compression = codec });
        Assert.Equal(codec, props.Compression);
        Assert.True(new FileInfo(packed).Length < new FileInfo(plain).Length / 2, "compression should at least halve this file");

        using var reader = TableReader.Open(packed, 1, new ActorLsm.Storage.Cache.BlockCache(1 << 20), verifyChecksums: true);
        Assert.Equal(codec, reader.Properties.Compression);
        using var it = reader.NewIterator();
        int i = 0;
        for (it.SeekToFirst(); it.Valid; it.Next(), i++)
        {
            Assert.True(it.Key.SequenceEqual(entries[i].Key) && it.Value.SequenceEqual(entries[i].Value), $"seed {seed}: entry {i}");
        }

        Assert.Equal(entries.Count, i);
        var (key, value) = entries[entries.Count / 2];
        Assert.True(reader.TryGet(key, out _, out var got, out _, out var pin));
        Assert.True(got.SequenceEqual(value));
        pin.Unref();
    }

    [Theory]
    [InlineData(BlockCompression.Deflate)]
    [InlineData(BlockCompression.Brotli)]
    public void RoundTrip_IncompressibleValues_StoredRawAndReadable(BlockCompression codec)
    {
        const int seed = 103;
        var entries = TestData.Entries(seed, 2000, maxValue: 300);
        string path = _dir.File($"random-{codec}.sst");
        TableTests.Write(path, entries, new TableBuilderOptions { Compression = codec });
        using var reader = TableReader.Open(path, 2, null, verifyChecksums: true);
        using var it = reader.NewIterator();
        int i = entries.Count - 1;
        for (it.SeekToLast(); it.Valid; it.Prev(), i--)
        {
            Assert.True(it.Value.SequenceEqual(entries[i].Value), $"seed {seed}: entry {i}");
        }

        Assert.Equal(-1, i);
    }

    [Fact]
    public void TryCompress_SavingUnderOneEighth_ReturnsEmpty()
    {
        var rng = new Random(7);
        var raw = new byte[4096];
        rng.NextBytes(raw);
        var compressor = new BlockCompressor();
        Assert.True(compressor.TryCompress(BlockCompression.Brotli, raw).IsEmpty);
        Assert.True(compressor.TryCompress(BlockCompression.Deflate, raw).IsEmpty);
        Assert.False(compressor.TryCompress(BlockCompression.Deflate, new byte[4096]).IsEmpty);
    }
}
