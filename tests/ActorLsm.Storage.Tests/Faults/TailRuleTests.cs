using ActorLsm.Storage.FileSystem;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tests.Manifest;
using ActorLsm.Storage.Tests.Wal;
using ActorLsm.Storage.Wal;
using static ActorLsm.Storage.Tests.Faults.FaultTestStore;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>
/// The tail rules that keep a bit flip from passing for a torn append: the manifest's strict
/// rule (Manifest/FORMAT.md), the damaged-length check shared with the WAL, and the WAL's
/// last-non-empty-segment rule (Wal/FORMAT.md).
/// </summary>
public sealed class TailRuleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Path, List<long> Starts) WriteManifest(int edits)
    {
        string path = FileNames.Manifest(_dir.Path, 2);
        var starts = new List<long>();
        using var writer = new ManifestWriter(path);
        for (int i = 0; i < edits; i++)
        {
            starts.Add(writer.Length);
            writer.Append(VersionEditAssert.Full((ulong)i));
        }

        return (path, starts);
    }

    private static void FlipLengthHighBit(string path, long recordStart) =>
        LogTestData.FlipBit(path, recordStart + 4 + 2, 0); // length is bytes 4..7: a flip in byte 6 adds 64 KiB

    [Fact]
    public void ManifestReadAll_FirstRecordLengthRunsPastEnd_ThrowsCorruption()
    {
        var (path, starts) = WriteManifest(5);
        FlipLengthHighBit(path, starts[0]);

        var e = Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));

        Assert.Equal(path, e.FilePath);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void ManifestReadAll_MiddleRecordLengthRunsPastEnd_ThrowsCorruptionAtThatRecord()
    {
        var (path, starts) = WriteManifest(5);
        FlipLengthHighBit(path, starts[2]);

        var e = Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));

        Assert.Equal(starts[2], e.Offset);
    }

    [Fact]
    public void ManifestReadAll_LastRecordPayloadFlipped_ThrowsCorruptionNotTornTail()
    {
        var (path, starts) = WriteManifest(5);
        LogTestData.FlipBit(path, starts[4] + LogFormat.HeaderSize + 3, 5);

        var e = Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));

        Assert.Equal(starts[4], e.Offset);
    }

    [Fact]
    public void ManifestReadAll_LastRecordLengthRunsPastEnd_ThrowsCorruption()
    {
        var (path, starts) = WriteManifest(5);
        FlipLengthHighBit(path, starts[4]);

        Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));
    }

    [Fact]
    public void ManifestReadAll_OnlyRecordCut_ThrowsCorruption()
    {
        var (path, _) = WriteManifest(1);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 3);
        }

        Assert.Throws<CorruptionException>(() => ManifestReader.ReadAll(path));
    }

    [Fact]
    public void WalReader_MiddleRecordLengthRunsPastEnd_ThrowsCorruption()
    {
        string path = Path.Combine(_dir.Path, "000007.log");
        long[] starts = LogTestData.Write(path, [.. Enumerable.Range(0, 6).Select(i => LogTestData.Payload(40, i))]);
        FlipLengthHighBit(path, starts[3]);

        var e = Assert.Throws<CorruptionException>(() => LogTestData.ReadAll(path));

        Assert.Equal(starts[3], e.Offset);
    }

    [Fact]
    public void Open_TornTailInOlderWalSegmentWithNewerWrites_ThrowsCorruption()
    {
        var fs = new FaultInjectionFileSystem();
        using (LsmStore store = OpenManual(_dir.Path, Options(fs, WalSyncMode.Batch)))
        {
            store.Put(Key(1), Value(1, 20));
            store.FlushIfOlderThan(TimeSpan.Zero); // rolls the WAL; the memtable waits for a flush that never runs
            store.Put(Key(2), Value(2, 20));
        }

        string older = Directory.EnumerateFiles(_dir.Path, "*.log").Order().First();
        LogTestData.TearLastRecord(older, 2);

        var e = Assert.Throws<CorruptionException>(() => OpenManual(_dir.Path, Options(fs, WalSyncMode.Batch)));
        Assert.Equal(older, e.FilePath);
    }

    [Fact]
    public void Open_TornTailInNewestWalSegment_DroppedAndReported()
    {
        var fs = new FaultInjectionFileSystem();
        using (LsmStore store = OpenManual(_dir.Path, Options(fs, WalSyncMode.Batch)))
        {
            store.Put(Key(1), Value(1, 20));
            store.Put(Key(2), Value(2, 20));
        }

        string log = Directory.EnumerateFiles(_dir.Path, "*.log").Single();
        LogTestData.TearLastRecord(log, 2);

        using LsmStore reopened = OpenManual(_dir.Path, Options(fs, WalSyncMode.Batch));
        Assert.Equal(Value(1, 20), reopened.Get(Key(1)));
        Assert.Null(reopened.Get(Key(2)));
        Assert.Equal(1, reopened.Recovery.DroppedTailRecords);
        Assert.True(reopened.Recovery.DroppedTailBytes > 0);
    }
}
