using System.Diagnostics;
using ActorLsm.Storage;

namespace ActorLsm.Shards.Replication;

/// <summary>
/// The leader's most recent WAL records in memory (up to a byte budget), so that replicators of
/// followers that keep up never read WAL files; older records come from <see cref="LsmStore.ReadLog"/>.
/// Appended by the shard actor, read by its replicators: thread-safe (one lock).
/// </summary>
internal sealed class ReplicationLog
{
    private readonly Lock _gate = new();
    private readonly LinkedList<LogRecord> _records = new();
    private readonly long _budget;
    private long _bytes;
    private ulong _highWatermark;

    public ReplicationLog(long budgetBytes) => _budget = budgetBytes;

    /// <summary>
    /// The leadership's high watermark as its shard last computed it (R2), read by the replicators for the
    /// commit sequence of each append and heartbeat: shared here instead of a message to every replicator
    /// on every move. Any thread.
    /// </summary>
    public ulong HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Publishes a higher high watermark. REQUIRES: called on the shard actor; <paramref name="highWatermark"/> never decreases (R2).</summary>
    public void RaiseHighWatermark(ulong highWatermark)
    {
        Debug.Assert(highWatermark >= _highWatermark, "the high watermark never decreases");
        Volatile.Write(ref _highWatermark, highWatermark);
    }

    /// <summary>Adds the next record. REQUIRES: called on the shard actor; record.FirstSequence follows the previous record.</summary>
    public void Append(LogRecord record)
    {
        lock (_gate)
        {
            Debug.Assert(_records.Last is null || _records.Last.Value.FirstSequence + (ulong)_records.Last.Value.Count == record.FirstSequence, "records are contiguous");
            _records.AddLast(record);
            _bytes += record.Payload.Length;
            while (_bytes > _budget && _records.Count > 1)
            {
                _bytes -= _records.First!.Value.Payload.Length;
                _records.RemoveFirst();
            }
        }
    }

    /// <summary>
    /// Forgets the records up to <paramref name="sequence"/> (a flush made them durable in an SSTable
    /// and released their WAL segment): a follower that still needs them gets a snapshot, as it
    /// would from the WAL files (PROTOCOL.md, catch-up).
    /// </summary>
    public void TrimThrough(ulong sequence)
    {
        lock (_gate)
        {
            while (_records.First is { } first && first.Value.FirstSequence + (ulong)first.Value.Count - 1 <= sequence)
            {
                _bytes -= first.Value.Payload.Length;
                _records.RemoveFirst();
            }
        }
    }

    /// <summary>Forgets everything (the store was reopened or truncated).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
            _bytes = 0;
        }
    }

    /// <summary>
    /// Records starting exactly at <paramref name="fromSequence"/>, up to about
    /// <paramref name="maxBytes"/> (at least one); empty when nothing is newer; null when the
    /// memory no longer (or never) held that record boundary.
    /// </summary>
    public List<LogRecord>? TryRead(ulong fromSequence, long maxBytes)
    {
        lock (_gate)
        {
            LinkedListNode<LogRecord>? node = _records.Last;
            if (node is null)
            {
                return null;
            }

            if (node.Value.FirstSequence + (ulong)node.Value.Count == fromSequence)
            {
                return [];
            }

            while (node is not null && node.Value.FirstSequence > fromSequence)
            {
                node = node.Previous;
            }

            if (node is null || node.Value.FirstSequence != fromSequence)
            {
                return null;
            }

            var result = new List<LogRecord>();
            long bytes = 0;
            for (; node is not null && (result.Count == 0 || bytes + node.Value.Payload.Length <= maxBytes); node = node.Next)
            {
                result.Add(node.Value);
                bytes += node.Value.Payload.Length;
            }

            return result;
        }
    }
}
