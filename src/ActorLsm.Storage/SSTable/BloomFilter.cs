using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Reads a whole-table bloom filter (RocksDB's "full filter"; bloom math as in LevelDB's
/// util/bloom.cc) and defines its hash. Layout: <c>m</c> bits (m a multiple of 8, at least 64),
/// then one byte holding k, the number of probes. Probe i sets/tests bit
/// <c>(h1 + i * h2) mod m</c> (double hashing) where h1/h2 are the low/high halves of
/// <see cref="Hash64"/> of the user key. See FORMAT.md, "Filter block".
/// </summary>
internal static class BloomFilter
{
    /// <summary>Largest k a reader accepts; larger values are reserved and read as "may contain".</summary>
    public const int MaxProbes = 30;

    // Format constants: multipliers and seed of Hash64. Changing one changes every filter.
    private const ulong Seed = 0x5D3A_6E2B_94C1_07F3UL;
    private const ulong M1 = 0x9E37_79B1_85EB_CA87UL;
    private const ulong M2 = 0xC2B2_AE3D_27D4_EB4FUL;
    private const ulong M3 = 0x1656_67B1_9E37_79F9UL;

    /// <summary>
    /// Probes per key for <paramref name="bitsPerKey"/>: round(bitsPerKey * ln 2), clamped to 1..30
    /// (the count that minimizes the false-positive rate).
    /// </summary>
    public static int ProbeCount(int bitsPerKey) => Math.Clamp((int)Math.Round(bitsPerKey * 0.6931471805599453), 1, MaxProbes);

    /// <summary>
    /// A 64-bit hash of <paramref name="key"/>: 8-byte lanes multiplied and rotated into the state,
    /// a 4-byte and a byte-wise tail, then an avalanche of xor-shifts and multiplies. Format
    /// constant: stored filters depend on it.
    /// </summary>
    public static ulong Hash64(ReadOnlySpan<byte> key)
    {
        ulong h = Seed + ((ulong)key.Length * M3);
        while (key.Length >= 8)
        {
            ulong k = BinaryPrimitives.ReadUInt64LittleEndian(key) * M2;
            k = BitOperations.RotateLeft(k, 31) * M1;
            h ^= k;
            h = (BitOperations.RotateLeft(h, 27) * M1) + M3;
            key = key[8..];
        }

        if (key.Length >= 4)
        {
            h ^= BinaryPrimitives.ReadUInt32LittleEndian(key) * M1;
            h = (BitOperations.RotateLeft(h, 23) * M2) + M3;
            key = key[4..];
        }

        foreach (byte b in key)
        {
            h ^= b * M3;
            h = BitOperations.RotateLeft(h, 11) * M1;
        }

        h ^= h >> 33;
        h *= M2;
        h ^= h >> 29;
        h *= M3;
        h ^= h >> 32;
        return h;
    }

    /// <summary>
    /// False when <paramref name="userKey"/> is certainly absent from the keys the filter was built
    /// from; true when it may be present. A filter shorter than 2 bytes or with a reserved k
    /// answers true.
    /// </summary>
    public static bool MayContain(ReadOnlySpan<byte> filter, ReadOnlySpan<byte> userKey) =>
        MayContainHash(filter, Hash64(userKey));

    /// <summary>As <see cref="MayContain"/>, for a key already hashed with <see cref="Hash64"/>.</summary>
    public static bool MayContainHash(ReadOnlySpan<byte> filter, ulong hash)
    {
        if (filter.Length < 2)
        {
            return true;
        }

        int k = filter[^1];
        if (k is < 1 or > MaxProbes)
        {
            return true;
        }

        var bits = filter[..^1];
        uint m = (uint)bits.Length * 8;
        Probes(hash, m, out uint pos, out uint step);
        for (int i = 0; i < k; i++)
        {
            if ((bits[(int)(pos >> 3)] & (1 << (int)(pos & 7))) == 0)
            {
                return false;
            }

            pos = Advance(pos, step, m);
        }

        return true;
    }

    /// <summary>First probe position and stride of double hashing over <paramref name="m"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Probes(ulong hash, uint m, out uint pos, out uint step)
    {
        pos = (uint)hash % m;
        step = (uint)(hash >> 32) % m;
        if (step == 0)
        {
            step = 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Advance(uint pos, uint step, uint m)
    {
        pos += step;
        return pos >= m ? pos - m : pos;
    }
}
