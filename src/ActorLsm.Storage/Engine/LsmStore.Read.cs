using System.Buffers;
using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Engine;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Memtables;
using ActorLsm.Storage.Tables;

using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage;

public sealed partial class LsmStore
{
    /// <summary>
    /// The value of <paramref name="key"/>, or null when absent, deleted or expired. Looks in the active
    /// memtable, the immutable memtables (newest first), L0 files (newest first), then at most
    /// one file per deeper level, skipping files whose bloom filter rules the key out (seed 002's
    /// read flow).
    /// </summary>
    /// <param name="key">The user key.</param>
    /// <param name="snapshot">Read as of this snapshot; null for the latest acknowledged write.</param>
    public byte[]? Get(ReadOnlySpan<byte> key, LsmSnapshot? snapshot = null) => GetWithExpiry(key, snapshot)?.Value;

    /// <summary>
    /// The value of <paramref name="key"/> and its expiry, or null when absent, deleted or expired.
    /// Expiry is judged against <see cref="UtcNow"/> at the read, also through a snapshot: a
    /// snapshot pins which writes are seen, not the clock (an expired value is gone for every
    /// reader, as in Redis).
    /// </summary>
    /// <param name="key">The user key.</param>
    /// <param name="snapshot">Read as of this snapshot; null for the latest acknowledged write.</param>
    /// <exception cref="ArgumentException">The key is longer than <see cref="LsmOptions.MaxKeySize"/>.</exception>
    public ExpiringValue? GetWithExpiry(ReadOnlySpan<byte> key, LsmSnapshot? snapshot = null)
    {
        ThrowIfDisposed();
        CheckKeySize(key);
        return GetNewest(key, snapshot?.Sequence ?? Volatile.Read(ref _lastSequence), out _);
    }

    /// <summary>
    /// The latest value of <paramref name="key"/> and its expiry (null when absent, deleted or expired),
    /// provided that the key's newest version, a value or a tombstone, has a sequence number at or below
    /// <paramref name="maxSequence"/>; false (and <paramref name="value"/> null) when the key has a newer
    /// version. So a true answer is exactly what a read at a snapshot of <paramref name="maxSequence"/>
    /// would return, without pinning one: a replicated leader reads at its high watermark this way on
    /// the caller's thread (src/ActorLsm.Cluster/PROTOCOL.md, R13) and leaves a key written above it to
    /// its shard actor. Keys never written, or whose versions were all compacted away, read as absent.
    /// Allocates only the returned value. Thread-safe beside writes, flushes and compactions.
    /// </summary>
    /// <param name="key">The user key.</param>
    /// <param name="maxSequence">The highest sequence number the read may see.</param>
    /// <param name="value">The value found, or null.</param>
    /// <exception cref="ArgumentException">The key is longer than <see cref="LsmOptions.MaxKeySize"/>.</exception>
    public bool TryGetNewestAtOrBelow(ReadOnlySpan<byte> key, ulong maxSequence, out ExpiringValue? value)
    {
        ThrowIfDisposed();
        CheckKeySize(key);
        value = GetNewest(key, Volatile.Read(ref _lastSequence), out ulong found);
        if (found > maxSequence)
        {
            value = null;
            return false;
        }

        return true;
    }

    private void CheckKeySize(ReadOnlySpan<byte> key)
    {
        if (key.Length > _options.MaxKeySize)
        {
            throw new ArgumentException($"key of {key.Length} bytes exceeds the limit of {_options.MaxKeySize} bytes", nameof(key));
        }
    }

