using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorLsm.Storage.Util;

/// <summary>
/// Forces a file's data, and the metadata needed to read it back (its size), to stable storage:
/// fdatasync(2) on Linux, which skips the timestamp-only inode writes fsync also forces. RocksDB
/// syncs its WAL the same way (DBOptions::use_fsync = false). Elsewhere it falls back to
/// <see cref="FileStream.Flush(bool)"/> with flushToDisk (fsync / FlushFileBuffers).
/// </summary>
internal static partial class FileDataSync
{
    /// <summary>
    /// Syncs <paramref name="stream"/>'s file data to disk. Only the OS file is synced: bytes in
    /// the stream's own buffer (if it has one) are not flushed first, so callers pass unbuffered
    /// streams or flush them. Safe to call while another thread writes through the same handle:
    /// the sync then covers at least every byte written before the call.
    /// </summary>
    /// <exception cref="IOException">fdatasync failed; the message holds the errno text.</exception>
    public static void Sync(FileStream stream)
    {
        if (!OperatingSystem.IsLinux())
        {
            stream.Flush(flushToDisk: true);
            return;
        }

        SafeFileHandle handle = stream.SafeFileHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (FDataSync((int)handle.DangerousGetHandle()) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fdatasync({stream.Name}) failed: {new Win32Exception(errno).Message} (errno {errno})");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);
}
