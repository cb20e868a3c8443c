namespace ActorLsm.Storage.FileSystem;

/// <summary>
/// The engine's seam for every file operation that changes what is on disk: creating and
/// appending to files, fsync of a file's data, rename, delete, and fsync of a directory's
/// entries (RocksDB's Env/FileSystem idea, reduced to what the engine mutates). Reads do not
/// go through it: readers open the real files, which always hold what was written.
/// <see cref="DefaultFileSystem"/> is the real one; <see cref="FaultInjectionFileSystem"/>
/// simulates lost fsyncs and injects I/O errors for tests. Set through
/// <see cref="LsmOptions.FileSystem"/>. Implementations must be thread-safe.
/// </summary>
public interface IFileSystem
{
    /// <summary>
    /// Opens <paramref name="path"/> for writing. With <paramref name="truncate"/> the file is
    /// created or emptied; otherwise it is created if missing and writes append at its end.
    /// A new file's directory entry is durable only after <see cref="SyncDirectory"/>.
    /// </summary>
    /// <param name="path">Full path of the file.</param>
    /// <param name="truncate">True to create or empty the file, false to append.</param>
    /// <param name="bufferSize">Bytes of write buffering inside the file object; 0 for none.</param>
    /// <exception cref="IOException">The file cannot be created or opened.</exception>
    WritableFile OpenWritable(string path, bool truncate, int bufferSize);

    /// <summary>Renames <paramref name="source"/> to <paramref name="target"/>, atomically replacing an existing target (rename(2)). Durable after <see cref="SyncDirectory"/>.</summary>
    /// <exception cref="IOException">The rename failed.</exception>
    void Rename(string source, string target);

    /// <summary>Deletes <paramref name="path"/>; a missing file is not an error. Durable after <see cref="SyncDirectory"/>.</summary>
    /// <exception cref="IOException">The delete failed.</exception>
    void Delete(string path);

    /// <summary>Makes the entries of directory <paramref name="dir"/> durable (fsync of the directory; a no-op on Windows).</summary>
    /// <exception cref="IOException">The fsync failed.</exception>
    void SyncDirectory(string dir);
}

/// <summary>
/// A file open for writing through an <see cref="IFileSystem"/>: sequential writes at the end,
/// <see cref="Flush"/> to hand buffered bytes to the OS and <see cref="Sync"/> to force them to
/// stable storage (fsync). Not thread-safe.
/// </summary>
public abstract class WritableFile : IDisposable
{
    /// <summary>The file's path.</summary>
    public abstract string Path { get; }

    /// <summary>Bytes in the file including bytes still buffered: the next write's offset.</summary>
    public abstract long Length { get; }

    /// <summary>Appends <paramref name="data"/>.</summary>
    /// <exception cref="IOException">The write failed (for example ENOSPC); the file's tail is then unknown.</exception>
    public abstract void Write(ReadOnlySpan<byte> data);

    /// <summary>Hands buffered bytes to the OS (no fsync).</summary>
    public abstract void Flush();

    /// <summary>Flushes, then forces the file's data to stable storage (fsync).</summary>
    /// <exception cref="IOException">The fsync failed: the data written since the last successful sync may be lost, and a retry proves nothing.</exception>
    public abstract void Sync();

    /// <summary>Cuts (or extends with zeros) the file to <paramref name="length"/> bytes; writes continue at the new end.</summary>
    public abstract void SetLength(long length);

    /// <summary>
    /// A hint: grow the file so that it covers bytes [<paramref name="offset"/>, <paramref name="offset"/> +
    /// <paramref name="length"/>) with allocated space that reads as zeros (fallocate(2) with mode 0 on
    /// Linux), without moving <see cref="Length"/>, the next write's offset. Writes into that range
    /// then change neither the file's size nor its allocation, so the fdatasync after them has only
    /// the data to write (Wal/FORMAT.md, "Durability"). Returns false when the file cannot do it (the
    /// default, other systems, file systems without fallocate): nothing changed. Never throws for
    /// lack of support; the size it sets becomes durable with the next <see cref="Sync"/>.
    /// </summary>
    public virtual bool TryExtend(long offset, long length) => false;

    /// <summary>Flushes buffered bytes to the OS (no fsync) and closes the file.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the file; <paramref name="disposing"/> is false only from a finalizer.</summary>
    protected abstract void Dispose(bool disposing);
}
