using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage;

/// <summary>
/// A cursor over the user-visible state of the store as of one sequence number: for each user
/// key the newest version at or below that sequence, tombstoned keys hidden, restricted to
/// [<c>lowerBound</c>, <c>upperBound</c>). Forward and reverse, after LevelDB's DBIter.
/// Expiring values whose expiry is at or before the store's clock when the iterator was created
/// read as tombstones (hidden, and hiding older versions), so one iterator sees one instant.
/// <see cref="Key"/> and <see cref="Value"/> are valid until the next positioning call. Not
/// thread-safe. Dispose it: it pins the SSTables it reads.
/// </summary>
public sealed class LsmIterator : IDisposable
{
    private readonly IInternalIterator _inner;
    private readonly ulong _sequence;
    private readonly byte[]? _lowerBound;
    private readonly byte[]? _upperBound;
    private readonly Action? _onDispose;
    private readonly long _nowUnixMs;
    private byte[] _seekBuffer = new byte[64];
    private byte[] _savedKey = new byte[64];
    private int _savedKeyLength;
    private byte[] _savedValue = new byte[256];
    private int _savedValueLength;
    private ValueKind _savedKind;
    private bool _forward = true;
    private bool _valid;
    private bool _disposed;

    /// <param name="inner">The merged internal iterator; the cursor owns and disposes it.</param>
    /// <param name="sequence">Entries above this sequence number are invisible.</param>
    /// <param name="lowerBound">Inclusive lower bound of user keys; null for none.</param>
    /// <param name="upperBound">Exclusive upper bound of user keys; null for none.</param>
    /// <param name="onDispose">Runs once on dispose (releases the super version).</param>
    /// <param name="nowUnixMs">The instant expiries are judged at, Unix milliseconds.</param>
    internal LsmIterator(IInternalIterator inner, ulong sequence, byte[]? lowerBound, byte[]? upperBound, Action? onDispose, long nowUnixMs)
    {
        _nowUnixMs = nowUnixMs;
        _inner = inner;
        _sequence = sequence;
        _lowerBound = lowerBound;
        _upperBound = upperBound;
        _onDispose = onDispose;
    }

    /// <summary>True when positioned on an entry.</summary>
    public bool Valid => _valid;

