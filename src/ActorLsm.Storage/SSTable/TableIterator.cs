using System.Diagnostics;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// LevelDB's two-level iterator over one table: an index block iterator picks a data block, a
/// <see cref="BlockIterator"/> walks it, and empty or exhausted blocks are skipped in either
/// direction. The data block iterator is reused across blocks, so moving allocates only when a
/// block is read from disk. The iterator holds a reference to its current data block (see
/// <see cref="Block"/>), so the block stays readable while <see cref="Value"/> may point into it
/// even if the cache evicts it; it gives the reference back when it moves to another block and
/// on <see cref="Dispose"/>, which the owner must call. <see cref="Key"/> and <see cref="Value"/>
/// are valid until the next move. Not thread-safe.
/// </summary>
internal sealed class TableIterator : IInternalIterator
{
    private readonly TableReader _table;
    private readonly bool _fillCache;
    private readonly BlockIterator _index;
    private readonly BlockIterator _data = new();
    private bool _hasBlock;
    private long _blockOffset = -1;

    // The data block _data points at, with the reference this iterator owns; null when none.
    private Block? _block;

    public TableIterator(TableReader table, bool fillCache)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _fillCache = fillCache;
        _index = table.NewIndexIterator();
    }

    public bool Valid => _hasBlock && _data.Valid;

    public ReadOnlySpan<byte> Key => _data.Key;

    public ReadOnlySpan<byte> Value => _data.Value;

    public void SeekToFirst()
    {
        _index.SeekToFirst();
        LoadBlock();
        if (_hasBlock)
        {
            _data.SeekToFirst();
        }

        SkipEmptyBlocksForward();
    }

    public void SeekToLast()
    {
        _index.SeekToLast();
        LoadBlock();
        if (_hasBlock)
        {
            _data.SeekToLast();
        }

        SkipEmptyBlocksBackward();
    }

    public void Seek(ReadOnlySpan<byte> internalKey)
    {
        _index.Seek(internalKey);
        LoadBlock();
        if (_hasBlock)
        {
            _data.Seek(internalKey);
        }

        SkipEmptyBlocksForward();
    }

    public void SeekForPrev(ReadOnlySpan<byte> internalKey) => this.SeekForPrevViaSeek(internalKey);

    public void Next()
    {
        Debug.Assert(Valid, "Next on an invalid iterator");
        _data.Next();
        SkipEmptyBlocksForward();
    }

    public void Prev()
    {
        Debug.Assert(Valid, "Prev on an invalid iterator");
        _data.Prev();
        SkipEmptyBlocksBackward();
    }

    public void Dispose()
    {
        _hasBlock = false;
        _index.Dispose();
        _data.Dispose();
        ReleaseBlock();
    }

    private void ReleaseBlock()
    {
        var block = _block;
        _block = null;
        _blockOffset = -1;
        block?.Unref();
    }

    private void SkipEmptyBlocksForward()
    {
        while (!_hasBlock || !_data.Valid)
        {
            if (!_index.Valid)
            {
                _hasBlock = false;
                return;
            }

            _index.Next();
            LoadBlock();
            if (_hasBlock)
            {
                _data.SeekToFirst();
            }
        }
    }

    private void SkipEmptyBlocksBackward()
    {
        while (!_hasBlock || !_data.Valid)
        {
            if (!_index.Valid)
            {
                _hasBlock = false;
                return;
            }

            _index.Prev();
            LoadBlock();
            if (_hasBlock)
            {
                _data.SeekToLast();
            }
        }
    }

    // Points _data at the block the index iterator names (keeping it when it is the same block).
    private void LoadBlock()
    {
        if (!_index.Valid)
        {
            _hasBlock = false;
            return;
        }

        var handle = _table.DecodeIndexValue(_index.Value);
        if (_hasBlock && handle.Offset == _blockOffset)
        {
            return;
        }

        // Point _data away from the old block before giving back its reference.
        _hasBlock = false;
        _data.Clear();
        ReleaseBlock();
        var block = _table.ReadDataBlock(handle, _fillCache);
        _block = block;
        _data.Reset(block);
        _blockOffset = handle.Offset;
        _hasBlock = true;
    }
}
