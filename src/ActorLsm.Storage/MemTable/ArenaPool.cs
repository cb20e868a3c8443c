using System.Diagnostics;

namespace ActorLsm.Storage.Memtables;

/// <summary>
/// Recycles memtable arena arrays of one size, so a store that keeps switching memtables reuses
/// the same few arrays instead of leaving dead 64 MiB arrays on the large object heap until a
/// full GC (RocksDB frees its arena blocks at once; the GC would not). Arrays of another size
/// (a memtable grown for one oversized write batch) are not kept. Thread-safe.
/// </summary>
internal sealed class ArenaPool
{
    private readonly int _size;
    private readonly int _maxPooled;
    private readonly Stack<byte[]> _free = new();
    private readonly object _lock = new();

    /// <param name="size">Array size to pool, in bytes (memtable capacity plus <see cref="MemTable.FixedOverhead"/>).</param>
    /// <param name="maxPooled">Arrays kept at most while unused.</param>
    public ArenaPool(int size, int maxPooled)
    {
        _size = size;
        _maxPooled = maxPooled;
    }

    /// <summary>Arrays waiting for reuse.</summary>
    public int PooledCount
    {
        get
        {
            lock (_lock)
            {
                return _free.Count;
            }
        }
    }

    /// <summary>An array of <paramref name="size"/> bytes, recycled when one of that size is free. Its contents are arbitrary.</summary>
    public byte[] Rent(int size)
    {
        if (size == _size)
        {
            lock (_lock)
            {
                if (_free.TryPop(out byte[]? buffer))
                {
                    return buffer;
                }
            }
        }

        return GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Gives back an array no reader can reach any more.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length != _size)
        {
            return;
        }

        lock (_lock)
        {
            if (_free.Count < _maxPooled)
            {
                _free.Push(buffer);
            }

            AssertInvariants();
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_free.Count <= _maxPooled, "pool within its bound");
}
