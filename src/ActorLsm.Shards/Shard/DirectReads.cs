using System.Diagnostics;
using ActorLsm.Storage;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// A shard's store published for gets off the shard actor, as an embedded RocksDB get is a call,
/// not a message: the caller reads the store on its own thread and saves the actor round trip (two
/// thread hand-offs per get). <see cref="LsmStore"/> reads are thread-safe beside its writes,
/// flushes and compactions.
/// <list type="bullet">
/// <item>An unreplicated shard publishes its store once open, with no bound: a get needs nothing the
/// actor owns (R7 and R10 apply only to replicated shards).</item>
/// <item>A replicated shard publishes it only while it leads, with a <see cref="LeaderReadBound"/>
/// (src/ActorLsm.Cluster/PROTOCOL.md, R13): the caller reads only while the leader's read lease is
/// valid at the time of the read (R10), and only a key whose newest version is at or below the
/// published high watermark (R7); anything else goes to the shard actor.</item>
/// </list>
/// The shard actor withdraws the store before it closes, reopens or stops it, and before a leader
/// steps down; a withdrawal waits until the reads that saw the store have left, so no read ever
/// touches a closed store or a bound of an ended leadership after it. Thread-safe: two interlocked
/// operations per read; a read that finds nothing published costs none.
/// </summary>
internal sealed class DirectReads
{
    private LsmStore? _store;
    private LeaderReadBound? _bound;
    private int _readers;

    /// <summary>
    /// The published store, with a read entered, or null when none is published (the caller then
    /// asks the shard actor). <paramref name="bound"/> is null for an unreplicated shard (read the
    /// latest), else the leader's bound, which the read must respect (R13). A non-null return must
    /// be paired with <see cref="Exit"/>.
    /// </summary>
    public LsmStore? TryEnter(out LeaderReadBound? bound)
    {
        bound = null;

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
            return null;
        }

        bound = Volatile.Read(ref _bound); // published before the store, withdrawn after it
        return store;
    }

    /// <summary>As <see cref="TryEnter(out LeaderReadBound?)"/>, for callers that expect no bound (tests of unreplicated shards).</summary>
    public LsmStore? TryEnter() => TryEnter(out _);

    /// <summary>Leaves a read entered by a non-null <see cref="TryEnter(out LeaderReadBound?)"/>.</summary>
    public void Exit()
    {
        int left = Interlocked.Decrement(ref _readers);
        Debug.Assert(left >= 0, "exits never outnumber entries");
    }

    /// <summary>
    /// REQUIRES: called on the shard actor, with <paramref name="store"/> open, and either the shard
    /// unreplicated (<paramref name="bound"/> null) or leading, with <paramref name="bound"/> that
    /// leadership's bound, whose high watermark has reached the takeover fence (R7, R13).
    /// </summary>
    public void Publish(LsmStore store, LeaderReadBound? bound = null)
    {
        Volatile.Write(ref _bound, bound);
        Volatile.Write(ref _store, store);
    }

    /// <summary>True when a store is published (for the shard actor's own bookkeeping and tests).</summary>
    public bool IsPublished => Volatile.Read(ref _store) is not null;

    /// <summary>
    /// REQUIRES: called on the shard actor before its store closes, and by a leader before it steps
    /// down. Unpublishes the store and waits until every read that saw it has left (each is one get,
    /// so the wait is one get's length).
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

        Volatile.Write(ref _bound, null);
    }
}

/// <summary>
/// What a replicated leader publishes for reads on callers' threads (PROTOCOL.md R13), for one
/// leadership: the high watermark (a sequence number: a direct read sees no write above it, R7) and
/// the read lease's expiry (Stopwatch ticks: a direct read is served only before it, R10). Both only
/// move as facts of this leadership become known: the high watermark only rises (R2), and the expiry
/// is the earliest time at which a newer leader could acknowledge a write, recomputed on every
/// acknowledgement and in-sync change. Written by the shard actor, read by any thread.
/// </summary>
internal sealed class LeaderReadBound
{
    private ulong _highWatermark;
    private long _leaseExpiryTicks;

    public LeaderReadBound(long epoch)
    {
        Epoch = epoch;
    }

    /// <summary>The leader epoch this bound belongs to.</summary>
    public long Epoch { get; }

    /// <summary>The highest sequence a direct read may see; raised before the writes it covers are answered.</summary>
    public ulong HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Stopwatch ticks before which the leader holds its read lease; 0 = no lease.</summary>
    public long LeaseExpiryTicks => Volatile.Read(ref _leaseExpiryTicks);

    /// <summary>REQUIRES: called on the shard actor; <paramref name="sequence"/> is the leader's high watermark (never lower than before).</summary>
    public void RaiseHighWatermark(ulong sequence)
    {
        Debug.Assert(sequence >= _highWatermark, "the high watermark never decreases (R2)");
        Volatile.Write(ref _highWatermark, sequence);
    }

    /// <summary>REQUIRES: called on the shard actor with the expiry the leader's lease rule gives now (LeaderState.LeaseExpiry).</summary>
    public void SetLeaseExpiry(long ticks) => Volatile.Write(ref _leaseExpiryTicks, ticks);
}