    /// <summary>The newest version of <paramref name="key"/> at or below <paramref name="sequence"/>, and its sequence number (0: none).</summary>
    private ExpiringValue? GetNewest(ReadOnlySpan<byte> key, ulong sequence, out ulong foundSequence)
    {
        SuperVersion sv = AcquireSuperVersion();
        try
        {
            switch (sv.Mem.Get(key, sequence, out ValueKind kind, out ReadOnlySpan<byte> found, out foundSequence))
            {
                case MemTableGetResult.Found:
                    return Live(kind, found);
                case MemTableGetResult.Deleted:
                    return null;
            }

            foreach (MemTable imm in sv.Immutables)
            {
                switch (imm.Get(key, sequence, out kind, out found, out foundSequence))
                {
                    case MemTableGetResult.Found:
                        return Live(kind, found);
                    case MemTableGetResult.Deleted:
                        return null;
                }
            }

            return GetFromTables(sv.Version, key, sequence, out foundSequence);
        }
        finally
        {
            sv.Unref();
        }
    }

    /// <summary>
    /// Now, by the store's clock (<see cref="LsmOptions.TimeProvider"/>): the time reads and
    /// compactions compare expiries with. A writer that turns a relative TTL into an absolute
    /// expiry should add it to this value, so that the TTL is measured on the same clock.
    /// </summary>
    public DateTimeOffset UtcNow => _options.TimeProvider.GetUtcNow();

    /// <summary>Now in Unix milliseconds by the store's clock.</summary>
    internal long NowUnixMs => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The user-visible form of a found entry: null when it has expired (reads the clock only for expiring values).</summary>
    private ExpiringValue? Live(ValueKind kind, ReadOnlySpan<byte> stored)
    {
        if (kind == ValueKind.Put)
        {
            return new ExpiringValue(stored.ToArray(), null);
        }

        if (ExpiringValueCodec.ReadsAsDeleted(kind, stored, NowUnixMs))
        {
            return null;
        }

        return new ExpiringValue(ExpiringValueCodec.UserValue(stored).ToArray(), ExpiringValueCodec.ExpiryOf(kind, stored));
    }

    /// <summary>
    /// A cursor over the store, as of <see cref="ReadOptions.Snapshot"/> (or now), within the
    /// options' bounds. The caller must dispose it.
    /// </summary>
    public LsmIterator NewIterator(ReadOptions? options = null)
    {
        ThrowIfDisposed();
        options ??= new ReadOptions();
        ulong sequence = options.Snapshot?.Sequence ?? Volatile.Read(ref _lastSequence);
        SuperVersion sv = AcquireSuperVersion();
        var children = new List<IInternalIterator>();
        try
        {
            children.Add(sv.Mem.NewIterator());
            foreach (MemTable imm in sv.Immutables)
            {
                children.Add(imm.NewIterator());
            }

            Version v = sv.Version;
            foreach (FileMetadata file in v.Files(0))
            {
                if (OverlapsBounds(file, options.LowerBound, options.UpperBound))
                {
                    children.Add(_tableCache.NewIterator(file, options.FillCache));
                }
            }

            for (int level = 1; level < v.NumLevels; level++)
            {
                if (v.Files(level).Count > 0)
                {
                    children.Add(new LevelIterator(_tableCache, v.Files(level), options.FillCache));
                }
            }
        }
        catch
        {
            foreach (IInternalIterator child in children)
            {
                child.Dispose();
            }

            sv.Unref();
            throw;
        }

        return new LsmIterator(new MergingIterator([.. children]), sequence, options.LowerBound, options.UpperBound, sv.Unref, NowUnixMs);
    }

