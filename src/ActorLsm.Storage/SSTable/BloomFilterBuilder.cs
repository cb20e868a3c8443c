using System.Diagnostics;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Collects the 64-bit hashes of a table's user keys and builds one bloom filter for the whole
/// table (RocksDB's full filter; layout in <see cref="BloomFilter"/> and FORMAT.md). Consecutive
/// equal hashes (versions of the same user key) are stored once. Allocation is amortized: the
/// hash array only grows.
/// </summary>
internal sealed class BloomFilterBuilder
{
    private readonly int _bitsPerKey;
    private ulong[] _hashes = new ulong[1024];
    private int _count;

    /// <param name="bitsPerKey">Filter bits per distinct key, &gt;= 1 (default 10, about 1% false positives).</param>
    public BloomFilterBuilder(int bitsPerKey = TableFormat.DefaultBloomBitsPerKey)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerKey, 1);
        _bitsPerKey = bitsPerKey;
    }

    /// <summary>Distinct keys added so far (consecutive duplicates count once).</summary>
    public int KeyCount => _count;

    /// <summary>Adds a user key (not an internal key).</summary>
    public void AddKey(ReadOnlySpan<byte> userKey) => AddHash(BloomFilter.Hash64(userKey));

    /// <summary>Adds a key already hashed with <see cref="BloomFilter.Hash64"/>.</summary>
    public void AddHash(ulong hash)
    {
        if (_count > 0 && _hashes[_count - 1] == hash)
        {
            return;
        }

        if (_count == _hashes.Length)
        {
            Array.Resize(ref _hashes, _hashes.Length * 2);
        }

        _hashes[_count++] = hash;
    }

    /// <summary>Builds the filter (bits then k) from the keys added and clears the builder.</summary>
    public byte[] Finish()
    {
        long bitCount = Math.Max(64L, (long)_count * _bitsPerKey);
        int bytes = (int)Math.Min((bitCount + 7) / 8, int.MaxValue / 16);
        uint m = (uint)bytes * 8;
        int k = BloomFilter.ProbeCount(_bitsPerKey);
        var filter = new byte[bytes + 1];
        filter[bytes] = (byte)k;
        for (int i = 0; i < _count; i++)
        {
            BloomFilter.Probes(_hashes[i], m, out uint pos, out uint step);
            for (int j = 0; j < k; j++)
            {
                filter[pos >> 3] |= (byte)(1 << (int)(pos & 7));
                pos = BloomFilter.Advance(pos, step, m);
            }
        }

        _count = 0;
        Debug.Assert(filter.Length >= 9, "a filter has at least 64 bits and the probe count");
        return filter;
    }
}
