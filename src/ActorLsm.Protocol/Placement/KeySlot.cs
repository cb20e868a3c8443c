namespace ActorLsm.Protocol;

/// <summary>
/// Redis Cluster's key-to-slot rule, the placement rule of every ActorLsm key: a key's hash slot
/// is CRC16 (the XMODEM variant: polynomial 0x1021, initial value 0, no reflection, no final xor)
/// of its hash tag if it has one, else of the whole key, modulo <see cref="SlotCount"/> (16384).
/// </summary>
/// <remarks>
/// Hash tag (Redis Cluster specification, "Hash tags"): if the key contains <c>{</c>, and a
/// <c>}</c> follows it with at least one byte between them, only the bytes between the first
/// <c>{</c> and the first <c>}</c> after it are hashed. So <c>{user1000}.following</c> and
/// <c>{user1000}.followers</c> share a slot, <c>foo{}{bar}</c> hashes the whole key, and
/// <c>foo{{bar}}zap</c> hashes <c>{bar</c>. Keys that share a slot share a shard, so a write
/// batch over them is one atomic batch on one shard (LAYOUT.md, PROTOCOL.md).
/// </remarks>
public static class KeySlot
{
    /// <summary>The number of hash slots, 16384, as in Redis Cluster.</summary>
    public const int SlotCount = 16384;

    private static readonly ushort[] s_table = BuildTable();

    /// <summary>The hash slot (0 .. 16383) of <paramref name="key"/> (any length, empty included).</summary>
    public static int Of(ReadOnlySpan<byte> key) => Crc16(HashTag(key)) & (SlotCount - 1);

    /// <summary>
    /// The bytes of <paramref name="key"/> that are hashed: the text inside the first <c>{...}</c>
    /// when it is non-empty, else the whole key.
    /// </summary>
    public static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open < 0)
        {
            return key;
        }

        int close = key[(open + 1)..].IndexOf((byte)'}');
        return close <= 0 ? key : key.Slice(open + 1, close);
    }

    /// <summary>
    /// The one hash slot of every key k with <paramref name="start"/> &lt;= k &lt; <paramref name="end"/>, when the
    /// bounds' common prefix holds a complete non-empty hash tag (the first <c>{</c> and a <c>}</c> after it with at
    /// least one byte between): every key of the range begins with that prefix, so has that tag. False when the
    /// range may span slots. Lets a range scan inside one hash tag (all keys of one persistence id, say) go to one
    /// shard instead of every shard.
    /// </summary>
    /// <example><c>[{user1000}.a, {user1000}.z)</c> lies in slot 3443; <c>[{user1000}, {user1001})</c> may span slots.</example>
    public static bool TryGetRangeSlot(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, out int slot)
    {
        ReadOnlySpan<byte> prefix = start[..start.CommonPrefixLength(end)];
        int open = prefix.IndexOf((byte)'{');
        if (open < 0 || prefix[(open + 1)..].IndexOf((byte)'}') <= 0)
        {
            slot = -1;
            return false;
        }

        slot = Of(prefix);
        return true;
    }

    /// <summary>CRC16/XMODEM of <paramref name="data"/>: poly 0x1021, init 0; "123456789" gives 0x31C3.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
        {
            crc = (ushort)((crc << 8) ^ s_table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }

            table[i] = (ushort)crc;
        }

        return table;
    }
}
