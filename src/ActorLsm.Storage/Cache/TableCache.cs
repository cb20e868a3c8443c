using System.Diagnostics;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Cache;

/// <summary>
/// Keeps up to <c>capacity</c> SSTable readers open, least recently used evicted first
/// (LevelDB's TableCache). Readers are reference counted: an evicted or dropped reader closes
/// its file only when the last lookup or iterator using it lets go. Thread-safe.
/// </summary>
internal sealed class TableCache : IDisposable
{
    private readonly string _dir;
    private readonly int _capacity;
    private readonly BlockCache? _blockCache;
    private readonly bool _verifyChecksums;
    private readonly Dictionary<ulong, Entry> _entries = [];
    private readonly LinkedList<Entry> _lru = new();
    private readonly object _lock = new();
    private bool _disposed;

    public TableCache(string dir, int capacity, BlockCache? blockCache, bool verifyChecksums)
    {
        _dir = dir;
        _capacity = capacity;
        _blockCache = blockCache;
        _verifyChecksums = verifyChecksums;
    }

    /// <summary>Readers currently open.</summary>
    public int OpenCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Returns a leased reader for <paramref name="file"/>, opening it if needed. The caller
    /// must pass the entry to <see cref="Release"/> exactly once.
    /// </summary>
    public Entry Acquire(FileMetadata file)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(file.Number, out Entry? entry))
            {
                entry.RefCount++;
                _lru.Remove(entry.Node);
                _lru.AddFirst(entry.Node);
                return entry;
            }
        }

        // Open outside the lock: it reads the footer, index and filter from disk.
        string path = FileNames.Table(_dir, file.Number);
        TableReader reader;
        try
        {
            reader = TableReader.Open(path, file.Number, _blockCache, _verifyChecksums);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The manifest names this table, so its absence is damage to the store, not a missing input.
            throw new CorruptionException(path, 0, $"SSTable {file.Number} is named by the manifest but missing: {e.Message}");
        }

        if (reader.FileSize != file.Size)
        {
            reader.Dispose();
            throw new CorruptionException(path, Math.Min(reader.FileSize, file.Size), $"SSTable {file.Number} has {reader.FileSize} bytes, the manifest records {file.Size}");
        }

        lock (_lock)
        {
            if (_disposed)
            {
                reader.Dispose();
                ObjectDisposedException.ThrowIf(true, this);
            }

            if (_entries.TryGetValue(file.Number, out Entry? raced))
            {
                reader.Dispose();
                raced.RefCount++;
                return raced;
            }

            var entry = new Entry(file.Number, reader) { RefCount = 2 }; // one for the cache, one for the caller
            entry.Node = _lru.AddFirst(entry);
            _entries.Add(file.Number, entry);
            EvictOverCapacity();
            AssertInvariants();
            return entry;
        }
    }

    /// <summary>Ends a lease taken with <see cref="Acquire"/>.</summary>
    public void Release(Entry entry)
    {
        bool close;
        lock (_lock)
        {
            close = --entry.RefCount == 0;
        }

        if (close)
        {
            entry.Reader.Dispose();
        }
    }

    /// <summary>An iterator over <paramref name="file"/> that holds a lease until disposed.</summary>
    public IInternalIterator NewIterator(FileMetadata file, bool fillCache)
    {
        Entry entry = Acquire(file);
        try
        {
            return new LeasedIterator(this, entry, entry.Reader.NewIterator(fillCache));
        }
        catch
        {
            Release(entry);
            throw;
        }
    }

    /// <summary>Drops the reader of a deleted file (it closes once unused).</summary>
    public void Evict(ulong fileNumber)
    {
        Entry? entry;
        lock (_lock)
        {
            if (!_entries.Remove(fileNumber, out entry))
            {
                return;
            }

            _lru.Remove(entry.Node);
        }

        Release(entry);
    }

    public void Dispose()
    {
        List<Entry> entries;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            entries = [.. _entries.Values];
            _entries.Clear();
            _lru.Clear();
        }

        foreach (Entry entry in entries)
        {
            Release(entry);
        }
    }

    // REQUIRES: _lock held.
    private void EvictOverCapacity()
    {
        while (_entries.Count > _capacity && _lru.Last is { } last)
        {
            Entry victim = last.Value;
            _lru.RemoveLast();
            _entries.Remove(victim.FileNumber);
            if (--victim.RefCount == 0)
            {
                victim.Reader.Dispose();
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_entries.Count == _lru.Count, "every cached reader is in the LRU list once");
        Debug.Assert(_entries.Count <= _capacity, "cache within capacity");
    }

    /// <summary>A cached reader and its lease count (the cache itself holds one while cached).</summary>
    internal sealed class Entry
    {
        public Entry(ulong fileNumber, TableReader reader)
        {
            FileNumber = fileNumber;
            Reader = reader;
            Node = null!;
        }

        public ulong FileNumber { get; }

        public TableReader Reader { get; }

        /// <summary>REQUIRES: guarded by the cache's lock.</summary>
        public int RefCount { get; set; }

        public LinkedListNode<Entry> Node { get; set; }
    }

    private sealed class LeasedIterator : IInternalIterator
    {
        private readonly TableCache _cache;
        private readonly Entry _entry;
        private readonly IInternalIterator _inner;
        private bool _disposed;

        public LeasedIterator(TableCache cache, Entry entry, IInternalIterator inner)
        {
            _cache = cache;
            _entry = entry;
            _inner = inner;
        }

        public bool Valid => _inner.Valid;

        public ReadOnlySpan<byte> Key => _inner.Key;

        public ReadOnlySpan<byte> Value => _inner.Value;

        public void SeekToFirst() => _inner.SeekToFirst();

        public void SeekToLast() => _inner.SeekToLast();

        public void Seek(ReadOnlySpan<byte> internalKey) => _inner.Seek(internalKey);

        public void SeekForPrev(ReadOnlySpan<byte> internalKey) => _inner.SeekForPrev(internalKey);

        public void Next() => _inner.Next();

        public void Prev() => _inner.Prev();

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _inner.Dispose();
            _cache.Release(_entry);
        }
    }
}
