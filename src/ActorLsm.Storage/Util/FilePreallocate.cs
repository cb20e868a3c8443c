using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorLsm.Storage.Util;

/// <summary>
/// Reserves disk blocks for a range of a file without changing its length: fallocate(2) with
/// FALLOC_FL_KEEP_SIZE on Linux, as RocksDB does for its WAL (PosixWritableFile::Allocate,
/// DBOptions::allow_fallocate). Appends into the range then find their blocks allocated, so the
/// fdatasync after them need not allocate. A hint only: elsewhere, or where the file system cannot
/// do it, nothing happens.
/// </summary>
internal static partial class FilePreallocate
{
    /// <summary>FALLOC_FL_KEEP_SIZE (linux/falloc.h): allocate, leave the file size alone.</summary>
    private const int KeepSize = 1;

    private static bool s_unavailable;

    /// <summary>
    /// Tries to reserve bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// of <paramref name="stream"/>'s file. Returns true when the OS reserved them; false when it
    /// could not (not Linux, EOPNOTSUPP, ENOSPC, ...): the writes themselves then allocate, as
    /// without this call, and report ENOSPC if it persists.
    /// </summary>
    public static bool TryReserve(FileStream stream, long offset, long length)
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
            return Fallocate((int)handle.DangerousGetHandle(), KeepSize, offset, length) == 0;
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
