using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Cache;

/// <summary>
/// A sharded LRU cache of parsed data blocks keyed by (table file number, block offset), bounded in
/// bytes (LevelDB's ShardedLRUCache idea). Each block is charged its native allocation
/// (<see cref="Block.MemoryCharge"/>) plus <see cref="EntryOverhead"/>; the capacity is split evenly over 16 shards (a capacity under 16 bytes caches nothing) and each shard evicts
/// its least recently used blocks to stay within its share. A block larger than a shard's share is
/// not cached. One lock per shard. Capacity 0 disables the cache (every lookup misses).
/// </summary>
/// <remarks>
/// Blocks live in native memory with a reference count (RocksDB's cache handles): the cache owns
/// one reference per cached block, <see cref="TryGet"/> hands the caller another, and eviction only
/// drops the cache's, so a block being read by an iterator or a lookup stays readable until its
/// reader lets go, and its memory is freed at once by the last <see cref="Block.Unref"/> (no dead
/// managed array waiting for a gen2 GC). <see cref="Dispose"/> drops the cache's references (the
/// store does it on close); a finalizer does it for a cache that was never disposed.
/// </remarks>
internal sealed class BlockCache : IDisposable
{
    /// <summary>Bytes charged per entry on top of the block's native memory (managed entry and Block objects, dictionary slot).</summary>
    public const int EntryOverhead = 160;

    private const int ShardBits = 4;

    private readonly BlockCacheShard[] _shards;
    private long _hits;
    private long _misses;

    /// <param name="capacity">Bound on the total charge in bytes; 0 disables caching.</param>
    public BlockCache(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        long perShard = capacity >> ShardBits;
        _shards = new BlockCacheShard[1 << ShardBits];
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new BlockCacheShard(perShard);
        }
    }

    ~BlockCache() => Close();

    /// <summary>Bound on <see cref="Usage"/> in bytes.</summary>
    public long Capacity { get; }

    /// <summary>Lookups that found a block.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that found nothing.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Bytes charged by the cached blocks now.</summary>
    public long Usage
    {
        get
        {
            long total = 0;
            foreach (var shard in _shards)
            {
                total += shard.Usage;
            }

            return total;
        }
    }

    /// <summary>Blocks cached now.</summary>
    public int Count
    {
        get
        {
            int total = 0;
            foreach (var shard in _shards)
            {
                total += shard.Count;
            }

            return total;
        }
    }

    /// <summary>
    /// Looks up a block and marks it most recently used. Counts a hit or a miss. On a hit the caller
    /// owns one reference to <paramref name="block"/> and must give it back with <see cref="Block.Unref"/>.
    /// </summary>
    public bool TryGet(ulong fileNumber, long offset, [MaybeNullWhen(false)] out Block block)
    {
        var key = new BlockCacheKey(fileNumber, offset);
        if (ShardOf(key).TryGet(key, out var found))
        {
            Interlocked.Increment(ref _hits);
            block = found;
            return true;
        }

        Interlocked.Increment(ref _misses);
        block = null;
        return false;
    }

    /// <summary>
    /// Caches <paramref name="block"/> (replacing any block under the same key), taking a reference
    /// of the cache's own, and evicts least recently used blocks of its shard until the shard is
    /// within bounds. The caller keeps its own reference. REQUIRES: the caller holds a reference.
    /// </summary>
    public void Insert(ulong fileNumber, long offset, Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var key = new BlockCacheKey(fileNumber, offset);
        ShardOf(key).Insert(key, block, (long)block.MemoryCharge + EntryOverhead);
    }

    /// <summary>Drops every cached block of <paramref name="fileNumber"/> (for a deleted table). Scans all shards.</summary>
    public void EraseFile(ulong fileNumber)
    {
        foreach (var shard in _shards)
        {
            shard.EraseFile(fileNumber);
        }
    }

    /// <summary>Drops every cached block (the cache's references); blocks that readers still hold stay alive until they let go.</summary>
    public void Clear()
    {
        foreach (var shard in _shards)
        {
            shard.Clear(close: false);
        }
    }

    /// <summary>
    /// Drops every cached block and caches nothing from then on (lookups miss, inserts are
    /// ignored), so that reads racing with the store's close leave no native memory behind. Idempotent.
    /// </summary>
    public void Dispose()
    {
        Close();
        GC.SuppressFinalize(this);
    }

    private void Close()
    {
        foreach (var shard in _shards)
        {
            shard.Clear(close: true);
        }
    }

    private BlockCacheShard ShardOf(BlockCacheKey key) => _shards[(int)(key.Mix() >> (64 - ShardBits))];

    /// <summary>Checks the byte bound of every shard. DEBUG builds only.</summary>
    [Conditional("DEBUG")]
    internal void AssertInvariants()
    {
        foreach (var shard in _shards)
        {
            shard.AssertInvariants();
        }
    }
}
