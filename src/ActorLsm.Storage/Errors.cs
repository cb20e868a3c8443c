namespace ActorLsm.Storage;

/// <summary>Base type of the errors the storage engine raises itself.</summary>
public class LsmException : Exception
{
    public LsmException()
    {
    }

    public LsmException(string message)
        : base(message)
    {
    }

    public LsmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Stored data failed a check (checksum, framing, magic number, ordering). Names the file and
/// the byte offset where the bad data starts, so an operator can inspect or restore that file.
/// </summary>
public sealed class CorruptionException : LsmException
{
    public CorruptionException()
    {
    }

    public CorruptionException(string message)
        : base(message)
    {
    }

    public CorruptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="path">The file holding the bad data.</param>
    /// <param name="offset">Byte offset in <paramref name="path"/> where the bad data starts.</param>
    /// <param name="detail">What check failed.</param>
    public CorruptionException(string path, long offset, string detail)
        : base($"corruption in {path} at offset {offset}: {detail}")
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>The file holding the bad data, when known.</summary>
    public string? FilePath { get; }

    /// <summary>Byte offset of the bad data in <see cref="FilePath"/>, or -1 when unknown.</summary>
    public long Offset { get; } = -1;
}

/// <summary>Another process (or another open store in this process) holds the directory's LOCK file.</summary>
public sealed class StoreLockedException : LsmException
{
    public StoreLockedException()
    {
    }

    public StoreLockedException(string message)
        : base(message)
    {
    }

    public StoreLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A background flush or compaction failed (for example the disk is full). The store refuses
/// further writes until reopened, so no write is acknowledged that could not be made durable;
/// everything acknowledged before the failure stays in the WAL and is recovered on reopen.
/// </summary>
public sealed class BackgroundErrorException : LsmException
{
    public BackgroundErrorException()
    {
    }

    public BackgroundErrorException(string message)
        : base(message)
    {
    }

    public BackgroundErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// <see cref="LsmStore.WriteAt(WriteBatch, ulong)"/> was asked to apply records whose first sequence number does
/// not directly follow the store's <see cref="LsmStore.LastSequence"/>: applying them would
/// leave a hole (or overwrite history) in a replica's contiguous sequence (Kafka's follower
/// fetch keeps the log-end offset contiguous the same way). Nothing was written.
/// </summary>
public sealed class SequenceGapException : InvalidOperationException
{
    public SequenceGapException()
    {
    }

    public SequenceGapException(string message)
        : base(message)
    {
    }

    public SequenceGapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="expected">The sequence the next write must start at: LastSequence + 1.</param>
    /// <param name="actual">The first sequence the caller asked for.</param>
    public SequenceGapException(ulong expected, ulong actual)
        : base($"write must start at sequence {expected} (LastSequence + 1) but starts at {actual}; nothing was written")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The sequence number the store expected as the first of the batch (LastSequence + 1 at the check).</summary>
    public ulong Expected { get; }

    /// <summary>The first sequence number the caller passed.</summary>
    public ulong Actual { get; }
}
