using ActorLsm.Storage.FileSystem;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>The fault layer itself: what a simulated crash keeps and what it throws away.</summary>
public sealed class FaultInjectionFileSystemTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FaultInjectionFileSystem _fs = new();

    public void Dispose() => _dir.Dispose();

    private string PathOf(string name) => Path.Combine(_dir.Path, name);

    private void WriteFile(string name, byte[] data, bool sync, bool syncDir)
    {
        using WritableFile file = _fs.OpenWritable(PathOf(name), truncate: true, bufferSize: 0);
        file.Write(data);
        if (sync)
        {
            file.Sync();
        }

        if (syncDir)
        {
            _fs.SyncDirectory(_dir.Path);
        }
    }

    [Fact]
    public void SimulateCrash_UnsyncedBytes_CutBackToSyncedLength()
    {
        WriteFile("a", [1, 2, 3], sync: true, syncDir: true);
        using (WritableFile file = _fs.OpenWritable(PathOf("a"), truncate: false, bufferSize: 0))
        {
            file.Write([4, 5]);
        }

        _fs.SimulateCrash();

        Assert.Equal([1, 2, 3], File.ReadAllBytes(PathOf("a")));
        Assert.Equal(2, _fs.LastCrash.DroppedBytes);
    }

    [Fact]
    public void SimulateCrash_GrownAndSynced_KeepsGrownSizeWithZerosForUnsyncedBytes()
    {
        string path = PathOf("000001.log");
        using (WritableFile file = _fs.OpenWritable(path, truncate: true, bufferSize: 0))
        {
            _fs.SyncDirectory(_dir.Path);
            if (!OperatingSystem.IsLinux())
            {
                return; // growing is fallocate(2): elsewhere the writer appends, which the other tests cover
            }

            Assert.True(file.TryExtend(0, 4096), "fallocate grows files on this file system");

            file.Write([1, 2, 3]);
            file.Sync(); // makes the bytes and the grown size durable
            file.Write([4, 5]);
        }

        _fs.SimulateCrash();

        byte[] after = File.ReadAllBytes(path);
        Assert.Equal(4096, after.Length);
        Assert.Equal([1, 2, 3], after[..3]);
        Assert.All(after[3..], b => Assert.Equal(0, b)); // the unsynced 4, 5 are gone, not left behind
        Assert.Equal(2, _fs.LastCrash.DroppedBytes);
    }

    [Fact]
    public void SimulateCrash_GrownButNeverSynced_EndsAtSyncedBytes()
    {
        string path = PathOf("000002.log");
        WriteFile("000002.log", [9, 9], sync: true, syncDir: true);
        using (WritableFile file = _fs.OpenWritable(path, truncate: false, bufferSize: 0))
        {
            if (!OperatingSystem.IsLinux())
            {
                return; // growing is fallocate(2): elsewhere the writer appends, which the other tests cover
            }

            Assert.True(file.TryExtend(0, 4096), "fallocate grows files on this file system");

            file.Write([7]);
        }

        _fs.SimulateCrash();

        Assert.Equal([9, 9], File.ReadAllBytes(path));
        Assert.Equal(1, _fs.LastCrash.DroppedBytes);
    }

    [Fact]
    public void SimulateCrash_FileSyncedButDirectoryNot_FileVanishes()
    {
        WriteFile("a", [1, 2, 3], sync: true, syncDir: false);

        _fs.SimulateCrash();

        Assert.False(File.Exists(PathOf("a")));
    }

    [Fact]
    public void SimulateCrash_DirectorySyncedButDataNot_FileIsEmpty()
    {
        WriteFile("a", [1, 2, 3], sync: false, syncDir: true);

        _fs.SimulateCrash();

        Assert.Empty(File.ReadAllBytes(PathOf("a")));
    }

    [Fact]
    public void SimulateCrash_UnsyncedRenameOverFile_OldTargetReturns()
    {
        WriteFile("CURRENT", [1], sync: true, syncDir: true);
        WriteFile("tmp", [2], sync: true, syncDir: false);
        _fs.Rename(PathOf("tmp"), PathOf("CURRENT"));
        Assert.Equal([2], File.ReadAllBytes(PathOf("CURRENT")));

        _fs.SimulateCrash();

        Assert.Equal([1], File.ReadAllBytes(PathOf("CURRENT")));
        Assert.False(File.Exists(PathOf("tmp")));
    }

    [Fact]
    public void SimulateCrash_RenameThenDirectorySync_NewTargetKept()
    {
        WriteFile("CURRENT", [1], sync: true, syncDir: true);
        WriteFile("tmp", [2], sync: true, syncDir: false);
        _fs.Rename(PathOf("tmp"), PathOf("CURRENT"));
        _fs.SyncDirectory(_dir.Path);

        _fs.SimulateCrash();

        Assert.Equal([2], File.ReadAllBytes(PathOf("CURRENT")));
        Assert.False(Directory.Exists(PathOf(".faultfs-trash")) && Directory.EnumerateFiles(PathOf(".faultfs-trash")).Any());
    }

    [Fact]
    public void SimulateCrash_UnsyncedDelete_FileReturnsWithSyncedBytes()
    {
        WriteFile("a", [1, 2], sync: true, syncDir: true);
        _fs.Delete(PathOf("a"));
        Assert.False(File.Exists(PathOf("a")));

        _fs.SimulateCrash();

        Assert.Equal([1, 2], File.ReadAllBytes(PathOf("a")));
    }

    [Fact]
    public void SimulateCrash_FailedFsyncThenSuccessfulFsync_DataStillLost()
    {
        WriteFile("a", [1], sync: true, syncDir: true);
        using (WritableFile file = _fs.OpenWritable(PathOf("a"), truncate: false, bufferSize: 0))
        {
            file.Write([2]);
            _fs.FaultInjector = (op, _) => op == FaultOperation.Sync ? new IOException("EIO") : null;
            Assert.Throws<IOException>(file.Sync);
            _fs.FaultInjector = null;
            file.Sync(); // "succeeds", as a retried fsync does on Linux after the pages were dropped
        }

        _fs.SimulateCrash();

        Assert.Equal([1], File.ReadAllBytes(PathOf("a")));
    }

    [Fact]
    public void CrashAtOperation_ReachedThenLaterOperations_ThrowOnceThenDrop()
    {
        _fs.CrashAtOperation = 2;
        using WritableFile file = _fs.OpenWritable(PathOf("a"), truncate: true, bufferSize: 0); // operation 1
        file.Write([1]);

        Assert.Throws<SimulatedCrashException>(file.Sync); // operation 2
        Assert.True(_fs.Crashed);
        _fs.Rename(PathOf("a"), PathOf("b")); // dropped
        Assert.True(File.Exists(PathOf("a")));
        Assert.False(File.Exists(PathOf("b")));
    }
}
