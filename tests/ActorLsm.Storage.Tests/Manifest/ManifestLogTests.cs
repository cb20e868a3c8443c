using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tests.Wal;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Tests.Manifest;

public sealed class ManifestLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Path, List<VersionEdit> Edits, List<long> Starts) WriteEdits(int count)
    {
        string path = FileNames.Manifest(_dir.Path, 2);
        var edits = new List<VersionEdit>();
        var starts = new List<long>();
        using var writer = new ManifestWriter(path);
        for (int i = 0; i < count; i++)
        {
            var edit = VersionEditAssert.Full((ulong)i);
            starts.Add(writer.Length);
            writer.Append(edit);
            edits.Add(edit);
            Assert.Equal(new FileInfo(path).Length, writer.Length);
        }

        return (path, edits, starts);
    }

    [Fact]
    public void ReadAll_SeveralAppendedEdits_ReplaysInOrder()
    {
        var (path, edits, _) = WriteEdits(5);

        var replayed = ManifestReader.ReadAll(path, out bool tornTail);

        Assert.False(tornTail);
        Assert.Equal(edits.Count, replayed.Count);
        for (int i = 0; i < edits.Count; i++)
        {
            VersionEditAssert.Equal(edits[i], replayed[i]);
        }
    }

    [Fact]
    public void ReadAll_LastEditTorn_DropsOnlyThatEdit()
    {
        var (path, edits, starts) = WriteEdits(4);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(starts[^1] + 12);
        }

        var replayed = ManifestReader.ReadAll(path, out bool tornTail);

        Assert.True(tornTail);
        Assert.Equal(edits.Count - 1, replayed.Count);
        VersionEditAssert.Equal(edits[^2], replayed[^1]);
    }

    [Fact]
    public void ReadAll_FlippedBitInMiddleEdit_ThrowsCorruptionNamingFileAndOffset()
    {
        var (path, _, starts) = WriteEdits(4);
        LogTestData.FlipBit(path, starts[2] + LogFormat.HeaderSize + 4, 0);

        var e = Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));

        Assert.Equal(path, e.FilePath);
        Assert.Equal(starts[2], e.Offset);
    }

    [Fact]
    public void ReadAll_RecordWithValidCrcButBadTag_ThrowsCorruptionAtTagOffset()
    {
        string path = FileNames.Manifest(_dir.Path, 3);
        long start;
        using (var log = new LogWriter(path))
        {
            log.AddRecord(VersionEditCodec.Encode(VersionEditAssert.Full()));
            start = log.Length;
            log.AddRecord([(byte)VersionEditCodec.TagLogNumber, 1, 77]);
        }

        var e = Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));

        Assert.Equal(start + LogFormat.HeaderSize + 2, e.Offset);
    }

    [Fact]
    public void ReadAll_RecordOfOtherType_ThrowsCorruption()
    {
        string path = FileNames.Manifest(_dir.Path, 3);
        using (var log = new LogWriter(path))
        {
            log.AddRecord([(byte)VersionEditCodec.TagLogNumber, 1], 9);
        }

        var e = Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));

        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void ReadAll_EmptyManifest_NoEdits()
    {
        string path = FileNames.Manifest(_dir.Path, 4);
        using (new ManifestWriter(path))
        {
        }

        Assert.Empty(ManifestReader.ReadAll(path));
    }
}