    /// <summary>
    /// The entries with <paramref name="start"/> &lt;= key &lt; <paramref name="end"/> in key order
    /// (descending when <paramref name="reverse"/>), as of <paramref name="snapshot"/> or now.
    /// A null bound is unbounded. Entries are copied; enumerate lazily or materialize.
    /// </summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(byte[]? start, byte[]? end, bool reverse = false, LsmSnapshot? snapshot = null)
    {
        using LsmIterator it = NewIterator(new ReadOptions { LowerBound = start, UpperBound = end, Snapshot = snapshot });
        if (reverse)
        {
            for (it.SeekToLast(); it.Valid; it.Prev())
            {
                yield return new KeyValuePair<byte[], byte[]>(it.Key.ToArray(), it.Value.ToArray());
            }
        }
        else
        {
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                yield return new KeyValuePair<byte[], byte[]>(it.Key.ToArray(), it.Value.ToArray());
            }
        }
    }

    /// <summary>
    /// Pins the current sequence number: reads through the snapshot repeat, and compaction keeps
    /// what it can see, until it is disposed.
    /// </summary>
    public LsmSnapshot GetSnapshot()
    {
        lock (_mutex)
        {
            ThrowIfDisposed();
            ulong sequence = _lastSequence;
            _snapshots[sequence] = _snapshots.GetValueOrDefault(sequence) + 1;
            return new LsmSnapshot(sequence, ReleaseSnapshot);
        }
    }

    private void ReleaseSnapshot(LsmSnapshot snapshot)
    {
        lock (_mutex)
        {
            if (_snapshots.TryGetValue(snapshot.Sequence, out int count))
            {
                if (count <= 1)
                {
                    _snapshots.Remove(snapshot.Sequence);
                }
                else
                {
                    _snapshots[snapshot.Sequence] = count - 1;
                }
            }
        }
    }

    private static bool OverlapsBounds(FileMetadata file, byte[]? lower, byte[]? upper) =>
        (lower is null || file.LargestUserKey.SequenceCompareTo(lower) >= 0)
        && (upper is null || file.SmallestUserKey.SequenceCompareTo(upper) < 0);

    /// <summary>REQUIRES: version pinned.</summary>
    private ExpiringValue? GetFromTables(Version v, ReadOnlySpan<byte> key, ulong sequence, out ulong foundSequence)
    {
        foundSequence = 0;
        int length = InternalKey.EncodedLength(key.Length);
        byte[]? rented = null;
        Span<byte> seekKey = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            seekKey = seekKey[..length];
            InternalKey.Encode(seekKey, key, sequence, InternalKey.KindForSeek);

            // L0 files may overlap: look in each that covers the key, newest first.
            foreach (FileMetadata file in v.Files(0))
            {
                if (key.SequenceCompareTo(file.SmallestUserKey) >= 0 && key.SequenceCompareTo(file.LargestUserKey) <= 0
                    && TryGetFromTable(file, seekKey, out ExpiringValue? value, out foundSequence))
                {
                    return value;
                }
            }

            // Deeper levels do not overlap and never split a user key across files: one candidate each.
            for (int level = 1; level < v.NumLevels; level++)
            {
                IReadOnlyList<FileMetadata> files = v.Files(level);
                int lo = 0, hi = files.Count;
                while (lo < hi)
                {
                    int mid = (lo + hi) >>> 1;
                    if (files[mid].LargestUserKey.SequenceCompareTo(key) < 0)
                    {
                        lo = mid + 1;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                if (lo < files.Count && key.SequenceCompareTo(files[lo].SmallestUserKey) >= 0
                    && TryGetFromTable(files[lo], seekKey, out ExpiringValue? value, out foundSequence))
                {
                    return value;
                }
            }

            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True when the table holds a version of the key visible at the seek key's sequence; value is null for a tombstone or an expired value.</summary>
    private bool TryGetFromTable(FileMetadata file, ReadOnlySpan<byte> seekKey, out ExpiringValue? value, out ulong foundSequence)
    {
        TableCache.Entry entry = _tableCache.Acquire(file);
        try
        {
            if (entry.Reader.TryGet(seekKey, out ValueKind kind, out ReadOnlySpan<byte> found, out foundSequence, out Block? pin))
            {
                try
                {
                    // Live copies the value out of the block before the block's reference goes.
                    value = kind == ValueKind.Delete ? null : Live(kind, found);
                }
                finally
                {
                    pin.Unref();
                }

                return true;
            }

            value = null;
            return false;
        }
        finally
        {
            _tableCache.Release(entry);
        }
    }
}
