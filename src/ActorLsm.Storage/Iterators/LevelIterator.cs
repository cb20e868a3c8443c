using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;

namespace ActorLsm.Storage.Iterators;

/// <summary>
/// Iterates one sorted, non-overlapping level (L1 and deeper) as a single stream, opening one
/// SSTable at a time through the table cache (LevelDB's two-level "concatenating" iterator).
/// REQUIRES: the version holding <c>files</c> stays pinned while this iterator lives.
/// </summary>
internal sealed class LevelIterator : IInternalIterator
{
    private readonly TableCache _tableCache;
    private readonly IReadOnlyList<FileMetadata> _files;
    private readonly bool _fillCache;
    private int _index = -1;
    private IInternalIterator? _table;

    public LevelIterator(TableCache tableCache, IReadOnlyList<FileMetadata> files, bool fillCache)
    {
        _tableCache = tableCache;
        _files = files;
        _fillCache = fillCache;
    }

    public bool Valid => _table is not null && _table.Valid;

    public ReadOnlySpan<byte> Key => _table!.Key;

    public ReadOnlySpan<byte> Value => _table!.Value;

    public void SeekToFirst()
    {
        if (Open(0))
        {
            _table!.SeekToFirst();
            SkipEmptyForward();
        }
    }

    public void SeekToLast()
    {
        if (Open(_files.Count - 1))
        {
            _table!.SeekToLast();
            SkipEmptyBackward();
        }
    }

    public void Seek(ReadOnlySpan<byte> internalKey)
    {
        // First file whose largest key is >= the target.
        int lo = 0, hi = _files.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (InternalKey.Compare(_files[mid].Largest, internalKey) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (Open(lo))
        {
            _table!.Seek(internalKey);
            SkipEmptyForward();
        }
    }

    public void SeekForPrev(ReadOnlySpan<byte> internalKey)
    {
        // Last file whose smallest key is <= the target.
        int lo = 0, hi = _files.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (InternalKey.Compare(_files[mid].Smallest, internalKey) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (Open(lo - 1))
        {
            _table!.SeekForPrev(internalKey);
            SkipEmptyBackward();
        }
    }

    public void Next()
    {
        _table!.Next();
        SkipEmptyForward();
    }

    public void Prev()
    {
        _table!.Prev();
        SkipEmptyBackward();
    }

    public void Dispose() => Close();

    private void SkipEmptyForward()
    {
        while (_table is not null && !_table.Valid)
        {
            if (!Open(_index + 1))
            {
                return;
            }

            _table!.SeekToFirst();
        }
    }

    private void SkipEmptyBackward()
    {
        while (_table is not null && !_table.Valid)
        {
            if (!Open(_index - 1))
            {
                return;
            }

            _table!.SeekToLast();
        }
    }

    /// <summary>Opens file <paramref name="index"/>; false (and no table) when out of range.</summary>
    private bool Open(int index)
    {
        if (index == _index && _table is not null)
        {
            return true;
        }

        Close();
        _index = index;
        if (index < 0 || index >= _files.Count)
        {
            return false;
        }

        _table = _tableCache.NewIterator(_files[index], _fillCache);
        return true;
    }

    private void Close()
    {
        _table?.Dispose();
        _table = null;
    }
}
