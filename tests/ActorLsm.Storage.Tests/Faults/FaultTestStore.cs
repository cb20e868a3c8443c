using System.Text;
using ActorLsm.Storage.FileSystem;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>A background host that runs nothing: the test drives flushes and compactions itself, so the order of file operations is deterministic.</summary>
internal sealed class ManualHost : IBackgroundWorkHost
{
    public void RequestFlush()
    {
    }

    public void RequestCompaction()
    {
    }

    public void Dispose()
    {
    }
}

/// <summary>Small stores for the fault tests: options, a deterministic driver and helpers.</summary>
internal static class FaultTestStore
{
    public static LsmOptions Options(IFileSystem fs, WalSyncMode sync, BlockCompression compression = BlockCompression.None) => new()
    {
        FileSystem = fs,
        WalSyncMode = sync,
        MemTableSize = 16 * 1024,
        BlockSize = 512,
        BlockRestartInterval = 4,
        TargetFileSize = 8 * 1024,
        MaxBytesForLevelBase = 32 * 1024,
        LevelSizeMultiplier = 4,
        L0CompactionTrigger = 2,
        L0SlowdownWritesTrigger = 20,
        L0StopWritesTrigger = 24,
        MaxImmutableMemTables = 4,
        BlockCacheSize = 0,
        MaxOpenFiles = 64,
        FlushInterval = TimeSpan.Zero,
        Compression = compression,
    };

    /// <summary>Opens without background threads (the caller runs <see cref="Drive"/>).</summary>
    public static LsmStore OpenManual(string dir, LsmOptions options) => LsmStore.Open(dir, options, _ => new ManualHost());

    /// <summary>Runs every pending flush and compaction step on this thread.</summary>
    public static void Drive(LsmStore store)
    {
        while (store.NeedsFlush && store.RunFlushStep())
        {
        }

        while (store.NeedsCompaction && store.RunCompactionStep())
        {
        }
    }

    public static byte[] Key(int n) => Encoding.ASCII.GetBytes($"k{n:D4}");

    /// <summary>A value that names its write, so a wrong or stale value is recognisable.</summary>
    public static byte[] Value(int write, int length) =>
        Encoding.ASCII.GetBytes($"w{write:D6}-" + new string((char)('a' + (write % 26)), length));

    public static string Show(byte[]? value) => value is null ? "null" : Encoding.ASCII.GetString(value.AsSpan(0, Math.Min(value.Length, 12))) + (value.Length > 12 ? $"..({value.Length} bytes)" : "");
}
