using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Tests.SSTable;

public sealed class CorruptionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public enum Region
    {
        Data,
        Filter,
        Properties,
        Index,
        FooterHandles,
        FooterVersion,
        FooterMagic,
    }

    [Theory]
    [InlineData(Region.Data)]
    [InlineData(Region.Filter)]
    [InlineData(Region.Properties)]
    [InlineData(Region.Index)]
    [InlineData(Region.FooterHandles)]
    [InlineData(Region.FooterVersion)]
    [InlineData(Region.FooterMagic)]
    public void FlippedBit_InEachRegion_IsDetectedAsCorruption(Region region)
    {
        var entries = TestData.Entries(91, 1500, maxVersions: 2);
        string path = _dir.File("000001.sst");
        TableTests.Write(path, entries);
        var bytes = File.ReadAllBytes(path);
        long footerAt = bytes.Length - TableFormat.FooterSize;
        var footer = Footer.Decode(bytes.AsSpan((int)footerAt), path, footerAt);

        long position = region switch
        {
            Region.Data => 10,
            Region.Filter => footer.Filter.Offset + (footer.Filter.Size / 2),
            Region.Properties => footer.Properties.Offset + 3,
            Region.Index => footer.Index.Offset + (footer.Index.Size / 2),
            Region.FooterHandles => footerAt + 2,
            Region.FooterVersion => footerAt + TableFormat.FooterHandlesSize,
            _ => bytes.Length - 3,
        };
        bytes[position] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<CorruptionException>(() =>
        {
            using var reader = TableReader.Open(path, 1, null, verifyChecksums: true);
            using var it = reader.NewIterator();
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
            }
        });
        Assert.Equal(path, e.FilePath);
        Assert.True(e.Offset >= 0);
    }

    [Fact]
    public void FlippedBit_InDataBlock_DetectedByTryGet()
    {
        var entries = TestData.Entries(92, 500);
        string path = _dir.File("000002.sst");
        TableTests.Write(path, entries);
        var bytes = File.ReadAllBytes(path);
        bytes[20] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        using var reader = TableReader.Open(path, 2, null, verifyChecksums: true);
        var e = Assert.Throws<CorruptionException>(() => reader.TryGet(entries[0].Key, out _, out _, out _, out _));
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Open_TruncatedFile_ThrowsCorruption()
    {
        string path = _dir.File("000003.sst");
        File.WriteAllBytes(path, new byte[10]);
        Assert.Throws<CorruptionException>(() => TableReader.Open(path, 3, null, verifyChecksums: true));
    }
}