    /// <summary>The current user key. REQUIRES: <see cref="Valid"/>.</summary>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            EnsureValid();
            return _forward ? InternalKey.UserKey(_inner.Key) : _savedKey.AsSpan(0, _savedKeyLength);
        }
    }

    /// <summary>The current value (without the stored expiry). REQUIRES: <see cref="Valid"/>.</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            EnsureValid();
            return _forward
                ? ExpiringValueCodec.UserValue(InternalKey.Kind(_inner.Key), _inner.Value)
                : ExpiringValueCodec.UserValue(_savedKind, _savedValue.AsSpan(0, _savedValueLength));
        }
    }

    /// <summary>The current value's absolute expiry (millisecond precision), or null when it never expires. REQUIRES: <see cref="Valid"/>.</summary>
    public DateTimeOffset? ExpiresAt
    {
        get
        {
            EnsureValid();
            return _forward
                ? ExpiringValueCodec.ExpiryOf(InternalKey.Kind(_inner.Key), _inner.Value)
                : ExpiringValueCodec.ExpiryOf(_savedKind, _savedValue.AsSpan(0, _savedValueLength));
        }
    }

    /// <summary>Positions at the first key &gt;= the lower bound.</summary>
    public void SeekToFirst()
    {
        ThrowIfDisposed();
        if (_lowerBound is not null)
        {
            Seek(_lowerBound);
            return;
        }

        _forward = true;
        _inner.SeekToFirst();
        FindNextUserEntry(skipping: false);
    }

    /// <summary>Positions at the last key &lt; the upper bound.</summary>
    public void SeekToLast()
    {
        ThrowIfDisposed();
        _forward = false;
        if (_upperBound is not null)
        {
            _inner.SeekForPrev(BuildSeekKey(_upperBound, InternalKey.MaxSequence));
        }
        else
        {
            _inner.SeekToLast();
        }

        FindPrevUserEntry();
    }

    /// <summary>Positions at the first key &gt;= <paramref name="key"/> (and &gt;= the lower bound).</summary>
    public void Seek(ReadOnlySpan<byte> key)
    {
        ThrowIfDisposed();
        if (_lowerBound is not null && key.SequenceCompareTo(_lowerBound) < 0)
        {
            key = _lowerBound;
        }

        _forward = true;
        _inner.Seek(BuildSeekKey(key, _sequence));
        FindNextUserEntry(skipping: false);
    }

    /// <summary>Positions at the last key &lt;= <paramref name="key"/> (and &lt; the upper bound).</summary>
    public void SeekForPrev(ReadOnlySpan<byte> key)
    {
        ThrowIfDisposed();
        if (_upperBound is not null && key.SequenceCompareTo(_upperBound) >= 0)
        {
            SeekToLast();
            return;
        }

        _forward = false;
        // The last entry of user key `key` has the smallest trailer: sequence 0, kind Delete.
        _inner.SeekForPrev(BuildSeekKey(key, 0, ValueKind.Delete));
        FindPrevUserEntry();
    }

    /// <summary>Moves to the next user key. REQUIRES: <see cref="Valid"/>.</summary>
    public void Next()
    {
        EnsureValid();
        if (!_forward)
        {
            // The inner iterator sits before the entries of the saved key; step past them.
            _forward = true;
            if (!_inner.Valid)
            {
                _inner.SeekToFirst();
            }
            else
            {
                _inner.Next();
            }

            FindNextUserEntry(skipping: true);
            return;
        }

        SaveKey(InternalKey.UserKey(_inner.Key));
        _inner.Next();
        FindNextUserEntry(skipping: true);
    }

    /// <summary>Moves to the previous user key. REQUIRES: <see cref="Valid"/>.</summary>
    public void Prev()
    {
        EnsureValid();
        if (_forward)
        {
            // Step the inner iterator back to before every entry of the current key.
            SaveKey(InternalKey.UserKey(_inner.Key));
            while (true)
            {
                _inner.Prev();
                if (!_inner.Valid || InternalKey.UserKey(_inner.Key).SequenceCompareTo(_savedKey.AsSpan(0, _savedKeyLength)) < 0)
                {
                    break;
                }
            }

            _forward = false;
        }

        FindPrevUserEntry();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _valid = false;
        _inner.Dispose();
        _onDispose?.Invoke();
    }

    // Forward: stop at the first visible Put whose user key is not hidden by a tombstone or,
    // while skipping, by the saved key (the key just left, or the latest tombstoned key).
    private void FindNextUserEntry(bool skipping)
    {
        while (_inner.Valid)
        {
            ReadOnlySpan<byte> ikey = _inner.Key;
            ulong trailer = InternalKey.Trailer(ikey);
            ReadOnlySpan<byte> userKey = InternalKey.UserKey(ikey);
            if (_upperBound is not null && userKey.SequenceCompareTo(_upperBound) >= 0)
            {
                break;
            }

            if ((trailer >> 8) <= _sequence
                && !(skipping && userKey.SequenceCompareTo(_savedKey.AsSpan(0, _savedKeyLength)) <= 0))
            {
                if (!ExpiringValueCodec.ReadsAsDeleted((ValueKind)(byte)trailer, _inner.Value, _nowUnixMs))
                {
                    _valid = true;
                    return;
                }

                // A tombstone (or an expired value) hides every older version of this key.
                SaveKey(userKey);
                skipping = true;
            }

            _inner.Next();
        }

        _valid = false;
    }

    // Reverse: the inner iterator is at or before the last entry of the key to produce. Walk
    // back through that key's entries (oldest to newest) keeping the newest visible one.
    private void FindPrevUserEntry()
    {
        ValueKind kind = ValueKind.Delete;
        while (_inner.Valid)
        {
            ReadOnlySpan<byte> ikey = _inner.Key;
            ulong trailer = InternalKey.Trailer(ikey);
            ReadOnlySpan<byte> userKey = InternalKey.UserKey(ikey);
            if ((trailer >> 8) <= _sequence)
            {
                if (kind != ValueKind.Delete && userKey.SequenceCompareTo(_savedKey.AsSpan(0, _savedKeyLength)) < 0)
                {
                    break; // the saved key's newest visible version is complete
                }

                if (_lowerBound is not null && userKey.SequenceCompareTo(_lowerBound) < 0)
                {
                    break;
                }

                kind = (ValueKind)(byte)trailer;
                if (ExpiringValueCodec.ReadsAsDeleted(kind, _inner.Value, _nowUnixMs))
                {
                    kind = ValueKind.Delete; // an expired value hides older versions as a tombstone does
                }
                else
                {
                    SaveKey(userKey);
                    SaveValue(_inner.Value);
                    _savedKind = kind;
                }
            }

            _inner.Prev();
        }

        _valid = kind != ValueKind.Delete;
    }

    private ReadOnlySpan<byte> BuildSeekKey(ReadOnlySpan<byte> userKey, ulong sequence, ValueKind kind = InternalKey.KindForSeek)
    {
        int length = InternalKey.EncodedLength(userKey.Length);
        if (_seekBuffer.Length < length)
        {
            _seekBuffer = new byte[Math.Max(length, _seekBuffer.Length * 2)];
        }

        InternalKey.Encode(_seekBuffer, userKey, sequence, kind);
        return _seekBuffer.AsSpan(0, length);
    }

    private void SaveKey(ReadOnlySpan<byte> key)
    {
        if (_savedKey.Length < key.Length)
        {
            _savedKey = new byte[Math.Max(key.Length, _savedKey.Length * 2)];
        }

        key.CopyTo(_savedKey);
        _savedKeyLength = key.Length;
    }

    private void SaveValue(ReadOnlySpan<byte> value)
    {
        if (_savedValue.Length < value.Length)
        {
            _savedValue = new byte[Math.Max(value.Length, _savedValue.Length * 2)];
        }

        value.CopyTo(_savedValue);
        _savedValueLength = value.Length;
    }

    private void EnsureValid()
    {
        ThrowIfDisposed();
        if (!_valid)
        {
            throw new InvalidOperationException("the iterator is not positioned on an entry");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
