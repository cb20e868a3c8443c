using System.Diagnostics;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Memtables;

/// <summary>Outcome of <see cref="MemTable.Get(ReadOnlySpan{byte}, ulong, out ValueKind, out ReadOnlySpan{byte})"/>.</summary>
internal enum MemTableGetResult
{
    /// <summary>No entry of the user key is visible at the snapshot: look in older data.</summary>
    NotFound,

    /// <summary>The newest visible entry is a Put or PutWithExpiry; its stored value is returned (the caller applies expiry).</summary>
    Found,

    /// <summary>The newest visible entry is a tombstone: the key is deleted, stop looking.</summary>
    Deleted,
}

/// <summary>
/// The in-memory write buffer of the LSM tree: a <see cref="SkipList"/> of internal keys in one
/// fixed-size <see cref="Arena"/> (seed 000: "the arena allocates a fixed size byte array and tracks
/// entries via offsets in the byte array"; the skiplist keeps them sorted, as in LevelDB/Badger).
/// When <see cref="TryAdd"/> returns false the memtable is full: the engine makes it immutable,
/// flushes it to an SSTable and starts a new one.
/// </summary>
/// <remarks>
/// Threading: one writer (<see cref="TryAdd"/>, REQUIRES external serialization, e.g. the
/// write-group leader); <see cref="Get(ReadOnlySpan{byte}, ulong, out ValueKind, out ReadOnlySpan{byte})"/>, iterators and the statistics may run on any thread at
/// the same time without locks. Spans returned by <see cref="Get(ReadOnlySpan{byte}, ulong, out ValueKind, out ReadOnlySpan{byte})"/> and iterators point into the
/// arena and stay valid as long as the memtable is reachable.
/// </remarks>
internal sealed class MemTable
{
    /// <summary>Arena bytes taken before any entry: the null-offset prefix and the skiplist head node.</summary>
    public const int FixedOverhead = Arena.ReservedBytes + SkipList.HeadNodeSize;

    private readonly Arena _arena;
    private readonly SkipList _list;
    private readonly int _capacity;
    private int _refs = 1;
    private ulong _smallestSequence;
    private ulong _largestSequence;

