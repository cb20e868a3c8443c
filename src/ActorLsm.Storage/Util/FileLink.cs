using System.Runtime.InteropServices;

namespace ActorLsm.Storage.Util;

/// <summary>
/// Puts an immutable file (an SSTable) at a second path for a checkpoint: a hard link where the
/// file system allows it, as RocksDB's checkpoint does, otherwise a copy that is fsynced. .NET
/// has no hard-link API, so this calls libc's link(2) on Linux and macOS.
/// </summary>
internal static partial class FileLink
{
    /// <summary>
    /// Makes <paramref name="target"/> hold the contents of <paramref name="source"/>: a hard link
    /// when possible (same file system, POSIX), otherwise a copy flushed to stable storage. The
    /// caller fsyncs the target's directory.
    /// REQUIRES: <paramref name="source"/> is never modified again; <paramref name="target"/> does not exist.
    /// </summary>
    /// <exception cref="IOException">Neither linking nor copying worked.</exception>
    public static void LinkOrCopy(string source, string target)
    {
        if (!OperatingSystem.IsWindows() && Link(source, target) == 0)
        {
            return;
        }

        File.Copy(source, target, overwrite: false);
        using var stream = new FileStream(target, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 0);
        stream.Flush(flushToDisk: true);
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);
}
