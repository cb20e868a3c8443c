using System.Text;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Tests.SSTable;

/// <summary>LZ4 and Zstandard block compression, and RocksDB-style per-level codec choice.</summary>
public sealed class Lz4ZstdCompressionTests : IDisposable
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
                entries[i] = (entries[i].Key, Encoding.ASCII.GetBytes($"value-{i % 11}-" + new string('q', 70)));
            }
        }

        return entries;
    }

    private static byte[] CompressibleBlock()
    {
        var sb = new StringBuilder();
        for (int i = 0; sb.Length < 4000; i++)
        {
            sb.Append("key-").Append(i % 37).Append("-value-").Append(new string('v', 20));
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    [Theory]
    [InlineData(BlockCompression.Lz4)]
    [InlineData(BlockCompression.Zstd)]
    public void RoundTrip_CompressibleValues_SmallerFileSameEntries(BlockCompression codec)
    {
        const int seed = 211;
        var entries = Compressible(seed, 3000);
        string plain = _dir.File($"plain-{codec}.sst");
        string packed = _dir.File($"packed-{codec}.sst");
        TableTests.Write(plain, entries);
        var props = TableTests.Write(packed, entries, new TableBuilderOptions { Compression = codec });
        Assert.Equal(codec, props.Compression);
        Assert.True(new FileInfo(packed).Length < new FileInfo(plain).Length / 2, $"seed {seed}: {codec} should at least halve this file");

        using var reader = TableReader.Open(packed, 1, new ActorLsm.Storage.Cache.BlockCache(1 << 20), verifyChecksums: true);
        using var it = reader.NewIterator();
        int i = 0;
        for (it.SeekToFirst(); it.Valid; it.Next(), i++)
        {
            Assert.True(it.Key.SequenceEqual(entries[i].Key) && it.Value.SequenceEqual(entries[i].Value), $"seed {seed}: entry {i}");
        }

        Assert.Equal(entries.Count, i);
    }

    [Theory]
    [InlineData(BlockCompression.Lz4)]
    [InlineData(BlockCompression.Zstd)]
    public void Decompress_TruncatedStream_ThrowsCorruptionException(BlockCompression codec)
    {
        byte[] raw = CompressibleBlock();
        byte[] packed = new BlockCompressor().TryCompress(codec, raw).ToArray();
        Assert.NotEmpty(packed);
        Assert.Equal(raw, BlockCompressor.Decompress(codec, packed, 0, packed.Length, "t.sst", 0));

        Assert.Throws<CorruptionException>(() => BlockCompressor.Decompress(codec, packed, 0, packed.Length / 2, "t.sst", 0));
    }

    [Theory]
    [InlineData(BlockCompression.Lz4)]
    [InlineData(BlockCompression.Zstd)]
    public void Decompress_WrongUncompressedLength_ThrowsCorruptionException(BlockCompression codec)
    {
        byte[] raw = CompressibleBlock();
        byte[] packed = new BlockCompressor().TryCompress(codec, raw).ToArray();

        // Re-frame the codec stream behind a length prefix one byte short of the truth.
        int prefix = ActorLsm.Storage.Util.Coding.GetVarint32(packed, out uint length);
        var reframed = new byte[packed.Length + 5];
        int n = ActorLsm.Storage.Util.Coding.PutVarint32(reframed, length - 1);
        packed.AsSpan(prefix).CopyTo(reframed.AsSpan(n));
        int total = n + packed.Length - prefix;

        Assert.Throws<CorruptionException>(() => BlockCompressor.Decompress(codec, reframed, 0, total, "t.sst", 0));
    }

    [Theory]
    [InlineData(BlockCompression.Lz4)]
    [InlineData(BlockCompression.Zstd)]
    public void ReadAll_FlippedByteInCompressedBlock_ThrowsCorruptionException(BlockCompression codec)
    {
        var entries = Compressible(223, 2000);
        string path = _dir.File($"flip-{codec}.sst");
        TableTests.Write(path, entries, new TableBuilderOptions { Compression = codec });
        byte[] bytes = File.ReadAllBytes(path);
        bytes[100] ^= 0x5A; // inside the first data block, which is compressed
        File.WriteAllBytes(path, bytes);

        using var reader = TableReader.Open(path, 3, null, verifyChecksums: true);
        Assert.Throws<CorruptionException>(() =>
        {
            using var it = reader.NewIterator();
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
            }
        });
    }

    [Fact]
    public void CompressionForLevel_PerLevelAndBottommost_FollowsRocksDbRules()
    {
        var options = new LsmOptions
        {
            Compression = BlockCompression.Deflate,
            CompressionPerLevel = [BlockCompression.None, BlockCompression.None, BlockCompression.Lz4],
            BottommostCompression = BlockCompression.Zstd,
        };

        Assert.Equal(BlockCompression.None, options.CompressionForLevel(0, bottommost: false));
        Assert.Equal(BlockCompression.None, options.CompressionForLevel(1, bottommost: false));
        Assert.Equal(BlockCompression.Lz4, options.CompressionForLevel(2, bottommost: false));
        Assert.Equal(BlockCompression.Lz4, options.CompressionForLevel(5, bottommost: false)); // last entry covers deeper levels
        Assert.Equal(BlockCompression.Zstd, options.CompressionForLevel(1, bottommost: true));

        var plain = new LsmOptions { Compression = BlockCompression.Lz4 };
        Assert.Equal(BlockCompression.Lz4, plain.CompressionForLevel(3, bottommost: true));
        options.Validate();
        Assert.Throws<ArgumentException>(() => new LsmOptions { CompressionPerLevel = [(BlockCompression)9] }.Validate());
    }

    [Fact]
    public void Store_PerLevelCompression_FlushUsesLevelZeroEntryAndBottommostCompactionUsesZstd()
    {
        var options = new LsmOptions
        {
            WalSyncMode = WalSyncMode.None,
            CompressionPerLevel = [BlockCompression.Lz4, BlockCompression.None],
            BottommostCompression = BlockCompression.Zstd,
        };
        string db = _dir.File("db");
        var value = Encoding.ASCII.GetBytes("compressible-" + new string('w', 90));
        using (var store = LsmStore.Open(db, options))
        {
            for (int i = 0; i < 3000; i++)
            {
                store.Put(Encoding.ASCII.GetBytes($"key{i:D6}"), value);
            }

            store.Flush();
            Assert.Equal([BlockCompression.Lz4], TableCodecs(db));

            store.CompactRange(null, null);
        }

        using (var store = LsmStore.Open(db, options))
        {
            Assert.Equal(value, store.Get(Encoding.ASCII.GetBytes("key001234")));
        }

        Assert.Equal([BlockCompression.Zstd], TableCodecs(db));
    }

    private static BlockCompression[] TableCodecs(string db) =>
        Directory.GetFiles(db, "*.sst")
            .Select((path, i) =>
            {
                using var reader = TableReader.Open(path, (ulong)i + 1, null, verifyChecksums: true);
                return reader.Properties.Compression;
            })
            .Distinct()
            .ToArray();
}
