using ActorLsm.Storage.FileSystem;
using static ActorLsm.Storage.Tests.Faults.FaultTestStore;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>
/// I/O errors under <see cref="FaultInjectionFileSystem"/>: ENOSPC on a write and a failed
/// fsync. The store never acknowledges what a failed fsync covered, turns read-only with
/// <see cref="BackgroundErrorException"/> (no retry-and-pretend), and keeps serving reads.
/// </summary>
public sealed class IoErrorTests : IDisposable
{
    private const int Acked = 40;
    private readonly TempDir _dir = new();
    private readonly FaultInjectionFileSystem _fs = new();

    public void Dispose() => _dir.Dispose();

    private static IOException NoSpace() => new("No space left on device (ENOSPC)", 28);

    private static IOException IoError() => new("Input/output error (EIO)", 5);

    private LsmStore OpenWithAcked()
    {
        LsmStore store = OpenManual(_dir.Path, Options(_fs, WalSyncMode.Batch));
        for (int i = 0; i < Acked; i++)
        {
            store.Put(Key(i), Value(i, 30));
        }

        return store;
    }

    private static void AssertAckedReadable(LsmStore store)
    {
        for (int i = 0; i < Acked; i++)
        {
            Assert.Equal(Value(i, 30), store.Get(Key(i)));
        }
    }

    private LsmStore Reopen() => OpenManual(_dir.Path, Options(new FaultInjectionFileSystem(), WalSyncMode.Batch));

    [Fact]
    public void Put_WalFsyncFails_NotAcknowledgedAndStoreStaysReadOnly()
    {
        using (LsmStore store = OpenWithAcked())
        {
            _fs.FaultInjector = (op, path) => op == FaultOperation.Sync && path.EndsWith(".log", StringComparison.Ordinal) ? IoError() : null;

            Assert.Throws<BackgroundErrorException>(() => store.Put(Key(Acked), Value(Acked, 30)));
            _fs.FaultInjector = null; // the disk "recovers": a retried fsync would now succeed
            Assert.Throws<BackgroundErrorException>(() => store.Put(Key(Acked + 1), Value(Acked + 1, 30)));
            Assert.IsType<BackgroundErrorException>(store.BackgroundError);

            AssertAckedReadable(store);
            Assert.Null(store.Get(Key(Acked)));
        }

        _fs.SimulateCrash();
        using LsmStore reopened = Reopen();
        AssertAckedReadable(reopened);
        Assert.Null(reopened.Get(Key(Acked + 1)));
    }

    [Fact]
    public void Put_WalWriteNoSpace_ThrowsBackgroundErrorAndReadsWork()
    {
        using (LsmStore store = OpenWithAcked())
        {
            _fs.FaultInjector = (op, path) => op == FaultOperation.Write && path.EndsWith(".log", StringComparison.Ordinal) ? NoSpace() : null;

            var e = Assert.Throws<BackgroundErrorException>(() => store.Put(Key(Acked), Value(Acked, 30)));
            Assert.Contains("ENOSPC", e.InnerException!.Message, StringComparison.Ordinal);
            _fs.FaultInjector = null;
            Assert.Throws<BackgroundErrorException>(() => store.Put(Key(Acked + 1), Value(Acked + 1, 30)));
            AssertAckedReadable(store);
        }

        _fs.SimulateCrash();
        using LsmStore reopened = Reopen();
        AssertAckedReadable(reopened);
    }

    [Fact]
    public void Flush_TableWriteNoSpace_WritesRefusedReadsWorkAndNothingLost()
    {
        using (LsmStore store = OpenWithAcked())
        {
            _fs.FaultInjector = (op, path) => op == FaultOperation.Write && path.EndsWith(".sst", StringComparison.Ordinal) ? NoSpace() : null;

            store.FlushIfOlderThan(TimeSpan.Zero);
            Assert.False(store.RunFlushStep());
            Assert.NotNull(store.BackgroundError);
            Assert.Throws<BackgroundErrorException>(() => store.Put(Key(Acked), Value(Acked, 30)));
            AssertAckedReadable(store);
        }

        _fs.SimulateCrash();
        using LsmStore reopened = Reopen();
        AssertAckedReadable(reopened);
    }

    [Fact]
    public void Flush_ManifestFsyncFails_WritesRefusedAndNothingLostAfterCrash()
    {
        using (LsmStore store = OpenWithAcked())
        {
            _fs.FaultInjector = (op, path) => op == FaultOperation.Sync && Path.GetFileName(path).StartsWith("MANIFEST-", StringComparison.Ordinal) ? IoError() : null;

            store.FlushIfOlderThan(TimeSpan.Zero);
            Assert.False(store.RunFlushStep());
            Assert.Throws<BackgroundErrorException>(() => store.Put(Key(Acked), Value(Acked, 30)));
            AssertAckedReadable(store);
        }

        _fs.SimulateCrash();
        using LsmStore reopened = Reopen();
        AssertAckedReadable(reopened);
    }

    [Fact]
    public void Open_ManifestNamesMissingTable_ThrowsCorruptionNamingIt()
    {
        using (LsmStore store = OpenWithAcked())
        {
            store.FlushIfOlderThan(TimeSpan.Zero);
            Assert.True(store.RunFlushStep());
        }

        string table = Directory.EnumerateFiles(_dir.Path, "*.sst").Single();
        File.Delete(table);

        var e = Assert.Throws<CorruptionException>(Reopen);
        Assert.Equal(table, e.FilePath);
    }
}
