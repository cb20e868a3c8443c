using ActorLsm.Storage.FileSystem;

namespace ActorLsm.Storage.Wal;

/// <summary>
/// Repairs a log file after <see cref="LogReader"/> stopped at a torn tail, so that appending
/// can resume: new records must start right after the last good one, or a later reader would
/// meet the torn bytes in the middle of the file and report corruption (Wal/FORMAT.md).
/// </summary>
internal static class LogRecovery
{
    /// <summary>
    /// Cuts <paramref name="path"/> to <paramref name="validLength"/> bytes (a reader's
    /// <see cref="LogReader.Offset"/>) and fsyncs it, so the cut survives a machine crash.
    /// A file already that short is left alone.
    /// </summary>
    /// <param name="path">The log file.</param>
    /// <param name="validLength">Bytes to keep, &gt;= 0.</param>
    /// <returns>The number of bytes removed (0 when nothing was cut).</returns>
    /// <param name="fileSystem">Where the file is cut; null for <see cref="DefaultFileSystem"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validLength"/> is negative.</exception>
    public static long TruncateTornTail(string path, long validLength, IFileSystem? fileSystem = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validLength);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"cannot cut missing log {path}", path);
        }

        using WritableFile file = (fileSystem ?? DefaultFileSystem.Instance).OpenWritable(path, truncate: false, bufferSize: 0);
        long removed = file.Length - validLength;
        if (removed <= 0)
        {
            return 0;
        }

        file.SetLength(validLength);
        file.Sync();
        return removed;
    }
}
