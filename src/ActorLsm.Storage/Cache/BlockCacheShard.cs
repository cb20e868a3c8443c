using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Cache;

/// <summary>
/// One shard of <see cref="BlockCache"/>: a dictionary plus an intrusive doubly-linked LRU list
/// (head = most recently used), bounded by a byte capacity. All members take the shard's lock.
/// Each cached <see cref="Block"/> carries one reference owned by the shard: taken in
/// <see cref="Insert"/>, given back when the entry is replaced, evicted, erased or cleared.
/// <see cref="TryGet"/> takes a reference for the caller under the lock, so an eviction racing
/// with a lookup cannot free the block between the lookup and the caller's reference.
/// </summary>
internal sealed class BlockCacheShard
{
    private readonly Dictionary<BlockCacheKey, Entry> _map = [];
    private readonly Entry _head = new(default, null!, 0);
    private readonly long _capacity;
    private long _usage;

    // Set by Clear(close: true): later inserts are ignored, so a read racing with the store's
    // close cannot leave a block (and its native memory) in a cache nobody will clear again.
    private bool _closed;

    public BlockCacheShard(long capacity)
    {
        _capacity = capacity;
        _head.Prev = _head;
        _head.Next = _head;
    }

    public long Usage => Interlocked.Read(ref _usage);

    public int Count
    {
        get
        {
            lock (_map)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>Finds a block, marks it most recently used and takes a reference for the caller, who must <see cref="Block.Unref"/> it.</summary>
    public bool TryGet(BlockCacheKey key, [MaybeNullWhen(false)] out Block block)
    {
        lock (_map)
        {
            if (_map.TryGetValue(key, out var entry))
            {
                Unlink(entry);
                LinkFirst(entry);
                entry.Block.Ref();
                block = entry.Block;
                return true;
            }
        }

        block = null;
        return false;
    }

    /// <summary>
    /// Caches a block charged <paramref name="charge"/> bytes, taking a reference of the shard's
    /// own; skipped (no reference taken) when larger than the shard.
    /// REQUIRES: the caller holds a reference to <paramref name="block"/>.
    /// </summary>
    public void Insert(BlockCacheKey key, Block block, long charge)
    {
        if (charge > _capacity)
        {
            return;
        }

        lock (_map)
        {
            if (_closed)
            {
                return;
            }

            if (_map.Remove(key, out var old))
            {
                Unlink(old);
                Interlocked.Add(ref _usage, -old.Charge);
                old.Block.Unref();
            }

            block.Ref();
            var entry = new Entry(key, block, charge);
            _map.Add(key, entry);
            LinkFirst(entry);
            Interlocked.Add(ref _usage, charge);
            while (_usage > _capacity)
            {
                var victim = _head.Prev!;
                Unlink(victim);
                _map.Remove(victim.Key);
                Interlocked.Add(ref _usage, -victim.Charge);
                victim.Block.Unref(); // freed now unless a reader still holds it
            }

            AssertInvariants();
        }
    }

    public void EraseFile(ulong fileNumber)
    {
        lock (_map)
        {
            for (var e = _head.Next!; e != _head;)
            {
                var next = e.Next!;
                if (e.Key.FileNumber == fileNumber)
                {
                    Unlink(e);
                    _map.Remove(e.Key);
                    Interlocked.Add(ref _usage, -e.Charge);
                    e.Block.Unref();
                }

                e = next;
            }
        }
    }

    /// <summary>Drops every entry, giving back the shard's references; with <paramref name="close"/>, also ignores every later insert.</summary>
    public void Clear(bool close)
    {
        lock (_map)
        {
            _closed |= close;
            for (var e = _head.Next!; e != _head;)
            {
                var next = e.Next!;
                Unlink(e);
                e.Block.Unref();
                e = next;
            }

            _map.Clear();
            Interlocked.Exchange(ref _usage, 0);
            AssertInvariants();
        }
    }

    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        lock (_map)
        {
            Debug.Assert(_usage <= _capacity, "shard over its byte bound");
            long sum = 0;
            int count = 0;
            for (var e = _head.Next!; e != _head; e = e.Next!)
            {
                sum += e.Charge;
                count++;
            }

            Debug.Assert(sum == _usage && count == _map.Count, "LRU list out of step with the map");
        }
    }

    private void LinkFirst(Entry e)
    {
        e.Prev = _head;
        e.Next = _head.Next;
        _head.Next!.Prev = e;
        _head.Next = e;
    }

    private static void Unlink(Entry e)
    {
        e.Prev!.Next = e.Next;
        e.Next!.Prev = e.Prev;
        e.Prev = null;
        e.Next = null;
    }

    private sealed class Entry(BlockCacheKey key, Block block, long charge)
    {
        public BlockCacheKey Key { get; } = key;

        public Block Block { get; } = block;

        public long Charge { get; } = charge;

        public Entry? Prev { get; set; }

        public Entry? Next { get; set; }
    }
}
