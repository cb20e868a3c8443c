using System.Diagnostics;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Memtables;

/// <summary>
/// An <see cref="IInternalIterator"/> over a <see cref="SkipList"/>. Next follows level 0; Prev
/// searches from the top for the predecessor of the current key (O(log n)), as LevelDB's memtable
/// iterator does, since nodes keep no back links. Safe to use while the single writer inserts:
/// entries published after a positioning call may or may not be seen by later calls. Key and Value
/// point into the arena and stay valid while the memtable is referenced (its arena is freed at the last Unref).
/// Allocates nothing after construction.
/// </summary>
internal sealed class SkipListIterator : IInternalIterator
{
    private readonly SkipList _list;
    private int _node;

    /// <summary>Creates an iterator that is not positioned (<see cref="Valid"/> is false).</summary>
    public SkipListIterator(SkipList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        _list = list;
        _node = Arena.NullOffset;
    }

    public bool Valid => _node != Arena.NullOffset;

    public ReadOnlySpan<byte> Key
    {
        get
        {
            Debug.Assert(Valid, "Key REQUIRES Valid");
            return _list.KeyOf(_node);
        }
    }

    public ReadOnlySpan<byte> Value
    {
        get
        {
            Debug.Assert(Valid, "Value REQUIRES Valid");
            return _list.ValueOf(_node);
        }
    }

    public void SeekToFirst() => _node = _list.First;

    public void SeekToLast() => _node = _list.FindLast();

    /// <summary>REQUIRES: <paramref name="internalKey"/> is well formed (at least 8 bytes).</summary>
    public void Seek(ReadOnlySpan<byte> internalKey) =>
        _node = _list.FindGreaterOrEqual(InternalKey.UserKey(internalKey), InternalKey.Trailer(internalKey));

    /// <summary>REQUIRES: <paramref name="internalKey"/> is well formed (at least 8 bytes).</summary>
    public void SeekForPrev(ReadOnlySpan<byte> internalKey) =>
        _node = _list.FindLessThan(InternalKey.UserKey(internalKey), InternalKey.Trailer(internalKey), orEqual: true);

    public void Next()
    {
        Debug.Assert(Valid, "Next REQUIRES Valid");
        _node = _list.Next(_node);
    }

    public void Prev()
    {
        Debug.Assert(Valid, "Prev REQUIRES Valid");
        ReadOnlySpan<byte> key = _list.KeyOf(_node);
        _node = _list.FindLessThan(InternalKey.UserKey(key), InternalKey.Trailer(key), orEqual: false);
    }

    /// <summary>Nothing to release: the iterator holds no pooled or native resources.</summary>
    public void Dispose()
    {
    }
}
