using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Util;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage;

public sealed partial class LsmStore
{
    /// <summary>How many read positions <see cref="ReadLog"/> remembers (about one per follower).</summary>
    private const int MaxLogReadHints = 8;

    private readonly List<LogReadHint> _logReadHints = []; // guarded by itself; newest last

    /// <summary>Outcome of reading one WAL segment for <see cref="ReadLog"/>.</summary>
    private enum SegmentRead
    {
        /// <summary>The segment ended (cleanly or at a torn tail); go on with the next one.</summary>
        Continue,

        /// <summary>The byte budget or the last sequence was reached.</summary>
        Done,

        /// <summary>The segment file is gone (flushed and deleted) or could not be read.</summary>
        Gone,

        /// <summary>No record starts at the wanted sequence (it lies inside a record, or there is a hole).</summary>
        Misaligned,
    }

    /// <summary>
    /// Applies <paramref name="batch"/> so that its first put or delete gets exactly
    /// <paramref name="firstSequence"/> and record i gets <paramref name="firstSequence"/> + i: a
    /// follower applying its leader's records keeps the leader's sequence numbers (Kafka's
    /// follower log keeps the leader's offsets). Atomic and durable exactly like
    /// <see cref="Write"/> (one WAL record, <see cref="LsmOptions.WalSyncMode"/>).
    /// REQUIRES: the caller is the store's only writer while it uses this method; a concurrent
    /// <see cref="Write"/> may take the sequence first, and this call then throws
    /// <see cref="SequenceGapException"/>.
    /// </summary>
    /// <param name="batch">The records, for example <see cref="WriteBatch.FromBytes"/> of a <see cref="LogRecord.Payload"/>. Its header's sequence is overwritten.</param>
    /// <param name="firstSequence">Must be <see cref="LastSequence"/> + 1.</param>
    /// <exception cref="ArgumentException">The batch is empty, or a key or value is over its limit; nothing is written.</exception>
    /// <exception cref="SequenceGapException"><paramref name="firstSequence"/> != LastSequence + 1; nothing is written.</exception>
    /// <exception cref="BackgroundErrorException">An earlier flush, compaction or WAL write failed.</exception>
    public void WriteAt(WriteBatch batch, ulong firstSequence)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            throw new ArgumentException("WriteAt needs a batch with at least one put or delete", nameof(batch));
        }

        batch.Validate(_options.MaxKeySize, _options.MaxValueSize);
        WriteValidated(batch, firstSequence);
    }

    /// <summary>
    /// Applies <paramref name="batches"/> in order, each as its own WAL record (so record
    /// boundaries stay the leader's, and <see cref="ReadLog"/> can serve from any of them), with
    /// one WAL write and, in <see cref="WalSyncMode.Batch"/> mode, one fsync for all of them: a
    /// follower appending what its leader sent in one message pays one sync, not one per record
    /// (Kafka's follower appends a fetched record batch set and flushes it once). Batch i's first
    /// put or delete gets <paramref name="firstSequence"/> plus the record counts of the batches
    /// before it. All or nothing as a group commit is: on an error nothing is acknowledged.
    /// REQUIRES: as <see cref="WriteAt(WriteBatch, ulong)"/>, the caller is the store's only writer.
    /// </summary>
    /// <param name="batches">At least one batch, none empty; their headers' sequences are overwritten.</param>
    /// <param name="firstSequence">Must be <see cref="LastSequence"/> + 1.</param>
    /// <exception cref="ArgumentException">No batch, an empty batch, or a key or value over its limit; nothing is written.</exception>
    /// <exception cref="SequenceGapException"><paramref name="firstSequence"/> != LastSequence + 1; nothing is written.</exception>
    /// <exception cref="BackgroundErrorException">An earlier flush, compaction or WAL write failed.</exception>
    public void WriteAt(IReadOnlyList<WriteBatch> batches, ulong firstSequence)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0)
        {
            throw new ArgumentException("WriteAt needs at least one batch", nameof(batches));
        }

        foreach (WriteBatch batch in batches)
        {
            ArgumentNullException.ThrowIfNull(batch, nameof(batches));
            if (batch.Count == 0)
            {
                throw new ArgumentException("WriteAt needs batches with at least one put or delete each", nameof(batches));
            }

            batch.Validate(_options.MaxKeySize, _options.MaxValueSize);
        }

        WriteValidated(batches[0], firstSequence, batches.Count > 1 ? [.. batches.Skip(1)] : null);
    }

    /// <summary>
    /// Reads write batches back from the live WAL segments (those not yet flushed to SSTables
    /// and deleted), oldest first, starting with the batch whose first sequence is
    /// <paramref name="fromSequence"/>: what a leader serves to a follower's fetch (Kafka's
    /// fetch from a log offset). Thread-safe with concurrent writes, flushes and compactions.
    /// </summary>
    /// <param name="fromSequence">First sequence wanted: the first sequence of a batch, 1 .. LastSequence + 1.</param>
    /// <param name="maxBytes">
    /// Soft limit on the sum of the payload sizes returned. At least one batch is returned when
    /// any is available, even when it alone is larger.
    /// </param>
    /// <returns>
    /// Contiguous batches (each one's FirstSequence is the previous one's FirstSequence + Count),
    /// none past <see cref="LastSequence"/> as it was when the call began; an empty list when
    /// <paramref name="fromSequence"/> == LastSequence + 1; null when the WAL no longer holds
    /// <paramref name="fromSequence"/> (flushed and its segment deleted, or the store was reopened,
    /// since recovery flushes the WAL to L0) or when no batch starts at it. After null the
    /// caller must transfer a snapshot instead (for example <see cref="CreateCheckpoint"/>).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromSequence"/> is 0 or above LastSequence + 1, or <paramref name="maxBytes"/> is negative.</exception>
    /// <exception cref="CorruptionException">A WAL record before the segment's tail fails its checks.</exception>
    /// <exception cref="ObjectDisposedException">The store is closed.</exception>
    public IReadOnlyList<LogRecord>? ReadLog(ulong fromSequence, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ulong last;
        var segments = new List<(ulong LogNumber, ulong FirstSequence)>();
        lock (_mutex)
        {
            ThrowIfDisposed();
            last = _lastSequence;
            if (fromSequence == 0 || fromSequence > last + 1)
            {
                throw new ArgumentOutOfRangeException(nameof(fromSequence), fromSequence, $"must be between 1 and LastSequence + 1 = {last + 1}");
            }

            if (fromSequence == last + 1)
            {
                return [];
            }

            // Every write up to `last` reached the OS before `last` was published (EnqueueAndLead).
            foreach (Immutable imm in _immutables)
            {
                segments.Add((imm.LogNumber, imm.FirstSequence));
            }

            segments.Add((_memLogNumber, _memFirstSequence));
        }

        // The segment holding fromSequence is the newest one starting at or below it (empty
        // segments share their successor's first sequence and are skipped this way).
        int start = segments.FindLastIndex(s => s.FirstSequence <= fromSequence);
        if (start < 0)
        {
            return null;
        }

        var records = new List<LogRecord>();
        long bytes = 0;
        ulong next = fromSequence;
        for (int i = start; i < segments.Count; i++)
        {
            SegmentRead outcome = ReadSegment(segments[i].LogNumber, last, maxBytes, records, ref next, ref bytes);
            if (outcome == SegmentRead.Continue && next <= last)
            {
                continue;
            }

            if (outcome is SegmentRead.Gone or SegmentRead.Misaligned && records.Count == 0)
            {
                return null;
            }

            break;
        }

        return records.Count > 0 ? records : null;
    }

    /// <summary>
    /// Appends to <paramref name="records"/> the batches of WAL segment <paramref name="logNumber"/>
    /// from sequence <paramref name="next"/> on, up to <paramref name="last"/> and about
    /// <paramref name="maxBytes"/> in total, advancing <paramref name="next"/> and <paramref name="bytes"/>.
    /// </summary>
    private SegmentRead ReadSegment(ulong logNumber, ulong last, long maxBytes, List<LogRecord> records, ref ulong next, ref long bytes)
    {
        string path = FileNames.Log(_dir, logNumber);
        long startOffset = TakeLogReadHint(logNumber, next);
        LogReader reader;
        try
        {
            reader = new LogReader(path, startOffset);
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
        {
            return SegmentRead.Gone; // deleted after a flush (FileNotFoundException is an IOException)
        }

        using (reader)
        {
            while (true)
            {
                long offset = reader.Offset;
                ReadOnlySpan<byte> payload;
                try
                {
                    if (!reader.TryReadRecord(out payload, out _))
                    {
                        return SegmentRead.Continue; // clean end, or a tail still being appended
                    }
                }
                catch (IOException)
                {
                    return SegmentRead.Gone;
                }

                if (payload.Length < WriteBatch.HeaderSize)
                {
                    throw new CorruptionException(path, offset, $"write batch of {payload.Length} bytes is shorter than its header");
                }

                ulong sequence = Coding.GetFixed64(payload);
                uint count = Coding.GetFixed32(payload[8..]);
                if (count == 0 || sequence + count - 1 < next)
                {
                    continue; // before the wanted sequence
                }

                if (sequence > last)
                {
                    return SegmentRead.Done; // appended after the call began
                }

                if (sequence != next)
                {
                    return SegmentRead.Misaligned;
                }

                if (records.Count > 0 && bytes + payload.Length > maxBytes)
                {
                    RememberLogReadHint(logNumber, next, offset);
                    return SegmentRead.Done;
                }

                records.Add(new LogRecord(sequence, (int)count, payload.ToArray()));
                bytes += payload.Length;
                next = sequence + count;
                if (next > last || bytes >= maxBytes)
                {
                    RememberLogReadHint(logNumber, next, reader.Offset);
                    return SegmentRead.Done;
                }
            }
        }
    }

    /// <summary>Where in segment <paramref name="logNumber"/> the batch starting at <paramref name="sequence"/> was last seen, or 0.</summary>
    private long TakeLogReadHint(ulong logNumber, ulong sequence)
    {
        lock (_logReadHints)
        {
            int i = _logReadHints.FindIndex(h => h.LogNumber == logNumber && h.Sequence == sequence);
            return i < 0 ? 0 : _logReadHints[i].Offset;
        }
    }

    /// <summary>Remembers that the batch starting at <paramref name="sequence"/> (or end of data) is at <paramref name="offset"/> of the segment, so the next fetch skips the segment's prefix.</summary>
    private void RememberLogReadHint(ulong logNumber, ulong sequence, long offset)
    {
        lock (_logReadHints)
        {
            _logReadHints.RemoveAll(h => h.LogNumber == logNumber && h.Sequence == sequence);
            if (_logReadHints.Count >= MaxLogReadHints)
            {
                _logReadHints.RemoveAt(0);
            }

            _logReadHints.Add(new LogReadHint(logNumber, sequence, offset));
        }
    }

    /// <summary>A read position in a WAL segment: the record at <c>Offset</c> (or end of data) starts at <c>Sequence</c>.</summary>
    private readonly record struct LogReadHint(ulong LogNumber, ulong Sequence, long Offset);
}
