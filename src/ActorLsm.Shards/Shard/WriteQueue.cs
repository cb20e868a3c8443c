using System.Diagnostics;
using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// One write request waiting for its group commit: its operations, who to answer, and its key and
/// value bytes. An update's write (<paramref name="IsUpdate"/>, possibly with no operations) is
/// answered with <see cref="UpdateOutcome"/> carrying <paramref name="Result"/> instead of a sequence number.
/// A write of a client session (<paramref name="Session"/>) also answers the resends that joined it.
/// </summary>
internal readonly record struct PendingWrite(BatchOperation[] Ops, IActorRef ReplyTo, long Bytes, bool IsUpdate = false, object? Result = null, Sessions.SessionWrite? Session = null)
{
    /// <summary>Answers the write's sender, and every resend of it that waits (R11), with <paramref name="message"/>.</summary>
    public void Reply(object message)
    {
        ReplyTo.Tell(message);
        if (Session is { } session)
        {
            session.Answered = true;
            if (session.Duplicates is { } duplicates)
            {
                session.Duplicates = null;
                foreach (IActorRef duplicate in duplicates)
                {
                    duplicate.Tell(message);
                }
            }
        }
    }
}

/// <summary>
/// A group commit: the writes taken from the queue, encoded as one <see cref="WriteBatch"/>
/// (one WAL record, so the group is atomic) in queue order. Write i's first operation gets the
/// batch's first sequence number plus the operations of the writes before it.
/// </summary>
internal sealed class CommitGroup
{
    public CommitGroup(List<PendingWrite> writes, WriteBatch batch, long bytes)
    {
        Writes = writes;
        Batch = batch;
        Bytes = bytes;
        QueuedOps = batch.Count;
    }

    public List<PendingWrite> Writes { get; }

    public WriteBatch Batch { get; }

    public int OpCount => Batch.Count;

    /// <summary>
    /// The operations of the writes themselves (what the queue counts as pending); the batch may also
    /// hold session records after them (ShardActor.Sessions.cs), which take the batch's last sequences.
    /// </summary>
    public int QueuedOps { get; }

    public long Bytes { get; }

    /// <summary>The leadership the group was committed under (null: standalone); its answer waits for that leadership's high watermark.</summary>
    public Replication.LeaderState? Leadership { get; set; }

    /// <summary>Sequence number of the group's last operation, once its commit succeeded.</summary>
    public ulong LastSequence { get; set; }

    /// <summary>The running store write; its result is the store's last sequence number after the write.</summary>
    public Task<ulong>? Commit { get; set; }
}

/// <summary>
/// A shard's write queue (seed 004 dropped writes when full; this queue refuses them instead):
/// writes wait here while a group commit runs and leave together as the next group. Counts every
/// write not yet answered (waiting or committing) against MaxPendingWrites operations and
/// MaxPendingBytes key and value bytes. Not thread-safe: owned by the shard actor.
/// </summary>
internal sealed class WriteQueue
{
    private readonly Queue<PendingWrite> _waiting = new();

    // The newest queued operation of each key whose writes are not all answered yet, and how many
    // of its operations are pending: what an update must read instead of the store.
    private readonly Dictionary<byte[], (BatchOperation Op, int Count)> _pendingByKey = new(KeyComparer.Instance);
    private readonly int _maxOps;
    private readonly long _maxBytes;

    public WriteQueue(int maxOps, long maxBytes)
    {
        _maxOps = maxOps;
        _maxBytes = maxBytes;
    }

    /// <summary>Operations waiting or committing.</summary>
    public long PendingOps { get; private set; }

    /// <summary>Key and value bytes waiting or committing.</summary>
    public long PendingBytes { get; private set; }

    /// <summary>Writes waiting for a group commit (not yet taken).</summary>
    public int WaitingCount => _waiting.Count;