    /// <summary>
    /// Creates an empty memtable that can take <paramref name="capacityBytes"/> bytes of entries
    /// (the arena is <see cref="FixedOverhead"/> bytes larger). A memtable created with
    /// <see cref="EstimateEntrySize"/> of an entry always accepts that entry.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">capacityBytes is not positive, or with the overhead exceeds int.MaxValue.</exception>
    public MemTable(int capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacityBytes, int.MaxValue - FixedOverhead);
        _capacity = capacityBytes;
        _arena = new Arena(capacityBytes + FixedOverhead);
        _list = new SkipList(_arena);
        CreatedTicks = Stopwatch.GetTimestamp();
        CreatedUtc = DateTime.UtcNow;
    }

    /// <summary>
    /// Takes a reference. A memtable starts with one reference (its creator's); readers that may
    /// outlive the creator's reference (super versions) take their own, so the arena is freed
    /// only when nothing can read it.
    /// </summary>
    public void Ref()
    {
        int refs = Interlocked.Increment(ref _refs);
        Debug.Assert(refs > 1, "Ref after the last Unref: the arena may already be freed");
    }

    /// <summary>Drops a reference; the last one frees the arena. Spans from this memtable are invalid afterwards.</summary>
    public void Unref()
    {
        int refs = Interlocked.Decrement(ref _refs);
        Debug.Assert(refs >= 0, "memtable released more often than referenced");
        if (refs == 0)
        {
            _arena.Free();
        }
    }

    /// <summary>Bytes of entries the memtable was created for (the arena minus <see cref="FixedOverhead"/>).</summary>
    public int Capacity => _capacity;

    /// <summary>Arena bytes used so far, <see cref="FixedOverhead"/> and alignment padding included.</summary>
    public long ApproximateMemoryUsage => _arena.Used;

    /// <summary>Entries added (puts and tombstones).</summary>
    public int Count => _list.Count;

    public bool IsEmpty => _list.Count == 0;

    /// <summary>Smallest sequence number added; 0 while <see cref="IsEmpty"/>.</summary>
    public ulong SmallestSequence => Volatile.Read(ref _smallestSequence);

    /// <summary>Largest sequence number added; 0 while <see cref="IsEmpty"/>.</summary>
    public ulong LargestSequence => Volatile.Read(ref _largestSequence);

    /// <summary>Creation time as a <see cref="Stopwatch.GetTimestamp"/> value (monotonic); see <see cref="Age"/>.</summary>
    public long CreatedTicks { get; }

    /// <summary>Wall-clock creation time, for logs.</summary>
    public DateTime CreatedUtc { get; }

    /// <summary>Monotonic time since creation; the engine flushes a non-empty memtable older than LsmOptions.FlushInterval.</summary>
    public TimeSpan Age => Stopwatch.GetElapsedTime(CreatedTicks);

    /// <summary>
    /// Upper bound of the arena bytes one entry with a <paramref name="userKeyLength"/>-byte user
    /// key and a <paramref name="valueLength"/>-byte value takes (full-height node, internal key,
    /// value, alignment padding), so the engine can size a memtable for one oversized entry.
    /// </summary>
    /// <exception cref="OverflowException">The sum exceeds int.MaxValue.</exception>
    public static int EstimateEntrySize(int userKeyLength, int valueLength) =>
        SkipList.MaxEntrySize(InternalKey.EncodedLength(userKeyLength), valueLength);

    /// <summary>
    /// Adds the entry <c>(userKey, sequence, kind) -&gt; value</c>; the internal key is written
    /// straight into the arena. Returns false, changing nothing, when the arena cannot hold it.
    /// For <see cref="ValueKind.Delete"/> the value is ignored and stored empty.
    /// REQUIRES: single writer; sequence numbers unique per user key (the engine gives each write its own).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">sequence exceeds <see cref="InternalKey.MaxSequence"/> or kind is unknown.</exception>
    public bool TryAdd(ulong sequence, ValueKind kind, ReadOnlySpan<byte> userKey, ReadOnlySpan<byte> value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, InternalKey.MaxSequence);
        if (kind is not (ValueKind.Put or ValueKind.Delete or ValueKind.PutWithExpiry))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown value kind");
        }

        if (kind == ValueKind.Delete)
        {
            value = default;
        }

        bool wasEmpty = _list.Count == 0;
        if (!_list.TryInsert(userKey, InternalKey.PackTrailer(sequence, kind), value))
        {
            return false;
        }

        if (wasEmpty || sequence < _smallestSequence)
        {
            Volatile.Write(ref _smallestSequence, sequence);
        }

        if (wasEmpty || sequence > _largestSequence)
        {
            Volatile.Write(ref _largestSequence, sequence);
        }

        return true;
    }

    /// <summary>
    /// Looks up the newest entry of <paramref name="userKey"/> with sequence number &lt;=
    /// <paramref name="snapshotSequence"/> (values above <see cref="InternalKey.MaxSequence"/> mean
    /// "latest"). On <see cref="MemTableGetResult.Found"/>, <paramref name="value"/> points into the
    /// arena; otherwise it is empty. Allocates nothing. An expiring value is returned as stored
    /// (with its expiry prefix): use the overload with the kind to interpret it.
    /// </summary>
    public MemTableGetResult Get(ReadOnlySpan<byte> userKey, ulong snapshotSequence, out ReadOnlySpan<byte> value) =>
        Get(userKey, snapshotSequence, out _, out value);

    /// <summary>
    /// As <see cref="Get(ReadOnlySpan{byte}, ulong, out ReadOnlySpan{byte})"/>, also giving the entry's
    /// kind on <see cref="MemTableGetResult.Found"/> (<see cref="ValueKind.Put"/> or <see cref="ValueKind.PutWithExpiry"/>).
    /// </summary>
    public MemTableGetResult Get(ReadOnlySpan<byte> userKey, ulong snapshotSequence, out ValueKind kind, out ReadOnlySpan<byte> value) =>
        Get(userKey, snapshotSequence, out kind, out value, out _);

    /// <summary>
    /// As <see cref="Get(ReadOnlySpan{byte}, ulong, out ValueKind, out ReadOnlySpan{byte})"/>, also giving the
    /// sequence number of the entry found (a value or a tombstone; 0 on <see cref="MemTableGetResult.NotFound"/>).
    /// </summary>
    public MemTableGetResult Get(ReadOnlySpan<byte> userKey, ulong snapshotSequence, out ValueKind kind, out ReadOnlySpan<byte> value, out ulong foundSequence)
    {
        kind = ValueKind.Delete;
        foundSequence = 0;
        ulong sequence = Math.Min(snapshotSequence, InternalKey.MaxSequence);
        int node = _list.FindGreaterOrEqual(userKey, InternalKey.PackTrailer(sequence, InternalKey.KindForSeek));
        if (node != Arena.NullOffset)
        {
            ReadOnlySpan<byte> key = _list.KeyOf(node);
            if (InternalKey.UserKey(key).SequenceEqual(userKey))
            {
                kind = InternalKey.Kind(key);
                foundSequence = InternalKey.Sequence(key);
                if (kind != ValueKind.Delete)
                {
                    value = _list.ValueOf(node);
                    return MemTableGetResult.Found;
                }

                value = default;
                return MemTableGetResult.Deleted;
            }
        }

        value = default;
        return MemTableGetResult.NotFound;
    }

    /// <summary>A new unpositioned iterator over all entries in internal key order; safe while the writer adds.</summary>
    public IInternalIterator NewIterator() => new SkipListIterator(_list);

    /// <summary>Walks level 0 and checks order, count and sequence bounds.</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        _list.AssertInvariants();
        Debug.Assert(_arena.Used <= (long)_capacity + FixedOverhead, "arena overfull");
        ulong smallest = ulong.MaxValue;
        ulong largest = 0;
        for (int node = _list.First; node != Arena.NullOffset; node = _list.Next(node))
        {
            ulong sequence = InternalKey.Sequence(_list.KeyOf(node));
            smallest = Math.Min(smallest, sequence);
            largest = Math.Max(largest, sequence);
        }

        Debug.Assert(IsEmpty || (smallest == _smallestSequence && largest == _largestSequence), "sequence bounds differ from the entries");
    }
}
