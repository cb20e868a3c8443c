using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorLsm.Storage.Util;

/// <summary>
/// Allocates disk blocks for a range of a file and grows the file over it: fallocate(2) with mode 0
/// on Linux. The new range reads as zeros (unwritten extents), so no earlier content can show through.
/// RocksDB allocates ahead of its WAL too (PosixWritableFile::Allocate), but with FALLOC_FL_KEEP_SIZE,
/// which leaves every append changing the file's size, and an fdatasync must then write the inode as
/// well as the data; growing the size once per chunk removes that (Wal/FORMAT.md, "Durability").
/// A hint only: elsewhere, or where the file system cannot do it, nothing happens.
/// </summary>
internal static partial class FilePreallocate
{
    /// <summary>fallocate mode 0 (linux/falloc.h): allocate, and grow the file size to cover the range.</summary>
    private const int GrowSize = 0;

    private static bool s_unavailable;

    /// <summary>
    /// Tries to allocate bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// of <paramref name="stream"/>'s file, growing it to cover them; the stream's position is left alone.
    /// Returns true when the OS did; false when it could not (not Linux, EOPNOTSUPP, ENOSPC, ...):
    /// nothing changed, and the writes themselves then allocate, as without this call, and report
    /// ENOSPC if it persists.
    /// </summary>
    public static bool TryExtend(FileStream stream, long offset, long length)
    {
        // fallocate's off_t arguments are 64-bit only in 64-bit processes (glibc and musl alike).
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || length <= 0 || s_unavailable)
        {
            return false;
        }

        SafeFileHandle handle = stream.SafeFileHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Fallocate((int)handle.DangerousGetHandle(), GrowSize, offset, length) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true; // a libc without fallocate: a hint we cannot give
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);
}
