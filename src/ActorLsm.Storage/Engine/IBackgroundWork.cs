namespace ActorLsm.Storage;

/// <summary>
/// The background steps of a store, driven by an <see cref="IBackgroundWorkHost"/>. The default
/// host runs them on background threads; an actor host (a shard's flusher and compactor children)
/// runs the same steps from messages. One mechanism, two hosts. Every step is safe to call from
/// any thread at any time; a step that finds nothing to do returns false at once.
/// </summary>
public interface IBackgroundWork
{
    /// <summary>True while an immutable memtable waits to be flushed.</summary>
    bool NeedsFlush { get; }

    /// <summary>True when some level's compaction score is at least 1 (or a manual compaction waits).</summary>
    bool NeedsCompaction { get; }

    /// <summary>The store's <see cref="LsmOptions.FlushInterval"/>.</summary>
    TimeSpan FlushInterval { get; }

    /// <summary>
    /// Flushes the oldest immutable memtable to an L0 SSTable, records it in the manifest, deletes
    /// the WAL segments it covers and raises <see cref="LsmStore.FlushCompleted"/>. Returns false
    /// when there was nothing to flush or another flush is running. Failures are recorded as the
    /// store's background error (writes then fail) and returned as false.
    /// </summary>
    bool RunFlushStep();

    /// <summary>Runs one compaction if one is needed and none is running; false otherwise.</summary>
    bool RunCompactionStep();

    /// <summary>
    /// Makes the active memtable immutable if it holds data and is older than
    /// <paramref name="age"/> (seed 000: memtables do not sit in memory for long). Returns true
    /// when it did (a flush is then requested from the host).
    /// </summary>
    bool FlushIfOlderThan(TimeSpan age);
}

/// <summary>
/// Runs a store's background steps. The store calls <see cref="RequestFlush"/> and
/// <see cref="RequestCompaction"/> when work appears; the host must eventually call the matching
/// step until it returns false, and must call <see cref="IBackgroundWork.FlushIfOlderThan"/>
/// periodically. Disposing the host waits for any step it is running.
/// </summary>
public interface IBackgroundWorkHost : IDisposable
{
    void RequestFlush();

    void RequestCompaction();
}

/// <summary>Describes one completed flush (seed 000: a successful flush triggers callbacks).</summary>
/// <param name="FileNumber">The new L0 SSTable, or 0 when the memtable held nothing to write.</param>
/// <param name="FileSize">Its size in bytes.</param>
/// <param name="LargestSequence">Every write with a sequence number up to this one is now durable in SSTables.</param>
/// <param name="LogNumber">WAL segments numbered below this were deleted.</param>
public readonly record struct FlushCompletedInfo(ulong FileNumber, long FileSize, ulong LargestSequence, ulong LogNumber);
