using System.Diagnostics;
using ActorLsm.Storage;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// A shard's store published for gets off the shard actor: on a node without replication a get
/// needs nothing the actor owns (no lease, no high watermark, no role; R7 and R10 apply only to
/// replicated shards), and <see cref="LsmStore"/> reads are thread-safe beside its writes,
/// flushes and compactions, so the caller reads the store on its own thread and saves the actor
/// round trip (two thread hand-offs per get), as an embedded RocksDB get is a call, not a message.
/// The shard actor publishes its store once open and withdraws it before it closes, reopens or
/// stops; a withdrawal waits until the reads that saw the store have left, so no read ever
/// touches a closed store. Thread-safe: two interlocked operations per read; a read that finds nothing published costs none.
/// </summary>
internal sealed class DirectReads
{
    private LsmStore? _store;
    private int _readers;

    /// <summary>
    /// The published store, with a read entered, or null when none is published (the caller then
    /// asks the shard actor). A non-null return must be paired with <see cref="Exit"/>.
    /// </summary>
    public LsmStore? TryEnter()
    {
        // Not counted while nothing is published, so a withdrawal under a stream of reads is not kept
        // waiting by readers that only come to find nothing.
        if (Volatile.Read(ref _store) is null)
        {
            return null;
        }

        Interlocked.Increment(ref _readers);
        LsmStore? store = Volatile.Read(ref _store); // after the count: a withdrawal either sees this read or this read sees it
        if (store is null)
        {
            Interlocked.Decrement(ref _readers);
        }

        return store;
    }

    /// <summary>Leaves a read entered by a non-null <see cref="TryEnter"/>.</summary>
    public void Exit()
    {
        int left = Interlocked.Decrement(ref _readers);
        Debug.Assert(left >= 0, "exits never outnumber entries");
    }

    /// <summary>REQUIRES: called on the shard actor, with <paramref name="store"/> open and the shard unreplicated.</summary>
    public void Publish(LsmStore store) => Volatile.Write(ref _store, store);

    /// <summary>
    /// REQUIRES: called on the shard actor before its store closes. Unpublishes the store and waits
    /// until every read that saw it has left (each is one get, so the wait is one get's length).
    /// </summary>
    public void Withdraw()
    {
        if (Interlocked.Exchange(ref _store, null) is null)
        {
            return;
        }

        var spin = default(SpinWait);
        while (Volatile.Read(ref _readers) != 0)
        {
            spin.SpinOnce();
        }
    }
}