    /// <summary>
    /// Queues <paramref name="write"/> unless that would take the pending operations over the
    /// limit or the pending bytes over theirs; returns false then (nothing queued). A write is
    /// always accepted into an empty queue, so one oversized batch cannot be refused forever.
    /// </summary>
    public bool TryEnqueue(PendingWrite write)
    {
        if (PendingOps > 0 && (PendingOps + write.Ops.Length > _maxOps || PendingBytes + write.Bytes > _maxBytes))
        {
            return false;
        }

        foreach (BatchOperation op in write.Ops)
        {
            int count = _pendingByKey.TryGetValue(op.Key, out (BatchOperation Op, int Count) known) ? known.Count : 0;
            _pendingByKey[op.Key] = (op, count + 1);
        }

        _waiting.Enqueue(write);
        PendingOps += write.Ops.Length;
        PendingBytes += write.Bytes;
        AssertInvariants();
        return true;
    }

    /// <summary>
    /// Takes the waiting writes, oldest first, up to about <paramref name="maxGroupBytes"/> (at
    /// least one write), as one group. Null when nothing waits. They stay pending until <see cref="Release"/>.
    /// </summary>
    public CommitGroup? TakeGroup(int maxGroupBytes)
    {
        if (_waiting.Count == 0)
        {
            return null;
        }

        var writes = new List<PendingWrite>(Math.Min(_waiting.Count, 256));
        var batch = new WriteBatch(1024);
        long bytes = 0;
        while (_waiting.TryPeek(out PendingWrite next) && (writes.Count == 0 || bytes + next.Bytes <= maxGroupBytes))
        {
            _waiting.Dequeue();
            foreach (BatchOperation op in next.Ops)
            {
                if (op.Value is null)
                {
                    batch.Delete(op.Key);
                }
                else
                {
                    batch.Put(op.Key, op.Value, op.ExpiresAt);
                }
            }

            writes.Add(next);
            bytes += next.Bytes;
        }

        return new CommitGroup(writes, batch, bytes);
    }

    /// <summary>The group's writes are answered: they no longer count as pending.</summary>
    public void Release(CommitGroup group)
    {
        foreach (PendingWrite w in group.Writes)
        {
            Forget(w.Ops);
        }

        PendingOps -= group.QueuedOps;
        PendingBytes -= group.Bytes;
        AssertInvariants();
    }

    /// <summary>Removes every waiting write (they will not be committed) and returns them.</summary>
    public List<PendingWrite> TakeAllWaiting()
    {
        var all = new List<PendingWrite>(_waiting.Count);
        while (_waiting.TryDequeue(out PendingWrite w))
        {
            all.Add(w);
            Forget(w.Ops);
            PendingOps -= w.Ops.Length;
            PendingBytes -= w.Bytes;
        }

        AssertInvariants();
        return all;
    }

    /// <summary>
    /// The newest operation on <paramref name="key"/> queued or committing but not yet answered
    /// (it may already be in the store): what the key's value will be once the queue is written.
    /// </summary>
    public bool TryGetPending(byte[] key, out BatchOperation op)
    {
        if (_pendingByKey.TryGetValue(key, out (BatchOperation Op, int Count) known))
        {
            op = known.Op;
            return true;
        }

        op = default;
        return false;
    }

    private void Forget(BatchOperation[] ops)
    {
        foreach (BatchOperation op in ops)
        {
            if (_pendingByKey.TryGetValue(op.Key, out (BatchOperation Op, int Count) known))
            {
                if (known.Count <= 1)
                {
                    _pendingByKey.Remove(op.Key);
                }
                else
                {
                    _pendingByKey[op.Key] = (known.Op, known.Count - 1);
                }
            }
        }
    }

    /// <summary>Key and value bytes of <paramref name="ops"/>, as counted against MaxPendingBytes.</summary>
    public static long BytesOf(BatchOperation[] ops)
    {
        long bytes = 0;
        foreach (BatchOperation op in ops)
        {
            bytes += op.Key.Length + (op.Value?.Length ?? 0);
        }

        return bytes;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(PendingOps >= 0 && PendingBytes >= 0, "pending counts never go negative");
        Debug.Assert(_pendingByKey.Count <= PendingOps, "every key with a pending operation is counted as pending");
    }
}
