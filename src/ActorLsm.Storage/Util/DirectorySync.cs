using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ActorLsm.Storage.Util;

/// <summary>
/// Makes a directory's entries durable (creations, renames, deletions), which fsync of the files
/// themselves does not do on POSIX systems: the step LevelDB's env calls SyncDirIfManifest and
/// every atomic-rename protocol needs. .NET has no API for it, so this calls libc directly.
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>POSIX O_RDONLY (0 on Linux and macOS). O_DIRECTORY is left out: its value differs per architecture.</summary>
    private const int ORdOnly = 0;

    /// <summary>
    /// fsyncs the directory <paramref name="dir"/> on Linux and macOS. A no-op on Windows, which
    /// has no directory fsync reachable here (NTFS journals the metadata of a rename itself).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dir"/> does not exist.</exception>
    /// <exception cref="IOException">open or fsync failed; the message holds the errno text.</exception>
    public static void Sync(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"cannot sync missing directory {dir}");
        }

        int fd = Open(dir, ORdOnly);
        if (fd < 0)
        {
            throw Failure("open", dir);
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw Failure("fsync", dir);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string dir)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}({dir}) failed: {new Win32Exception(errno).Message} (errno {errno})");
    }

    // open(2) is variadic; passing no mode is valid because O_CREAT is not set.
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
